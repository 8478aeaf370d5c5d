"""Any news site: pure page functions driven by the page's own metadata and a site profile.

`parse_article(html, url, profile=None) -> Article` (or `Skip`) reads what a modern page says
of itself (JSON-LD, Open Graph and ``article:*`` meta, ``<time datetime>``) and the body by our
conventions. Modules:

- `article`: `parse_article`, the not-an-article and paywall decisions;
- `metadata`: `PageMeta`, the page's meta tags, links and JSON-LD gathered once;
- `jsonld`: the JSON-LD article object and readers for schema.org's shapes of a value;
- `fields`: title (without the site's name), authors, section, tags, lead image;
- `when`: the publication instant (the profile's zone for dates without an offset);
- `body`, `boilerplate`: the body text, and the page furniture removed from it;
- `identity`: canonical URL (tracking parameters and AMP folded) and site id.
"""

from __future__ import annotations

from spiders.generic.article import parse_article

__all__ = ["parse_article"]
