"""Partner checks: asking, chasing and recording the reply, each one service function
writing the history and the audit; refused on a closed referral, to a former team and on
a stale version; overdue from the day after the due date (working days, time-travelled)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.cases import partner_checks, services, timescales
from frontdoor.cases.models import CaseEvent, Chase, PartnerCheck
from frontdoor.cases.services import CaseChanged, NotAllowed

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WEDNESDAY = datetime.datetime(2026, 11, 25, 11, 0, tzinfo=LONDON)


def test_the_default_due_date_is_working_days_after_asking():
    calendar = timescales.Calendar()
    wednesday, thursday = datetime.date(2026, 11, 25), datetime.date(2026, 11, 26)
    friday, saturday = datetime.date(2026, 11, 27), datetime.date(2026, 11, 28)
    monday, tuesday = datetime.date(2026, 11, 30), datetime.date(2026, 12, 1)
    assert timescales.working_days_after(wednesday, 1, calendar) == thursday
    assert timescales.working_days_after(friday, 1, calendar) == monday
    assert timescales.working_days_after(saturday, 1, calendar) == tuesday
    assert timescales.working_days_after(saturday, 0, calendar) == monday
    # Christmas Day and Boxing Day (a Saturday: its substitute Monday 28th) are not.
    assert timescales.working_days_after(datetime.date(2026, 12, 24), 1, calendar) == (
        datetime.date(2026, 12, 29)
    )
    with override_settings(PARTNER_CHECK_WORKING_DAYS=3):
        assert partner_checks.default_due(wednesday) == monday


def test_working_time_counts_office_hours_only():
    calendar = timescales.Calendar()
    friday = datetime.datetime(2026, 11, 27, 16, 0, tzinfo=LONDON)
    monday = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
    assert timescales.working_time(friday, monday, calendar) == datetime.timedelta(hours=2)
    evening = datetime.datetime(2026, 11, 25, 20, 0, tzinfo=LONDON)
    assert timescales.working_time(WEDNESDAY, evening, calendar) == datetime.timedelta(hours=6)
    assert timescales.working_time(evening, evening, calendar) == datetime.timedelta()


def test_ask_chase_and_reply_write_the_history_and_the_audit(professional, mash_staff):
    with time_machine.travel(WEDNESDAY, tick=False):
        submission = referral(professional)
        case = case_of(submission)
        check = partner_checks.ask_partner(
            case,
            "police",
            "PC Jane Doe, Public Protection Unit, 01632 960111",
            mash_staff,
            agency_name="Public Protection Unit",
        )
        assert (check.asked_on, check.due_on) == (
            datetime.date(2026, 11, 25),
            datetime.date(2026, 11, 26),
        )
        assert check.team == case.team
        assert check.asked_by == mash_staff
        assert check.agency_label == "Police (Public Protection Unit)"
        assert case_of(submission).version == case.version + 1

    friday = datetime.datetime(2026, 11, 27, 9, 30, tzinfo=LONDON)
    with time_machine.travel(friday, tick=False):
        version = case_of(submission).version
        partner_checks.chase(
            check,
            mash_staff,
            note="Phoned the PPU",
            due_on=datetime.date(2026, 11, 30),
            expected_version=version,
        )
        chased = Chase.objects.get(partner_check=check)
        assert (chased.chased_on, chased.by, chased.note) == (
            datetime.date(2026, 11, 27),
            mash_staff,
            "Phoned the PPU",
        )
        check.refresh_from_db()
        assert check.due_on == datetime.date(2026, 11, 30)
        partner_checks.record_reply(
            check, "Known to police: one incident in 2025", mash_staff, expected_version=None
        )
    check.refresh_from_db()
    assert check.replied_on == datetime.date(2026, 11, 27)
    assert check.reply_recorded_by == mash_staff
    events = CaseEvent.objects.filter(case=case, action__startswith="check_")
    assert [e.action for e in events] == ["check_asked", "check_chased", "check_replied"]
    assert all(e.actor == mash_staff and e.detail["check"] == check.pk for e in events)
    audited = AuditEvent.objects.filter(object_id=str(submission.pk), action__contains="partner")
    assert sorted(a.action for a in audited) == [
        "case.partner_check_asked",
        "case.partner_check_chased",
        "case.partner_check_replied",
    ]
    # The audit keeps the check's key and agency, never who was asked nor what they said.
    for event in audited:
        assert "Jane" not in str(event.detail)
        assert "incident" not in str(event.detail)


def test_overdue_from_the_day_after_the_due_date(professional, mash_staff):
    with time_machine.travel(WEDNESDAY, tick=False):
        case = case_of(referral(professional))
        police = partner_checks.ask_partner(case, "police", "PPU", mash_staff)
        health = partner_checks.ask_partner(
            case, "health", "Health visitor", mash_staff, due_on=datetime.date(2026, 11, 25)
        )
        assert not partner_checks.overdue_checks().exists()

    def overdue_on(day: datetime.datetime) -> set[int]:
        with time_machine.travel(day, tick=False):
            return set(partner_checks.overdue_checks().values_list("pk", flat=True))

    # Due the same day: overdue the next working day (Thursday); police due Thursday: Friday.
    assert overdue_on(datetime.datetime(2026, 11, 26, 8, 0, tzinfo=LONDON)) == {health.pk}
    assert overdue_on(datetime.datetime(2026, 11, 27, 0, 1, tzinfo=LONDON)) == {
        health.pk,
        police.pk,
    }
    with time_machine.travel(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=LONDON), tick=False):
        partner_checks.record_reply(police, "Not known", mash_staff)
    assert overdue_on(datetime.datetime(2026, 11, 27, 10, 0, tzinfo=LONDON)) == {health.pk}


def test_the_case_keeps_the_earliest_due_date_of_the_checks_waiting(professional, mash_staff):
    from frontdoor.cases.models import Case

    with time_machine.travel(WEDNESDAY, tick=False):
        case = case_of(referral(professional))
        assert case.check_due_on is None
        police = partner_checks.ask_partner(
            case, "police", "PPU", mash_staff, due_on=datetime.date(2026, 11, 27)
        )
        assert case_of(case.submission).check_due_on == datetime.date(2026, 11, 27)
        health = partner_checks.ask_partner(
            case, "health", "HV", mash_staff, due_on=datetime.date(2026, 11, 26)
        )
        assert case_of(case.submission).check_due_on == datetime.date(2026, 11, 26)
        partner_checks.chase(health, mash_staff, due_on=datetime.date(2026, 11, 30))
        assert case_of(case.submission).check_due_on == datetime.date(2026, 11, 27)
        partner_checks.record_reply(police, "Not known", mash_staff)
        assert case_of(case.submission).check_due_on == datetime.date(2026, 11, 30)
        partner_checks.record_reply(health, "Known to HV", mash_staff)
        assert case_of(case.submission).check_due_on is None
    # Filled in for checks recorded before the column (cases 0006).
    with time_machine.travel(WEDNESDAY, tick=False):
        partner_checks.ask_partner(case, "education", "School", mash_staff)
    Case.objects.update(check_due_on=None)
    import importlib

    from django.apps import apps

    importlib.import_module("frontdoor.cases.migrations.0006_case_check_due_on").fill(apps, None)
    assert case_of(case.submission).check_due_on == partner_checks.default_due(WEDNESDAY.date())


def test_what_is_refused(professional, mash_staff, early_help_staff, teams):
    case = case_of(referral(professional))
    with pytest.raises(NotAllowed, match="Enter the name of the agency"):
        partner_checks.ask_partner(case, "other", "Someone", mash_staff)
    with pytest.raises(NotAllowed, match="Select the agency"):
        partner_checks.ask_partner(case, "fire", "Someone", mash_staff)
    with pytest.raises(NotAllowed, match="Enter who was asked"):
        partner_checks.ask_partner(case, "police", "  ", mash_staff)
    later = timezone.localdate() + datetime.timedelta(days=2)
    with pytest.raises(NotAllowed, match="today or in the past"):
        partner_checks.ask_partner(case, "police", "PPU", mash_staff, asked_on=later)
    with pytest.raises(NotAllowed, match="same as or after the date asked"):
        partner_checks.ask_partner(
            case,
            "police",
            "PPU",
            mash_staff,
            asked_on=datetime.date(2026, 11, 2),
            due_on=datetime.date(2026, 11, 1),
        )
    # Another team may not ask about it.
    with pytest.raises(PermissionDenied):
        partner_checks.ask_partner(case, "police", "PPU", early_help_staff)

    check = partner_checks.ask_partner(case, "education", "The DSL", mash_staff)
    # A stale version: another worker acted since the page was loaded.
    stale = case_of(case.submission).version
    services.add_note(case, "Meanwhile", mash_staff)
    with pytest.raises(CaseChanged):
        partner_checks.chase(check, mash_staff, expected_version=stale)
    with pytest.raises(CaseChanged):
        partner_checks.record_reply(check, "Fine", mash_staff, expected_version=stale)
    with pytest.raises(NotAllowed, match="Enter a summary"):
        partner_checks.record_reply(check, " ", mash_staff)
    partner_checks.record_reply(check, "Attends well", mash_staff)
    with pytest.raises(NotAllowed, match="already been recorded"):
        partner_checks.record_reply(check, "Second", mash_staff)
    with pytest.raises(NotAllowed, match="already been recorded"):
        partner_checks.chase(check, mash_staff)

    # A former team (transferred away) only reads; a closed referral takes no more.
    waiting = partner_checks.ask_partner(case, "health", "GP", mash_staff)
    services.transfer(case, teams["early-help"], "Early help fits", mash_staff)
    with pytest.raises(PermissionDenied):
        partner_checks.chase(waiting, mash_staff)
    with pytest.raises(PermissionDenied):
        partner_checks.ask_partner(case, "police", "PPU", mash_staff)
    case = case_of(case.submission)
    case.closed_at = case.updated_at
    case.save()
    for act in (
        lambda: partner_checks.ask_partner(case, "police", "PPU", early_help_staff),
        lambda: partner_checks.chase(waiting, early_help_staff),
        lambda: partner_checks.record_reply(waiting, "Late", early_help_staff),
    ):
        with pytest.raises(NotAllowed, match="closed"):
            act()
    # A closed referral's unanswered check is overdue no more.
    PartnerCheck.objects.filter(pk=waiting.pk).update(due_on=datetime.date(2020, 1, 1))
    assert not partner_checks.overdue_checks().filter(pk=waiting.pk).exists()
