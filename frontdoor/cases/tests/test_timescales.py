"""Decision timescales on real dates: weekends, England and Wales bank holidays (substitute
days included), the council's closure days, out-of-hours receipt and the clocks changing."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from frontdoor.cases.timescales import (
    CALENDAR_DAYS,
    CALENDAR_WEEKS,
    WORKING_DAYS,
    Calendar,
    bank_holidays,
    decision_due,
    is_out_of_hours,
    time_left,
)
from frontdoor.settings import env_dates, env_office_hours, env_weekdays

LONDON = ZoneInfo("Europe/London")


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


@pytest.fixture(autouse=True)
def council(settings):
    """The defaults, whatever the environment says: 09:00-17:00, Monday to Friday."""
    settings.OFFICE_HOURS = dict.fromkeys(range(7), (time(9), time(17)))
    settings.OFFICE_DAYS = (0, 1, 2, 3, 4)
    settings.COUNCIL_CLOSURE_DAYS = ()
    settings.TIME_ZONE = "Europe/London"
    return settings


def one_working_day(received: datetime) -> datetime:
    return decision_due(received, 1, WORKING_DAYS)


def test_received_in_office_hours_it_is_due_at_the_same_time_the_next_working_day():
    assert one_working_day(london(2026, 12, 2, 11, 0)) == london(2026, 12, 3, 11, 0)  # Wed
    assert one_working_day(london(2026, 12, 4, 16, 59)) == london(2026, 12, 7, 16, 59)  # Fri


def test_received_out_of_hours_it_counts_from_the_start_of_the_next_working_day():
    # Friday evening: counting starts Monday 09:00, so due Tuesday 09:00.
    assert one_working_day(london(2026, 12, 4, 20, 0)) == london(2026, 12, 8, 9, 0)
    # Saturday and Sunday: the same.
    assert one_working_day(london(2026, 12, 5, 12, 0)) == london(2026, 12, 8, 9, 0)
    assert one_working_day(london(2026, 12, 6, 23, 59)) == london(2026, 12, 8, 9, 0)
    # Early on a working day: from its own opening.
    assert one_working_day(london(2026, 12, 8, 7, 30)) == london(2026, 12, 9, 9, 0)
    # At closing time the office is closed; a second before, it is open.
    assert one_working_day(london(2026, 12, 2, 17, 0)) == london(2026, 12, 4, 9, 0)
    assert one_working_day(london(2026, 12, 2, 16, 59, 59)) == london(2026, 12, 3, 16, 59, 59)


def test_a_bank_holiday_monday_is_not_a_working_day():
    # The late summer bank holiday, Monday 31 August 2026.
    assert one_working_day(london(2026, 8, 28, 10, 0)) == london(2026, 9, 1, 10, 0)
    assert one_working_day(london(2026, 8, 28, 20, 0)) == london(2026, 9, 2, 9, 0)
    assert one_working_day(london(2026, 8, 31, 10, 0)) == london(2026, 9, 2, 9, 0)


def test_christmas_2026_with_its_substitute_boxing_day():
    # Friday 25 Christmas Day, Saturday 26 Boxing Day, so Monday 28 is a bank holiday too.
    assert date(2026, 12, 28) in bank_holidays(2026)
    assert one_working_day(london(2026, 12, 24, 10, 0)) == london(2026, 12, 29, 10, 0)
    assert one_working_day(london(2026, 12, 24, 18, 0)) == london(2026, 12, 30, 9, 0)


def test_the_councils_closure_days_are_not_working_days(council):
    council.COUNCIL_CLOSURE_DAYS = (date(2026, 12, 29), date(2026, 12, 30))
    assert one_working_day(london(2026, 12, 24, 10, 0)) == london(2026, 12, 31, 10, 0)
    # Out of hours on Christmas Eve: from Thursday 31 at 09:00; New Year's Day is Friday.
    assert one_working_day(london(2026, 12, 24, 18, 0)) == london(2027, 1, 4, 9, 0)
    assert is_out_of_hours(london(2026, 12, 29, 11, 0))


def test_easter_2027_and_the_clocks_going_forward_the_same_weekend():
    # Good Friday 26 March, clocks forward Sunday 28 March, Easter Monday 29 March 2027.
    received = london(2027, 3, 25, 15, 0)
    assert received.utcoffset() == timedelta(0)
    due = one_working_day(received)
    assert due == london(2027, 3, 30, 15, 0)
    assert (due.hour, due.minute, due.utcoffset()) == (15, 0, timedelta(hours=1))
    assert due.astimezone(UTC) == datetime(2027, 3, 30, 14, 0, tzinfo=UTC)


def test_the_clocks_going_back_do_not_move_the_office_time():
    # Clocks back Sunday 25 October 2026: Friday 16:00 BST is due Monday 16:00 GMT.
    due = one_working_day(london(2026, 10, 23, 16, 0))
    assert (due.date(), due.hour, due.utcoffset()) == (date(2026, 10, 26), 16, timedelta(0))
    # Received in UTC (as the database keeps it) all the same.
    assert one_working_day(datetime(2026, 10, 23, 15, 0, tzinfo=UTC)) == due


def test_n_working_days_skip_weekends_and_bank_holidays():
    # Early Help's default, 5 working days.
    assert decision_due(london(2026, 12, 2, 11, 0), 5, WORKING_DAYS) == london(2026, 12, 9, 11, 0)
    # 23 December: 24, 29, 30, 31 December and 4 January.
    assert decision_due(london(2026, 12, 23, 11, 0), 5, WORKING_DAYS) == london(2027, 1, 4, 11, 0)
    # None at all: the start of counting itself.
    assert decision_due(london(2026, 12, 4, 20, 0), 0, WORKING_DAYS) == london(2026, 12, 7, 9, 0)


def test_calendar_weeks_run_whatever_the_day_and_keep_the_time_across_the_clocks():
    # EHC needs assessment requests: 6 weeks, weekends and holidays included.
    assert decision_due(london(2026, 12, 5, 20, 0), 6, CALENDAR_WEEKS) == london(2027, 1, 16, 20, 0)
    due = decision_due(london(2026, 3, 2, 10, 0), 6, CALENDAR_WEEKS)
    assert (due, due.utcoffset()) == (london(2026, 4, 13, 10, 0), timedelta(hours=1))
    assert decision_due(london(2026, 12, 24, 18, 0), 3, CALENDAR_DAYS) == london(
        2026, 12, 27, 18, 0
    )


def test_the_councils_office_hours_and_days_are_used(council):
    council.OFFICE_HOURS = dict.fromkeys(range(7), (time(8, 30), time(17, 0)))
    assert one_working_day(london(2026, 12, 4, 20, 0)) == london(2026, 12, 8, 8, 30)
    council.OFFICE_DAYS = (0, 1, 2, 3, 4, 5)  # Saturday mornings too
    assert not is_out_of_hours(london(2026, 12, 5, 11, 0))
    assert one_working_day(london(2026, 12, 4, 20, 0)) == london(2026, 12, 7, 8, 30)


def test_a_day_that_closes_early_is_due_by_its_closing_time(council):
    # Monday to Thursday 08:30-17:00, Friday 08:30-16:30.
    council.OFFICE_HOURS = {
        **dict.fromkeys(range(4), (time(8, 30), time(17))),
        4: (time(8, 30), time(16, 30)),
    }
    assert one_working_day(london(2026, 12, 3, 16, 45)) == london(2026, 12, 4, 16, 30)
    assert one_working_day(london(2026, 12, 3, 10, 0)) == london(2026, 12, 4, 10, 0)
    assert is_out_of_hours(london(2026, 12, 4, 16, 40))
    assert not is_out_of_hours(london(2026, 12, 3, 16, 40))
    # Friday 16:40 is out of hours: from Monday 08:30, due Tuesday 08:30.
    assert one_working_day(london(2026, 12, 4, 16, 40)) == london(2026, 12, 8, 8, 30)


def test_a_timescale_needs_a_known_unit_a_whole_number_and_an_aware_datetime():
    with pytest.raises(ValueError, match="working_days, calendar_days, calendar_weeks"):
        decision_due(london(2026, 12, 2, 11, 0), 1, "fortnights")
    for amount in (-1, 1.5, True):
        with pytest.raises(ValueError, match="whole number"):
            decision_due(london(2026, 12, 2, 11, 0), amount, WORKING_DAYS)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="aware"):
        decision_due(datetime(2026, 12, 2, 11, 0), 1, WORKING_DAYS)  # noqa: DTZ001


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError, match="OFFICE_DAYS"):
        decision_due(london(2026, 12, 2, 11, 0), 1, WORKING_DAYS, Calendar(hours=(None,) * 7))


def test_out_of_hours_is_outside_office_hours_or_on_a_day_off():
    assert not is_out_of_hours(london(2026, 12, 2, 9, 0))
    assert not is_out_of_hours(london(2026, 12, 2, 16, 59))
    assert is_out_of_hours(london(2026, 12, 2, 8, 59))
    assert is_out_of_hours(london(2026, 12, 2, 17, 0))
    assert is_out_of_hours(london(2026, 12, 5, 11, 0))  # Saturday
    assert is_out_of_hours(london(2026, 12, 25, 11, 0))  # Christmas Day
    assert is_out_of_hours(london(2026, 12, 28, 11, 0))  # the substitute day
    assert is_out_of_hours(london(2027, 3, 29, 11, 0))  # Easter Monday


def test_out_of_hours_reads_the_local_clock_in_summer_time():
    # Monday 30 March 2026 (BST): 08:30 UTC is 09:30 in the office, 16:30 UTC is 17:30.
    assert not is_out_of_hours(datetime(2026, 3, 30, 8, 30, tzinfo=UTC))
    assert is_out_of_hours(datetime(2026, 3, 30, 16, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    ("due", "words"),
    [
        (london(2026, 12, 2, 10, 0, 30), "Due now"),
        (london(2026, 12, 2, 10, 1), "Due in 1 minute"),
        (london(2026, 12, 2, 10, 40), "Due in 40 minutes"),
        (london(2026, 12, 2, 11, 0), "Due in 1 hour"),
        (london(2026, 12, 2, 13, 59), "Due in 3 hours"),
        (london(2026, 12, 2, 23, 0), "Due in 13 hours"),
        (london(2026, 12, 3, 9, 0), "Due tomorrow at 9:00am"),
        (london(2026, 12, 3, 13, 44), "Due tomorrow at 1:44pm"),
        (london(2026, 12, 3, 0, 5), "Due tomorrow at 12:05am"),
        (london(2026, 12, 4, 9, 0), "Due in 2 days"),
        (london(2027, 1, 13, 10, 0), "Due in 42 days"),
        (london(2026, 12, 2, 10, 0), "Due now"),
        (london(2026, 12, 2, 9, 40), "Overdue by 20 minutes"),
        (london(2026, 12, 2, 9, 59), "Overdue by 1 minute"),
        (london(2026, 12, 2, 7, 30), "Overdue by 2 hours"),
        (london(2026, 12, 1, 9, 0), "Overdue by 1 day"),
        (london(2026, 11, 28, 9, 0), "Overdue by 4 days"),
    ],
)
def test_time_left_in_words(due, words):
    assert time_left(due, london(2026, 12, 2, 10, 0)) == words


def test_time_left_counts_days_on_the_local_calendar():
    # Sunday 29 March 2026 00:30 GMT to Monday 30 March 09:00 BST: tomorrow, not 32 hours.
    assert time_left(london(2026, 3, 30, 9, 0), london(2026, 3, 29, 0, 30)) == (
        "Due tomorrow at 9:00am"
    )
    assert time_left(
        datetime(2026, 12, 3, 9, 0, tzinfo=UTC), datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
    ) == ("Due tomorrow at 9:00am")


def test_the_settings_are_read_and_a_wrong_value_is_refused_naming_it(monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", "08:30-17:15")
    monkeypatch.setenv("OFFICE_DAYS", "mon-thu,sat")
    monkeypatch.setenv("COUNCIL_CLOSURE_DAYS", "2026-12-30, 2026-12-29")
    assert env_office_hours("OFFICE_HOURS", "") == dict.fromkeys(
        range(7), (time(8, 30), time(17, 15))
    )
    assert env_weekdays("OFFICE_DAYS", "mon-fri") == (0, 1, 2, 3, 5)
    assert env_dates("COUNCIL_CLOSURE_DAYS") == (date(2026, 12, 29), date(2026, 12, 30))
    monkeypatch.delenv("OFFICE_HOURS")
    monkeypatch.delenv("OFFICE_DAYS")
    monkeypatch.delenv("COUNCIL_CLOSURE_DAYS")
    assert env_office_hours("OFFICE_HOURS", "09:00-17:00")[0] == (time(9), time(17))
    monkeypatch.setenv("OFFICE_HOURS", "mon-thu 08:30-17:00; fri 08:30-16:30")
    assert env_office_hours("OFFICE_HOURS", "") == {
        **dict.fromkeys(range(4), (time(8, 30), time(17))),
        4: (time(8, 30), time(16, 30)),
    }
    assert env_weekdays("OFFICE_DAYS", "mon-fri") == (0, 1, 2, 3, 4)
    assert env_dates("COUNCIL_CLOSURE_DAYS") == ()
    for name, value, read in (
        ("OFFICE_HOURS", "17:00-09:00", lambda: env_office_hours("OFFICE_HOURS", "")),
        ("OFFICE_HOURS", "9 to 5", lambda: env_office_hours("OFFICE_HOURS", "")),
        ("OFFICE_HOURS", "fri-mon 09:00-17:00", lambda: env_office_hours("OFFICE_HOURS", "")),
        ("OFFICE_DAYS", "weekdays", lambda: env_weekdays("OFFICE_DAYS", "")),
        ("OFFICE_DAYS", "fri-mon", lambda: env_weekdays("OFFICE_DAYS", "")),
        ("COUNCIL_CLOSURE_DAYS", "29/12/2026", lambda: env_dates("COUNCIL_CLOSURE_DAYS")),
    ):
        monkeypatch.setenv(name, value)
        with pytest.raises(ImproperlyConfigured, match=name):
            read()
