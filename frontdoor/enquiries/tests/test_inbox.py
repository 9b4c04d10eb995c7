"""The inbox row says "Information received" until the team marks it read, and "Question
overdue" once a question is past its working days: read in the rows' own query, so the
page's queries do not grow with its rows."""

import datetime
import re
import zoneinfo

import pytest
import time_machine

from conftest import make_user, signed_in
from frontdoor.accounts.models import Membership, Team, User
from frontdoor.backoffice.tests.test_inbox import queries
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.cases import services as cases
from frontdoor.enquiries import services
from tests.bulk_referrals import copies

pytestmark = pytest.mark.django_db

INBOX = "/team/in/social-care/"
LONDON = zoneinfo.ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


def manager_of_mash() -> User:
    manager = make_user("mash.manager@council.example.gov.uk", "Dana", "Hughes")
    Membership.objects.create(
        user=manager, team=Team.objects.get(slug="social-care"), role=Membership.Role.MANAGER
    )
    return manager


def row(page: str, reference: str) -> str:
    """The inbox row of a reference, tags dropped."""
    found = re.search(
        rf'<tr class="govuk-table__row[^"]*">(?:(?!</tr>).)*{reference}.*?</tr>', page, re.S
    )
    assert found, reference
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


def test_information_received_shows_until_the_team_marks_it_read(
    professional, mash_staff, run_tasks
):
    submission, other = referral(professional), referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    services.send_answer(services.start_adding(submission, professional), "News", professional)

    page = staff.get(INBOX).content.decode()
    assert "Information received" in row(page, submission.reference)
    assert "Information received" not in row(page, other.reference)

    staff.post(f"/team/{submission.reference}/information-read/")
    assert "Information received" not in row(
        staff.get(INBOX).content.decode(), submission.reference
    )


def test_an_unanswered_question_is_overdue_after_its_working_days(
    professional, mash_staff, run_tasks, settings
):
    settings.ENQUIRY_ANSWER_WORKING_DAYS = 3
    with time_machine.travel(MONDAY, tick=False):
        submission = referral(professional)
        services.ask_referrer(case_of(submission), "Which school?", mash_staff)
    staff = signed_in(mash_staff, run_tasks)
    # Thursday 9:59am: not yet; Thursday 10am: overdue, on the row and on the referral.
    with time_machine.travel(MONDAY + datetime.timedelta(days=3, minutes=-1)):
        assert "Question overdue" not in row(
            staff.get(INBOX).content.decode(), submission.reference
        )
    with time_machine.travel(MONDAY + datetime.timedelta(days=3)):
        assert "Question overdue" in row(staff.get(INBOX).content.decode(), submission.reference)
        page = staff.get(f"/team/{submission.reference}/").content.decode()
        assert "Overdue" in page
        assert "No answer yet" in page
        # Closed, it is overdue no more: not on the row, not on the referral.
        proposed = cases.decide(case_of(submission), "no-further-action", "NFA.", mash_staff)
        cases.confirm(proposed, manager_of_mash())
        closed = staff.get(f"{INBOX}?stage=closed").content.decode()
        assert "Question overdue" not in row(closed, submission.reference)
        page = staff.get(f"/team/{submission.reference}/").content.decode()
        assert "Overdue</strong>" not in page
        assert "The referral is closed: the question is no longer counted as overdue" in page


def test_the_tags_add_no_query_per_row(professional, mash_staff, run_tasks):
    template = referral(professional)
    services.ask_referrer(case_of(template), "Which?", mash_staff)
    services.send_answer(services.start_adding(template, professional), "News", professional)
    copies(template, 4)
    staff = signed_in(mash_staff, run_tasks)
    staff.get(INBOX)  # the first page after signing in does its one-off work
    few = queries(staff, INBOX)
    copies(template, 60)
    assert queries(staff, INBOX) == few


def test_the_flags_of_enquiries_made_before_the_columns_are_filled_in(professional, mash_staff):
    import importlib

    from django.apps import apps

    from frontdoor.cases.models import Case

    filled = importlib.import_module("frontdoor.enquiries.migrations.0002_case_inbox_flags_filled")
    asked, added, quiet = referral(professional), referral(professional), referral(professional)
    question = services.ask_referrer(case_of(asked), "Which school?", mash_staff)
    services.send_answer(services.start_adding(added, professional), "News", professional)
    Case.objects.update(information_unread=False, question_due_at=None)  # as before 0004

    filled.fill(apps, None)

    assert case_of(asked).question_due_at == question.due_at
    assert not case_of(asked).information_unread
    assert case_of(added).information_unread
    assert case_of(added).question_due_at is None
    assert not case_of(quiet).information_unread
