"""Each API client's rate limit (API_RATE_LIMIT): 429 with Retry-After, per client."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from frontdoor.api import throttling
from frontdoor.api.tests.conftest import System, assert_problem
from frontdoor.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

FORMS = "/api/v1/forms"


def test_a_client_over_its_rate_is_told_to_wait_with_retry_after(settings, teams):
    settings.API_RATE_LIMIT = "3/min"
    system = System("Busy system", [teams["social-care"]])
    other = System("Quiet system", [teams["lado"]])

    assert [system.get(FORMS).status_code for _ in range(3)] == [200, 200, 200]
    refused = system.get("/api/v1/referrals")
    body = assert_problem(refused, 429)
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= 60
    assert "3/min" in body["detail"]
    assert "Retry-After" in body["detail"]
    # Per client: another system is not held up by this one.
    assert other.get(FORMS).status_code == 200
    # Nothing is read, nor audited as read, for a refused call.
    assert AuditEvent.objects.filter(action="api.referrals.listed").count() == 0


def test_the_window_ends_and_calls_are_let_through_again(settings, teams):
    settings.API_RATE_LIMIT = "2/10s"
    client = System("Busy system", [teams["social-care"]]).client_row
    start = 1_000_000.0  # the start of a 10 second window

    throttling.check(client, start)
    throttling.check(client, start + 1)
    with pytest.raises(throttling.Limited) as refused:
        throttling.check(client, start + 4)
    assert refused.value.wait == 6  # the rest of the window
    with pytest.raises(throttling.Limited):
        throttling.check(client, start + 9.5)
    throttling.check(client, start + 10)  # a new window
    throttling.check(client, start + 11)
    with pytest.raises(throttling.Limited):
        throttling.check(client, start + 12)


def test_a_wrong_token_is_401_before_any_rate_is_counted(settings):
    from django.test import Client

    settings.API_RATE_LIMIT = "1/min"
    stranger = Client(headers={"Authorization": "Bearer fdk_000000000000_" + "x" * 43})
    assert [stranger.get(FORMS).status_code for _ in range(3)] == [401, 401, 401]


@pytest.mark.parametrize("rate", ["", "600", "0/min", "ten/min", "5/fortnight"])
def test_a_rate_that_cannot_be_read_is_refused(rate):
    with pytest.raises(ImproperlyConfigured, match=re.escape("API_RATE_LIMIT")):
        throttling.parse_rate(rate)


def test_rates_are_read_as_calls_per_period():
    assert throttling.parse_rate("600/min") == (600, 60)
    assert throttling.parse_rate("20/s") == (20, 1)
    assert throttling.parse_rate("10000/hour") == (10000, 3600)
    assert throttling.parse_rate("2/10s") == (2, 10)
