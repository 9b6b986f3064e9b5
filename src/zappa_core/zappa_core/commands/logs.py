"""``zappa tail``: print and follow the function's CloudWatch Logs.

``--since`` takes a number and a unit: ``s``, ``m`` (minutes), ``h``, ``d``, ``w``, ``mm`` (months of 30 days),
``y``; several may be combined (``1h30m``). ``--http`` keeps only request lines (those carrying an IPv4
address, as the runtime's access log writes them), ``--non-http`` everything else. Lambda's own START/END/
REPORT lines are left out.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from zappa_core.errors import AwsError, UsageError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "mm": 30 * 86400, "y": 365 * 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)(mm|ms|s|m|h|d|w|y)")
_IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
POLL_SECONDS = 1.0


def parse_since(text: str) -> float:
    """Seconds in ``text`` (``4h``, ``1m`` = one minute, ``1mm`` = one month, ``1h30m``)."""
    raw = text.strip().lower()
    if not raw:
        raise UsageError("--since is empty")
    pos = 0
    total = 0.0
    for match in _PART.finditer(raw):
        if match.start() != pos:
            break
        value, unit = float(match.group(1)), match.group(2)
        total += value / 1000 if unit == "ms" else value * UNITS[unit]
        pos = match.end()
    if pos != len(raw) or pos == 0:
        raise UsageError(f"--since '{text}': use a number and a unit, e.g. 30s, 10m, 4h, 2d, 1w, 1mm (month)")
    return total


def is_http_line(message: str) -> bool:
    """A request line of the access log: it holds an IPv4 address as a word."""
    if "Zappa Event" in message:
        return False
    return any(_IPV4.match(word) for word in message.replace("\t", " ").split(" "))


def is_lambda_noise(message: str) -> bool:
    return message.startswith(("START RequestId", "END RequestId", "REPORT RequestId", "INIT_START"))


def keep(message: str, *, http: bool, non_http: bool) -> bool:
    if is_lambda_noise(message):
        return False
    if http and not is_http_line(message):
        return False
    return not (non_http and is_http_line(message))


def format_event(event: dict, *, color: bool) -> str:
    when = dt.datetime.fromtimestamp(event["timestamp"] / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    message = event.get("message", "").rstrip("\n")
    if not color:
        return f"[{when}] {message}"
    styled = message
    if "Traceback" in message or "ERROR" in message or "Error" in message:
        styled = f"\033[31m{message}\033[0m"
    elif is_http_line(message):
        styled = re.sub(r"\b([1-5]\d\d)\b", lambda m: f"\033[{'32' if m.group(1) < '400' else '33'}m{m.group(1)}\033[0m",
                        message, count=1)
    return f"[\033[1m{when}\033[0m] {styled}"


def fetch(logs: Any, group: str, start_ms: int, pattern: str | None) -> Iterable[dict]:
    kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start_ms, "interleaved": True}
    if pattern:
        kwargs["filterPattern"] = pattern
    token = None
    while True:
        if token:
            kwargs["nextToken"] = token
        page = logs.filter_log_events(**kwargs)
        yield from page.get("events", [])
        token = page.get("nextToken")
        if not token:
            return


def tail(ctx: Any, no_color: bool = False, http: bool = False, non_http: bool = False, since: str = "100000s",
         filter: str | None = None, disable_keep_open: bool = False, *, out: Callable[[str], None] | None = None,
         sleep: Callable[[float], None] = time.sleep, max_polls: int | None = None, **_: Any) -> int:
    from zappa_core.engine import describe_aws_error
    from zappa_core.resources.logs import log_group_name
    from zappa_core.retry import is_aws_error, is_not_found

    if http and non_http:
        raise UsageError("--http and --non-http exclude each other")
    seconds = parse_since(since)
    stages = ctx.stages()
    if len(stages) != 1:
        raise UsageError("tail follows one stage at a time")
    settings = stages[0]
    logs = ctx.aws(settings).client("logs")
    group = log_group_name(settings.function_name)
    color = not no_color and sys.stdout.isatty()
    write = out or (lambda line: print(line, flush=True))
    start_ms = int((time.time() - seconds) * 1000)
    seen: set[str] = set()
    polls = 0
    try:
        while True:
            newest = start_ms
            for event in fetch(logs, group, start_ms, filter):
                event_id = event.get("eventId") or f"{event.get('timestamp')}:{event.get('logStreamName')}:{event.get('message')}"
                newest = max(newest, int(event.get("timestamp", 0)))
                if event_id in seen:
                    continue
                seen.add(event_id)
                if keep(event.get("message", ""), http=http, non_http=non_http):
                    write(format_event(event, color=color))
            polls += 1
            if disable_keep_open or (max_polls is not None and polls >= max_polls):
                return 0
            start_ms = max(start_ms, newest - 5000)  # overlap a little: events may arrive late
            sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        if is_not_found(exc):
            raise AwsError(f"no logs yet: log group {group} does not exist",
                           hint=f"is stage '{settings.stage}' deployed? Logs appear after the first invocation") from exc
        raise AwsError(f"tail {group}: {describe_aws_error(exc)}") from exc
