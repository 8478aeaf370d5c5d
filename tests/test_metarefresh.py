"""Meta refresh: Scrapy's decision on every page, without Scrapy's scan of pages that cannot
hold a refresh (`newsarchive.crawl.metarefresh`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.http import HtmlResponse, Request
from scrapy.utils.response import _metaref_cache
from scrapy.utils.test import get_crawler

from newsarchive import settings
from newsarchive.crawl.metarefresh import MetaRefreshMiddleware, ascii_compatible

GOLDEN = Path(__file__).parent / "golden"
URL = "http://127.0.0.1:9/articles/1/"
REFRESH = '<meta http-equiv="Refresh" content="0; url=/articles/2/">'


def middleware(cls: type) -> ScrapyMetaRefresh:
    return cls.from_crawler(get_crawler(settings_dict={}))


def page(html: str, encoding: str = "utf-8") -> HtmlResponse:
    body = html.encode(encoding)
    headers = {"Content-Type": f"text/html; charset={encoding}"}
    return HtmlResponse(URL, body=body, headers=headers, request=Request(URL))


def decision(result: object) -> str | None:
    return result.url if isinstance(result, Request) else None


def test_it_stands_in_for_scrapys() -> None:
    mws = settings.DOWNLOADER_MIDDLEWARES
    assert mws["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert mws["newsarchive.crawl.metarefresh.MetaRefreshMiddleware"] == 580  # Scrapy's place


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251", "utf-16"])
def test_a_refresh_is_followed_as_scrapy_follows_it(encoding: str) -> None:
    html = f"<html><head><title>Преместена</title>{REFRESH}</head><body>…</body></html>"
    ours = middleware(MetaRefreshMiddleware).process_response(Request(URL), page(html, encoding))
    scrapys = middleware(ScrapyMetaRefresh).process_response(Request(URL), page(html, encoding))
    assert decision(ours) == decision(scrapys) == "http://127.0.0.1:9/articles/2/"


def test_a_page_without_the_word_is_let_through_unscanned() -> None:
    response = page("<html><head><title>News</title></head><body><p>Text</p></body></html>")
    assert middleware(MetaRefreshMiddleware).process_response(Request(URL), response) is response
    assert response not in _metaref_cache  # Scrapy's scan never ran


def test_the_word_elsewhere_gets_scrapys_scan_and_no_redirect() -> None:
    response = page("<html><head><script>refresh()</script></head><body>x</body></html>")
    assert middleware(MetaRefreshMiddleware).process_response(Request(URL), response) is response
    assert response in _metaref_cache


def test_every_saved_page_gets_scrapys_decision() -> None:
    pages = sorted(GOLDEN.rglob("*.html"))
    assert len(pages) > 50
    ours, scrapys = middleware(MetaRefreshMiddleware), middleware(ScrapyMetaRefresh)
    for path in pages:
        body = path.read_bytes()
        mine = ours.process_response(Request(URL), HtmlResponse(URL, body=body, request=Request(URL)))
        theirs = scrapys.process_response(Request(URL), HtmlResponse(URL, body=body, request=Request(URL)))
        assert decision(mine) == decision(theirs), path


def test_ascii_compatible_encodings() -> None:
    assert ascii_compatible("utf-8") and ascii_compatible("windows-1251") and ascii_compatible("latin-1")
    assert not ascii_compatible("utf-16") and not ascii_compatible("utf-32-le")
    assert not ascii_compatible("no-such-encoding")
