from collections.abc import Iterator

import pytest
from django.test import Client

from frontdoor.api import clients
from frontdoor.api.tests.receiver import Receiver, receiver


class System:
    """An API client (a case-management system) and a test client sending its token."""

    def __init__(self, name: str, teams: list) -> None:
        self.client_row, self.token = clients.create_client(name, teams)
        self.http = Client(headers={"Authorization": f"Bearer {self.token}"})

    def get(self, path: str, data: dict | None = None):
        return self.http.get(path, data or {})

    def put(self, path: str, body: dict, headers: dict | None = None):
        return self.http.put(path, body, content_type="application/json", headers=headers)

    def post(self, path: str, body: dict, headers: dict | None = None):
        return self.http.post(path, body, content_type="application/json", headers=headers)


@pytest.fixture
def social_care_system(teams) -> System:
    return System("Social care system", [teams["social-care"]])


@pytest.fixture
def lado_system(teams) -> System:
    return System("LADO system", [teams["lado"]])


def assert_problem(response, status: int) -> dict:
    """An RFC 9457 problem: its media type, and type, title, status and a clear detail."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"]
    assert len(body["detail"]) > 20, body
    return body


@pytest.fixture
def loopback_allowed(settings):
    """Webhooks may go to http://127.0.0.1 (WEBHOOKS_ALLOW_LOOPBACK), as in development."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.fixture
def hook() -> Iterator[Receiver]:
    """A webhook receiver on loopback that verifies what it gets (receiver.py)."""
    with receiver() as got:
        yield got
