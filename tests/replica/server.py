"""The HTTP transport: a threading HTTP/1.1 keep-alive server around `Site.handle`."""

from __future__ import annotations

import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType

from .base import BaseSite as Site
from .base import Response

_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Handler(BaseHTTPRequestHandler):
    """Answers with whatever the site says, in one write (header and body)."""

    protocol_version = "HTTP/1.1"
    server_version = "novinite-replica"
    sys_version = ""
    disable_nagle_algorithm = True
    server: ReplicaServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._answer("POST")

    def _answer(self, method: str) -> None:
        response = self.server.site.handle(method, self.path)
        if response.drop:
            self.close_connection = True
            return
        if response.delay:
            time.sleep(response.delay)
        if response.stream is not None:
            self._stream(response)
            return
        body = response.body
        length = response.declared_length if response.declared_length is not None else len(body)
        head = [
            f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {length}",
        ]
        head.extend(f"{name}: {value}" for name, value in response.headers)
        if response.declared_length is not None or self.close_connection:
            head.append("Connection: close")
            self.close_connection = True
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(data if method == "HEAD" else data + body)

    def _stream(self, response: Response) -> None:
        """A chunked answer (truth.jsonl can be far too large to build in memory)."""
        head = (
            f"HTTP/1.1 {response.status} OK\r\nContent-Type: {response.content_type}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        )
        self.wfile.write(head.encode("latin-1"))
        assert response.stream is not None
        for chunk in response.stream:
            if chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """No access log: it would cost more than the answer."""


class ReplicaServer(ThreadingHTTPServer):
    """ThreadingHTTPServer carrying the site; daemon threads, a deep listen queue."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], site: Site) -> None:
        super().__init__(address, Handler)
        self.site = site

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away mid-answer is normal (timeouts, dead-site tests)."""
        error = sys.exc_info()[1]
        if isinstance(
            error, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
        ):
            return
        super().handle_error(request, client_address)


def serve(site: Site, host: str = "127.0.0.1", port: int = 0, note: str | None = None) -> None:
    """Bind, print ``serving http://HOST:PORT/`` as the first line of stdout, serve until killed.

    `note`, if any, goes to stderr after that line (so even merged output starts with it)."""
    server = ReplicaServer((host, port), site)
    site.base = f"http://{host}:{server.server_port}"
    print(f"serving {site.base}/", flush=True)
    if note:
        print(note, file=sys.stderr, flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
