"""Download as CSV: the inbox's list as it is filtered and searched, no free text unless
children's names are asked for, formula cells neutralised, streamed in a few queries a
chunk (never a query a row), audited with its filters, never a restricted referral to
anyone it does not name, and a file name with no personal data."""

import csv
import datetime
import io
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user, signed_in
from frontdoor.accounts.models import Membership
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice import export
from frontdoor.backoffice.tests.test_inbox import BEN, ZOE, manager
from frontdoor.cases import services
from frontdoor.cases.models import Case
from tests.bulk_referrals import copies
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db

INBOX = "/team/in/social-care/"
EXPORT = "/team/in/social-care/export/"
SEARCH = "/team/in/social-care/search/"
HYPERLINK = '=HYPERLINK("https://evil.example/","Click")'


@pytest.fixture
def staff(mash_staff, run_tasks):
    return signed_in(mash_staff, run_tasks)


def table(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_the_file_is_the_inbox_list_without_free_text(professional, mash_staff, staff):
    sent = send(
        professional,
        "social-care-referral",
        children=[ZOE, BEN],
        immediate_risk={"at_risk_now": "yes"},
        your_work={"organisation": "Riverside Primary School", "job_title": "DSL"},
    )
    services.rate(Case.objects.get(submission=sent), "amber", "Bruising seen", mash_staff)
    services.add_note(Case.objects.get(submission=sent), "A private note", mash_staff)
    response = staff.get(EXPORT)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="social-care-referrals-{today}.csv"'
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode()
    for typed in ("Zoë", "Smith-Jones", "2016-03-27", "Riverside", "DSL", "Bruising", "note"):
        assert typed not in body, typed
    (row,) = csv.DictReader(io.StringIO(body[1:]))
    assert list(row) == export.HEADER
    assert row["Reference"] == sent.reference
    assert row["Form"] == "Social Care"
    assert row["Team"] == "Children's Social Care (MASH)"
    assert row["Stage"] == "Received"
    assert row["Rating"] == "Amber"
    assert row["Assigned to"] == "Unassigned"
    assert row["Urgent"] == "Yes"
    assert "At risk of significant harm now" in row["Urgency flags"]
    assert row["Number of children"] == "2"  # a count: not their names
    assert row["Restricted"] == "No"
    assert row["Received"].startswith(today[:4])


def test_childrens_names_only_when_asked_and_formulas_neutralised(professional, staff):
    send(
        professional,
        "social-care-referral",
        children=[{**CHILD, "first_name": HYPERLINK, "last_name": "+Example"}, BEN],
    )
    (row,) = table(staff.get(EXPORT, {"children": "yes"}))
    assert row["Children's names"] == "'" + HYPERLINK + " +Example; Ben Smith-Jones"
    assert row["Dates of birth"] == "2016-03-27; 2019-06-01"
    (plain,) = table(staff.get(EXPORT))
    assert "Children's names" not in plain
    assert AuditEvent.objects.filter(action="inbox.exported", detail__children=True).exists()


def test_the_same_filters_and_search_as_the_inbox(professional, mash_staff, staff):
    zoe = send(professional, "social-care-referral", children=[ZOE])
    ben = send(professional, "social-care-referral", children=[BEN])
    red = send(professional, "social-care-referral")
    services.rate(Case.objects.get(submission=red), "red", "Why", mash_staff)
    services.assign(Case.objects.get(submission=ben), mash_staff, mash_staff)
    manager(mash_staff)
    closed = send(professional, "social-care-referral")
    services.decide(Case.objects.get(submission=closed), "no-further-action", "", mash_staff)

    def exported(query=None) -> list[str]:
        return [row["Reference"] for row in table(staff.get(EXPORT, query or {}))]

    assert set(exported()) == {zoe.reference, ben.reference, red.reference}
    assert exported({"rating": "red"}) == [red.reference]
    assert exported({"assigned": "me"}) == [ben.reference]
    (row,) = table(staff.get(EXPORT, {"stage": "closed"}))
    assert (row["Reference"], row["Decision"]) == (closed.reference, "No further action")
    assert row["Decided"]
    # The inbox's own order, page after page.
    inbox = staff.get(INBOX).content.decode()
    assert [r for r in exported() if r in inbox] == exported()

    staff.post(SEARCH, {"q": "Zoë"})
    assert exported() == [zoe.reference]
    assert exported({"rating": "red"}) == []
    event = AuditEvent.objects.filter(action="inbox.exported").order_by("pk").last()
    assert event.detail == {
        "team": "social-care",
        "filters": {"rating": "red"},
        "searching": True,
        "children": False,
    }
    assert event.actor_id == mash_staff.pk
    for event in AuditEvent.objects.filter(action="inbox.exported"):
        assert "zo" not in str(event.detail).lower()
    staff.post(SEARCH, {"q": "", "clear": "1"})
    ago = timezone.localdate() - datetime.timedelta(days=3)
    exported(
        {"received_from_0": ago.day, "received_from_1": ago.month, "received_from_2": ago.year}
    )
    event = AuditEvent.objects.filter(action="inbox.exported").order_by("pk").last()
    assert event.detail["filters"] == {"received_from": ago.isoformat()}
    assert event.detail["searching"] is False


def test_received_on_or_before_the_last_day_there_is_is_every_referral(professional, staff):
    sent = send(professional, "social-care-referral")
    last = {"received_to_0": "31", "received_to_1": "12", "received_to_2": "9999"}

    assert [row["Reference"] for row in table(staff.get(EXPORT, last))] == [sent.reference]
    inbox = staff.get(INBOX, last)
    assert inbox.status_code == 200
    assert sent.reference in inbox.content.decode()


def test_the_inbox_offers_it_with_its_filters(professional, staff):
    send(professional, "social-care-referral")
    page = staff.get(INBOX + "?rating=none&page=1").content.decode()
    form = page.split('action="/team/in/social-care/export/"', 1)
    assert 'method="get"' in form[0].rsplit("<form", 1)[1]
    inside = form[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="rating" value="none">' in inside
    assert 'name="page"' not in inside
    assert "Include children's names and dates of birth" in inside
    assert "Download as CSV" in inside
    assert 'type="checkbox" value="yes"' in inside
    assert "checked" not in inside


def test_restricted_referrals_and_other_teams_are_left_out(
    professional, mash_staff, early_help_staff, teams, run_tasks
):
    boss = make_user("boss@council.example.gov.uk", "Dana", "Hughes", is_professional=True)
    Membership.objects.create(user=boss, team=teams["social-care"], role=Membership.Role.MANAGER)
    hidden = send(professional, "social-care-referral")
    shown = send(professional, "social-care-referral")
    services.restrict(Case.objects.get(submission=hidden), [], boss)
    worker = signed_in(mash_staff, run_tasks)
    assert [r["Reference"] for r in table(worker.get(EXPORT, {"stage": "all"}))] == [
        shown.reference
    ]
    rows = {r["Reference"]: r for r in table(signed_in(boss, run_tasks).get(EXPORT))}
    assert rows[hidden.reference]["Restricted"] == "Yes"
    other = signed_in(early_help_staff, run_tasks)
    assert other.get(EXPORT).status_code == 404
    assert signed_in(professional, run_tasks).get(EXPORT).status_code == 404


def test_the_queries_do_not_grow_with_the_rows(professional, staff, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 1000)
    template = send(professional, "social-care-referral", children=[ZOE, BEN])
    copies(template, 4)

    def counted(query) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = table(staff.get(EXPORT, query))
        return len(captured), len(rows)

    few, n = counted({"children": "yes"})
    assert n == 5
    copies(template, 595)
    many, n = counted({"children": "yes"})
    assert n == 600
    assert few == many
    staff.post(SEARCH, {"q": "smith"})
    searched_few = counted({})[0]
    assert searched_few == many


def test_ten_thousand_rows_in_chunks(professional, staff):
    template = send(professional, "social-care-referral", children=[ZOE])
    copies(template, 9999)
    with CaptureQueriesContext(connection) as captured:
        response = staff.get(EXPORT, {"children": "yes"})
        tracemalloc.start()
        lines, size = 0, 0
        for line in response.streaming_content:
            lines += 1
            size += len(line)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    # Never the whole list in memory: all 10,000 rows read at once took over 9 times the
    # file's size (15 MB for 1.6 MB); a chunk at a time about twice.
    assert peak < 4 * size, (peak, size)
    assert lines == 1 + 1 + 10000  # the byte order mark, the header, the rows
    chunks = -(-10000 // export.CHUNK)
    people = [q for q in captured.captured_queries if "referrals_person" in q["sql"]]
    assert len(people) == chunks
    assert len(captured) < 30 + chunks
