"""Restricting who can see a referral: a manager of its team names the people (always
themselves); to everyone else the case is not among the cases they may see. Each change
writes the history and the audit; a worker, a former team, a stale page are refused."""

import pytest
from django.core.exceptions import PermissionDenied

from conftest import make_user
from frontdoor.accounts.models import Membership
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.tests.test_referral_page import referral
from frontdoor.cases import services
from frontdoor.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(teams):
    user = make_user("boss@council.example.gov.uk", "Dana", "Hughes", is_professional=True)
    Membership.objects.create(user=user, team=teams["social-care"], role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def colleague(teams):
    user = make_user("second.worker@council.example.gov.uk", "Jamie", "Cole")
    user.teams.add(teams["social-care"])
    return user


@pytest.fixture
def case(professional):
    return Case.objects.get(submission=referral(professional))


def seen_by(user) -> set[int]:
    return set(services.visible_cases(user).values_list("pk", flat=True))


def test_a_manager_restricts_to_named_people_and_themselves(case, boss, colleague, mash_staff):
    assert case.pk in seen_by(mash_staff)
    restricted = services.restrict(case, [colleague], boss, expected_version=case.version)

    assert restricted.is_restricted
    assert set(restricted.restricted_to.all()) == {boss, colleague}
    assert restricted.version == case.version + 1
    assert case.pk in seen_by(boss)
    assert case.pk in seen_by(colleague)
    assert case.pk not in seen_by(mash_staff)
    assert services.case_for(mash_staff, case.submission.reference) is None
    event = restricted.events.get(action=CaseEvent.Action.RESTRICTED)
    assert (event.actor, event.detail) == (boss, {"people": sorted([boss.pk, colleague.pk])})
    audit = AuditEvent.objects.get(action="case.restricted")
    assert audit.actor_id == boss.pk
    assert audit.object_id == str(case.pk)
    assert audit.detail == {"people": sorted([boss.pk, colleague.pk])}


def test_change_who_and_lift(case, boss, colleague, mash_staff):
    services.restrict(case, [colleague], boss)
    changed = services.change_restriction(case, [mash_staff], boss)
    assert set(changed.restricted_to.all()) == {boss, mash_staff}
    assert case.pk not in seen_by(colleague)
    assert case.pk in seen_by(mash_staff)
    event = changed.events.get(action=CaseEvent.Action.RESTRICTION_CHANGED)
    assert event.detail == {"added": [mash_staff.pk], "removed": [colleague.pk]}
    assert AuditEvent.objects.get(action="case.restriction_changed").detail == event.detail

    lifted = services.lift_restriction(case, boss)
    assert not lifted.is_restricted
    assert not lifted.restricted_to.exists()
    assert case.pk in seen_by(colleague)
    assert lifted.events.filter(action=CaseEvent.Action.UNRESTRICTED).exists()
    assert AuditEvent.objects.filter(action="case.restriction_lifted", actor_id=boss.pk).exists()


def test_only_a_manager_of_its_team_restricts(case, boss, colleague, mash_staff, teams):
    with pytest.raises(PermissionDenied):
        services.restrict(case, [colleague], mash_staff)  # a worker
    other = make_user("eh.boss@council.example.gov.uk", "Eli", "Boss", is_professional=True)
    Membership.objects.create(user=other, team=teams["early-help"], role=Membership.Role.MANAGER)
    with pytest.raises(PermissionDenied):
        services.restrict(case, [], other)  # another team's manager
    services.restrict(case, [colleague], boss)
    # A worker named may see it, not change who may.
    with pytest.raises(PermissionDenied):
        services.change_restriction(case, [colleague, mash_staff], colleague)
    with pytest.raises(PermissionDenied):
        services.lift_restriction(case, colleague)
    # Another manager of the team, not named, is refused too (to them it is not there).
    second = make_user("boss2@council.example.gov.uk", "Sam", "Second", is_professional=True)
    Membership.objects.create(user=second, team=teams["social-care"], role=Membership.Role.MANAGER)
    assert case.pk not in seen_by(second)
    with pytest.raises(PermissionDenied):
        services.lift_restriction(case, second)
    with pytest.raises(PermissionDenied):
        services.add_note(case, "Not named", second)
    assert Case.objects.get(pk=case.pk).is_restricted
    assert not case.notes.exists()


def test_people_outside_the_team_and_a_stale_page_are_refused(
    case, boss, early_help_staff, colleague
):
    with pytest.raises(services.NotAllowed, match="in the team"):
        services.restrict(case, [early_help_staff], boss)
    stale = case.version
    services.rate(case, "red", "Bruising", boss)
    with pytest.raises(services.CaseChanged):
        services.restrict(case, [colleague], boss, expected_version=stale)
    assert not Case.objects.get(pk=case.pk).is_restricted
    services.restrict(case, [], boss)
    with pytest.raises(services.NotAllowed, match="already restricted"):
        services.restrict(case, [colleague], boss)
    services.lift_restriction(case, boss)
    with pytest.raises(services.NotAllowed, match="not restricted"):
        services.lift_restriction(case, boss)
    with pytest.raises(services.NotAllowed, match="not restricted"):
        services.change_restriction(case, [colleague], boss)


def test_the_assignee_must_be_named_and_only_the_named_are_assigned(
    case, boss, colleague, mash_staff
):
    services.assign(case, mash_staff, boss)
    with pytest.raises(services.NotAllowed, match="assigned to must be one"):
        services.restrict(case, [colleague], boss)
    services.restrict(case, [colleague, mash_staff], boss)
    with pytest.raises(services.NotAllowed, match="assigned to must be one"):
        services.change_restriction(case, [colleague], boss)
    services.assign(case, colleague, boss)
    services.change_restriction(case, [colleague], boss)
    with pytest.raises(services.NotAllowed, match="not one of the people"):
        services.assign(case, mash_staff, boss)


def test_a_closed_referral_can_be_restricted(case, boss, colleague, mash_staff):
    """Closing ends the work, not the need to keep the referral from colleagues."""
    services.decide(case, "no-further-action", "Thank you", boss)
    services.restrict(case, [colleague], boss)
    assert case.pk not in seen_by(mash_staff)
    services.lift_restriction(case, boss)
    assert case.pk in seen_by(mash_staff)


def test_a_former_team_no_longer_sees_it_and_it_is_not_transferred(
    professional, boss, teams, early_help_staff
):
    """A team that transferred a referral reads it; restricted by the team that has it now,
    it is gone for the former team too. A restricted one is not transferred (its people
    are this team's): the restriction is lifted first."""
    eh_boss = make_user("eh.boss@council.example.gov.uk", "Eli", "Boss", is_professional=True)
    Membership.objects.create(user=eh_boss, team=teams["early-help"], role=Membership.Role.MANAGER)
    sent = referral(professional)
    case = Case.objects.get(submission=sent)
    services.transfer(case, teams["early-help"], "Early Help fits", boss)
    assert case.pk in seen_by(boss)  # read-only, as a former team
    services.restrict(case, [early_help_staff], eh_boss)
    assert case.pk not in seen_by(boss)
    with pytest.raises(services.NotAllowed, match="lift the restriction"):
        services.transfer(case, teams["social-care"], "Back", eh_boss)
    assert Case.objects.get(pk=case.pk).team == teams["early-help"]


@pytest.fixture
def second_boss(teams):
    user = make_user("boss2@council.example.gov.uk", "Sam", "Second", is_professional=True)
    Membership.objects.create(user=user, team=teams["social-care"], role=Membership.Role.MANAGER)
    return user


@pytest.mark.parametrize("leaving", ["closed", "left the team", "no longer a manager"])
def test_once_no_manager_it_names_is_left_the_teams_managers_see_and_lift_it(
    case, boss, colleague, mash_staff, second_boss, teams, leaving
):
    """A restriction always has a manager who can lift it: when the last manager it names
    goes (account closed, out of the team, or a worker now), the team's managers see it
    and may change or lift it. Workers not named still do not; those named still do."""
    case = services.restrict(case, [colleague], boss)
    assert case.pk not in seen_by(second_boss)
    assert not services.passed_to_managers(case)
    if leaving == "closed":
        boss.is_active = False
        boss.save(update_fields=["is_active"])
    elif leaving == "left the team":
        Membership.objects.filter(user=boss, team=teams["social-care"]).delete()
    else:
        Membership.objects.filter(user=boss).update(role=Membership.Role.WORKER)

    assert services.passed_to_managers(case)
    assert case.pk in seen_by(second_boss)
    assert services.case_for(second_boss, case.submission.reference) is not None
    assert case.pk in seen_by(colleague)
    assert case.pk not in seen_by(mash_staff)
    # The worker still named cannot lift it; a manager of the team now can.
    with pytest.raises(PermissionDenied):
        services.lift_restriction(case, colleague)
    changed = services.change_restriction(case, [colleague], second_boss)
    assert second_boss in changed.restricted_to.all()
    assert not services.passed_to_managers(changed)
    services.lift_restriction(case, second_boss)
    assert case.pk in seen_by(mash_staff)


def test_a_manager_of_another_team_gets_no_fallback(
    case, boss, colleague, second_boss, teams, professional
):
    """Only the managers of the team the case is in now: not another team's, nor a
    former team's."""
    eh_boss = make_user("eh.boss@council.example.gov.uk", "Eli", "Boss", is_professional=True)
    Membership.objects.create(user=eh_boss, team=teams["early-help"], role=Membership.Role.MANAGER)
    services.restrict(case, [], boss)
    boss.is_active = False
    boss.save(update_fields=["is_active"])
    assert case.pk not in seen_by(eh_boss)
    with pytest.raises(PermissionDenied):
        services.lift_restriction(case, eh_boss)
    assert case.pk in seen_by(second_boss)


def test_a_closed_assignee_does_not_stop_the_managers_changing_who_is_named(
    case, boss, colleague, second_boss
):
    """A closed referral keeps who decided it as its assignee; once their account is
    closed they cannot be named, and must not block changing who is."""
    services.assign(case, boss, boss)
    services.decide(case, "no-further-action", "Thank you", boss)
    services.restrict(case, [colleague], boss)
    boss.is_active = False
    boss.save(update_fields=["is_active"])

    changed = services.change_restriction(case, [colleague], second_boss)

    assert set(changed.restricted_to.all()) == {colleague, second_boss}
