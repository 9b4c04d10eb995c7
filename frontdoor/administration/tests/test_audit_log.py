"""The audit viewer: /admin/audit/auditevent/log/ and its CSV export."""

import csv
import datetime
import importlib
import io
import re

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.migrations.state import ProjectState
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import signed_in
from frontdoor.audit.models import AuditEvent
from frontdoor.audit.services import record
from frontdoor.cases import services as cases
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.tests.files import pdf
from frontdoor.enquiries import services as enquiries
from frontdoor.enquiries.models import Enquiry
from tests.sending import send

pytestmark = pytest.mark.django_db

LOG = "/admin/audit/auditevent/log/"
EXPORT = "/admin/audit/auditevent/log/export/"


@pytest.fixture
def admin_client(administrator, run_tasks):
    return signed_in(administrator, run_tasks)


def shown_actions(response) -> list[str]:
    return [row["event"].action for row in response.context["rows"]]


def test_a_reference_finds_every_step_of_its_referral_and_nothing_else(
    admin_client, professional, mash_staff, run_tasks
):
    sent = send(professional, "social-care-referral")
    other = send(professional, "social-care-referral")
    stored_as = documents_storage().save("test/audit-viewer", ContentFile(b"%PDF-1.4 test"))
    document = Document.objects.create(
        owner=professional,
        submission=sent,
        name="notes.pdf",
        kind="pdf",
        size=13,
        sha256="0" * 64,
        stored_as=stored_as,
        scanned=True,
    )
    staff = signed_in(mash_staff, run_tasks)
    assert staff.get(f"/team/{sent.reference}/").status_code == 200
    assert staff.get(f"/team/{sent.reference}/file/{document.pk}/").status_code == 200
    cases.assign(sent.case, mash_staff, by=mash_staff)
    staff.get(f"/team/{other.reference}/")

    response = admin_client.post(LOG, {"reference": sent.reference.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"{LOG}?reference={sent.reference}"
    page = admin_client.get(response["Location"])

    assert page.status_code == 200
    steps = shown_actions(page)
    for step in (
        "draft.started",
        "submission.sent",
        "submission.viewed",
        "document.downloaded",
        "case.assigned",
    ):
        assert step in steps, (step, steps)
    assert all(row["event"].reference in (sent.reference, "") for row in page.context["rows"])
    others = AuditEvent.objects.filter(reference=other.reference).values_list("pk", flat=True)
    assert not {row["event"].pk for row in page.context["rows"]} & set(others)
    assert sent.reference in page.content.decode()


def test_a_reference_finds_its_questions_answers_and_their_documents(
    admin_client, professional, mash_staff, run_tasks
):
    sent = send(professional, "social-care-referral")
    other = send(professional, "social-care-referral")
    asked = enquiries.ask_referrer(sent.case, "Which school?", mash_staff)
    enquiries.ask_referrer(other.case, "Which school?", mash_staff)  # not this one's
    referrer = signed_in(professional, run_tasks)
    answer = f"/forms/information/{sent.reference}/{asked.pk}/"
    referrer.get(answer)
    referrer.post(
        answer,
        {"answer": "Riverside", "upload": "1", "documents": [SimpleUploadedFile("p.pdf", pdf())]},
    )
    referrer.post(answer, {"answer": "Riverside", "send": "1"})
    referrer.post(f"/forms/information/{sent.reference}/add/", {"answer": "More", "send": "1"})
    (document,) = enquiries.documents_of(asked)
    staff = signed_in(mash_staff, run_tasks)
    download = f"/team/{sent.reference}/information/{asked.pk}/file/{document.pk}/"
    assert staff.get(download).status_code == 200

    page = admin_client.get(f"{LOG}?reference={sent.reference}")

    steps = shown_actions(page)
    for step in (
        "case.referrer_asked",
        "enquiry.viewed",  # the referrer read the question
        "enquiry.saved",
        "document.uploaded",  # with the answer
        "enquiry.sent",
        "enquiry.started",  # information added on their own
        "document.downloaded",  # the answer's document, by staff
    ):
        assert step in steps, (step, steps)
    theirs = Enquiry.objects.filter(case=other.case).values_list("pk", flat=True)
    assert not [
        row
        for row in page.context["rows"]
        if row["event"].object_type == "enquiries.enquiry"
        and int(row["event"].object_id) in set(theirs)
    ]


def test_events_about_a_sent_form_carry_its_reference(professional):
    sent = send(professional, "social-care-referral")
    event = record("test.about", obj=sent)
    assert event.reference == sent.reference
    assert AuditEvent.objects.get(action="submission.sent", object_id=str(sent.pk)).reference == (
        sent.reference
    )


def test_filtering_by_person_puts_their_account_id_in_the_address_never_the_email(
    admin_client, professional, second_professional
):
    record("test.theirs", actor=professional)
    record("test.about_them", obj=professional)
    record("test.someone_else", actor=second_professional)

    response = admin_client.post(LOG, {"person": professional.email.upper()})

    assert response["Location"] == f"{LOG}?person={professional.pk}"
    page = admin_client.get(response["Location"])
    actions = shown_actions(page)
    assert "test.theirs" in actions
    assert "test.about_them" in actions
    assert "test.someone_else" not in actions
    assert f'value="{professional.email}"' in page.content.decode()  # the form shows it again
    # Who acted is named, linking to their account (a number alone tells nobody who).
    account = f"/admin/accounts/user/{professional.pk}/change/"
    assert f'<a class="govuk-link" href="{account}">{professional.get_full_name()}</a>' in (
        page.content.decode()
    )
    # And an account acted on is named too, not "accounts.user 12".
    assert f"the account of {professional.get_full_name()}" in page.content.decode()
    assert f"accounts.user {professional.pk}<" not in page.content.decode()


def test_an_unknown_person_or_a_backwards_date_range_is_an_error_on_the_page(admin_client):
    response = admin_client.post(LOG, {"person": "nobody@example.org", "reference": "FD-1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "There is no account with that email address" in html
    assert 'value="FD-1"' in html  # what was typed is kept
    assert "events" not in html  # no list, which would be another filter's
    backwards = admin_client.post(
        LOG,
        {
            "start_0": "2",
            "start_1": "3",
            "start_2": "2026",
            "end_0": "1",
            "end_1": "3",
            "end_2": "2026",
        },
    )
    assert "On or before must be the same as or after on or after" in backwards.content.decode()
    bad = admin_client.post(LOG, {"start_0": "31", "start_1": "2", "start_2": "2026"})
    assert "On or after must be a real date" in bad.content.decode()


def test_filtering_by_action_and_days(admin_client, professional):
    for day in (1, 2, 3):
        with time_machine.travel(datetime.datetime(2026, 3, day, 12, tzinfo=datetime.UTC)):
            record("test.daily", actor=professional, day=day)
            record("test.other", actor=professional, day=day)

    response = admin_client.post(
        LOG,
        {
            "action": "test.daily",
            "start_0": "2",
            "start_1": "3",
            "start_2": "2026",
            "end_0": "3",
            "end_1": "3",
            "end_2": "2026",
        },
    )

    assert response["Location"] == f"{LOG}?action=test.daily&from=2026-03-02&to=2026-03-03"
    page = admin_client.get(response["Location"])
    assert [row["event"].detail["day"] for row in page.context["rows"]] == [3, 2]
    options = page.context["form"].fields["action"].choices
    assert ("test.daily", "test.daily") in options  # the actions recorded are offered


def test_viewing_the_log_is_itself_audited_with_the_filter_and_no_email(
    admin_client, administrator, professional
):
    admin_client.get(f"{LOG}?person={professional.pk}&reference=FD-2026-000001&page=1")

    event = AuditEvent.objects.filter(action="audit.viewed").latest("id")
    assert event.actor_id == administrator.pk
    assert event.detail == {
        "filter": {
            "person": professional.pk,
            "reference": "FD-2026-000001",
            "action": "",
            "from": "",
            "to": "",
        },
        "page": 1,
    }
    assert event.reference == ""  # looking at the log is not a step of the referral


def test_the_log_is_50_a_page_in_a_number_of_queries_that_does_not_grow(admin_client):
    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(path).status_code == 200
        return len(captured)

    for n in range(5):
        record("test.bulk", n=n)
    few = queries(f"{LOG}?action=test.bulk")
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="test.bulk", detail={"n": n}) for n in range(5, 125)]
    )
    many = queries(f"{LOG}?action=test.bulk")
    assert few == many

    first = admin_client.get(f"{LOG}?action=test.bulk")
    assert len(first.context["rows"]) == 50
    assert "125 events found, page 1 of 3" in first.content.decode()
    assert f"{LOG}?action=test.bulk&amp;page=2" in first.content.decode()
    last = admin_client.get(f"{LOG}?action=test.bulk&page=3")
    assert len(last.context["rows"]) == 25


def test_the_export_is_the_filtered_log_as_safe_streamed_csv_and_is_audited(
    admin_client, administrator, professional
):
    record('=HYPERLINK("https://evil.example","Click")', actor=professional)
    record("test.kept", actor=professional)
    record("test.left_out", actor=administrator)

    response = admin_client.get(f"{EXPORT}?person={professional.pk}")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["When (UTC)", "Action", "Account"]
    actions = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("https://evil.example","Click")' in actions  # neutralised
    assert "test.kept" in actions
    assert "test.left_out" not in actions
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor_id == administrator.pk
    assert exported.detail["filter"]["person"] == professional.pk


@pytest.mark.parametrize(
    "query",
    [
        "person=%C2%B2",  # a superscript two: a digit to str.isdigit, not to int()
        "reference=FD%00",
        "action=test.kept%00",
        "to=9999-12-31",  # the day after it is past the last date there is
        "from=9999-12-31&to=9999-12-31",
    ],
)
@pytest.mark.parametrize("path", [LOG, EXPORT])
def test_an_address_the_page_did_not_make_is_never_a_500(admin_client, professional, path, query):
    record("test.kept", actor=professional)

    response = admin_client.get(f"{path}?{query}")

    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)


def test_the_last_day_there_is_as_on_or_before_finds_everything_up_to_it(
    admin_client, professional
):
    record("test.kept", actor=professional)
    posted = admin_client.post(LOG, {"end_0": "31", "end_1": "12", "end_2": "9999"})
    assert posted["Location"] == f"{LOG}?to=9999-12-31"
    assert "test.kept" in shown_actions(admin_client.get(posted["Location"]))


@pytest.mark.parametrize("who", ["professional", "mash_staff"])
@pytest.mark.parametrize("path", [LOG, EXPORT])
def test_the_viewer_is_404_to_anyone_but_an_administrator(request, who, path, run_tasks):
    asking = signed_in(request.getfixturevalue(who), run_tasks)
    assert asking.get(path).status_code == 404
    assert asking.post(LOG, {"reference": "FD-2026-000001"}).status_code == 404
    assert not AuditEvent.objects.filter(action__in=["audit.viewed", "audit.exported"]).exists()
    assert Client().get(path).status_code == 302  # to sign in


def test_the_filter_needs_the_csrf_token(admin_client):
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = admin_client.cookies
    assert browser.post(LOG, {"reference": "FD-2026-000001"}).status_code == 403


def test_the_admins_list_of_events_links_to_the_viewer(admin_client):
    assert LOG in admin_client.get("/admin/audit/auditevent/").content.decode()


def test_the_admins_list_filters_by_who_acted_with_every_choice_named(admin_client, professional):
    record("test.nobody")  # nobody signed in: no kind of account
    record("test.somebody", actor=professional)
    html = admin_client.get("/admin/audit/auditevent/").content.decode()
    # Each choice has words (an empty one is a link with no name to a screen reader).
    assert not re.search(r'<a href="[^"]*">\s*</a>', html)
    assert ">A referrer or member of the public</a>" in html
    link = re.search(r'<a href="(\?[^"]+)">Nobody signed in</a>', html)
    assert link
    nobody = admin_client.get(f"/admin/audit/auditevent/{link.group(1)}").content.decode()
    assert 'class="field-action">test.nobody<' in nobody  # in the list of events
    assert 'class="field-action">test.somebody<' not in nobody


# --- The reference column, back-filled; the log still append-only ----------------------------


class Statements:
    """What the migration's function uses of a schema editor: SQLite's will not open inside
    a test's transaction, and the statements are the point."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_back_fill_gives_old_events_their_reference_and_keeps_the_log_append_only(
    professional, mash_staff
):
    sent = send(professional, "social-care-referral")
    old = AuditEvent.objects.create(
        action="submission.viewed", object_type="referrals.submission", object_id=str(sent.pk)
    )
    stored_as = documents_storage().save("test/back-fill", ContentFile(b"%PDF-1.4 test"))
    document = Document.objects.create(
        owner=professional,
        submission=sent,
        name="notes.pdf",
        kind="pdf",
        size=13,
        sha256="0" * 64,
        stored_as=stored_as,
        scanned=True,
    )
    old_download = AuditEvent.objects.create(
        action="document.downloaded", object_type="documents.document", object_id=str(document.pk)
    )
    unrelated = AuditEvent.objects.create(action="signin.succeeded")
    migration = importlib.import_module(
        "frontdoor.administration.migrations.0001_audit_reference_back_filled"
    )

    migration.back_fill(ProjectState().apps, Statements())

    assert AuditEvent.objects.get(pk=old.pk).reference == sent.reference
    assert AuditEvent.objects.get(pk=old_download.pk).reference == sent.reference
    assert AuditEvent.objects.get(pk=unrelated.pk).reference == ""
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).update(action="rewritten")
    assert AuditEvent.objects.get(pk=old.pk).action == "submission.viewed"
    assert timezone.now()  # the database is still usable after the refused update


def test_a_reference_finds_an_answers_document_uploaded_then_removed(
    admin_client, professional, run_tasks
):
    """Once removed, the document is no answer's: its upload and removal carry the
    referral's reference themselves."""
    sent = send(professional, "social-care-referral")
    added = enquiries.start_adding(sent, professional)
    referrer = signed_in(professional, run_tasks)
    answer = f"/forms/information/{sent.reference}/{added.pk}/"
    referrer.post(
        answer,
        {"answer": "Notes", "upload": "1", "documents": [SimpleUploadedFile("p.pdf", pdf())]},
    )
    (document,) = enquiries.documents_of(added)
    referrer.post(answer, {"answer": "Notes", "remove": str(document.pk)})
    assert not enquiries.documents_of(added).exists()

    steps = shown_actions(admin_client.get(f"{LOG}?reference={sent.reference}"))
    assert "document.uploaded" in steps
    assert "document.removed" in steps


def test_a_call_by_an_api_client_is_named_by_the_client_on_the_page_and_in_the_csv(
    admin_client, teams
):
    from frontdoor.api.tests.conftest import System

    system = System("Liquidlogic LCS", [teams["social-care"]])
    assert system.get("/api/v1/referrals").status_code == 200
    record("test.nobody")

    html = admin_client.get(LOG, {"action": "api.referrals.listed"}).content.decode()
    assert "API client: Liquidlogic LCS" in html
    assert "Nobody signed in" not in html
    assert "Nobody signed in" in admin_client.get(LOG, {"action": "test.nobody"}).content.decode()

    response = admin_client.get(EXPORT, {"action": "api.referrals.listed"})
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][3] == "API client: Liquidlogic LCS"


def test_a_drops_and_a_scheduled_jobs_work_are_named_not_nobody(admin_client):
    record("drop.delivered", drop=1, drop_name="Mosaic", team="social-care", files=3)
    record("retention.applied", counts={"referrals": 0}, job="apply-retention")
    record("test.nobody")

    for action, who in (
        ("drop.delivered", "Drop: Mosaic"),
        ("retention.applied", "Scheduled job: apply-retention"),
    ):
        html = admin_client.get(LOG, {"action": action}).content.decode()
        assert who in html
        assert "Nobody signed in" not in html
    assert "Nobody signed in" in admin_client.get(LOG, {"action": "test.nobody"}).content.decode()
    response = admin_client.get(EXPORT)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row[3] for row in rows[1:]} >= {"Drop: Mosaic", "Scheduled job: apply-retention"}
