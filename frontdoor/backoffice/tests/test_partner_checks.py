"""Partner checks on a referral's page: recorded, chased and answered through their own
small pages (errors keep what was typed); scoped like every action (another team, a
referrer and a check of another referral are 404; a former team is 403; CSRF); overdue
ones tagged in the inbox and found by its filter, at no extra query a row."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import signed_in
from frontdoor.backoffice.tests.test_inbox import ZOE, queries, references
from frontdoor.backoffice.tests.test_referral_actions import audited, url
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.cases import partner_checks, services
from frontdoor.cases.models import Case, PartnerCheck
from tests.bulk_referrals import copies
from tests.sending import send

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
INBOX = "/team/in/social-care/"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_record_chase_and_answer_a_check_through_the_pages(professional, mash_staff, run_tasks):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    page = text(staff.get(url(submission)))
    assert "Partner checks No partner checks recorded." in page
    assert "Record a partner check" in page
    today = timezone.localdate()

    form = text(staff.get(url(submission, "checks/new")))
    assert "Leave it blank for 1 working day after the date asked" in form
    recorded = staff.post(
        url(submission, "checks/new"),
        {
            "check-agency": "police",
            "check-agency_name": "Public Protection Unit",
            "check-contact": "DC Sam Lee, 01632 960111",
            "check-asked_on_0": today.day,
            "check-asked_on_1": today.month,
            "check-asked_on_2": today.year,
        },
    )
    assert recorded.status_code == 302
    assert recorded["Location"] == url(submission)
    check = PartnerCheck.objects.get()
    assert check.due_on == partner_checks.default_due(today)
    assert audited(submission, "case.partner_check_asked", mash_staff)
    page = text(staff.get(url(submission)))
    assert "Partner check recorded" in page
    assert "Police (Public Protection Unit) Waiting for a reply" in page
    assert "DC Sam Lee, 01632 960111" in page
    assert f"Asked {today:%-d %B %Y} by Morgan Reid" in page
    assert "Partner check asked: Police" in page  # the history

    chase_url = url(submission, f"checks/{check.pk}/chase")
    chased = staff.post(
        chase_url,
        {
            "chase-chased_on_0": today.day,
            "chase-chased_on_1": today.month,
            "chase-chased_on_2": today.year,
            "chase-note": "Left a message",
            "chase-version": case_of(submission).version,
        },
    )
    assert chased.status_code == 302
    page = text(staff.get(url(submission)))
    assert f"Chased {today:%-d %B %Y} by Morgan Reid: Left a message" in page

    reply_url = url(submission, f"checks/{check.pk}/reply")
    replied = staff.post(
        reply_url,
        {
            "reply-replied_on_0": today.day,
            "reply-replied_on_1": today.month,
            "reply-replied_on_2": today.year,
            "reply-reply": "One call-out to the address in 2025",
            "reply-version": case_of(submission).version,
        },
    )
    assert replied.status_code == 302
    page = text(staff.get(url(submission)))
    assert "Police (Public Protection Unit) Replied" in page
    assert "One call-out to the address in 2025" in page
    assert "Record the reply" not in page
    assert audited(submission, "case.partner_check_replied", mash_staff)


def test_errors_say_what_is_wrong_and_keep_what_was_typed(professional, mash_staff, run_tasks):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    future = timezone.localdate() + datetime.timedelta(days=3)
    bad = staff.post(
        url(submission, "checks/new"),
        {
            "check-agency": "other",
            "check-contact": "The probation officer, Ms Green",
            "check-asked_on_0": future.day,
            "check-asked_on_1": future.month,
            "check-asked_on_2": future.year,
            "check-due_on_0": "31",
            "check-due_on_1": "2",
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 200
    assert "There is a problem" in page
    for message in (
        "Enter the name of the agency",
        "Date asked must be today or in the past",
        "Due date must include a year",
    ):
        assert message in page
    assert "The probation officer, Ms Green" in page
    assert 'value="other" checked' in page
    assert 'value="31"' in page
    assert not PartnerCheck.objects.exists()

    empty = text(staff.post(url(submission, "checks/new"), {"check-asked_on_0": ""}))
    for message in ("Select the agency asked", "Enter who was asked", "Enter the date asked"):
        assert message in empty

    # A date that must be given is starred like the other questions that must; one that
    # may be left blank is not.
    def legend(page: str, label: str) -> str:
        found = re.search(rf">{re.escape(label)}(.*?)</legend>", page, re.S)
        assert found, label
        return found.group(1).strip()

    star = '<span class="fd-required" aria-hidden="true">*</span>'
    form = staff.get(url(submission, "checks/new")).content.decode()
    assert legend(form, "Date asked") == star
    assert legend(form, "Due date") == ""
    check = partner_checks.ask_partner(case_of(submission), "health", "GP", mash_staff)
    chase = staff.get(url(submission, f"checks/{check.pk}/chase")).content.decode()
    assert legend(chase, "Date chased") == star
    assert legend(chase, "New due date (optional)") == ""
    reply = staff.get(url(submission, f"checks/{check.pk}/reply")).content.decode()
    assert legend(reply, "Date it came back") == star
    stale = case_of(submission).version
    services.add_note(case_of(submission), "Meanwhile", mash_staff)
    changed = staff.post(
        url(submission, f"checks/{check.pk}/reply"),
        {
            "reply-reply": "No concerns known to the GP",
            "reply-replied_on_0": check.asked_on.day,
            "reply-replied_on_1": check.asked_on.month,
            "reply-replied_on_2": check.asked_on.year,
            "reply-version": stale,
        },
    )
    page = changed.content.decode()
    assert "This referral changed since you opened it" in page
    assert "No concerns known to the GP" in page
    assert PartnerCheck.objects.get().replied_on is None


def test_a_day_too_big_for_a_date_is_an_error_not_a_500(professional, mash_staff, run_tasks):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    too_big = "9" * 20
    bad = staff.post(
        url(submission, "checks/new"),
        {
            "check-agency": "police",
            "check-contact": "PC Green",
            "check-asked_on_0": too_big,
            "check-asked_on_1": "1",
            "check-asked_on_2": "2026",
        },
    )
    assert bad.status_code == 200
    assert "Date asked must be a real date" in text(bad)
    check = partner_checks.ask_partner(case_of(submission), "police", "PC Green", mash_staff)
    chase = staff.post(
        url(submission, f"checks/{check.pk}/chase"),
        {
            "chase-chased_on_0": check.asked_on.day,
            "chase-chased_on_1": check.asked_on.month,
            "chase-chased_on_2": check.asked_on.year,
            "chase-due_on_0": too_big,
            "chase-due_on_1": "1",
            "chase-due_on_2": "2026",
            "chase-version": case_of(submission).version,
        },
    )
    assert chase.status_code == 200
    assert "New due date must be a real date" in text(chase)
    assert PartnerCheck.objects.get().chases.count() == 0


def test_scoped_like_every_action(
    professional, second_professional, mash_staff, early_help_staff, teams, run_tasks
):
    mine = referral(professional)
    other = referral(second_professional)
    check = partner_checks.ask_partner(case_of(mine), "police", "PPU", mash_staff)
    elsewhere = partner_checks.ask_partner(case_of(other), "police", "PPU", mash_staff)
    staff = signed_in(mash_staff, run_tasks)
    outsider = signed_in(early_help_staff, run_tasks)
    referrer = signed_in(professional, run_tasks)
    pages = ["checks/new", f"checks/{check.pk}/chase", f"checks/{check.pk}/reply"]
    for page in pages:
        assert staff.get(url(mine, page)).status_code == 200
        assert outsider.get(url(mine, page)).status_code == 404, page
        assert referrer.get(url(mine, page)).status_code == 404, page
        assert outsider.post(url(mine, page), {}).status_code == 404, page
    # A check of another referral, named under this one's reference: 404.
    for action in ("chase", "reply"):
        assert staff.get(url(mine, f"checks/{elsewhere.pk}/{action}")).status_code == 404
        assert staff.get(url(mine, f"checks/999999/{action}")).status_code == 404

    # Transferred away: the former team reads the checks but acts on them no more.
    services.transfer(case_of(mine), teams["early-help"], "Early help fits", mash_staff)
    page = text(staff.get(url(mine)))
    assert "Police Waiting for a reply" in page
    assert "Record a partner check" not in page
    assert "Record a chase" not in page
    for page in pages:
        assert staff.get(url(mine, page)).status_code == 403
        assert staff.post(url(mine, page), {"check-agency": "police"}).status_code == 403
    assert PartnerCheck.objects.count() == 2


def test_every_check_post_needs_the_csrf_token(professional, mash_staff, run_tasks):
    submission = referral(professional)
    check = partner_checks.ask_partner(case_of(submission), "police", "PPU", mash_staff)
    signed = signed_in(mash_staff, run_tasks)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = signed.cookies
    version = case_of(submission).version
    forged = {
        "check-agency": "police",
        "check-contact": "Forged",
        "chase-version": version,
        "reply-reply": "Forged",
        "reply-version": version,
    }
    for page in ("checks/new", f"checks/{check.pk}/chase", f"checks/{check.pk}/reply"):
        assert browser.post(url(submission, page), forged).status_code == 403, page
    assert PartnerCheck.objects.get().reply == ""
    assert not check.chases.exists()


def test_overdue_checks_are_tagged_and_filtered_in_the_inbox(professional, mash_staff, run_tasks):
    wednesday = datetime.datetime(2026, 11, 25, 11, 0, tzinfo=LONDON)
    with time_machine.travel(wednesday, tick=False):
        late = referral(professional)
        fine = referral(professional)
        partner_checks.ask_partner(case_of(late), "police", "PPU", mash_staff)
        partner_checks.ask_partner(
            case_of(fine), "health", "GP", mash_staff, due_on=datetime.date(2026, 12, 4)
        )
    # Friday: the police check was due Thursday.
    with time_machine.travel(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)):
        staff = signed_in(mash_staff, run_tasks)
        inbox = staff.get(INBOX).content.decode()
        rows = inbox.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
        tagged = [r for r in rows.split("<tr ") if "Partner check overdue" in r]
        assert len(tagged) == 1
        assert late.reference in tagged[0]
        assert 'name="checks_overdue"' in inbox
        assert references(staff.get(INBOX + "?checks_overdue=on")) == [late.reference]
        page = text(staff.get(url(late)))
        assert "1 partner check is overdue: no reply by the due date." in page
        assert "Police Overdue" in page
        assert "Partner checks (1, 1 overdue)" in page


def test_the_inbox_counts_overdue_checks_at_no_query_a_row(
    professional, second_professional, mash_staff, run_tasks
):
    template = send(professional, "social-care-referral", children=[ZOE])
    made = copies(template, 4)
    past = datetime.date(2026, 1, 5)
    staff = signed_in(mash_staff, run_tasks)

    def overdue_checks_on(cases) -> None:
        PartnerCheck.objects.bulk_create(
            PartnerCheck(
                case_id=case.pk,
                team_id=case.team_id,
                agency="police",
                contact="PPU",
                asked_on=past,
                due_on=past,
            )
            for case in cases
        )
        # As partner_checks' services keep it (bulk_create goes round them).
        Case.objects.filter(pk__in=[case.pk for case in cases]).update(check_due_on=past)

    overdue_checks_on(made)
    staff.get(INBOX)  # the first page after signing in also saves the session
    few = queries(staff, INBOX), queries(staff, INBOX + "?checks_overdue=on")
    overdue_checks_on(copies(template, 495))
    many = queries(staff, INBOX), queries(staff, INBOX + "?checks_overdue=on")
    assert few == many
    assert staff.get(INBOX).content.decode().count("Partner check overdue") == 50
