"""The team's notice of a new referral links to it through sign-in; an urgent one says so
in its subject, and out of office hours goes to the Emergency Duty Team as well; a
transfer tells the team the referral went to. "Now" is set by the moment the form is
sent (time-machine), and the emails are sent by the real worker."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from conftest import sign_in
from frontdoor.cases import notices, services
from frontdoor.cases.models import Case
from tests.sending import send
from tests.smtp_server import SMTPServer

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SERVICE = "Children's Services Front Door"
FORM = "Children's Social Care referral"
MASH = "mash@council.example"
EDT = "edt@council.example"
URGENT = {"at_risk_now": "yes", "unsafe_tonight": "yes"}

IN_HOURS = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)  # a Wednesday
# When a form is sent out of hours, and when the team's office opens again.
OUT_OF_HOURS = {
    "a Saturday": (datetime(2026, 12, 5, 11, 0, tzinfo=LONDON), "7 December 2026 at 9:00am"),
    "a bank holiday (Boxing Day, observed on the Monday)": (
        datetime(2026, 12, 28, 11, 0, tzinfo=LONDON),
        "29 December 2026 at 9:00am",
    ),
    "a weekday evening": (
        datetime(2026, 12, 2, 19, 30, tzinfo=LONDON),
        "3 December 2026 at 9:00am",
    ),
    "a weekday before the office opens": (
        datetime(2026, 12, 3, 8, 30, tzinfo=LONDON),
        "3 December 2026 at 9:00am",
    ),
    "the moment the office closes": (
        datetime(2026, 12, 2, 17, 0, tzinfo=LONDON),
        "3 December 2026 at 9:00am",
    ),
}


def sent_at(moment, run_tasks, user, **answers):
    """Send a Social Care referral at `moment` and run the worker then."""
    with time_machine.travel(moment, tick=False):
        submission = send(user, "social-care-referral", **answers)
        run_tasks()
    return submission


def to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_the_teams_notice_links_to_the_referral_and_sign_in_brings_the_worker_to_it(
    professional, mash_staff, run_tasks
):
    submission = sent_at(IN_HOURS, run_tasks, professional)

    [notice] = to(MASH)
    assert notice.subject == f"New form {submission.reference} ({FORM}) - {SERVICE}"
    link = f"http://testserver/team/{submission.reference}/"
    assert link in notice.body
    [(html, _)] = notice.alternatives
    assert f'href="{link}"' in html
    assert "Urgent" not in notice.subject + notice.body + html
    assert to(EDT) == []

    # Signed out, the link asks for sign-in, and the code brings the worker back to it.
    client = Client()
    path = f"/team/{submission.reference}/"
    response = client.get(path)
    assert response.status_code == 302
    sign_in_page = client.get(response["Location"])
    assert f'name="next" value="{path}"' in sign_in_page.content.decode()
    response = sign_in(client, mash_staff, run_tasks, next_url=path)
    assert response["Location"] == path
    page = client.get(path)
    assert page.status_code == 200
    assert submission.reference in page.content.decode()


def test_an_urgent_referral_in_office_hours_says_urgent_to_the_team_only(
    professional, teams, run_tasks
):
    submission = sent_at(IN_HOURS, run_tasks, professional, immediate_risk=URGENT)

    [notice] = to(MASH)
    # "Urgent", the reference and the form: no name, and no flag's words.
    assert notice.subject == f"Urgent: new form {submission.reference} ({FORM}) - {SERVICE}"
    assert "urgent" in notice.body
    assert "significant harm" not in notice.body.lower() + notice.subject.lower()
    assert "tonight" not in notice.body.lower()
    assert f"http://testserver/team/{submission.reference}/" in notice.body
    assert to(EDT) == []  # the team is in the office


@pytest.mark.parametrize(("when", "opens"), OUT_OF_HOURS.values(), ids=OUT_OF_HOURS.keys())
def test_an_urgent_referral_out_of_hours_goes_to_the_emergency_duty_team_too(
    professional, teams, run_tasks, when, opens
):
    submission = sent_at(when, run_tasks, professional, immediate_risk=URGENT)

    [notice] = to(MASH)
    assert notice.subject.startswith(f"Urgent: new form {submission.reference} ")
    [edt] = to(EDT)
    assert edt.subject == (
        f"Urgent, out of hours: new form {submission.reference} ({FORM}) "
        f"for Children's Social Care (MASH) - {SERVICE}"
    )
    assert f"http://testserver/team/{submission.reference}/" in edt.body
    assert f"The team's office is closed until {opens}" in " ".join(edt.body.split())
    # The link opens for a member of the team: the duty team is told how to become one.
    assert "you need a staff account in Children's Social Care (MASH)" in " ".join(edt.body.split())
    assert "significant harm" not in edt.body.lower()


def test_the_urgent_notices_reach_both_mailboxes_through_a_real_mail_server(
    professional, teams, run_tasks, settings, smtp_server
):
    settings.MAILERS = smtp_server.mailers()

    submission = sent_at(
        OUT_OF_HOURS["a Saturday"][0], run_tasks, professional, immediate_risk=URGENT
    )

    received = {message["To"]: message for message in smtp_server.messages}
    assert set(received) == {professional.email, MASH, EDT}
    assert received[MASH]["Subject"].startswith(f"Urgent: new form {submission.reference} ")
    assert received[EDT]["Subject"].startswith(
        f"Urgent, out of hours: new form {submission.reference} "
    )
    link = f"http://testserver/team/{submission.reference}/"
    assert link in SMTPServer.text(received[EDT])


def test_a_council_closure_day_is_out_of_hours(professional, teams, run_tasks, settings):
    settings.COUNCIL_CLOSURE_DAYS = [date(2026, 12, 29)]
    closed = datetime(2026, 12, 29, 11, 0, tzinfo=LONDON)  # a Tuesday

    sent_at(closed, run_tasks, professional, immediate_risk=URGENT)

    assert len(to(EDT)) == 1


def test_a_referral_that_is_not_urgent_is_not_sent_to_the_emergency_duty_team(
    professional, teams, run_tasks
):
    submission = sent_at(OUT_OF_HOURS["a Saturday"][0], run_tasks, professional)

    [notice] = to(MASH)
    assert notice.subject.startswith(f"New form {submission.reference} ")
    assert to(EDT) == []


def test_the_emergency_duty_teams_mailbox_is_a_setting(professional, teams, run_tasks, settings):
    settings.EMERGENCY_DUTY_MAILBOX = "duty.team@council.example"
    sent_at(OUT_OF_HOURS["a weekday evening"][0], run_tasks, professional, immediate_risk=URGENT)
    assert len(to("duty.team@council.example")) == 1
    assert to(EDT) == []

    mail.outbox.clear()
    settings.EMERGENCY_DUTY_MAILBOX = ""  # none: only the team is told
    sent_at(OUT_OF_HOURS["a weekday evening"][0], run_tasks, professional, immediate_risk=URGENT)
    assert [message.to for message in mail.outbox if message.to != [professional.email]] == [[MASH]]


def test_a_transfer_tells_the_team_it_went_to_with_a_link_to_it(
    professional, mash_staff, teams, run_tasks
):
    submission = sent_at(IN_HOURS, run_tasks, professional, immediate_risk=URGENT)
    case = Case.objects.get(submission=submission)
    case = services.transfer(case, teams["early-help"], "Early Help can support", mash_staff)
    run_tasks()
    mail.outbox.clear()

    email = notices.tell_team_of_transfer(case, teams["social-care"])
    run_tasks()

    assert email is not None
    assert email.template == "case_transferred"
    [notice] = to(teams["early-help"].mailbox)
    assert notice.subject == (
        f"Urgent: form {submission.reference} ({FORM}) transferred to your team - {SERVICE}"
    )
    assert notice.body.startswith(
        f"Children's Social Care (MASH) has transferred an urgent form to your team, Early "
        f"Help: {submission.reference} ({FORM})."
    )
    assert f"http://testserver/team/{submission.reference}/" in notice.body
    assert "Early Help can support" not in notice.body  # the reason may say who it is about
