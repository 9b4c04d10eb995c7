"""A real HTTP server on 127.0.0.1 that answers like the OS Places API's `/postcode` resource.

Canned responses are in tests/data/os_places_*.json, in OS Places' published format: a
postcode's file holds its whole result list and the server pages it by `offset` and
`maxresults`, as OS does; a postcode without a file has no addresses (a header with
totalresults 0 and no "results"). A wrong or missing `key` header gets OS's 401.
"""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.smtp_server import free_port

DATA = Path(__file__).parent / "data"
PATH = "/search/places/v1/postcode"


class OSPlacesServer:
    def __init__(self) -> None:
        self.key = "test-os-places-key"
        self.status: int | None = None  # answer every request with this error status
        self.delay = 0.0  # seconds before answering
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/search/places/v1"
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def answer(self, path: str, query: dict[str, str], key: str | None) -> tuple[int, Any]:
        if self.delay:
            time.sleep(self.delay)
        if key != self.key:
            return 401, _load("os_places_401.json")
        if self.status is not None:
            return self.status, _load("os_places_500.json")
        if path != PATH or "postcode" not in query:
            return 400, {"error": {"statuscode": 400, "message": "Requested URI is invalid"}}
        postcode = query["postcode"]
        name = "os_places_" + postcode.lower().replace(" ", "_") + ".json"
        canned = _load(name if (DATA / name).exists() else "os_places_no_results.json")
        offset, limit = int(query.get("offset", 0)), int(query.get("maxresults", 100))
        results = canned.get("results", [])
        header = canned["header"] | {
            "uri": f"https://api.os.uk{path}?postcode={quote(postcode)}&offset={offset}",
            "query": f"postcode={postcode}",
            "offset": offset,
            "maxresults": limit,
            "totalresults": len(results),
        }
        page = results[offset : offset + limit]
        return 200, {"header": header, "results": page} if page else {"header": header}


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def _handler(server: OSPlacesServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            key = self.headers.get("key")
            server.requests.append({"path": url.path, "query": query, "key": key})
            status, body = server.answer(url.path, query, key)
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the time-out test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def os_places() -> Iterator[OSPlacesServer]:
    server = OSPlacesServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
