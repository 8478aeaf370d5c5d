"""Finding elements in a page read by `parse_html`: by id, by class token, in document order.

Speed: ids are looked up in the parser's id table, not by a scan (`ById`); what is wanted
first in document order is found by a lazy walk that stops at it (`in_order`); a class test in
XPath tries a cheap ``contains`` before the exact token test (`class_predicate`).
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from newsarchive.extract.document import PARSER


def classes(el: etree._Element) -> list[str]:
    """The tokens of the element's class attribute."""
    value = el.get("class")
    return value.split() if value else []


def class_predicate(name: str) -> str:
    """XPath predicate: the element's class attribute holds the token `name` (a cheap
    ``contains`` first, so the exact test runs only on the few elements that can match)."""
    return (
        f"contains(@class, '{name}')"
        f" and contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
    )


def has_class(el: etree._Element, name: str) -> bool:
    """Whether the element's class attribute holds the token `name`."""
    value = el.get("class")
    return bool(value) and name in value.split()


def under(el: etree._Element, names: frozenset[str]) -> bool:
    """Whether an ancestor of `el` has a class of `names`."""
    return any(not names.isdisjoint(classes(a)) for a in el.iterancestors())


def inside(el: etree._Element, ancestor: etree._Element) -> bool:
    """Whether `el` is below `ancestor`."""
    parent = el.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def first(elements: Iterator[etree._Element]) -> etree._Element | None:
    """The first of `elements`, or None."""
    return next(elements, None)


def in_order(el: etree._Element) -> Iterator[etree._Element]:
    """The elements below `el` in document order, lazily: a search for the first of something
    near the top stops there. (lxml's own iterators find the next match before they return one,
    so even their first answer costs a scan of the rest of the subtree.)"""
    stack = [iter(el)]
    while stack:
        for child in stack[-1]:
            if isinstance(child.tag, str):
                yield child
                stack.append(iter(child))
                break
        else:
            stack.pop()


class ById:
    """Elements by id in a page read by `parse_html`, in document order. The first one costs a
    lookup, not a scan: libxml2 keeps a table of the ids it parsed (the first element of each id
    wins, as in document order). The scan is left for what the table cannot answer: an
    ``<a name>`` of that name registered first, or a first element outside the scope."""

    LOOKUP = etree.XPath("id($name)")
    SCAN = etree.XPath("descendant-or-self::*[@id = $name]")

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, root: etree._Element) -> list[etree._Element]:
        """``(//*[@id=name])[1]`` as a list, as an XPath would give it."""
        found = self.first_in(root)
        return [] if found is None else [found]

    def first_in(self, scope: etree._Element) -> etree._Element | None:
        """The first element with the id in `scope` (the scope itself included)."""
        if IDS_INDEXED:
            found = self.LOOKUP(scope, name=self.name)
            if not found:
                return None  # the table holds every id of the page: there is none
            el = found[0]
            if el.get("id") == self.name and (el is scope or inside(el, scope)):
                return el
        found = self.all_in(scope)
        return found[0] if found else None

    def all_in(self, scope: etree._Element) -> list[etree._Element]:
        """Every element with the id in `scope`, in document order (a scan)."""
        return self.SCAN(scope, name=self.name)


class ByClass:
    """The `tag` elements whose class holds the token `name`, in document order."""

    def __init__(self, name: str, tag: str = "*") -> None:
        self.name = name
        self.xpath = etree.XPath(f"descendant::{tag}[{class_predicate(name)}]")

    def first_in(self, scope: etree._Element) -> etree._Element | None:
        """The first such element below `scope`, or None."""
        found = self.xpath(scope)
        return found[0] if found else None

    def all_in(self, scope: etree._Element) -> list[etree._Element]:
        """Every such element below `scope`, in document order."""
        return self.xpath(scope)


#: Whether this libxml2 keeps the ids of HTML documents in its id table (it does, unless lxml
#: is told not to collect ids): if not, `ById` scans.
IDS_INDEXED = bool(ById.LOOKUP(etree.fromstring(b"<p id='x'>x</p>", PARSER), name="x"))
