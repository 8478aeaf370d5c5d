"""Shared fixtures: the replica sites (novinite, newsroom) as subprocesses (tests/replica/README.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.replica.process import Replica

#: The test files that take longest (the two soaks take about two minutes each), run first:
#: `make test` runs files on two processes (pytest-xdist, ``--dist loadfile``) in collection
#: order, and a long file started last would leave one process idle at the end.
LONGEST_FIRST = (
    "test_reliability_soak.py",
    "test_reliability_hostile.py",
    "test_reliability.py",
    "test_merge.py",
    "test_scrapyd.py",
    "test_crawl.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, each file's tests together and in their own order."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)

DEFAULT_FAULTS = (
    "404=1,500=1,slow=1,truncated=1,no_date=1,bad_date=1,empty_body=1,block=1,redirect=1,"
    "retry_after=1,dataloss=1"
)
"""One article with each page fault: what the session replica serves."""

ReplicaFactory = Callable[..., Replica]


@pytest.fixture(scope="session")
def replica() -> Iterator[Replica]:
    """A replica shared by the session: 300 articles (with eras), seed 1, every page fault,
    slow pages answering after 5 s.

    Do not move its clock or change its faults, and mind that `retry_after` and `dataloss`
    pages fail only on their first requests (whoever fetches them first): use `make_replica`.
    """
    server = Replica(articles=300, seed=1, faults=DEFAULT_FAULTS, slow_seconds=5)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def newsroom() -> Iterator[Replica]:
    """The second replica site ("newsroom", tests/replica/README.md) shared by the session:
    300 articles, seed 1, no faults. Do not move its clock: use ``make_replica(site="newsroom")``."""
    server = Replica(articles=300, seed=1, site="newsroom")
    yield server
    server.stop()


def _factory() -> tuple[ReplicaFactory, list[Replica]]:
    started: list[Replica] = []

    def make(
        articles: int = 300,
        seed: int = 1,
        faults: str = "",
        eras: bool | None = None,
        slow_seconds: float | None = None,
        site: str = "novinite",
    ) -> Replica:
        """A private replica: ``make(articles=300, seed=1, faults="", eras=None, site="novinite")``
        (``site="newsroom"`` for the second replica site)."""
        server = Replica(
            articles=articles,
            seed=seed,
            faults=faults,
            eras=eras,
            slow_seconds=slow_seconds,
            site=site,
        )
        started.append(server)
        return server

    return make, started


@pytest.fixture
def make_replica() -> Iterator[ReplicaFactory]:
    """A factory of private replicas (for tests that move the clock or change faults),
    stopped at the test's end."""
    make, started = _factory()
    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def make_replica_module() -> Iterator[ReplicaFactory]:
    """`make_replica` for module-scoped fixtures: the replicas live until the module's end."""
    make, started = _factory()
    yield make
    for server in started:
        server.stop()
