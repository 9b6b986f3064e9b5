"""Fires the local AWS's ``rate()`` and ``cron()`` EventBridge rules at their Lambda targets.

moto stores rules and targets but never fires them. The :class:`Scheduler` polls the rules, keeps the next
due time of each, and invokes every Lambda target with the target's ``Input`` (or, without one, the
"Scheduled Event" document EventBridge sends, ``resources`` holding the rule ARN). Cron expressions use
EventBridge's six fields (minutes hours day-of-month month day-of-week year), UTC, with ``?``, ``L``,
``W`` and ``#``; see :func:`parse_schedule`.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

log = logging.getLogger("zappa.local.scheduler")

MONTHS = {name: i for i, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
WEEKDAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleError(ValueError):
    """A schedule expression that EventBridge would reject."""


# -- expressions --------------------------------------------------------------------------------------------


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
        raise ValueError(f"'{token}' is not a number")
    return int(token)


def _values(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    result: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
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
            index = int(which)
            if not 1 <= index <= 5:
                raise ValueError(f"'{part}': the week must be 1-5")
            nth.add((_checked_weekday(day), index))
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


# -- the scheduler ------------------------------------------------------------------------------------------


@dataclass
class _Tracked:
    arn: str
    name: str
    region: str
    expression: str
    schedule: RateSchedule | CronSchedule
    next_due: datetime | None


@dataclass
class Firing:
    rule_arn: str
    target_arn: str
    time: datetime
    function_error: str | None = None


class Scheduler:
    """Polls the rules of the local AWS and fires the due ones.

    ``clock()`` returns the current time in seconds (``time.time`` by default; tests pass a fake one and
    call :meth:`poll` themselves). ``regions()`` lists the regions to look in.
    """

    def __init__(self, state: Any, *, regions: Callable[[], list[str]] | None = None,
                 clock: Callable[[], float] = time.time, interval: float = 1.0, background: bool = True) -> None:
        self.state = state
        self.regions = regions or (lambda: [state.region])
        self.clock = clock
        self.interval = interval
        self.background = background
        self.fired: list[Firing] = []
        self._tracked: dict[tuple[str, str], _Tracked] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._invocations: list[threading.Thread] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="zappa-local-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)  # a daemon thread: a poll still waiting on the AWS API ends with us

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:
                log.exception("polling the schedules failed")

    def describe(self) -> list[dict[str, Any]]:
        return [{"rule": t.arn, "expression": t.expression,
                 "next": t.next_due.isoformat() if t.next_due else None} for t in self._tracked.values()]

    def poll(self) -> list[Firing]:
        """Look at every scheduled rule once and fire those that are due; returns what fired."""
        now = datetime.fromtimestamp(self.clock(), tz=timezone.utc)
        seen: set[tuple[str, str]] = set()
        fired: list[Firing] = []
        for region in self.regions():
            events = self.state.aws.client("events", region=region)
            for rule in _paged(events.list_rules, "Rules"):
                expression = rule.get("ScheduleExpression")
                if not expression or rule.get("State") != "ENABLED":
                    continue
                key = (rule["Arn"], expression)
                seen.add(key)
                tracked = self._tracked.get(key)
                if tracked is None:
                    try:
                        schedule = parse_schedule(expression)
                    except ScheduleError as exc:
                        log.warning("rule %s will not fire: %s", rule["Arn"], exc)
                        schedule = None
                    tracked = _Tracked(rule["Arn"], rule["Name"], region, expression, schedule,  # type: ignore[arg-type]
                                       schedule.next_after(now) if schedule else None)
                    self._tracked[key] = tracked
                    continue
                if tracked.next_due is None or now < tracked.next_due:
                    continue
                fired += self._fire(events, tracked, now, background=self.background)
                following = tracked.schedule.next_after(tracked.next_due)
                while following is not None and following <= now:
                    following = tracked.schedule.next_after(following)
                tracked.next_due = following
        for key in set(self._tracked) - seen:
            del self._tracked[key]
        return fired

    def _fire(self, events: Any, tracked: _Tracked, now: datetime, *, background: bool) -> list[Firing]:
        fired = []
        targets = _paged(lambda **kw: events.list_targets_by_rule(Rule=tracked.name, **kw), "Targets")
        for target in targets:
            arn = target.get("Arn", "")
            if ":lambda:" not in arn:
                continue
            event = json.loads(target["Input"]) if target.get("Input") else scheduled_event(tracked, now)
            firing = Firing(tracked.arn, arn, now)
            fired.append(firing)
            self.fired.append(firing)
            log.info("schedule %s fires %s", tracked.name, arn)
            if background:
                thread = threading.Thread(target=self._invoke, args=(firing, arn, event), daemon=True)
                thread.start()
                self._invocations = [t for t in self._invocations if t.is_alive()] + [thread]
            else:
                self._invoke(firing, arn, event)
        return fired

    def _invoke(self, firing: Firing, arn: str, event: Any) -> None:
        try:
            _, firing.function_error = self.state.invoke(arn, event)
        except Exception as exc:  # noqa: BLE001 - recorded on the firing and logged; the scheduler goes on
            firing.function_error = f"{type(exc).__name__}: {exc}"
            log.warning("scheduled invocation of %s failed: %s", arn, exc)

    def fire_now(self, rule_name: str) -> list[Firing]:
        """Fire the scheduled rule named ``rule_name`` now (synchronously), whatever its next due time."""
        now = datetime.fromtimestamp(self.clock(), tz=timezone.utc)
        for region in self.regions():
            events = self.state.aws.client("events", region=region)
            for rule in _paged(events.list_rules, "Rules"):
                if rule["Name"] == rule_name and rule.get("ScheduleExpression"):
                    tracked = _Tracked(rule["Arn"], rule["Name"], region, rule["ScheduleExpression"],
                                       RateSchedule(0), None)
                    return self._fire(events, tracked, now, background=False)
        return []

    def wait_for_invocations(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        for thread in list(self._invocations):
            thread.join(max(0.0, deadline - time.monotonic()))


def scheduled_event(tracked: _Tracked, now: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": tracked.arn.split(":")[4],
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": tracked.region,
        "resources": [tracked.arn],
        "detail": {},
    }


def _paged(call: Callable[..., dict[str, Any]], key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = call(**({"NextToken": token} if token else {}))
        items += page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return items
