"""The emails, through a real SMTP server: the referrer is told there is a question, the
team (its mailbox, and the worker who asked) that an answer or information came in. Each
holds the reference and a link through sign-in, greets its recipient only, and holds no
question, answer or name of anyone else."""

import pytest

from conftest import make_user
from frontdoor.accounts.models import Membership
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.cases import services as cases
from frontdoor.enquiries import services
from tests.sending import CHILD
from tests.smtp_server import SMTPServer

pytestmark = pytest.mark.django_db

MASH = "mash@council.example"
QUESTION = "Does Ava still live with her aunt?"
ANSWER = "Yes, at the same address"


def test_the_referrer_is_emailed_the_reference_only(
    professional, mash_staff, run_tasks, settings, smtp_server
):
    settings.MAILERS = smtp_server.mailers()
    submission = referral(professional)
    run_tasks()
    smtp_server.messages.clear()

    services.ask_referrer(case_of(submission), QUESTION, mash_staff)
    run_tasks()

    [message] = smtp_server.messages
    assert message["To"] == professional.email
    assert (
        message["Subject"].strip().startswith(f"A question about your form {submission.reference}")
    )
    text = SMTPServer.text(message)
    assert text.startswith(f"Dear {professional.first_name},")
    assert f"http://testserver/forms/sent/{submission.reference}/" in text
    for private in (QUESTION, CHILD["first_name"], mash_staff.first_name, mash_staff.email):
        assert private not in message.as_string()


def test_the_team_and_the_asker_are_emailed_when_an_answer_arrives(
    professional, mash_staff, run_tasks, settings, smtp_server
):
    settings.MAILERS = smtp_server.mailers()
    submission = referral(professional)
    enquiry = services.ask_referrer(case_of(submission), QUESTION, mash_staff)
    run_tasks()
    smtp_server.messages.clear()

    services.send_answer(enquiry, ANSWER, professional)
    run_tasks()

    received = {message["To"]: message for message in smtp_server.messages}
    assert set(received) == {MASH, mash_staff.email}
    assert (
        received[MASH]["Subject"].strip().startswith(f"An answer about form {submission.reference}")
    )
    assert "Dear" not in SMTPServer.text(received[MASH])  # a mailbox: nobody to greet
    assert SMTPServer.text(received[mash_staff.email]).startswith(f"Dear {mash_staff.first_name},")
    for message in received.values():
        text = SMTPServer.text(message)
        assert f"http://testserver/team/{submission.reference}/#questions" in text
        for private in (QUESTION, ANSWER, CHILD["first_name"], professional.first_name):
            assert private not in message.as_string()


def test_information_added_tells_the_teams_mailbox(professional, run_tasks, settings, smtp_server):
    settings.MAILERS = smtp_server.mailers()
    submission = referral(professional)
    run_tasks()
    smtp_server.messages.clear()

    services.send_answer(services.start_adding(submission, professional), ANSWER, professional)
    run_tasks()

    [message] = smtp_server.messages
    assert message["To"] == MASH
    assert (
        message["Subject"].strip().startswith(f"More information about form {submission.reference}")
    )
    assert ANSWER not in message.as_string()


def test_an_answer_on_a_restricted_referral_tells_only_those_it_names(
    professional, mash_staff, teams, run_tasks, settings, smtp_server
):
    settings.MAILERS = smtp_server.mailers()
    boss = make_user("mash.manager@council.example.gov.uk", "Dana", "Hughes")
    Membership.objects.create(user=boss, team=teams["social-care"], role=Membership.Role.MANAGER)
    named = make_user("second.worker@council.example.gov.uk", "Jamie", "Cole")
    named.teams.add(teams["social-care"])
    submission = referral(professional)
    enquiry = services.ask_referrer(case_of(submission), QUESTION, mash_staff)
    # Restricted after the question: the worker who asked is not one of those it names.
    cases.restrict(case_of(submission), [named], boss)
    run_tasks()
    smtp_server.messages.clear()

    services.send_answer(enquiry, ANSWER, professional)
    run_tasks()

    received = {message["To"]: message for message in smtp_server.messages}
    # Not the team's mailbox, which everyone in it reads, nor the asker: they do not
    # know of it now.
    assert set(received) == {boss.email, named.email}
    assert SMTPServer.text(received[named.email]).startswith(f"Dear {named.first_name},")
