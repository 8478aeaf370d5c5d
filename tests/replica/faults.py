"""Fault injection: the ``--faults`` spec, which articles carry a page fault, transient faults.

Spec: a comma list of ``key=value``. Page faults (``kind=count``) are fixed at start: `count`
articles, chosen from the seed among the newest 200 articles of the tail (never a pinned one),
carry the fault for good. Rate faults can be replaced at run time
(``POST /__replica__/faults?spec=…``). See README.md, "Faults".
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field, replace

PAGE_FAULTS: dict[str, str | None] = {
    # kind: the skip reason truth.jsonl gives (None: the article is stored normally)
    "404": "http_404",
    "500": "http_500",
    "slow": "timeout",
    "truncated": "truncated",
    "no_date": "no_date",
    "bad_date": "bad_date",
    "empty_body": "no_body",
    "block": "not_article",
    "redirect": None,
    "retry_after": None,
    "dataloss": None,
}
RATE_FAULTS = ("rate500", "drift", "slow_seconds", "dead", "hostile")
CANDIDATES = 200
"""Page faults are chosen among this many newest articles of the tail."""
DEFAULT_SLOW_SECONDS = 10.0


@dataclass(frozen=True)
class Faults:
    """A parsed spec: page fault counts and the rate faults."""

    pages: dict[str, int] = field(default_factory=dict)
    rate500: float = 0.0
    """Fraction of article responses that answer a transient 500."""
    drift: int = 0
    """Every `drift`-th listing request publishes one article first (0: never)."""
    slow_seconds: float = DEFAULT_SLOW_SECONDS
    """How long a ``slow`` article takes to answer."""
    dead: bool = False
    """Drop every connection that is not for /__replica__/ without an answer."""
    hostile: str = ""
    """A hostile answer (tests/replica/hostile.py) to every URL or to every article, or ""."""

    def rates(self) -> dict[str, object]:
        """The rate faults as JSON-ready values."""
        return {
            "rate500": self.rate500,
            "drift": self.drift,
            "slow_seconds": self.slow_seconds,
            "dead": int(self.dead),
            "hostile": self.hostile,
        }


def parse(spec: str | None, base: Faults | None = None, pages_allowed: bool = True) -> Faults:
    """Parse a spec on top of `base`; ValueError with a readable message for a bad one."""
    faults = base or Faults()
    pages = dict(faults.pages)
    changes: dict[str, object] = {}
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep:
            raise ValueError(f"fault {part!r}: expected key=value")
        try:
            if key in PAGE_FAULTS:
                if not pages_allowed:
                    raise ValueError("page faults are fixed at start (use --faults)")
                count = int(value)
                if count < 0:
                    raise ValueError("a count cannot be negative")
                pages[key] = count
            elif key == "rate500":
                rate = float(value)
                if not 0 <= rate <= 1:
                    raise ValueError("a rate is between 0 and 1")
                changes[key] = rate
            elif key == "drift":
                changes[key] = max(0, int(value))
            elif key == "slow_seconds":
                changes[key] = max(0.0, float(value))
            elif key == "dead":
                changes[key] = value.lower() in ("1", "true", "yes", "on")
            elif key == "hostile":
                from .hostile import KINDS, prepare

                if value and value not in KINDS:
                    raise ValueError(f"a hostile answer is one of {', '.join(KINDS)}")
                prepare(value)  # built now, not by many request threads at once
                changes[key] = value
            else:
                known = ", ".join([*PAGE_FAULTS, *RATE_FAULTS])
                raise ValueError(f"unknown fault (known: {known})")
        except ValueError as error:
            raise ValueError(f"fault {part!r}: {error}") from None
    return replace(faults, pages={k: v for k, v in pages.items() if v}, **changes)  # type: ignore[arg-type]


def assign(pages: dict[str, int], seed: int, candidates: list[int]) -> dict[int, str]:
    """Which article index carries which page fault (deterministic from the seed)."""
    total = sum(pages.values())
    if total > len(candidates):
        raise ValueError(
            f"{total} page faults asked for, only {len(candidates)} articles can carry one"
        )
    chosen = random.Random(f"{seed}:faults").sample(candidates, total)
    out: dict[int, str] = {}
    for kind in PAGE_FAULTS:  # a fixed order: the spec's order does not matter
        for _ in range(pages.get(kind, 0)):
            out[chosen.pop()] = kind
    return out


def transient(path: str, count: int, rate: float) -> bool:
    """Whether request number `count` of `path` gets a transient 500 (a retry may not)."""
    if rate <= 0:
        return False
    return zlib.crc32(f"{path}#{count}".encode()) / 0x1_0000_0000 < rate
