"""Whether a run really saw the site: the evidence that lets it move its coverage.

A site that answers 200 with a maintenance page, an empty body or JSON for its feed and
listings looks, to a naive crawl, like a quiet hour: nothing new, exit 0 — and the coverage
moves on, so the articles published meanwhile beyond the feed's reach are never looked for
again. So a run counts what its listing pages gave: pages read, pages that were not listings
(or failed to download), pages that listed at least one article, and listed articles the
archive already held. `problem()` says, in one line for ``runs.error``, why a run has not
covered anything; such a run fails (exit 1) and keeps the old coverage, so the next good run
walks back far enough to recover everything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Evidence:
    """What the listing pages of one run showed."""

    #: Listing pages (feed, section pages, archive days) whose request ended, however.
    pages: int = 0
    #: Of those, pages that gave nothing usable, by skip reason (``not_listing``,
    #: ``empty_listing``, ``http_404`` …).
    unusable: Counter[str] = field(default_factory=Counter)
    #: Pages that listed at least one article.
    with_entries: int = 0
    #: Listed articles the archive already held when they were listed.
    known_listed: int = 0

    def page(self, entries: int, known: int) -> None:
        """A listing page read as a listing, with `entries` articles, `known` of them archived."""
        self.pages += 1
        self.with_entries += entries > 0
        self.known_listed += known

    def failed(self, reason: str) -> None:
        """A listing page that gave nothing usable (`reason`: its skip reason)."""
        self.pages += 1
        self.unusable[reason] += 1

    def problem(self, *, incremental: bool, archive_had_articles: bool) -> str | None:
        """Why this run saw nothing of the site, or None when it did.

        - no listing page read: nothing to judge (a run that walks no listings);
        - no page listed any article: a feed and section fronts always list some, so an
          incremental run saw nothing; a backfill did if its pages were all real (empty days
          exist), not if some were not listings at all;
        - an incremental run whose listings show none of the articles archived before has not
          joined up with what the archive covers (another site at that address?).
        """
        if not self.pages:
            return None
        failed = sum(self.unusable.values())
        if not self.with_entries and (incremental or failed):
            reasons = ", ".join(f"{r} {n}" for r, n in self.unusable.most_common())
            detail = f" ({reasons})" if failed else " (all of them empty)"
            return (
                f"nothing usable from the site: none of the {self.pages} listing pages read "
                f"showed an article link{detail}; the coverage stays where it was"
            )
        if incremental and archive_had_articles and not self.known_listed:
            return (
                f"the {self.pages} listing pages read show none of the articles archived before "
                "(another site at this address?); the coverage stays where it was"
            )
        return None
