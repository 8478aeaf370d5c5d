"""Site URL and fetch URL (`newsarchive.crawl.roots`): pure functions, no server."""

from __future__ import annotations

import pytest

from newsarchive.crawl.roots import fetch_url, on_root, site_url

SITE = "https://www.novinite.com/"


@pytest.mark.parametrize(
    ("fetched", "root", "stored"),
    [
        # the replica, a mirror, a mirror under a path, the site itself
        ("http://127.0.0.1:8000/articles/1/A+B", "http://127.0.0.1:8000/", SITE + "articles/1/A+B"),
        ("http://mirror.example/view_news.php?id=7", "http://mirror.example", SITE + "view_news.php?id=7"),
        ("http://mirror.example/nov/articles/1/", "http://mirror.example/nov/", SITE + "articles/1/"),
        (SITE + "articles/1/A", SITE, SITE + "articles/1/A"),
        # the site's own host linked from a mirror's page stays as it is
        (SITE + "images/1.jpg", "http://127.0.0.1:8000/", SITE + "images/1.jpg"),
        # another host altogether (a CDN) is not the site's and not the root's: unchanged
        ("https://cdn.example/1.jpg", "http://127.0.0.1:8000/", "https://cdn.example/1.jpg"),
    ],
)
def test_site_url(fetched: str, root: str, stored: str) -> None:
    assert site_url(fetched, root, SITE) == stored


@pytest.mark.parametrize(
    ("stored", "root", "fetched"),
    [
        (SITE + "articles/1/A+B", "http://127.0.0.1:8000/", "http://127.0.0.1:8000/articles/1/A+B"),
        (SITE + "articles/1/A", "http://mirror.example/nov/", "http://mirror.example/nov/articles/1/A"),
        (SITE + "articles/1/A", SITE, SITE + "articles/1/A"),
        # already on the root (an archive crawled through it before): unchanged
        ("http://127.0.0.1:8000/articles/1/", "http://127.0.0.1:8000/", "http://127.0.0.1:8000/articles/1/"),
    ],
)
def test_fetch_url(stored: str, root: str, fetched: str) -> None:
    assert fetch_url(stored, root, SITE) == fetched


def test_the_two_directions_undo_each_other() -> None:
    root = "http://127.0.0.1:41234/"
    for path in ("articles/229777/Syrian+Opposition%2C+X", "view_news.php?id=3&disable_mobile=true"):
        url = SITE + path
        assert site_url(fetch_url(url, root, SITE), root, SITE) == url


def test_on_root_compares_host_port_and_path_prefix() -> None:
    assert on_root("http://www.novinite.com/articles/1", SITE)  # http and https: one site
    assert not on_root("http://127.0.0.1:8001/articles/1", "http://127.0.0.1:8000/")
    assert not on_root("http://mirror.example/other/1", "http://mirror.example/nov/")
    assert not on_root("not a url", SITE)
