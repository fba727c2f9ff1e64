"""A webhook receiver for the test stack's notifications: records each POST, or refuses while
told to (so a test can watch the notifier retry)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """Listens on 127.0.0.1 on a free port in a thread of its own."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refusals = 0
        """How many POSTs were refused (answered 503)."""
        self.refusing = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if receiver.refusing:
                    receiver.refusals += 1
                    self.send_response(503)
                else:
                    receiver.received.append(Received(dict(self.headers.items()), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the test asserts on what arrived."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/ctv"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
