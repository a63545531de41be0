"""The app a real browser lands on after the hosted UI: a tiny server on a free loopback port.

A real server rather than playwright routing, because routing does not catch a redirect that a GET
navigation's 302 answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _App(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"<!DOCTYPE html><title>the app</title><p>signed in</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving_app(port: int) -> Iterator[str]:
    """Serve the app on 127.0.0.1:`port` until the block ends; yields its /callback URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _App)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}/callback"
    finally:
        server.shutdown()
        server.server_close()
