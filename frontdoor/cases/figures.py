"""A team's figures for its manager's dashboard: open referrals by stage, overdue now,
decisions within timescale, time to decision, partner checks and re-referrals.

Each figure is one query whatever the team's size (the dashboard's query count is
tested with few and many referrals). Medians are taken in Python from a bounded query
(the last 30 days' decisions, the last 90 days' replies: a few thousand rows at most for
the largest team), the same on PostgreSQL and SQLite, which has no median function.
How each figure is counted is said in words on the page (backoffice/dashboard.html).
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from frontdoor.accounts.models import Team
from frontdoor.cases import timescales
from frontdoor.cases.models import Case, PartnerCheck
from frontdoor.cases.workflows import workflow_for

DECISIONS_DAYS = 30
CHECKS_DAYS = 90
# The DfE's measure: a referral within 12 months of a previous referral about the child.
REREFERRAL_WINDOW = datetime.timedelta(days=365)


@dataclass
class Stage:
    name: str
    open: int = 0
    overdue: int = 0


@dataclass
class Agency:
    name: str
    answered: int = 0
    median_days: float | None = None
    longest_days: int | None = None
    waiting: int = 0
    overdue: int = 0


@dataclass
class Figures:
    stages: list[Stage]
    open: int
    overdue: int
    decided: int
    with_timescale: int
    within: int
    median_working: datetime.timedelta | None
    median_clock: datetime.timedelta | None
    checks_overdue: int
    checks_waiting: int
    checks_answered: int
    checks_median_days: float | None
    agencies: list[Agency] = field(default_factory=list)
    referrals_year: int = 0
    rereferrals: int = 0

    @property
    def within_percent(self) -> int | None:
        return round(100 * self.within / self.with_timescale) if self.with_timescale else None

    @property
    def rereferral_percent(self) -> float | None:
        if not self.referrals_year:
            return None
        return round(100 * self.rereferrals / self.referrals_year, 1)


def _median(values: list[datetime.timedelta]) -> datetime.timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def figures(team: Team, now: datetime.datetime | None = None) -> Figures:
    now = now or timezone.now()
    today = timezone.localdate(now)
    workflow = workflow_for(team.slug)

    # 1. Open referrals by stage, and overdue now (a decision due and not made): one query.
    stages = {s.slug: Stage(s.name) for s in workflow.open_stages}
    for row in (
        Case.objects.filter(team=team, closed_at=None)
        .values("stage")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(decided_at=None, due_at__lte=now)))
        .order_by()
    ):
        stage = stages.setdefault(row["stage"], Stage(row["stage"]))
        stage.open, stage.overdue = row["n"], row["late"]

    # 2. Decisions in the last 30 days: within timescale, and how long they took: one query.
    calendar = timescales.Calendar.from_settings()
    decided = with_timescale = within = 0
    working: list[datetime.timedelta] = []
    clock: list[datetime.timedelta] = []
    for received, decided_at, due in Case.objects.filter(
        team=team, decided_at__gte=now - datetime.timedelta(days=DECISIONS_DAYS)
    ).values_list("received_at", "decided_at", "due_at"):
        assert decided_at is not None  # filtered on
        decided += 1
        if due is not None:
            with_timescale += 1
            within += decided_at <= due
        working.append(timescales.working_time(received, decided_at, calendar))
        clock.append(decided_at - received)

    # 3. Partner checks: waiting and overdue now (on the team's open referrals), by agency.
    labels = dict(PartnerCheck.Agency.choices)
    agencies = {slug: Agency(str(label)) for slug, label in labels.items()}
    for waiting in (
        PartnerCheck.objects.filter(case__team=team, case__closed_at=None, replied_on=None)
        .values("agency")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    ):
        agency = agencies.setdefault(waiting["agency"], Agency(waiting["agency"]))
        agency.waiting, agency.overdue = waiting["n"], waiting["late"]

    # 4. How long checks take: days from asked to reply, replies in the last 90 days.
    days: dict[str, list[int]] = defaultdict(list)
    for slug, asked, replied in PartnerCheck.objects.filter(
        team=team, replied_on__gte=today - datetime.timedelta(days=CHECKS_DAYS)
    ).values_list("agency", "asked_on", "replied_on"):
        assert replied is not None  # filtered on
        days[slug].append((replied - asked).days)
    every = [d for found in days.values() for d in found]
    for slug, found in days.items():
        agency = agencies.setdefault(slug, Agency(slug))
        agency.answered = len(found)
        agency.median_days = statistics.median(found)
        agency.longest_days = max(found)

    # 5. Re-referrals: referrals sent to the team in the last 12 months about a child it
    # had a referral about in the 12 months before (the repeats linked at arrival), that
    # referral still here or since removed by retention (its tombstone, linked at arrival
    # or when it was removed; a tombstone keeps the team the case was in when removed).
    earlier = Case.repeats.through.objects.filter(
        from_case_id=OuterRef("pk"),
        to_case__submission__team_slug=team.slug,
        to_case__received_at__lt=OuterRef("received_at"),
        to_case__received_at__gte=OuterRef("received_at") - REREFERRAL_WINDOW,
    )
    removed = Case.removed_repeats.through.objects.filter(
        case_id=OuterRef("pk"),
        tombstone__team=team,
        tombstone__received_at__lt=OuterRef("received_at"),
        tombstone__received_at__gte=OuterRef("received_at") - REREFERRAL_WINDOW,
    )
    year = (
        Case.objects.filter(
            submission__team_slug=team.slug, received_at__gte=now - REREFERRAL_WINDOW
        )
        .annotate(repeat=Exists(earlier) | Exists(removed))
        .aggregate(n=Count("pk"), repeats=Count("pk", filter=Q(repeat=True)))
    )

    shown = list(stages.values())
    return Figures(
        stages=shown,
        open=sum(s.open for s in shown),
        overdue=sum(s.overdue for s in shown),
        decided=decided,
        with_timescale=with_timescale,
        within=within,
        median_working=_median(working),
        median_clock=_median(clock),
        checks_overdue=sum(a.overdue for a in agencies.values()),
        checks_waiting=sum(a.waiting for a in agencies.values()),
        checks_answered=len(every),
        checks_median_days=statistics.median(every) if every else None,
        agencies=list(agencies.values()),
        referrals_year=year["n"],
        rereferrals=year["repeats"],
    )


def duration(value: datetime.timedelta | None) -> str:
    """ "2 days 3 hours", "5 hours 20 minutes", "40 minutes": a time span in words."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)

    def part(n: int, unit: str) -> str:
        return f"{n} {unit}" if n == 1 else f"{n} {unit}s"

    if days:
        return part(days, "day") + (f" {part(hours, 'hour')}" if hours else "")
    if hours:
        return part(hours, "hour") + (f" {part(minutes, 'minute')}" if minutes else "")
    return part(minutes, "minute")


def office_hours(value: datetime.timedelta | None) -> str:
    """A span of office time in hours and minutes ("9 hours 30 minutes"): never days,
    which would read as calendar days."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    words = []
    if hours:
        words.append(f"{hours} hour" + ("" if hours == 1 else "s"))
    if minutes or not hours:
        words.append(f"{minutes} minute" + ("" if minutes == 1 else "s"))
    return " ".join(words)
