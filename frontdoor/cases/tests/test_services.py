"""The case service functions the pages (and the API) call: decisions follow the team's
workflow, and two people acting at once never make two decisions or lose a note
(row locks: proved on PostgreSQL, with real concurrent threads and requests)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.test import Client

from conftest import make_user
from frontdoor.accounts.models import Membership
from frontdoor.backoffice.tests.test_referral_page import referral
from frontdoor.cases import services
from frontdoor.cases.models import Case, CaseEvent, Note
from frontdoor.cases.workflows import workflow_for
from frontdoor.referrals.models import StatusChange
from tests.sending import send

pytestmark = pytest.mark.django_db

CHANGED = "This referral changed since you opened it: check it and try again"


def manager_of(teams, slug: str, email: str, first: str):
    user = make_user(email, first, "Manager", is_professional=True)
    Membership.objects.create(user=user, team=teams[slug], role=Membership.Role.MANAGER)
    return user


def test_an_outcome_not_offered_or_a_second_decision_is_refused(professional, teams):
    boss = manager_of(teams, "social-care", "boss@council.example.gov.uk", "Dana")
    case = Case.objects.get(submission=referral(professional))
    with pytest.raises(services.NotAllowed, match="Select the decision"):
        services.decide(case, "substantiated", "", boss)  # the LADO's, not this team's
    with pytest.raises(services.NotAllowed, match="Select a stage"):
        services.move_to_stage(case, "closed", boss)
    services.decide(case, "no-further-action", "Thank you.", boss)
    case.refresh_from_db()
    assert (case.stage, case.outcome) == ("closed", "no-further-action")
    assert case.closed_at is not None
    with pytest.raises(services.NotAllowed, match="already been decided"):
        services.decide(case, "early-help", "", boss)
    assert StatusChange.objects.filter(submission_id=case.pk, final=True).count() == 1


def test_an_outcome_that_keeps_the_case_open_moves_it_on(professional, teams):
    """The LADO: a meeting first (the case stays open), the allegation's outcome later."""
    lado = manager_of(teams, "lado", "lado.manager@council.example.gov.uk", "Lee")
    case = Case.objects.get(submission=send(professional, "lado-referral"))
    services.decide(case, "allegations-meeting", "We are holding a meeting.", lado)
    case.refresh_from_db()
    assert (case.stage, case.closed_at) == ("allegation-management", None)
    first = case.decided_at
    assert first is not None
    told = StatusChange.objects.filter(submission_id=case.pk).last()
    outcome = workflow_for("lado").outcome("allegations-meeting")
    assert (told.label, told.final) == (outcome.name, False)
    with pytest.raises(services.NotAllowed, match="Select the decision"):  # not at this stage
        services.decide(case, "allegations-meeting", "", lado)

    services.decide(case, "unsubstantiated", "The process has finished.", lado)
    case.refresh_from_db()
    assert (case.stage, case.outcome, case.decided_at) == ("closed", "unsubstantiated", first)
    assert StatusChange.objects.filter(submission_id=case.pk).last().final


def test_a_worker_cannot_confirm_nor_change_a_rating_where_managers_do(
    professional, mash_staff, teams
):
    case = Case.objects.get(submission=referral(professional))
    services.rate(case, "amber", "Needs a look", mash_staff)
    with pytest.raises(PermissionDenied):
        services.rate(case, "red", "Worse", mash_staff)
    services.decide(case, "early-help", "Early Help will call.", mash_staff)
    case.refresh_from_db()
    assert (case.proposed_outcome, case.stage, case.decided_at) == ("early-help", "decision", None)
    with pytest.raises(PermissionDenied):
        services.confirm(case, mash_staff)
    boss = manager_of(teams, "social-care", "boss@council.example.gov.uk", "Dana")
    services.confirm(case, boss)
    case.refresh_from_db()
    assert (case.outcome, case.decided_by) == ("early-help", boss)
    assert StatusChange.objects.filter(submission_id=case.pk).last().response == (
        "Early Help will call."
    )


# --- At the same moment (PostgreSQL) ----------------------------------------------------


def at_once(*actions: Callable[[], Any]) -> list[Any]:
    """Run each action in its own thread (its own database connection), all released
    together; what each returned or raised, in order."""
    results: list[Any] = [None] * len(actions)
    barrier = threading.Barrier(len(actions))

    def run(index: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this proves: PostgreSQL only (CI runs it there)")


@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_make_one(professional):
    postgresql_only()
    from django.core.management import call_command

    call_command("load_teams", verbosity=0)
    from frontdoor.accounts.models import Team

    teams = {t.slug: t for t in Team.objects.all()}
    one = manager_of(teams, "social-care", "one@council.example.gov.uk", "Ola")
    two = manager_of(teams, "social-care", "two@council.example.gov.uk", "Tom")
    case = Case.objects.get(submission=referral(professional))

    results = at_once(
        lambda: services.decide(case, "strategy-discussion", "A strategy discussion.", one),
        lambda: services.decide(case, "no-further-action", "No further action.", two),
    )

    refused = [r for r in results if isinstance(r, services.NotAllowed)]
    assert len(refused) == 1, results
    assert CaseEvent.objects.filter(case=case, action="decided").count() == 1
    assert StatusChange.objects.filter(submission_id=case.pk, final=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_deciding_at_once_make_one_decision_and_two_notes_are_kept(professional):
    """Two managers press "Send the decision" on pages loaded at the same version, at the
    same moment: one decision is made, the other is told the referral changed, keeping
    what they typed. Two notes posted at the same moment are both kept."""
    postgresql_only()
    from django.core.management import call_command

    call_command("load_teams", verbosity=0)
    from frontdoor.accounts.models import Team

    teams = {t.slug: t for t in Team.objects.all()}
    people = [
        manager_of(teams, "social-care", f"{name}@council.example.gov.uk", name.title())
        for name in ("ola", "tom")
    ]
    submission = referral(professional)
    version = Case.objects.get(pk=submission.pk).version
    clients = []
    for person in people:
        client = Client()
        client.force_login(person)
        clients.append(client)
    base = f"/team/{submission.reference}/"

    def decide(client: Client, outcome: str, text: str) -> Callable[[], Any]:
        data = {"decide-outcome": outcome, "decide-response": text, "decide-version": version}
        return lambda: client.post(f"{base}decide/", data)

    answers = at_once(
        decide(clients[0], "strategy-discussion", "Ola's response"),
        decide(clients[1], "no-further-action", "Tom's response"),
    )

    assert sorted(a.status_code for a in answers) == [200, 302], answers
    lost = next(a for a in answers if a.status_code == 200).content.decode()
    assert CHANGED in lost
    assert "Ola&#x27;s response" in lost or "Tom&#x27;s response" in lost
    assert "decided since you opened it" in lost
    assert "Select the decision" not in lost
    assert CaseEvent.objects.filter(case_id=submission.pk, action="decided").count() == 1
    assert StatusChange.objects.filter(submission=submission, final=True).count() == 1

    notes = at_once(
        *(
            lambda client=client, n=n: client.post(
                f"{base}note/", {"note-text": f"Note {n}", "note-version": version}
            )
            for n, client in enumerate(clients)
        )
    )
    assert [a.status_code for a in notes] == [302, 302]
    assert sorted(Note.objects.values_list("text", flat=True)) == ["Note 0", "Note 1"]


def test_a_referral_is_never_assigned_to_a_closed_account(professional, teams):
    """A leaver's account is closed (is_active off) but may still be in the team: the
    page does not offer them, and the service (the API's too) refuses them."""
    boss = manager_of(teams, "social-care", "boss@council.example.gov.uk", "Dana")
    leaver = make_user("leaver@council.example.gov.uk", "Lou", "Gone")
    leaver.teams.add(teams["social-care"])
    leaver.is_active = False
    leaver.save()
    case = Case.objects.get(submission=referral(professional))
    with pytest.raises(services.NotAllowed, match="account is closed"):
        services.assign(case, leaver, boss)
    case.refresh_from_db()
    assert (case.assignee, case.version) == (None, 1)
    assert not CaseEvent.objects.filter(case=case, action="assigned").exists()
