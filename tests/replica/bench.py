"""Article pages per second the replica serves on loopback to keep-alive clients.

``python -m tests.replica.bench [--articles 20000] [--clients 2] [--seconds 5] [--url URL]``

Starts a replica (no eras, no faults) unless --url is given, then runs `clients` processes,
each with one keep-alive HTTP/1.1 connection, fetching distinct article pages in id order
(as a crawl does: every page rendered, none cached), and prints pages/s.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import time
from urllib.parse import urlsplit

from .process import Replica


def _client(
    url: str, first_id: int, step: int, count: int, seconds: float, out: multiprocessing.Queue
) -> None:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    done, size, errors = 0, 0, 0
    deadline = time.monotonic() + seconds
    article_id = first_id
    while time.monotonic() < deadline:
        connection.request("GET", f"/articles/{article_id}/")
        answer = connection.getresponse()
        body = answer.read()
        if answer.status == 200:
            done += 1
            size += len(body)
        else:
            errors += 1
        article_id += step
        if article_id >= first_id + count:
            article_id = first_id + (article_id - first_id) % step
    connection.close()
    out.put((done, size, errors))


def measure(url: str, first_id: int, count: int, clients: int, seconds: float) -> dict[str, float]:
    """Run the clients against `url`; pages/s, mean page size and errors."""
    out: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(
            target=_client, args=(url, first_id + k, clients, count, seconds, out)
        )
        for k in range(clients)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    elapsed = time.monotonic() - started
    for worker in workers:
        worker.join()
    pages = sum(r[0] for r in results)
    return {
        "pages": pages,
        "pages_per_s": pages / elapsed,
        "mean_bytes": sum(r[1] for r in results) / max(1, pages),
        "errors": sum(r[2] for r in results),
        "seconds": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.replica.bench", description=__doc__)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--url", help="an already running replica (or nginx over a static export)")
    parser.add_argument("--first-id", type=int, help="with --url: the smallest article id")
    args = parser.parse_args()
    if args.url:
        first = args.first_id or 229777 - args.articles + 20
        result = measure(args.url, first, args.articles - 40, args.clients, args.seconds)
    else:
        with Replica(articles=args.articles, eras=False) as replica:
            stats = replica.stats()
            count = int(stats["articles"])
            result = measure(replica.url, int(stats["first_id"]), count, args.clients, args.seconds)
    print(
        f"{result['pages_per_s']:.0f} article pages/s ({result['pages']:.0f} pages in "
        f"{result['seconds']:.1f} s, {args.clients} keep-alive clients, mean "
        f"{result['mean_bytes'] / 1024:.1f} KiB, {result['errors']:.0f} errors)"
    )


if __name__ == "__main__":
    main()
