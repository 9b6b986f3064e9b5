"""EventBridge schedule expressions: ``rate(N unit)`` and ``cron(...)`` with its six fields (minutes hours
day-of-month month day-of-week year), UTC, with ``?``, ``L``, ``W`` and ``#``, parsed by
:func:`parse_schedule` into a schedule that knows its next due time after a given one."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

MONTHS = {name: i for i, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
WEEKDAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleError(ValueError):
    """A schedule expression that EventBridge would reject."""


@dataclass(frozen=True)
class RateSchedule:
    seconds: int

    def next_after(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class CronSchedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    days: DaySpec | None = None  # day-of-month, None for '?'
    weekdays: WeekdaySpec | None = None  # day-of-week, None for '?'

    def matches_day(self, day: datetime) -> bool:
        if day.year not in self.years or day.month not in self.months:
            return False
        if self.days is not None:
            return self.days.matches(day)
        assert self.weekdays is not None
        return self.weekdays.matches(day)

    def next_after(self, moment: datetime) -> datetime | None:
        """The first firing strictly after ``moment`` (UTC), or ``None`` when the years run out."""
        start = moment.astimezone(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=1)
        last_year = max(self.years)
        day = start.replace(hour=0, minute=0)
        hours, minutes = sorted(self.hours), sorted(self.minutes)
        while day.year <= last_year:
            if day.year not in self.years:
                day = datetime(day.year + 1, 1, 1, tzinfo=timezone.utc)
                continue
            if day.month not in self.months:
                day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
                continue
            if self.matches_day(day):
                for hour in hours:
                    for minute in minutes:
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        return None


@dataclass(frozen=True)
class DaySpec:
    """Day-of-month: plain days, ``L`` (last day) and ``NW``/``LW`` (nearest weekday)."""

    days: frozenset[int] = frozenset()
    last: bool = False
    nearest_weekday: frozenset[int] = frozenset()
    last_weekday: bool = False

    def matches(self, day: datetime) -> bool:
        length = calendar.monthrange(day.year, day.month)[1]
        if day.day in self.days or (self.last and day.day == length):
            return True
        if self.last_weekday and day.day == _nearest_weekday(day.year, day.month, length):
            return True
        return any(day.day == _nearest_weekday(day.year, day.month, min(n, length)) for n in self.nearest_weekday)


@dataclass(frozen=True)
class WeekdaySpec:
    """Day-of-week (1 = SUN .. 7 = SAT): plain days, ``NL`` (last N of the month), ``N#k`` (k-th N)."""

    weekdays: frozenset[int] = frozenset()
    last_of_month: frozenset[int] = frozenset()
    nth: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def matches(self, day: datetime) -> bool:
        weekday = (day.weekday() + 1) % 7 + 1
        if weekday in self.weekdays:
            return True
        length = calendar.monthrange(day.year, day.month)[1]
        if weekday in self.last_of_month and day.day + 7 > length:
            return True
        return (weekday, (day.day - 1) // 7 + 1) in self.nth


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """The weekday (Mon-Fri) nearest to ``day`` within the same month."""
    length = calendar.monthrange(year, month)[1]
    weekday = calendar.weekday(year, month, day)  # Mon = 0
    if weekday == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return day + 1 if day < length else day - 2
    return day


def parse_schedule(expression: str) -> RateSchedule | CronSchedule:
    """Parse ``rate(N unit)`` or ``cron(m h dom mon dow year)``; raises :class:`ScheduleError`."""
    text = expression.strip()
    match = re.fullmatch(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)", text)
    if match:
        value = int(match.group(1))
        if value <= 0:
            raise ScheduleError(f"{expression}: the rate must be positive")
        return RateSchedule(value * UNIT_SECONDS[match.group(2).rstrip("s")])
    match = re.fullmatch(r"cron\((.*)\)", text)
    if not match:
        raise ScheduleError(f"{expression}: expected rate(N minutes|hours|days) or cron(6 fields)")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(f"{expression}: cron needs 6 fields (minutes hours day-of-month month day-of-week year)")
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(f"{expression}: exactly one of day-of-month and day-of-week must be '?'")
    try:
        return CronSchedule(
            minutes=_values(minute, 0, 59), hours=_values(hour, 0, 23), months=_values(month, 1, 12, MONTHS),
            years=_values(year, 1970, 2199),
            days=None if dom == "?" else _day_spec(dom), weekdays=None if dow == "?" else _weekday_spec(dow),
        )
    except ValueError as exc:
        raise ScheduleError(f"{expression}: {exc}") from None


def _number(token: str, names: dict[str, int] | None) -> int:
    if names and token.upper() in names:
        return names[token.upper()]
    if not token.isdigit():
        if names:
            raise ValueError(f"'{token}' is neither a number nor one of {min(names, key=names.get)}-"
                             f"{max(names, key=names.get)}")
        raise ValueError(f"'{token}' is not a number")
    return int(token)


def _values(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    result: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ValueError(f"'{text}' has an empty item: a ',' too many")
        base, _, step_text = part.partition("/")
        if step_text and not step_text.isdigit():
            raise ValueError(f"the step in '{part}' is not a number")
        step = int(step_text) if step_text else 1
        if step <= 0:
            raise ValueError(f"bad step in '{part}'")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(base, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high):
            raise ValueError(f"'{part}' is outside {low}-{high}")
        if end < start:  # a wrapping range such as FRI-MON
            span = list(range(start, high + 1)) + list(range(low, end + 1))
            result.update(span[::step])
        else:
            result.update(range(start, end + 1, step))
    return frozenset(result)


def _day_spec(text: str) -> DaySpec:
    days: set[int] = set()
    nearest: set[int] = set()
    last = last_weekday = False
    for part in text.split(","):
        upper = part.upper()
        if upper == "L":
            last = True
        elif upper == "LW":
            last_weekday = True
        elif upper.endswith("W") and upper[:-1].isdigit():
            value = int(upper[:-1])
            if not 1 <= value <= 31:
                raise ValueError(f"'{part}' is outside 1-31")
            nearest.add(value)
        else:
            days |= _values(part, 1, 31)
    return DaySpec(frozenset(days), last, frozenset(nearest), last_weekday)


def _weekday_spec(text: str) -> WeekdaySpec:
    weekdays: set[int] = set()
    last: set[int] = set()
    nth: set[tuple[int, int]] = set()
    for part in text.split(","):
        upper = part.upper()
        if "#" in upper:
            day, _, which = upper.partition("#")
            if not which.isdigit() or not 1 <= int(which) <= 5:
                raise ValueError(f"'{part}': the week must be 1-5")
            nth.add((_checked_weekday(day), int(which)))
        elif upper.endswith("L") and len(upper) > 1:
            last.add(_checked_weekday(upper[:-1]))
        elif upper == "L":
            weekdays.add(7)  # a bare L in day-of-week is the last day of the week
        else:
            weekdays |= _values(part, 1, 7, WEEKDAYS)
    return WeekdaySpec(frozenset(weekdays), frozenset(last), frozenset(nth))


def _checked_weekday(token: str) -> int:
    value = _number(token, WEEKDAYS)
    if not 1 <= value <= 7:
        raise ValueError(f"'{token}' is outside 1-7")
    return value
