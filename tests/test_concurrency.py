"""`--concurrency N` is at most N requests at one host at a time, with or without a delay
between requests (`newsarchive.crawl.downloader`: Scrapy's own downloader sent everything it
had queued at once when there was no delay)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from tests.helpers import ROOT, cli_env

#: How long the host takes to answer each request: long enough that queued requests pile up.
ANSWER_SECONDS = 0.2


class CountingHost:
    """An HTTP host that answers every request with a 404 after `ANSWER_SECONDS` and counts the
    requests it is answering at once."""

    def __init__(self) -> None:
        self.now = self.peak = self.total = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        self.now += 1
        self.total += 1
        self.peak = max(self.peak, self.now)
        await asyncio.sleep(ANSWER_SECONDS)  # the host's own slowness, not a wait of the test
        self.now -= 1
        writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()


async def crawl_counting(tmp_path, *args: str) -> CountingHost:
    host = CountingHost()
    server = await asyncio.start_server(host.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "newsarchive.cli", "crawl", "novinite", "-q",
        "--db", str(tmp_path / "archive.db"), "--log-file", str(tmp_path / "crawl.log"),
        "--base-url", f"http://127.0.0.1:{port}/", "--timeout", "10",
        "--full", "--since", "2024-12-01", *args,
        cwd=ROOT, env=cli_env("2024-12-07T12:00:00Z"), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.wait_for(proc.wait(), timeout=120)
    server.close()
    return host


@pytest.mark.parametrize("concurrency", [1, 3])
def test_no_more_requests_at_once_than_the_concurrency_without_a_delay(tmp_path, concurrency):
    host = asyncio.run(crawl_counting(tmp_path, "--delay", "0", "--concurrency", str(concurrency)))
    assert host.total >= 6, host.total  # robots.txt, the feed, a week of archive days …
    assert host.peak == concurrency, (host.peak, host.total)
