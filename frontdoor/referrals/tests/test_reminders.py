"""Every way of changing a draft moves its deletion date, and so makes the deletion
reminder due again: after a reminder has gone out, a change means a second reminder before
the new date, from the real scheduled job."""

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client

from frontdoor.accounts.models import User
from frontdoor.referrals import drafts
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
        # Remove is asked first; the confirmation page posts the revision it showed.
        revision = Draft.objects.get(pk=draft).revisions.get("children", 0)
        response = client.post(
            f"/forms/draft/{draft}/children/1/remove/", {"revision": str(revision)}
        )
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


@pytest.mark.django_db(transaction=True)
def test_a_save_while_the_reminder_job_runs_is_not_marked_reminded(member_of_public, run_tasks):
    """The job finds the draft due, but the owner saves it before the job marks it: the
    save wins (no reminder with the old date, none marked as sent), and the reminder for
    the new date still goes out."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this proves: PostgreSQL only (CI runs it there)")
    with time_machine.travel(START):
        draft = feedback(signed_in(member_of_public))
    locked, saved = threading.Event(), threading.Event()
    outcome: list[object] = []

    def save_while_the_job_waits() -> None:
        try:
            with transaction.atomic():
                row = Draft.objects.select_for_update().get(pk=draft)
                locked.set()
                # Saved once the job is waiting for this row (it found the draft due).
                for _ in range(600):
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_stat_clear_snapshot()")  # seen afresh
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND datname = current_database() AND pid <> pg_backend_pid()"
                        )
                        if cursor.fetchone()[0]:
                            break
                    saved.wait(0.05)
                else:
                    raise AssertionError("the job never waited for the draft's row")
                row.record_save("your-feedback", answers={"what_happened": "B"}, completed=False)
        except Exception as error:
            outcome.append(error)
        finally:
            connections.close_all()

    def run_the_job() -> None:
        locked.wait()
        try:
            outcome.append(drafts.remind_before_deletion())
        finally:
            connections.close_all()

    with time_machine.travel(CHANGED):
        threads = [
            threading.Thread(target=save_while_the_job_waits),
            threading.Thread(target=run_the_job),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run_tasks()
    assert outcome == [0]  # nothing reminded: the draft was saved before the job got to it
    assert Draft.objects.get(pk=draft).reminded_at is None
    assert reminder_dates(member_of_public) == []

    with time_machine.travel(CHANGED + timedelta(days=23, minutes=1)):
        call_command("delete_expired_drafts", verbosity=0)
        run_tasks()
    assert reminder_dates(member_of_public) == ["26 April 2026"]
