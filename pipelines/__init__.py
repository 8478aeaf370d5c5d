"""Item pipelines, one stage per module, in this order: validate → normalise → deduplicate →
store. A stage that refuses an item raises `SkipDrop`; the store stage records every such drop
in the archive's `skips` table and counts it as ``newsarchive/skipped/<reason>``."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from newsarchive.items import PageSkip


class SkipDrop(DropItem):
    """A dropped item that is a counted skip: carries the `PageSkip` to record."""

    def __init__(self, skip: PageSkip) -> None:
        super().__init__(f"{skip.reason}: {skip.detail} <{skip.url}>", log_level="INFO")
        self.skip = skip
