"""The drop a pipeline stage raises for a counted skip."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from newsarchive.items import PageSkip


class SkipDrop(DropItem):
    """A dropped item that is a counted skip: carries the `PageSkip` to record."""

    def __init__(self, skip: PageSkip) -> None:
        super().__init__(f"{skip.reason}: {skip.detail} <{skip.url}>", log_level="INFO")
        self.skip = skip
