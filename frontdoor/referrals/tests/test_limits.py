"""Limits per account on drafts: at most DRAFTS_MAX_PER_FORM open drafts of one form and
DRAFTS_MAX_PER_HOUR started in an hour, with a page that says what to do. A refused start
leaves every draft as it was, and the limits hold for "Start now" pressed at once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client

from frontdoor.accounts.models import User
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Draft
from frontdoor.referrals.services import stored_version

pytestmark = pytest.mark.django_db

START_URL = "/forms/social-care-referral/"
TOO_SOON = "You cannot start another form yet"
AFTERNOON = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 2pm in London (GMT)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_drafts(user: User, slug: str, count: int) -> set[int]:
    """Drafts made as if started days ago: they count for the limit, not for the hour."""
    version = stored_version(registry.get(slug))
    return {Draft.objects.create(owner=user, form_version=version).pk for _ in range(count)}


def test_an_account_has_at_most_20_drafts_of_one_form(professional):
    kept = open_drafts(professional, "social-care-referral", 20)
    client = signed_in(professional)

    response = client.post(START_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "You have 20 draft Social Care referrals" in page
    assert (
        'Send or delete one in <a class="govuk-link" href="/forms/recover/">Recover a form</a> '
        "before starting another." in page
    )
    assert set(Draft.objects.values_list("pk", flat=True)) == kept  # none lost, none added

    # Another form is not held back, and sending or deleting one makes room.
    assert client.post("/forms/early-help-request/").status_code == 302
    assert client.post(f"/forms/draft/{min(kept)}/delete/").status_code == 302
    assert client.post(START_URL).status_code == 302
    assert Draft.objects.filter(form_version__slug="social-care-referral").count() == 20


def test_the_limit_on_drafts_is_a_setting(professional, settings):
    settings.DRAFTS_MAX_PER_FORM = 2
    open_drafts(professional, "early-help-request", 2)
    response = signed_in(professional).post("/forms/early-help-request/")
    assert "You have 2 draft Early Help requests" in response.content.decode()
    assert Draft.objects.count() == 2


def test_starting_drafts_is_limited_per_hour_and_deleting_them_gives_none_back(professional):
    for minute in range(10):
        with time_machine.travel(AFTERNOON + timedelta(minutes=minute), tick=False):
            assert signed_in(professional).post(START_URL).status_code == 302
    started = set(Draft.objects.values_list("pk", flat=True))

    with time_machine.travel(AFTERNOON + timedelta(minutes=30), tick=False):
        client = signed_in(professional)
        response = client.post(START_URL)
        assert response.status_code == 200
        page = response.content.decode()
        assert TOO_SOON in page
        assert "You have started 10 forms in the last hour" in page
        assert "You can start another Social Care form from 3pm." in page
        assert 'href="/forms/recover/"' in page
        assert set(Draft.objects.values_list("pk", flat=True)) == started
        # Deleting drafts does not give the hour's starts back.
        for pk in sorted(started)[:5]:
            client.post(f"/forms/draft/{pk}/delete/")
        assert TOO_SOON in client.post("/forms/early-help-request/").content.decode()
        assert Draft.objects.count() == 5

    with time_machine.travel(AFTERNOON + timedelta(minutes=60, seconds=1), tick=False):
        assert signed_in(professional).post(START_URL).status_code == 302
        again = signed_in(professional).post(START_URL)  # the 2nd of the hour is due too
        assert TOO_SOON in again.content.decode()
    with time_machine.travel(AFTERNOON + timedelta(minutes=60, seconds=30), tick=False):
        page = signed_in(professional).post(START_URL).content.decode()
        assert "You can start another Social Care form from 3:01pm." in page


def test_the_hourly_limit_is_a_setting(member_of_public, settings):
    settings.DRAFTS_MAX_PER_HOUR = 1
    client = signed_in(member_of_public)
    assert client.post("/forms/feedback/").status_code == 302
    response = client.post("/forms/feedback/")
    assert response.status_code == 200
    assert "You have started 1 form in the last hour" in response.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("limit", ["per_form", "per_hour"])
def test_concurrent_starts_at_the_limit_make_one_draft(professional, settings, limit):
    """Four "Start now" at once with room for one: one draft, and three told why not."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this proves: PostgreSQL only (CI runs it there)")
    if limit == "per_form":
        open_drafts(professional, "social-care-referral", 19)
    else:
        settings.DRAFTS_MAX_PER_HOUR = 3
        for _ in range(2):
            drafts.start(professional, registry.get("social-care-referral"))
    before = Draft.objects.count()
    clients = [signed_in(professional) for _ in range(4)]
    statuses: list[object] = []
    barrier = threading.Barrier(len(clients))

    def start_it(client: Client) -> None:
        from django.db import connections

        barrier.wait()
        try:
            statuses.append(client.post(START_URL).status_code)
        except Exception as error:
            statuses.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start_it, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses, key=str) == [200, 200, 200, 302]  # 200: the page saying why not
    assert Draft.objects.count() == before + 1
