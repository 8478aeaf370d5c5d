"""Downloader middleware: robots.txt fetched once a run, for the robots check and the spider.

Scrapy's robots check (``RobotsTxtMiddleware``, ``ROBOTSTXT_OBEY``) fetches a host's robots.txt
before the first request to that host; a spider that reads robots.txt itself (the generic
spider: its ``Sitemap:`` lines) would then fetch it a second time. This middleware keeps the
answer the robots check got, per URL, and gives it to the spider's own request for the same
URL instead of asking the site again. A robots.txt the check could not get (no answer, a server
error, too many requests) is not kept: the spider's request goes to the site as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.http import Request, Response

#: Statuses whose answer is kept: anything but a passing failure (which is worth asking again).
KEEP_BELOW = 500


def is_robots(request: Request) -> bool:
    """Whether `request` asks for a host's robots.txt (at the root of the host)."""
    return request.url.split("?", 1)[0].endswith("/robots.txt") and request.url.count("/") == 3


class RobotsOnceMiddleware:
    """Answers a spider's request for robots.txt with the robots check's own answer."""

    def __init__(self) -> None:
        self.answers: dict[str, Response] = {}

    def process_request(self, request: Request, spider: object = None) -> Response | None:
        if request.meta.get("dont_obey_robotstxt") or not is_robots(request):
            return None
        kept = self.answers.get(request.url)
        return None if kept is None else kept.replace(request=request)

    def process_response(self, request: Request, response: Response, spider: object = None) -> Response:
        # The robots check's request: Scrapy marks it so that the check does not wait on itself.
        checks = request.meta.get("dont_obey_robotstxt") and is_robots(request)
        if checks and response.status < KEEP_BELOW and response.status != 429:
            self.answers[request.url] = response
        return response
