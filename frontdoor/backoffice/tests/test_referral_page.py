"""A referral's staff page: who it is about, how urgent, who sent it, what must not be
shared, the case, repeats, the history, the notes and who has viewed it; scoped to the
team (another team's referral and a referrer's request are 404; a team that transferred
it reads it, without any action)."""

import datetime
import re

import pytest

from conftest import make_user, signed_in
from frontdoor.accounts.models import Membership
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services
from frontdoor.cases.models import Case
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db

SIBLING = {**CHILD, "first_name": "Ben", "date_of_birth": datetime.date(2019, 6, 1)}
ACTIONS = ("assign", "rate", "note", "stage", "decide", "confirm", "transfer")


def referral(professional, children=(CHILD, SIBLING), **given):
    """A Social Care referral from the professional: two siblings at risk now, and
    something the family must not be told."""
    details = {
        "your_details": {
            "first_name": professional.first_name,
            "last_name": professional.last_name,
            "email": professional.email,
            "telephone": professional.telephone or "01632 960000",
        },
        "your_work": {
            "organisation": professional.organisation or "Elm Street Surgery",
            "job_title": professional.job_title or "GP",
        },
        "immediate_risk": {"at_risk_now": "yes", "unsafe_tonight": "no"},
        "consent": {
            "family_told": "no",
            "consent_given": "no",
            "no_consent_reason": "Asking would put them at risk",
            "not_to_share": "Do not say the school called",
        },
    }
    return send(
        professional, "social-care-referral", children=list(children), **{**details, **given}
    )


def case_of(submission) -> Case:
    return Case.objects.get(submission=submission)


def test_the_top_shows_the_children_flags_referrer_and_what_not_to_share(
    professional, mash_staff, run_tasks
):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)

    page = staff.get(f"/team/{submission.reference}/").content.decode()

    top = page.split('id="case"')[0]
    assert "Ava Example, 10 years old" in top or "Ava Example, 9 years old" in top
    assert "Ben Example" in top
    assert "3 Example Lane, Worcester, WR1 2AB" in top
    assert "Urgent: At risk of significant harm now" in top
    assert "Unsafe tonight" not in top
    assert "Priya Patel" in top
    assert "Riverside Primary School" in top
    assert "Designated safeguarding lead" in top
    assert "dsl@school.example.org" in top
    assert "01632 960983" in top
    assert "Do not share with the family" in top
    assert "Do not say the school called" in top
    assert AuditEvent.objects.filter(
        action="submission.viewed", actor_id=mash_staff.pk, object_id=str(submission.pk)
    ).exists()


def test_on_this_page_links_to_each_part_in_the_order_shown(professional, mash_staff, run_tasks):
    submission = referral(professional)
    services.add_note(case_of(submission), "Called the school", mash_staff)
    html = signed_in(mash_staff, run_tasks).get(f"/team/{submission.reference}/").content.decode()
    contents = html.split('aria-labelledby="contents-heading"')[1].split("</nav>")[0]
    targets = re.findall(r'href="#([a-z-]+)"', contents)
    assert targets[:2] == ["case", "decide"]
    assert {"repeats", "notes", "history", "answers", "told", "viewed"} <= set(targets)
    assert "Case notes (1)" in contents
    places = [html.index(f'id="{target}"') for target in targets]
    assert places == sorted(places)  # the list is the page's order
    # The notes and history come before the (long) form as sent.
    assert html.index('id="notes"') < html.index('id="answers"')


def test_the_referrer_is_as_the_form_gave_them(professional, mash_staff, run_tasks):
    submission = referral(
        professional,
        your_details={
            "first_name": "Priya",
            "last_name": "Patel",
            "email": "dsl@school.example.org",
            "telephone": "07700 900123",
        },
    )
    page = signed_in(mash_staff, run_tasks).get(f"/team/{submission.reference}/")
    top = page.content.decode().split('id="case"')[0]
    assert "07700 900123" in top
    assert "01632 960983" not in top


def test_the_case_summary_history_and_viewers(professional, mash_staff, teams, run_tasks):
    submission = referral(professional)
    case = case_of(submission)
    colleague = make_user("second.worker@council.example.gov.uk", "Jamie", "Cole")
    colleague.teams.add(teams["social-care"])
    services.assign(case, mash_staff, mash_staff)
    services.rate(case, "red", "Both children at risk", mash_staff)
    staff = signed_in(mash_staff, run_tasks)
    other = signed_in(colleague, run_tasks)
    other.get(f"/team/{submission.reference}/")
    staff.get(f"/team/{submission.reference}/")

    page = staff.get(f"/team/{submission.reference}/").content.decode()

    summary = page.split('data-testid="case-summary"')[1].split("</dl>")[0]
    assert "Morgan Reid" in summary
    assert "Red" in summary
    assert "Both children at risk" in summary
    assert "Received" in summary
    assert "Due " in summary  # the time left, in words
    history = page.split('data-testid="history"')[1].split("</dl>")[0]
    assert "Priya Patel (the referrer)" in history
    assert "Assigned to Morgan Reid" in history
    assert "Rated red" in history
    viewers = page.split('data-testid="viewings"')[1].split("</dl>")[0]
    assert "Jamie Cole" in viewers
    assert "Morgan Reid" in viewers
    assert viewers.count("Morgan Reid") == 1  # once a day, however many views
    assert "2 times that day" in viewers


def test_another_team_and_a_referrer_get_404_for_the_page_and_every_action(
    professional, mash_staff, early_help_staff, run_tasks
):
    submission = referral(professional)
    version = case_of(submission).version
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    team = signed_in(mash_staff, run_tasks)
    base = f"/team/{submission.reference}/"
    for action in ACTIONS:  # the team's manager gets every action's page
        assert team.get(f"{base}{action}/").status_code == 200, action
    # Each shows the referral's top, so each is a view of it, audited.
    assert AuditEvent.objects.filter(
        action="submission.viewed", actor_id=mash_staff.pk, object_id=str(submission.pk)
    ).count() == len(ACTIONS)
    for who in (early_help_staff, professional):
        client = signed_in(who, run_tasks)
        base = f"/team/{submission.reference}/"
        assert client.get(base).status_code == 404
        assert client.get(f"{base}pdf/").status_code == 404
        for action in ACTIONS:
            assert client.get(f"{base}{action}/").status_code == 404, action
            posted = client.post(f"{base}{action}/", {f"{action}-version": version})
            assert posted.status_code == 404, action
    assert case_of(submission).version == version
    assert not AuditEvent.objects.filter(
        action="submission.viewed",
        object_id=str(submission.pk),
        actor_id__in=[early_help_staff.pk, professional.pk],
    ).exists()


def test_a_former_team_reads_a_transferred_referral_without_acting(
    professional, mash_staff, early_help_staff, run_tasks
):
    submission = referral(professional)
    case = case_of(submission)
    services.add_note(case, "Checked with the school", mash_staff)
    services.transfer(case, early_help_staff.teams.get(), "Early Help fits better", mash_staff)
    staff = signed_in(mash_staff, run_tasks)
    base = f"/team/{submission.reference}/"

    page = staff.get(base).content.decode()

    assert page.count('data-testid="read-only"') == 1
    assert "Checked with the school" in page  # the notes it wrote, still readable
    for offered in ("Assign to me", "Add the note", "Continue", "Save the rating"):
        assert offered not in page, offered
    for action in ACTIONS:
        assert staff.get(f"{base}{action}/").status_code == 403, action
        posted = staff.post(f"{base}{action}/", {f"{action}-version": case_of(submission).version})
        assert posted.status_code == 403, action

    receiving = signed_in(early_help_staff, run_tasks).get(base).content.decode()
    assert "Assign to me" in receiving
    history = receiving.split('data-testid="history"')[1]
    assert "Early Help fits better" in history
    assert "Transferred from Children&#x27;s Social Care (MASH) to Early Help" in history


def test_repeats_are_listed_only_from_the_teams_that_may_see_them(
    professional, second_professional, mash_staff, teams, run_tasks
):
    first = referral(professional)
    again = referral(second_professional, children=[CHILD])
    elsewhere = referral(second_professional, children=[CHILD])
    shared = referral(second_professional, children=[CHILD])
    case = case_of(first)
    for other, team in ((elsewhere, "lado"), (shared, "early-help")):
        Case.objects.filter(pk=case_of(other).pk).update(team=teams[team])
    services.link_repeats(case, [again.pk, elsewhere.pk, shared.pk])

    page = signed_in(mash_staff, run_tasks).get(f"/team/{first.reference}/").content.decode()

    repeats = page.split('data-testid="repeats"')[1].split("</ul>")[0]
    assert f'href="/team/{again.reference}/"' in repeats
    assert shared.reference in repeats  # a team the workflow shares repeats with
    assert f'href="/team/{shared.reference}/"' not in repeats  # not theirs to open
    assert elsewhere.reference not in page


def test_a_former_team_sees_repeats_only_from_the_teams_it_may_see(
    professional, second_professional, teams, run_tasks
):
    """A referral LADO transferred to MASH: LADO reads it, but MASH's sharing of repeats
    with Early Help is MASH's, not LADO's; LADO is not shown Early Help's referral."""
    lado = make_user("lado.worker@council.example.gov.uk", "Lee", "Dale")
    lado.teams.add(teams["lado"])
    first = referral(professional)
    theirs = referral(second_professional, children=[CHILD])
    case = case_of(first)
    Case.objects.filter(pk=case.pk).update(team=teams["lado"])
    Case.objects.filter(pk=case_of(theirs).pk).update(team=teams["early-help"])
    services.link_repeats(case, [theirs.pk])
    reader = signed_in(lado, run_tasks)
    assert theirs.reference not in reader.get(f"/team/{first.reference}/").content.decode()

    services.transfer(case_of(first), teams["social-care"], "MASH should see it", lado)
    page = reader.get(f"/team/{first.reference}/").content.decode()
    assert theirs.reference not in page


def test_the_page_makes_as_many_queries_however_long_its_history(
    professional, second_professional, mash_staff, teams, run_tasks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submission = referral(professional)
    case = case_of(submission)
    staff = signed_in(mash_staff, run_tasks)
    url = f"/team/{submission.reference}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(url).status_code == 200
        return len(queries)

    first = referral(second_professional, children=[CHILD])
    services.link_repeats(case, [first.pk])
    services.add_note(case, "A first note", mash_staff)
    few = count()
    others = [referral(second_professional, children=[CHILD]) for _ in range(3)]
    services.link_repeats(case, [o.pk for o in others])
    for other in others[:2]:  # one in another team (not listed), one transferred from ours
        services.transfer(case_of(other), teams["early-help"], "Theirs", mash_staff)
    Case.objects.get(pk=others[0].pk).former_teams.clear()
    for n in range(10):
        services.add_note(case, f"Note {n}", mash_staff)
        services.move_to_stage(case, "screening" if n % 2 else "received", mash_staff)
    for _ in range(5):
        staff.get(url)
    assert count() == few
    assert few < 60
