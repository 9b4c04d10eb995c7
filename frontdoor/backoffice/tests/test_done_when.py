"""Issue 9's "done when", end to end through the pages, the real task worker and emails:
two siblings at risk now and a LADO referral from one school, another school's referral
about one of the siblings; the MASH works them; the referrer is told; the LADO officer
sees only the LADO referral; a transfer reaches Early Help; every step is audited."""

import datetime

import pytest
from django.core import mail

from conftest import make_user, signed_in
from frontdoor.accounts.models import Membership
from frontdoor.audit.models import AuditEvent
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db

BEN = {**CHILD, "first_name": "Ben", "date_of_birth": datetime.date(2019, 6, 1)}


def test_the_back_office_journey(professional, second_professional, mash_staff, teams, run_tasks):
    urgent = send(
        professional,
        "social-care-referral",
        children=[CHILD, BEN],
        immediate_risk={"at_risk_now": "yes"},
    )
    lado = send(professional, "lado-referral")
    repeat = send(second_professional, "social-care-referral", children=[CHILD])
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    lado_officer = make_user("lado.officer@council.example", "Lee", "Okafor")
    lado_officer.teams.add(teams["lado"])
    run_tasks()

    mash = signed_in(mash_staff, run_tasks)
    inbox = mash.get("/team/", follow=True).content.decode()
    assert inbox.index(urgent.reference) < inbox.index(repeat.reference)  # urgent first
    assert "At risk of significant harm now" in inbox
    assert "Ava Example, 10" in inbox
    assert "Ben Example, 7" in inbox
    assert "Due " in inbox
    assert lado.reference not in inbox

    found = mash.post("/team/in/social-care/search/", {"q": "example"}, follow=True)
    page = found.content.decode()
    assert urgent.reference in page
    assert repeat.reference in page
    assert "example" not in found.redirect_chain[-1][0].lower()  # never in a URL
    referral = mash.get(f"/team/{urgent.reference}/").content.decode()
    assert f"/team/{repeat.reference}/" in referral  # each linked to the other
    assert f"/team/{urgent.reference}/" in mash.get(f"/team/{repeat.reference}/").content.decode()

    version = urgent.case.version
    assert (
        mash.post(
            f"/team/{urgent.reference}/assign/", {"assign-version": version, "assign-to": "me"}
        ).status_code
        == 302
    )
    case = type(urgent.case).objects.get(pk=urgent.pk)
    assert case.assignee == mash_staff
    mash.post(
        f"/team/{urgent.reference}/rate/",
        {"rate-version": case.version, "rate-rating": "red", "rate-reason": "Both at risk now"},
    )
    case.refresh_from_db()
    assert case.rating == "red"
    mash.post(
        f"/team/{urgent.reference}/note/",
        {
            "note-version": case.version,
            "note-text": "Spoke to the school nurse: keep this internal",
        },
    )
    choose = mash.get(
        f"/team/{urgent.reference}/decide/", {"chosen": "1", "outcome": "strategy-discussion"}
    ).content.decode()
    assert "Strategy discussion" in choose
    case.refresh_from_db()
    decided = mash.post(
        f"/team/{urgent.reference}/decide/",
        {
            "decide-version": case.version,
            "decide-outcome": "strategy-discussion",
            "decide-response": "We are holding a strategy discussion today.",
        },
    )
    assert decided.status_code == 302
    case.refresh_from_db()
    assert case.outcome == "strategy-discussion"
    run_tasks()
    told = [m for m in mail.outbox if m.to == [professional.email]]
    assert any(urgent.reference in m.body for m in told)
    assert not any("school nurse" in m.body for m in mail.outbox)

    referrer = signed_in(professional, run_tasks)
    seen = referrer.get(f"/forms/sent/{urgent.reference}/").content.decode()
    assert "We are holding a strategy discussion today." in seen
    assert "school nurse" not in seen

    officer = signed_in(lado_officer, run_tasks)
    assert lado.reference in officer.get("/team/", follow=True).content.decode()
    assert officer.get(f"/team/{lado.reference}/").status_code == 200
    assert officer.get(f"/team/{urgent.reference}/").status_code == 404
    assert officer.get(f"/team/{repeat.reference}/").status_code == 404

    other = type(repeat.case).objects.get(pk=repeat.pk)
    moved = mash.post(
        f"/team/{repeat.reference}/transfer/",
        {
            "transfer-version": other.version,
            "transfer-team": "early-help",
            "transfer-reason": "Early help fits better",
        },
    )
    assert moved.status_code == 302
    helper = make_user("early.helper@council.example", "Erin", "Marsh")
    helper.teams.add(teams["early-help"])
    early = signed_in(helper, run_tasks)
    assert repeat.reference in early.get("/team/", follow=True).content.decode()

    actions = set(
        AuditEvent.objects.filter(object_id=str(urgent.pk)).values_list("action", flat=True)
    )
    assert {
        "submission.sent",
        "submission.viewed",
        "case.assigned",
        "case.rated",
        "case.note_added",
        "case.decided",
    } <= actions
    assert AuditEvent.objects.filter(action="case.transferred", object_id=str(repeat.pk)).exists()
    assert AuditEvent.objects.filter(action="inbox.searched", actor_id=mash_staff.pk).exists()
