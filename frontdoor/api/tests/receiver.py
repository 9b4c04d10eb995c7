"""A case-management system's webhook receiver, for tests: a real HTTP server in a thread
that verifies each delivery with the `standardwebhooks` package, as a receiver would.

`answers` is what it answers next, one per request ((status, headers, body)); then 200.
"""

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

PORTS = range(8110, 8120)  # this checkout's ports (wp1)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    connections: int = 0  # every connection, even one that never made a request
    slow: float = 0  # seconds to wait before answering
    answers: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/frontdoor"

    def verify(self, secret: str, index: int = -1) -> Any:
        """The payload of a request, verified with the secret (raises if it fails)."""
        got = self.requests[index]
        return Webhook(secret).verify(got.body, got.headers)

    def verifies(self, secret: str, index: int = -1) -> bool:
        try:
            self.verify(secret, index)
        except WebhookVerificationError:
            return False
        return True


@contextmanager
def receiver() -> Iterator[Receiver]:
    got = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            got.requests.append(
                Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            )
            status, headers, body = got.answers.pop(0) if got.answers else (200, {}, b"ok")
            time.sleep(got.slow)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def verify_request(self, request: Any, client_address: Any) -> bool:
            got.connections += 1
            return True

    server = None
    for port in PORTS:
        try:
            server = Server(("127.0.0.1", port), Handler)
            break
        except OSError:
            continue
    assert server is not None, "no free port in 8110-8119"
    got.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
