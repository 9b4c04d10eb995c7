"""The inbox's queries compiled once and run again with other keys (core/prepared.py):
the same rows as the ORM gives, on a first run and on every later one."""

import datetime

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from frontdoor.accounts.models import Membership
from frontdoor.backoffice import inbox
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.core import prepared
from frontdoor.referrals.models import Tombstone
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db

ZOE = {**CHILD, "first_name": "Zoë", "last_name": "Smith-Jones"}
UNBORN = {
    "first_name": "Baby",
    "last_name": "Example",
    "is_unborn": "yes",
    "due_date": datetime.date(2027, 2, 3),
    "address": CHILD["address"],
}


@pytest.fixture
def cases(professional, second_professional, mash_staff, teams, run_tasks):
    """Cases with what the rows show: flags, an unborn child, a repeat, an assignee, a
    restriction."""
    first = send(
        professional,
        "social-care-referral",
        children=[ZOE, UNBORN],
        immediate_risk={"at_risk_now": "yes"},
        your_work={"organisation": "Riverside Primary School", "job_title": "DSL"},
    )
    second = send(second_professional, "social-care-referral", children=[ZOE])
    third = send(professional, "social-care-referral", children=[CHILD])
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    case = Case.objects.get(submission=second)
    services.assign(case, mash_staff, mash_staff)
    services.restrict(Case.objects.get(submission=third), [mash_staff], mash_staff)
    # Earlier referrals retention removed, linked as repeats: one restricted (never read).
    for n, restricted in enumerate((False, False, True)):
        tombstone = Tombstone.objects.create(
            reference=f"FD-2025-00000{n}",
            form_slug="social-care-referral",
            form_version=1,
            team=teams["social-care" if n else "early-help"],
            received_at=timezone.now() - datetime.timedelta(days=400),
            closed_at=timezone.now() - datetime.timedelta(days=390),
            restricted=restricted,
        )
        Case.objects.get(submission=(first, third, first)[n]).removed_repeats.add(tombstone)
    return [Case.objects.get(submission=s).pk for s in (first, second, third)]


@pytest.mark.parametrize(
    ("key", "build"),
    [
        ("inbox.rows", inbox._rows_query),
        ("inbox.children", inbox._children_query),
        ("inbox.repeats", inbox._links_query),
        ("inbox.removed_repeats", inbox._removed_query),
    ],
)
def test_a_kept_query_gives_what_the_orm_gives(cases, key, build):
    prepared._statements.clear()
    for pks in (cases, cases[1:], [cases[2], cases[0]], cases, [cases[0]]):
        assert prepared.run(key, build, pks) == list(build(pks))
    # Kept (with a statement for each length of list), not built each time.
    assert any(k[0] == key and s is not None for k, s in prepared._statements.items())
    assert sum(s is not None for k, s in prepared._statements.items() if k[0] == key) == 3


def test_the_kept_removed_repeats_query_reads_the_links(cases, teams):
    """Each case's links to tombstones not restricted, with the tombstone's team."""
    early_help = (teams["early-help"].pk, "early-help")
    social_care = (teams["social-care"].pk, "social-care")
    prepared._statements.clear()
    for _ in range(2):
        found = prepared.run("inbox.removed_repeats", inbox._removed_query, cases)
        assert sorted(found) == [(cases[0], *early_help), (cases[2], *social_care)]


def test_the_rows_show_what_they_did(cases):
    """What is read back is of the same types: the flags a list, the times datetimes."""
    prepared._statements.clear()
    rows = {
        row[0]: dict(zip(inbox.ROW_FIELDS, row, strict=True))
        for row in prepared.run("inbox.rows", inbox._rows_query, cases)
    }
    assert rows[cases[0]]["flags"]
    assert isinstance(rows[cases[0]]["flags"], list)
    assert isinstance(rows[cases[0]]["received_at"], datetime.datetime)
    assert rows[cases[0]]["organisation"] == "Riverside Primary School"
    assert rows[cases[2]]["restricted_at"] is not None
    assert rows[cases[1]]["assignee_id"] is not None


def test_a_value_that_is_not_a_parameter_as_given_is_not_kept(cases):
    """`icontains` wraps the word in % signs: its mark is not among the parameters, so the
    query is built by the ORM each time, and still right."""
    prepared._statements.clear()

    def build(word: str):
        return Case.objects.filter(stage__icontains=word).values_list("pk")

    for word in ("new", "screening", "zzz"):
        assert prepared.run("test.word", build, word) == list(build(word))
    assert prepared._statements[("test.word", ("str",))] is None


def test_no_keys_is_no_rows():
    prepared._statements.clear()
    assert prepared.run("inbox.rows", inbox._rows_query, []) == []


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"assigned": "me"},
        {"assigned": "unassigned", "overdue": True},
        {"stage": "closed"},
        {"stage": "all", "rating": "none"},
        {"stage": "received", "form": "social-care-referral"},
        {"stage": "transferred"},
    ],
)
@pytest.mark.parametrize("role", [Membership.Role.MANAGER, Membership.Role.WORKER])
def test_the_kept_page_query_lists_what_the_orm_lists(cases, mash_staff, teams, filters, role):
    """The page's keys and count, for each kind of filter, as a manager (who also sees a
    restriction passed to the team's managers) and as a worker; twice each (the second
    time from the kept SQL), and from a later row."""
    Membership.objects.filter(user=mash_staff).update(role=role)
    user = type(mash_staff).objects.get(pk=mash_staff.pk)
    team = teams["social-care"]
    now = timezone.now() + datetime.timedelta(days=60)  # every open one overdue
    stage = filters.get("stage", inbox.OPEN)
    prepared._statements.clear()
    fetch = inbox._kept_page(team, stage, filters, user, now)
    assert fetch is not None
    orm = list(
        inbox.counted(
            inbox.filtered(
                inbox.inbox_cases(team, stage, user=user), filters, user, now, searching=False
            )
        )
    )
    for _ in range(2):
        assert fetch(0) == orm[: inbox.ROWS_PER_PAGE]
        assert fetch(1) == orm[1 : 1 + inbox.ROWS_PER_PAGE]
    # Kept, but for a time on SQLite (its adapter writes it as text: no mark to find).
    kept = connection.vendor == "postgresql" or "overdue" not in filters
    assert [s is not None for k, s in prepared._statements.items() if k[0][0] == "inbox.page"] == [
        kept
    ]


def test_a_filter_by_dates_is_built_by_the_orm(mash_staff, teams):
    filters = {"received_from": datetime.date(2026, 1, 1)}
    assert (
        inbox._kept_page(teams["social-care"], inbox.OPEN, filters, mash_staff, timezone.now())
        is None
    )


def test_a_value_written_into_the_sql_is_not_kept(cases):
    """A value the ORM writes into the SQL's text, not its parameters, would be sent as the
    first one was: such a query is built by the ORM each time."""
    prepared._statements.clear()

    def build(n: int):
        # n as a parameter (found) and written in (which the kept SQL would send again).
        written = RawSQL(f"%s * 0 + {int(n)}", (n,))  # noqa: S611 - a number
        return Case.objects.annotate(n=written).values_list("pk", "n")

    for n in (7, 8):
        assert prepared.run("test.raw", build, n) == list(build(n))
        assert {row[1] for row in prepared.run("test.raw", build, n)} == {n}
    assert prepared._statements[("test.raw", ("int",))] is None


def test_a_value_a_lookup_escapes_is_not_kept(cases):
    """`iexact` is a LIKE with the value escaped on SQLite (on PostgreSQL, = UPPER(...)):
    either way the value sent is right."""
    prepared._statements.clear()

    def build(word: str):
        return Case.objects.filter(stage__iexact=word).values_list("pk")

    for word in ("RECEIVED", "rec%", "re_eived"):
        assert prepared.run("test.iexact", build, word) == list(build(word))
    assert list(build("rec%")) == []
    if connection.vendor == "sqlite":
        assert prepared._statements[("test.iexact", ("str",))] is None
