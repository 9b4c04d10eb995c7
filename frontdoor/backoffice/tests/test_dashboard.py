"""The manager's dashboard: each figure from known data (time-travelled), the page saying
how each is counted, managers only (a worker 403, another team and a referrer 404), and
as many queries with many referrals as with few."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import make_user, signed_in
from frontdoor.accounts.models import Membership
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.tests.test_inbox import ZOE, queries
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.cases import figures, partner_checks, services
from frontdoor.cases.models import Case, PartnerCheck
from tests.bulk_referrals import copies
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DASHBOARD = "/team/in/social-care/dashboard/"
# Monday 23 November 2026, 10:00: the week the data is made in.
MONDAY = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
OTHER_CHILD = {**CHILD, "first_name": "Noah", "last_name": "Other", "nhs_number": "401 023 2137"}


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def boss(teams):
    user = make_user("mash.manager@council.example.gov.uk", "Dana", "Hughes", is_professional=True)
    Membership.objects.create(user=user, team=teams["social-care"], role=Membership.Role.MANAGER)
    return user


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def test_the_figures_from_known_data(professional, second_professional, mash_staff, boss, teams):
    # Monday 10:00: two referrals about Ava (the second a re-referral), one about Noah.
    with time_machine.travel(MONDAY, tick=False):
        first = referral(professional, children=[CHILD])
        third = referral(professional, children=[OTHER_CHILD])
    with time_machine.travel(at(23, 14), tick=False):
        again = referral(second_professional, children=[CHILD])
    assert set(case_of(again).repeats.values_list("pk", flat=True)) == {first.pk}
    # Decided Monday 15:30 (within 1 working day: 5.5 office hours) …
    with time_machine.travel(at(23, 15, 30), tick=False):
        services.decide(case_of(first), "strategy-discussion", "Meeting today.", boss)
    # … and Wednesday 11:00, after its due time (Tuesday 14:00): 1 day 5 office hours.
    with time_machine.travel(at(25, 11), tick=False):
        services.decide(case_of(again), "strategy-discussion", "Meeting today.", boss)
        services.move_to_stage(case_of(third), "screening", mash_staff)
    # Partner checks asked Monday: police (due Tuesday), health (answered Thursday).
    with time_machine.travel(MONDAY, tick=False):
        police = partner_checks.ask_partner(case_of(third), "police", "PPU", mash_staff)
        health = partner_checks.ask_partner(case_of(third), "health", "GP", mash_staff)
        school = partner_checks.ask_partner(case_of(third), "education", "DSL", mash_staff)
    with time_machine.travel(at(26, 12), tick=False):
        partner_checks.record_reply(health, "Not known", mash_staff)
        partner_checks.record_reply(school, "Attends well", mash_staff, replied_on=MONDAY.date())

    # Tuesday: the police check is due today, so not overdue yet.
    with time_machine.travel(at(24, 16), tick=False):
        assert figures.figures(teams["social-care"]).checks_overdue == 0
    # Wednesday, the next working day after its due date: overdue.
    with time_machine.travel(at(25, 9), tick=False):
        assert figures.figures(teams["social-care"]).checks_overdue == 1

    with time_machine.travel(at(27, 9), tick=False):
        found = figures.figures(teams["social-care"])
    stages = {s.name: (s.open, s.overdue) for s in found.stages}
    assert stages["Screening"] == (1, 1)  # Noah's: due Tuesday 10:00, not decided
    assert (found.open, found.overdue) == (1, 1)
    assert (found.decided, found.with_timescale, found.within) == (2, 2, 1)
    assert found.within_percent == 50
    # Office time: 5 h 30 min and 1 day 5 h (8 + 5 = 13 h): the median of two is their mean.
    assert found.median_working == datetime.timedelta(hours=9, minutes=15)
    assert found.median_clock == ((at(23, 15, 30) - at(23, 10)) + (at(25, 11) - at(23, 14))) / 2
    assert (found.checks_waiting, found.checks_overdue, found.checks_answered) == (1, 1, 2)
    assert found.checks_median_days == 1.5  # 0 days (education) and 3 days (health)
    by_agency = {a.name: a for a in found.agencies}
    assert (by_agency["Police"].waiting, by_agency["Police"].overdue) == (1, 1)
    assert (by_agency["Health"].answered, by_agency["Health"].median_days) == (1, 3)
    assert by_agency["Education"].longest_days == 0
    # Three referrals in 12 months, one about a child referred in the 12 months before.
    assert (found.referrals_year, found.rereferrals) == (3, 1)
    assert found.rereferral_percent == 33.3
    assert police.pk  # asked, unanswered: the one overdue

    # A year and a day on, the first no longer counts as the one before the second.
    with time_machine.travel(at(23, 15) + datetime.timedelta(days=366), tick=False):
        later = referral(professional, children=[CHILD])
        found = figures.figures(teams["social-care"])
    assert case_of(later).repeats.count() == 2
    # Only the later one is in the last 12 months, and the referrals about Ava before it
    # were over 12 months before it.
    assert (found.referrals_year, found.rereferrals) == (1, 0)


def test_the_page_says_how_each_figure_is_counted(professional, boss, run_tasks):
    with time_machine.travel(MONDAY, tick=False):
        submission = referral(professional, children=[CHILD])
    with time_machine.travel(at(23, 12), tick=False):
        services.decide(case_of(submission), "strategy-discussion", "Meeting.", boss)
    manager = signed_in(boss, run_tasks)
    inbox = manager.get("/team/in/social-care/").content.decode()
    assert f'href="{DASHBOARD}"' in inbox
    page = text(manager.get(DASHBOARD))
    assert "Team dashboard" in page
    assert "Made within timescale 100% (1 of 1)" in page
    assert "Median time to decision 2 hours of office time" in page
    assert "the hours within office hours on working days" in page
    assert "Re-referral rate 0% (0 of 1 referrals)" in page
    assert "The Department for Education's measure" in page
    assert "An earlier referral since removed under retention still counts" in page
    assert "in calendar days from the date asked to the date it came back" in page
    assert AuditEvent.objects.filter(action="dashboard.viewed", actor_id=boss.pk).exists()


def test_managers_only(professional, mash_staff, early_help_staff, boss, run_tasks):
    referral(professional)
    assert signed_in(boss, run_tasks).get(DASHBOARD).status_code == 200
    worker = signed_in(mash_staff, run_tasks)
    denied = worker.get(DASHBOARD)
    assert denied.status_code == 403
    # Told who to ask, and the way back to their work: not the public's phone line.
    said = " ".join(re.sub(r"<[^>]+>", " ", denied.content.decode()).split())
    assert "kept for the managers of a team" in said
    assert "ask a manager of your team" in said
    assert 'href="/team/">Go to your team\'s forms</a>' in denied.content.decode()
    assert "contact us another way" not in said
    assert DASHBOARD not in worker.get("/team/in/social-care/").content.decode()
    Membership.objects.filter(user=early_help_staff).update(role=Membership.Role.MANAGER)
    outsider = signed_in(early_help_staff, run_tasks)
    assert outsider.get(DASHBOARD).status_code == 404
    assert outsider.get("/team/in/nowhere/dashboard/").status_code == 404
    assert outsider.get("/team/in/early-help/dashboard/").status_code == 200
    assert signed_in(professional, run_tasks).get(DASHBOARD).status_code == 404


def test_as_many_queries_with_many_referrals_as_with_few(professional, boss, run_tasks):
    template = send(professional, "social-care-referral", children=[ZOE])
    manager = signed_in(boss, run_tasks)

    def more(count: int) -> None:
        made = copies(template, count)
        now = datetime.datetime.now(tz=LONDON)
        # Half decided (some late), each with a check asked; every third check answered.
        decided = [c.pk for c in made[::2]]
        Case.objects.filter(pk__in=decided).update(decided_at=now, closed_at=now)
        Case.repeats.through.objects.bulk_create(
            Case.repeats.through(from_case_id=c.pk, to_case_id=template.pk) for c in made
        )
        PartnerCheck.objects.bulk_create(
            PartnerCheck(
                case_id=c.pk,
                team_id=c.team_id,
                agency=("police", "health", "education", "other")[n % 4],
                agency_name="Probation" if n % 4 == 3 else "",
                contact="Someone",
                asked_on=now.date() - datetime.timedelta(days=n % 20),
                due_on=now.date() - datetime.timedelta(days=n % 3),
                replied_on=now.date() if n % 3 == 0 else None,
                reply="Known" if n % 3 == 0 else "",
            )
            for n, c in enumerate(made)
        )

    more(4)
    manager.get(DASHBOARD)  # the first page after signing in also saves the session
    few = queries(manager, DASHBOARD)
    more(495)
    many = queries(manager, DASHBOARD)
    assert few == many
    assert many <= 12, many
    page = text(manager.get(DASHBOARD))
    assert "Probation" not in page  # "Another agency": agencies by kind, not by name
    assert "Another agency" in page
