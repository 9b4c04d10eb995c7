"""A restricted referral: to everyone its restriction does not name (a colleague in the
team, a team it came from, a team sharing repeats with it) it does not exist: every URL
of it is a 404 like a reference never sent, and no inbox, search, count, workload or
repeat link shows it. Those named see it, with a panel saying who can; only the team's
managers restrict, change and lift; every view is audited as of a restricted referral."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from conftest import make_user, signed_in
from frontdoor.accounts.models import Membership
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.tests.test_inbox import ZOE, references, text
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from tests.sending import send

pytestmark = pytest.mark.django_db

INBOX = "/team/in/social-care/"
SEARCH = "/team/in/social-care/search/"
NEVER_SENT = "FD-2026-999999"
PAGES = [
    "",
    "pdf/",
    "assign/",
    "rate/",
    "note/",
    "stage/",
    "decide/",
    "confirm/",
    "transfer/",
    "restrict/",
    "restrict/lift/",
]


@pytest.fixture
def boss(teams):
    user = make_user("mash.manager@council.example.gov.uk", "Dana", "Hughes", is_professional=True)
    Membership.objects.create(user=user, team=teams["social-care"], role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def colleague(teams):
    user = make_user("second.worker@council.example.gov.uk", "Jamie", "Cole")
    user.teams.add(teams["social-care"])
    return user


def document_of(submission) -> Document:
    data = b"%PDF-1.4 a chronology"
    stored = documents_storage().save("2026/12/restricted-test", ContentFile(data))
    return Document.objects.create(
        owner=submission.owner,
        submission=submission,
        name="chronology.pdf",
        kind=Document.Kind.PDF,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_as=stored,
        scanned=False,
    )


def test_a_manager_restricts_a_referral_on_its_page(
    professional, boss, colleague, mash_staff, run_tasks
):
    submission = referral(professional)
    managing = signed_in(boss, run_tasks)
    page = managing.get(f"/team/{submission.reference}/").content.decode()
    assert f'href="/team/{submission.reference}/restrict/"' in page
    form = text(managing.get(f"/team/{submission.reference}/restrict/"))
    assert "Restrict who can see this referral" in form
    assert "Jamie Cole" in form
    assert "Dana Hughes" not in form.split("Who else can see it", 1)[1]  # always included

    version = case_of(submission).version
    response = managing.post(
        f"/team/{submission.reference}/restrict/",
        {"restrict-people": [str(colleague.pk)], "restrict-version": version},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/team/{submission.reference}/"
    case = case_of(submission)
    assert set(case.restricted_to.all()) == {boss, colleague}
    shown = text(managing.get(response["Location"]))
    assert "Referral restricted" in shown
    assert "Restricted: only these people can see it" in shown
    assert "Dana Hughes (you)" in shown
    assert "Jamie Cole" in shown
    assert "Restricted to Dana Hughes, Jamie Cole" in shown  # the history
    assert "Change who can see it" in shown
    assert "Lift the restriction" in shown
    # Assigned only to someone it names: the others are not offered.
    assign = managing.get(f"/team/{submission.reference}/assign/").content.decode()
    assert ">Jamie Cole<" in assign
    assert ">Morgan Reid<" not in assign
    assert "A restricted referral is not transferred" in shown


def test_the_restricted_referral_does_not_exist_for_anyone_not_named(
    professional, boss, colleague, mash_staff, early_help_staff, teams, run_tasks
):
    submission = referral(professional)
    document = document_of(submission)
    pages = [*PAGES, f"file/{document.pk}/"]
    worker = signed_in(mash_staff, run_tasks)
    named = signed_in(colleague, run_tasks)
    # Before: the worker opens it (and so each page's answer is known to be not a 404).
    assert worker.get(f"/team/{submission.reference}/").status_code == 200
    services.restrict(case_of(submission), [colleague], boss)

    for page in pages:
        for method in ("get", "post"):
            asked = getattr(worker, method)(f"/team/{submission.reference}/{page}")
            never = getattr(worker, method)(f"/team/{NEVER_SENT}/{page}")
            assert asked.status_code == never.status_code, (page, method, asked.status_code)
            assert asked.status_code in (404, 405), (page, method)  # 405: a page, not a form
    # The person named opens each page (a manager-only one is a 403 to a worker).
    assert named.get(f"/team/{submission.reference}/").status_code == 200
    assert named.get(f"/team/{submission.reference}/file/{document.pk}/").status_code == 200
    assert named.get(f"/team/{submission.reference}/note/").status_code == 200
    assert named.get(f"/team/{submission.reference}/restrict/").status_code == 403
    # Another team's staff: a 404 as before.
    other = signed_in(early_help_staff, run_tasks)
    assert other.get(f"/team/{submission.reference}/").status_code == 404
    assert not case_of(submission).notes.exists()


def test_not_listed_found_or_counted_for_anyone_not_named(
    professional, second_professional, boss, colleague, mash_staff, run_tasks
):
    hidden = send(professional, "social-care-referral", children=[ZOE])
    shown = send(second_professional, "social-care-referral", children=[ZOE])  # a repeat
    services.assign(case_of(hidden), colleague, boss)
    services.restrict(case_of(hidden), [colleague], boss)
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    worker = signed_in(mash_staff, run_tasks)  # a manager too, but not named

    inbox = worker.get(INBOX)
    assert references(inbox) == [shown.reference]
    page = text(inbox)
    assert "1 referral" in page
    assert "Repeat:" not in page  # the repeat link is to the restricted one
    assert "Restricted" not in page
    workload = text(worker.get("/team/in/social-care/dashboard/"))  # on the dashboard
    assert "Jamie Cole 0 0 0" in workload  # their restricted one not counted
    assert "Unassigned 1 0" in workload
    for query in ("?stage=all", "?assigned=unassigned", "?rating=none", "?stage=transferred"):
        assert hidden.reference not in references(worker.get(INBOX + query)), query
    for term in ("zoe", hidden.reference, "27/3/2016", "9434765919"):
        worker.post(SEARCH, {"q": term})
        assert hidden.reference not in references(worker.get(INBOX)), term
    worker.post(SEARCH, {"q": "", "clear": "1"})
    # The repeat's page does not mention it.
    other_page = text(worker.get(f"/team/{shown.reference}/"))
    assert hidden.reference not in other_page
    assert "No other referral you can see names the same child" in other_page

    # The person named sees both, the restricted one tagged.
    named = signed_in(colleague, run_tasks)
    named_inbox = named.get(INBOX)
    assert set(references(named_inbox)) == {hidden.reference, shown.reference}
    row = named_inbox.content.decode().split(f'href="/team/{hidden.reference}/"', 1)[1]
    assert "Restricted</strong>" in row.split("</tr>", 1)[0]
    assert "Repeat: 1 other referral" in text(named_inbox)
    assert hidden.reference in text(named.get(f"/team/{shown.reference}/"))


def test_a_team_it_came_from_and_a_team_sharing_repeats_do_not_see_it(
    professional, boss, mash_staff, early_help_staff, teams, run_tasks
):
    # The MASH's workflow shares repeat referrals with Early Help (workflows.yaml): its
    # staff see an Early Help referral about the same child, until Early Help restricts it.
    eh_boss = make_user("eh.boss@council.example.gov.uk", "Eli", "Boss", is_professional=True)
    Membership.objects.create(user=eh_boss, team=teams["early-help"], role=Membership.Role.MANAGER)
    own = send(professional, "social-care-referral", children=[ZOE])
    shared = send(professional, "early-help-request", children=[ZOE])
    worker = signed_in(mash_staff, run_tasks)
    assert shared.reference in text(worker.get(f"/team/{own.reference}/"))
    assert "Repeat: 1 other referral" in text(worker.get(INBOX))
    services.restrict(case_of(shared), [early_help_staff], eh_boss)
    assert shared.reference not in text(worker.get(f"/team/{own.reference}/"))
    assert "Repeat:" not in text(worker.get(INBOX))

    # Transferred from the MASH to Early Help, then restricted there: the MASH, which
    # read it until then, gets a 404.
    moved = referral(professional)
    services.transfer(case_of(moved), teams["early-help"], "Early Help fits", boss)
    assert worker.get(f"/team/{moved.reference}/").status_code == 200
    assert moved.reference in references(worker.get(INBOX + "?stage=transferred"))
    services.restrict(case_of(moved), [early_help_staff], eh_boss)
    assert worker.get(f"/team/{moved.reference}/").status_code == 404
    assert moved.reference not in references(worker.get(INBOX + "?stage=transferred"))


def test_only_a_manager_restricts_changes_and_lifts(
    professional, boss, colleague, mash_staff, run_tasks
):
    submission = referral(professional)
    url = f"/team/{submission.reference}/restrict/"
    worker = signed_in(mash_staff, run_tasks)
    page = worker.get(f"/team/{submission.reference}/").content.decode()
    assert "/restrict/" not in page  # not offered
    version = case_of(submission).version
    data = {"restrict-people": [str(mash_staff.pk)], "restrict-version": version}
    assert worker.get(url).status_code == 403
    assert worker.post(url, data).status_code == 403
    assert not case_of(submission).is_restricted

    services.restrict(case_of(submission), [mash_staff], boss)
    version = case_of(submission).version
    assert worker.get(url).status_code == 403  # named, but a worker
    assert worker.post(url + "lift/", {"lift-version": version}).status_code == 403
    assert "Change who can see it" not in text(worker.get(f"/team/{submission.reference}/"))

    managing = signed_in(boss, run_tasks)
    changed = managing.post(
        url, {"restrict-people": [str(colleague.pk)], "restrict-version": version}
    )
    assert changed.status_code == 302
    assert set(case_of(submission).restricted_to.all()) == {boss, colleague}
    assert worker.get(f"/team/{submission.reference}/").status_code == 404
    shown = text(managing.get(f"/team/{submission.reference}/"))
    assert "Who can see it changed" in shown
    assert "Restriction changed: added Jamie Cole; removed Morgan Reid" in shown

    lift = text(managing.get(url + "lift/"))
    assert "Lift the restriction" in lift
    lifted = managing.post(url + "lift/", {"lift-version": case_of(submission).version})
    assert lifted.status_code == 302
    assert not case_of(submission).is_restricted
    assert worker.get(f"/team/{submission.reference}/").status_code == 200
    # Not restricted: its lift page goes back to the referral.
    assert managing.get(url + "lift/")["Location"] == f"/team/{submission.reference}/"


def test_a_stale_page_or_someone_outside_the_team_changes_nothing(
    professional, boss, colleague, early_help_staff, run_tasks
):
    submission = referral(professional)
    url = f"/team/{submission.reference}/restrict/"
    managing = signed_in(boss, run_tasks)
    stale = case_of(submission).version
    services.rate(case_of(submission), "red", "Bruising", boss)
    response = managing.post(
        url, {"restrict-people": [str(colleague.pk)], "restrict-version": stale}
    )
    assert response.status_code == 200
    assert "This referral changed since you opened it" in text(response)
    assert f'value="{colleague.pk}" checked' in response.content.decode()  # kept
    assert not case_of(submission).is_restricted
    outsider = managing.post(
        url,
        {"restrict-people": [str(early_help_staff.pk)], "restrict-version": stale + 1},
    )
    assert "Select people in the team" in text(outsider)
    assert not case_of(submission).is_restricted
    services.assign(case_of(submission), colleague, boss)
    unnamed = managing.post(url, {"restrict-version": case_of(submission).version})
    assert "The person this referral is assigned to must be one" in text(unnamed)
    assert "There is a problem" in text(unnamed)
    assert not case_of(submission).is_restricted


def test_restrict_and_lift_need_the_csrf_token(professional, boss, colleague, run_tasks):
    submission = referral(professional)
    signed = signed_in(boss, run_tasks)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = signed.cookies
    url = f"/team/{submission.reference}/restrict/"
    version = case_of(submission).version
    forged = {"restrict-people": [str(colleague.pk)], "restrict-version": version}
    assert browser.post(url, forged).status_code == 403
    assert not case_of(submission).is_restricted
    services.restrict(case_of(submission), [], boss)
    version = case_of(submission).version
    assert browser.post(url + "lift/", {"lift-version": version}).status_code == 403
    assert case_of(submission).is_restricted
    assert browser.get(url + "lift/").status_code == 200
    token = browser.cookies["csrftoken"].value
    lifted = browser.post(url + "lift/", {"lift-version": version, "csrfmiddlewaretoken": token})
    assert lifted.status_code == 302
    assert not case_of(submission).is_restricted


def test_every_view_of_a_restricted_referral_is_audited_as_one(
    professional, boss, colleague, run_tasks
):
    submission = referral(professional)
    document = document_of(submission)
    named = signed_in(colleague, run_tasks)
    named.get(f"/team/{submission.reference}/")
    plain = AuditEvent.objects.filter(action="submission.viewed").order_by("pk").last()
    assert "restricted" not in plain.detail
    services.restrict(case_of(submission), [colleague], boss)
    for page in ("", "note/", "assign/"):
        assert named.get(f"/team/{submission.reference}/{page}").status_code == 200
    named.get(f"/team/{submission.reference}/pdf/")
    assert named.get(f"/team/{submission.reference}/file/{document.pk}/").status_code == 200
    viewed = AuditEvent.objects.filter(
        action="submission.viewed", actor_id=colleague.pk, object_id=str(submission.pk)
    ).order_by("pk")
    assert [event.detail for event in viewed][1:] == [{"restricted": True}] * 3
    assert AuditEvent.objects.get(action="document.downloaded", actor_id=colleague.pk).detail == {
        "restricted": True
    }
    assert AuditEvent.objects.filter(action="case.restricted", actor_id=boss.pk).exists()
    # "Who has viewed it" is on the page, for those named.
    assert "Jamie Cole" in text(named.get(f"/team/{submission.reference}/"))
    assert Case.objects.get(pk=submission.pk).is_restricted
