"""The site-independent HTML toolkit (newsarchive.extract) and feed times, without a site."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from newsarchive.dates import parse_feed_time
from newsarchive.extract import (
    IDS_INDEXED,
    ByClass,
    ById,
    TextWalker,
    class_predicate,
    ends_html,
    has_class,
    img_src,
    in_order,
    inline_text,
    inside,
    parse_html,
    under,
)


def root_of(html: str) -> etree._Element:
    root = parse_html(html)
    assert root is not None
    return root


def test_parse_html_gives_none_for_an_empty_page_and_reads_bytes_as_utf8() -> None:
    assert parse_html("") is None and parse_html(b" \n ") is None
    assert root_of("<p>Столица</p>").findtext(".//p") == "Столица"
    assert parse_html("<p>é</p>".encode()).findtext(".//p") == "é"


def test_ends_html_looks_only_at_the_end_of_the_page() -> None:
    assert ends_html("<html><body>x</body></HTML >\n")
    assert not ends_html("<html><body>x")
    assert not ends_html("</html>" + "x" * 20_000)


def test_img_src_skips_data_placeholders_for_lazy_loaders() -> None:
    img = root_of('<img src="data:image/gif;base64,R0" data-src=" /a.jpg ">').find(".//img")
    assert img_src(img) == "/a.jpg"
    assert img_src(root_of("<img alt=x>").find(".//img")) is None


def test_lookups_by_id_and_class_in_document_order() -> None:
    assert IDS_INDEXED
    root = root_of(
        "<div id=a class='x  box'><p class=boxes>1</p><p class='y box'>2</p></div><p id=a>3</p>"
    )
    assert ById("a").first_in(root).tag == "div"
    assert [p.text for p in ByClass("box", "p").all_in(root)] == ["2"]
    assert len(root.xpath(f"//*[{class_predicate('box')}]")) == 2
    second = root.xpath("//p")[1]
    assert has_class(second, "box") and not has_class(second, "bo")
    assert under(second, frozenset({"box"})) and not under(second, frozenset({"y"}))
    assert inside(second, ById("a").first_in(root))
    assert [el.tag for el in in_order(root)][:4] == ["body", "div", "p", "p"]


def test_text_walker_paragraphs_items_and_stop_heading() -> None:
    div = root_of(
        "<div>one\nline<br>two<br><br>three<p>four <b>bold</b></p><ul><li>item</li></ul>"
        "<span class=skip>no</span>tail<h3>Stop here</h3><p>after</p></div>"
    ).find(".//div")
    walker = TextWalker(exclude_classes=frozenset({"skip"}), stop_headings=(re.compile("^Stop"),))
    blocks = walker.run(div)
    assert [b.text for b in blocks] == ["one line\ntwo", "three", "four bold", "item", "tail"]
    assert [b.is_item for b in blocks] == [False, False, False, True, False]
    assert inline_text(div.find("p")) == "four bold"
    assert inline_text(None) == ""


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("2024-12-06T11:06:00+02:00", "2024-12-06T09:06:00+00:00"),
        ("2024-12-06T09:06:00Z", "2024-12-06T09:06:00+00:00"),
        ("2024-07-01T12:00:00", "2024-07-01T09:00:00+00:00"),  # wall time in the zone given
        ("Fri, 06 Dec 2024 11:06:00 +0200", "2024-12-06T09:06:00+00:00"),
        ("Fri, 06 Dec 2024 09:06:00 -0000", "2024-12-06T09:06:00+00:00"),
    ],
)
def test_parse_feed_time(raw: str, utc: str) -> None:
    value = parse_feed_time(raw, "Europe/Athens")
    assert value is not None and value.isoformat() == utc


def test_parse_feed_time_gives_none_for_garbage() -> None:
    assert parse_feed_time("yesterday", "UTC") is None
    assert parse_feed_time("9999-12-31T23:59:59-23:00", "UTC") is None
