"""Fires the local AWS's ``rate()`` and ``cron()`` EventBridge rules at their Lambda targets.

moto stores rules and targets but never fires them. The :class:`Scheduler` polls the rules, keeps the next
due time of each, and invokes every Lambda target with the target's ``Input`` (or, without one, the
"Scheduled Event" document EventBridge sends, ``resources`` holding the rule ARN). Cron expressions use
EventBridge's six fields (minutes hours day-of-month month day-of-week year), UTC, with ``?``, ``L``,
``W`` and ``#``; see :mod:`zappa_core.local.schedule_expressions`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from zappa_core.local.schedule_expressions import CronSchedule, RateSchedule, ScheduleError, parse_schedule

log = logging.getLogger("zappa.local.scheduler")


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
