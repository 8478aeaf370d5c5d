"""The "newsroom" replica site: a news site built the modern way (tests/replica/README.md).

Canonical article URLs ``/YYYY/MM/DD/slug/``, Open Graph and JSON-LD metadata, times in
America/New_York, sitemaps, feeds, AMP copies and tracking parameters; the control contract
and faults are the novinite replica's (`tests/replica/base.py`, `tests/replica/faults.py`).
"""
