"""The privacy guard itself (tests/privacy_guard.py): what it finds, and where it looks."""

import logging
import subprocess
import sys
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from conftest import PERSONAS
from tests import privacy_guard
from tests.privacy_guard import Watch, person, personas

GUARD = "_no_personal_data_in_emails_logs_urls_or_output"


def watch() -> Watch:
    return Watch(people=personas())


def found(**kinds: list[str]) -> list[str]:
    w = watch()
    w.urls += kinds.get("urls", [])
    w.logs += kinds.get("logs", [])
    w.outputs += [("manage.py db_worker", text) for text in kinds.get("outputs", [])]
    return w.findings()


@pytest.mark.parametrize(
    "text",
    [
        "/forms/?email=dsl%40school.example.org",
        "/forms/?email=DSL%2540School.Example.org",  # encoded twice, other case
        "/x/?who=priya+patel",
        "/x/?who=PATEL",
        "/x/?who=Gareth",  # a first name, outside any greeting
        "/x/?postcode=wr11aa",
        "/x/?postcode=WR1%201AA",
        "/x/?phone=01632960983",
        "/x/?phone=%2B44%201632%20960%20983",
        "/x/?address=12%20fictional%20road",
        "/x/?org=riverside+primary+school",
        "/x/?answer=nobody%20called%20back",
        "/x/?name=O%26%23x27%3BAva",  # an answer, behind an HTML entity
    ],
)
def test_a_persona_s_data_is_found_in_a_url_however_it_is_written(text):
    assert found(urls=[text])


@pytest.mark.parametrize(
    "text",
    [
        "/forms/draft/12/your-details/?revision=3",
        "/x/?q=samples",  # "Sam" inside a word
        "/x/?n=9011632960983",  # the phone's digits inside a longer number
        "/account/sign-in/?next=/forms/",
    ],
)
def test_ids_and_words_are_not_personal(text):
    assert found(urls=[text]) == []


def test_a_date_of_birth_is_found_as_it_is_written():
    import datetime

    someone = person({"first_name": "Tia", "date_of_birth": datetime.date(2015, 3, 4)})
    for text in ("born 2015-03-04", "born 4 March 2015", "born 04/03/2015", "born 4 Mar 2015"):
        assert Watch(people=[someone], logs=[text]).findings(), text


def test_every_persona_s_data_comes_from_conftest():
    assert len(personas()) == len(PERSONAS)
    professional = person(PERSONAS["professional"])
    assert set(professional.patterns.values()) >= {
        "email address",
        "first name",
        "surname",
        "full name",
        "organisation",
        "telephone",
        "address",
        "postcode",
    }


def test_a_log_record_is_read_as_formatted_with_traceback_and_extra():
    w = watch()
    record = logging.LogRecord(
        "frontdoor.x", logging.INFO, __file__, 1, "sent %s", ("a code",), None
    )
    record.to = "gp@surgery.example.nhs.uk"  # extra={"to": ...}
    w.logs.append(privacy_guard.log_text(record))
    try:
        raise ValueError("no account for Dsl@School.example.org")
    except ValueError:
        record = logging.LogRecord(
            "frontdoor.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    w.logs.append(privacy_guard.log_text(record))
    findings = w.findings()
    assert len(findings) == 2
    assert "gp@surgery.example.nhs.uk" in findings[0]
    assert "Dsl@School.example.org" in findings[1]


def test_the_worker_s_output_is_read():
    assert found(outputs=["Task send_email(to='parent@example.net') done"])
    assert found(outputs=["Task send_email(id=3) done"]) == []


def outbox_email(to: str, body: str, html: str | None = None, subject: str = "Your code"):
    message = EmailMultiAlternatives(subject, body, "portal@council.example.gov.uk", [to])
    if html:
        message.attach_alternative(html, "text/html")
    return message


def test_an_email_may_greet_its_recipient_by_first_name_and_only_that():
    w = watch()
    w.outbox_message(
        outbox_email(
            "dsl@school.example.org",
            "Dear Priya,\n\nYour code is 123456.",
            "<html><head><title>Front Door</title></head><body><p>Dear Priya,</p>"
            "<p>Your code is 123456.</p></body></html>",
        )
    )
    assert w.findings() == []

    cases = [
        # Someone else's first name in the greeting.
        ("dsl@school.example.org", "Dear Gareth,\n\nYour code is 123456."),
        # The recipient's first name anywhere but the greeting.
        ("dsl@school.example.org", "Dear Priya,\n\nPriya, your code is 123456."),
        # Their surname with it.
        ("dsl@school.example.org", "Dear Priya Patel,\n\nYour code is 123456."),
        # Their own address in the body.
        ("dsl@school.example.org", "Dear Priya,\n\nWe sent this to DSL@school.example.org."),
        # Another's, to a team mailbox.
        ("team@council.example.gov.uk", "Dear Sir or Madam,\n\nFrom gp@surgery.example.nhs.uk"),
    ]
    for to, body in cases:
        w = watch()
        w.outbox_message(outbox_email(to, body))
        assert w.findings(), body
    w = watch()
    w.outbox_message(outbox_email("parent@example.net", "Dear Sam,", subject="For Sam Jones"))
    assert w.findings()  # headers are read too


def test_an_email_received_over_smtp_is_read_headers_and_all_parts():
    message = EmailMessage()
    message["To"] = "Priya <dsl@school.example.org>"
    message["Subject"] = "Your code"
    message.set_content("Dear Priya,\n\nYour code is 123456.")
    message.add_alternative("<p>Dear Priya,</p><p>About Ava</p>", subtype="html")
    w = watch()
    w.smtp_message(message)
    assert len(w.findings()) == 2  # the name in To; the answer in the HTML part

    message = EmailMessage()
    message["To"] = "dsl@school.example.org"
    message["Subject"] = "Your code"
    message.set_content("Dear Priya,\n\nYour code is 123456.")
    message.add_alternative("<p>Dear Priya,</p><p>Your code is 123456.</p>", subtype="html")
    w = watch()
    w.smtp_message(message)
    assert w.findings() == []


# --- The guard around a test sees what the portal does ------------------------------------


@pytest.mark.django_db
def test_the_guard_sees_urls_redirects_logs_accounts_and_emails(request, settings):
    seen: Watch = request.getfixturevalue(GUARD)
    from conftest import make_user

    make_user("new.person@example.com", "Tamsin", "Okonkwo-Hale")
    Client().get("/account/sign-in/", {"email": "NEW.PERSON@example.com"})
    Client().get("/forms/", {"who": "x"})  # a redirect to sign in
    logging.getLogger("frontdoor.test").warning("for %s", "okonkwo-hale")
    mail.send_mail("About you", "Dear Tamsin,\n\nTamsin again", "x@example.org", ["a@example.org"])
    seen.outbox_message(mail.outbox.pop())

    findings = seen.findings()
    assert any(f.startswith("URL: 'NEW.PERSON@example.com'") for f in findings), findings
    assert any(f.startswith("log: 'okonkwo-hale'") for f in findings), findings
    assert any("Tamsin" in f and "email (outbox)" in f for f in findings), findings
    assert any(u.startswith("redirect to /account/sign-in/") for u in seen.urls), seen.urls
    seen.urls.clear()
    seen.logs.clear()
    seen.emails.clear()


def test_the_guard_reads_the_workers_output(request, tmp_path):
    seen: Watch = request.getfixturevalue(GUARD)
    # A stand-in manage.py that prints what a worker's log line might.
    fake = tmp_path / "manage.py"
    fake.write_text("print('Task send_email(to=dsl@school.example.org) done')")
    subprocess.run([sys.executable, str(fake), "db_worker"], capture_output=True, check=True)
    assert seen.outputs == [
        ("manage.py db_worker", "Task send_email(to=dsl@school.example.org) done\n"),
        ("manage.py db_worker", ""),
    ]
    assert seen.findings()
    with pytest.raises(AssertionError, match="Capture the output"):
        subprocess.run([sys.executable, str(fake), "worker"], stdout=subprocess.DEVNULL, check=True)
    subprocess.run([sys.executable, str(fake), "create_staff"], capture_output=True, check=True)
    assert len(seen.outputs) == 2  # an operator's command is not the worker
    seen.outputs.clear()


def test_the_guard_reads_the_smtp_servers_messages(request, smtp_server):
    from tests import smtp_server as module

    request.getfixturevalue(GUARD)
    before = len(module.RECEIVED)
    import smtplib

    with smtplib.SMTP(smtp_server.host, smtp_server.port) as client:
        client.sendmail("x@example.org", ["a@example.org"], b"Subject: hi\r\n\r\nFor Ava\r\n")
    assert len(module.RECEIVED) == before + 1
    w = watch()
    w.smtp_message(module.RECEIVED.pop())
    assert w.findings()
