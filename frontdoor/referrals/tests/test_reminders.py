"""Every way of changing a draft moves its deletion date, and so makes the deletion
reminder due again: after a reminder has gone out, a change means a second reminder before
the new date, from the real scheduled job."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from frontdoor.accounts.models import User
from frontdoor.referrals.models import Draft
from frontdoor.referrals.tests.test_pages import CHILD

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHANGED = START + timedelta(days=25)


def signed_in(user: User) -> Client:
    """A fresh sign-in at the travelled-to time (the last one has long timed out)."""
    client = Client()
    client.force_login(user)
    return client


def start_draft(client: Client, slug: str) -> int:
    response = client.post(f"/forms/{slug}/")
    match = re.match(r"^/forms/draft/(\d+)/$", response["Location"])
    assert match, response
    return int(match.group(1))


def reminder_dates(user: User) -> list[str]:
    """The deletion dates the reminders emailed to `user` gave, in order."""
    return [
        re.search(r"will be deleted on (\d+ \w+ \d{4})", m.body).group(1)  # type: ignore[union-attr]
        for m in mail.outbox
        if m.to == [user.email] and "will be deleted on" in m.body and "saved but not" in m.body
    ]


def assert_change_brings_a_new_reminder(
    user: User,
    run_tasks: Callable[[], None],
    make: Callable[[Client], int],
    change: Callable[[Client, int], None],
) -> None:
    with time_machine.travel(START):
        draft = make(signed_in(user))
    with time_machine.travel(START + timedelta(days=23, minutes=1)):
        call_command("delete_expired_drafts", verbosity=0)
        run_tasks()
    assert reminder_dates(user) == ["1 April 2026"]  # 30 days after the last save

    with time_machine.travel(CHANGED):
        change(signed_in(user), draft)
    assert f"{Draft.objects.get(pk=draft).deletes_at:%-d %B %Y}" == "26 April 2026"

    # 7 days before the new date (26 April): reminded again, and the draft is still there.
    with time_machine.travel(CHANGED + timedelta(days=23, minutes=1)):
        call_command("delete_expired_drafts", verbosity=0)
        run_tasks()
    assert reminder_dates(user) == ["1 April 2026", "26 April 2026"]
    assert Draft.objects.filter(pk=draft).exists()


def feedback(client: Client) -> int:
    draft = start_draft(client, "feedback")
    client.post(f"/forms/draft/{draft}/your-feedback/", {"revision": "0", "what_happened": "A"})
    return draft


def two_children(client: Client) -> int:
    draft = start_draft(client, "social-care-referral")
    client.post(f"/forms/draft/{draft}/children/0/", {"revision": "0", **CHILD})
    client.post(
        f"/forms/draft/{draft}/children/1/", {"revision": "1", **CHILD, "first_name": "Ben"}
    )
    return draft


def test_saving_a_section_brings_a_new_reminder(member_of_public, run_tasks):
    def change(client: Client, draft: int) -> None:
        response = client.post(
            f"/forms/draft/{draft}/your-feedback/", {"revision": "1", "what_happened": "B"}
        )
        assert response.status_code == 200  # saved, with an error for the kind still to say

    assert_change_brings_a_new_reminder(member_of_public, run_tasks, feedback, change)


def test_the_page_saving_itself_brings_a_new_reminder(member_of_public, run_tasks):
    def change(client: Client, draft: int) -> None:
        response = client.post(
            f"/forms/draft/{draft}/your-feedback/",
            {"revision": "1", "what_happened": "B"},
            HTTP_X_AUTOSAVE="1",
        )
        assert response.json() == {"saved": True, "revision": 2}

    assert_change_brings_a_new_reminder(member_of_public, run_tasks, feedback, change)


def test_removing_a_child_brings_a_new_reminder(professional, run_tasks):
    def change(client: Client, draft: int) -> None:
        response = client.post(f"/forms/draft/{draft}/children/", {"remove": "1"})
        assert response.status_code == 302
        assert len(Draft.objects.get(pk=draft).answers["children"]) == 1

    assert_change_brings_a_new_reminder(professional, run_tasks, two_children, change)


def test_taking_the_first_childs_address_brings_a_new_reminder(professional, run_tasks):
    def change(client: Client, draft: int) -> None:
        client.post(
            f"/forms/draft/{draft}/children/1/",
            {"revision": "2", "first_name": "Ben", "same_as_first": "address"},
        )
        assert Draft.objects.get(pk=draft).answers["children"][1]["address"][2] == (
            "Fictional Road"
        )

    assert_change_brings_a_new_reminder(professional, run_tasks, two_children, change)


def test_answers_kept_over_a_time_out_bring_a_new_reminder(member_of_public, run_tasks):
    def change(client: Client, draft: int) -> None:
        url = f"/forms/draft/{draft}/your-feedback/"
        with time_machine.travel(CHANGED - timedelta(minutes=61)):
            client = signed_in(member_of_public)
            assert client.get(f"/forms/draft/{draft}/").status_code == 200  # last activity
        # Posted after the session timed out: kept, then saved once signed in again.
        response = client.post(url, {"revision": "1", "what_happened": "Kept"})
        assert response["Location"] == "/account/timed-out/"
        client.force_login(member_of_public)
        client.get(url)
        assert Draft.objects.get(pk=draft).answers["your-feedback"]["what_happened"] == "Kept"

    assert_change_brings_a_new_reminder(member_of_public, run_tasks, feedback, change)
