"""Decision timescales: when a decision is due, whether a moment is out of hours, and the
time left said in words for the inbox.

Pure functions of their arguments and the council's calendar: office days and hours
(`OFFICE_DAYS`, `OFFICE_HOURS`, local time), England and Wales bank holidays (from the
`holidays` library, substitute days included) and the council's own closure days
(`COUNCIL_CLOSURE_DAYS`). Times are reckoned on the wall clock of `TIME_ZONE`
(Europe/London), so a change of the clocks never moves an office time: due at 11:00 is at
11:00 whether the clocks went forward in between or not.

Units (a form's timescale says which):
- `working_days`: N working days on, at the same time of day (at that day's closing time if
  it closes earlier, a Friday say). A referral received out of hours (outside office hours,
  or on a day that is not a working day) is counted from the start of the next working day:
  received Friday 20:00, 1 working day is due Tuesday 09:00; received Wednesday 11:00, it
  is due Thursday 11:00.
- `calendar_days`, `calendar_weeks`: N days (7N days) on, at the same time of day, whatever
  the day (the SEND Regulations' 6 weeks to decide whether to assess run like this).
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
CALENDAR_WEEKS = "calendar_weeks"
UNITS = (WORKING_DAYS, CALENDAR_DAYS, CALENDAR_WEEKS)
# The holidays library's subdivision for England (Wales has the same bank holidays).
BANK_HOLIDAYS_SUBDIVISION = "ENG"


@functools.cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in a year, substitute days included."""
    return frozenset(holidays.country_holidays("GB", subdiv=BANK_HOLIDAYS_SUBDIVISION, years=year))


NINE_TO_FIVE = (time(9), time(17))
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Calendar:
    """The council's working calendar. `Calendar.from_settings()` is the one in force."""

    # Opening and closing times by weekday (Monday 0); None: closed all day.
    hours: tuple[tuple[time, time] | None, ...] = (NINE_TO_FIVE,) * 5 + (None, None)
    closures: frozenset[date] = frozenset()
    zone: ZoneInfo = LONDON

    @classmethod
    def from_settings(cls) -> "Calendar":
        hours, days = settings.OFFICE_HOURS, settings.OFFICE_DAYS
        return cls(
            hours=tuple(hours.get(day) if day in days else None for day in range(7)),
            closures=frozenset(settings.COUNCIL_CLOSURE_DAYS),
            zone=ZoneInfo(settings.TIME_ZONE),
        )

    def is_working_day(self, day: date) -> bool:
        return (
            self.hours[day.weekday()] is not None
            and day not in self.closures
            and day not in bank_holidays(day.year)
        )

    def opening_hours(self, day: date) -> tuple[time, time]:
        """When the offices open and close on a working day."""
        hours = self.hours[day.weekday()]
        if hours is None:
            raise ValueError(f"{day} is not an office day")
        return hours

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        day += timedelta(days=1)
        for _ in range(3660):  # ten years: a calendar with no working day is a mistake
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("There is no working day in the next ten years: check OFFICE_DAYS.")

    def local(self, moment: datetime) -> datetime:
        if timezone.is_naive(moment):
            raise ValueError("A timescale needs an aware datetime (with its time zone).")
        return moment.astimezone(self.zone)

    def at(self, day: date, clock: time) -> datetime:
        """`day` at `clock` on the local wall clock, as an aware datetime."""
        # Through UTC and back: a wall time in the hour the clocks skip becomes a real one.
        moment = datetime.combine(day, clock, tzinfo=self.zone)
        return moment.astimezone(ZoneInfo("UTC")).astimezone(self.zone)

    def is_out_of_hours(self, moment: datetime) -> bool:
        local = self.local(moment)
        if not self.is_working_day(local.date()):
            return True
        opens, closes = self.opening_hours(local.date())
        return not opens <= local.time() < closes

    def start_of_counting(self, received: datetime) -> datetime:
        """When a working-day timescale starts: on receipt in office hours, otherwise at the
        start of the next working day (today's, before the office opens on a working day)."""
        local = self.local(received)
        if not self.is_out_of_hours(local):
            return local
        day = local.date()
        if not (self.is_working_day(day) and local.time() < self.opening_hours(day)[0]):
            day = self.next_working_day(day)
        return self.at(day, self.opening_hours(day)[0])


def decision_due(
    received: datetime, amount: int, unit: str, calendar: Calendar | None = None
) -> datetime:
    """When a decision on something received at `received` is due: `amount` `unit`s on
    (see the module's description). The result is in local time (Europe/London)."""
    if unit not in UNITS:
        raise ValueError(f"A timescale's unit must be one of {', '.join(UNITS)}, not {unit!r}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"A timescale must be a whole number, 0 or more, not {amount!r}")
    calendar = calendar or Calendar.from_settings()
    if unit == WORKING_DAYS:
        start = calendar.start_of_counting(received)
        day = start.date()
        for _ in range(amount):
            day = calendar.next_working_day(day)
        # The same time of day, within that day's hours (a Friday may close early).
        opens, closes = calendar.opening_hours(day)
        return calendar.at(day, min(max(start.time(), opens), closes))
    local = calendar.local(received)
    days = amount * 7 if unit == CALENDAR_WEEKS else amount
    return calendar.at(local.date() + timedelta(days=days), local.time())


def is_out_of_hours(moment: datetime, calendar: Calendar | None = None) -> bool:
    """Outside office hours, or on a day that is not a working day (a weekend, a bank
    holiday, a council closure day): urgent notices then go to the Emergency Duty Team."""
    return (calendar or Calendar.from_settings()).is_out_of_hours(moment)


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def time_left(due: datetime, now: datetime | None = None, calendar: Calendar | None = None) -> str:
    """The time left to `due`, in words a worker reads at a glance: "Due in 40 minutes",
    "Due in 3 hours" (later today), "Due tomorrow at 9:00am", "Due in 4 days"; and once it
    has passed "Overdue by 20 minutes", "Overdue by 2 hours", "Overdue by 3 days"."""
    calendar = calendar or Calendar.from_settings()
    due = calendar.local(due)
    now = calendar.local(now or timezone.now())
    if due <= now:
        late = now - due
        if late < timedelta(minutes=1):
            return "Due now"
        if late < timedelta(hours=1):
            return f"Overdue by {_count(late // timedelta(minutes=1), 'minute')}"
        if late < timedelta(days=1):
            return f"Overdue by {_count(late // timedelta(hours=1), 'hour')}"
        return f"Overdue by {_count(late // timedelta(days=1), 'day')}"
    left = due - now
    if left < timedelta(minutes=1):
        return "Due now"
    if left < timedelta(hours=1):
        return f"Due in {_count(left // timedelta(minutes=1), 'minute')}"
    days = (due.date() - now.date()).days
    if days == 0:
        return f"Due in {_count(left // timedelta(hours=1), 'hour')}"
    if days == 1:
        # The clock as everywhere else on the pages (GOV.UK style): 9:00am, 1:44pm.
        clock = f"{due.hour % 12 or 12}:{due.minute:02d}{'am' if due.hour < 12 else 'pm'}"
        return f"Due tomorrow at {clock}"
    return f"Due in {days} days"


def working_days_after(day: date, amount: int, calendar: Calendar | None = None) -> date:
    """The date `amount` working days after `day` (counted from the next working day when
    `day` is not one): asked on a Wednesday, 1 working day is Thursday; on a Saturday,
    Tuesday. A partner check's default due date."""
    calendar = calendar or Calendar.from_settings()
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    for _ in range(amount):
        day = calendar.next_working_day(day)
    return day


def working_time(start: datetime, end: datetime, calendar: Calendar | None = None) -> timedelta:
    """The office time between two moments: the parts of them within office hours on
    working days (Friday 16:00 to Monday 10:00 is 2 hours with 9:00 to 17:00)."""
    calendar = calendar or Calendar.from_settings()
    start, end = calendar.local(start), calendar.local(end)
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            opens, closes = calendar.opening_hours(day)
            begin = max(start, calendar.at(day, opens))
            finish = min(end, calendar.at(day, closes))
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total
