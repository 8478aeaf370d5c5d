"""``python -m tests.replica [--site novinite|newsroom] --port 0 --articles N --seed S [--faults SPEC]
[--eras/--no-eras]``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .base import BaseSite
from .faults import DEFAULT_SLOW_SECONDS, Faults, parse
from .newsroom.site import NewsroomSite
from .server import serve
from .site import Site
from .timeline import ArticleCountError

SITES = ("novinite", "newsroom")


def main(argv: list[str] | None = None) -> int:
    """Run the replica until SIGTERM/SIGINT; exit 2 on bad arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.replica",
        description="A faithful local novinite.com. Prints `serving http://HOST:PORT/` first.",
    )
    parser.add_argument(
        "--site", choices=SITES, default="novinite", help="which replica site (default novinite)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--articles", type=int, default=300, help="articles at the clock's start")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", default="", help="e.g. 404=1,slow=1,rate500=0.05 (README.md)")
    parser.add_argument(
        "--eras",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="landmark days of 2011 and 2019 (default: on from 200 articles)",
    )
    parser.add_argument(
        "--slow-seconds", type=float, default=DEFAULT_SLOW_SECONDS, help="delay of `slow` pages"
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="exit when stdin closes (a parent that dies takes the replica with it)",
    )
    args = parser.parse_args(argv)
    note = None
    try:
        faults = parse(args.faults, Faults(slow_seconds=args.slow_seconds))
        site: BaseSite
        if args.site == "newsroom":
            site = NewsroomSite(args.seed, args.articles, faults)
        else:
            site, note = _novinite(args, faults)
    except ValueError as error:
        print(f"replica: {error}", file=sys.stderr)
        return 2
    if args.exit_with_stdin:
        threading.Thread(target=_exit_at_eof, daemon=True).start()
    serve(site, args.host, args.port, note)
    return 0


def _novinite(args: argparse.Namespace, faults: Faults) -> tuple[Site, str | None]:
    """The novinite site, or the fewest articles that hold the seed page's neighbours (a note)."""
    note = None
    try:
        site = Site(args.seed, args.articles, args.eras, faults)
    except ArticleCountError as error:
        if error.minimum is None:
            raise
        # Fewer articles than the seed page's neighbours need: serve the fewest that do.
        note = (
            f"replica: --articles {args.articles} cannot hold the seed page's related "
            f"articles; serving {error.minimum}"
        )
        site = Site(args.seed, error.minimum, args.eras, faults)
    return site, note


def _exit_at_eof() -> None:
    """Wait for stdin to close, then stop the server as SIGTERM does."""
    # os.read on the descriptor: a thread blocked in sys.stdin.buffer.read would hold the
    # buffer's lock and delay the interpreter's shutdown.
    while os.read(0, 4096):
        pass
    os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    sys.exit(main())
