"""moto's S3 server on a free port of 127.0.0.1, spoken to over HTTP as a council's S3 (or
an S3-compatible store) would be: `s3_endpoint`, a module-scoped fixture, for the tests
that store documents in S3 or drop referrals into it (shared by the root conftest.py)."""

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer  # here: moto is slow to import

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
