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

from zappa_core import color as colors
from zappa_core.color import style
from zappa_core.errors import AwsError, UsageError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "mm": 30 * 86400, "y": 365 * 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)(mm|ms|s|m|h|d|w|y)")
_IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
POLL_SECONDS = 1.0
# What the Lambda runtime's log handler writes before a record, and zappa's runtime where no handler is set.
_LAMBDA_PREFIX = re.compile(r"^\[(?P<level>[A-Z]+)\]\t\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-fA-F-]+\t")
_RUNTIME_PREFIX = re.compile(r"^\[(?P<level>[A-Z]+)\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")
_ACCESS_STAMP = re.compile(r" \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]")
_STATUS = re.compile(r'(" )([1-5]\d\d)( |$)')  # the status right after the quoted request line
STATUS_COLORS = {"1": "36", "2": "32", "3": "36", "4": "33", "5": "31"}


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


def plain_message(message: str) -> str:
    """``message`` without the timestamps that would repeat the one tail prints: the Lambda log handler's
    prefix (``[INFO]\t<ISO time>\t<request id>\t``, or the runtime's ``[INFO] <time> ``) keeps only its
    level, and an access line loses its own ``[27/Nov/2026:13:00:00 +0000]``."""
    match = _LAMBDA_PREFIX.match(message) or _RUNTIME_PREFIX.match(message)
    if match:
        message = f"[{match.group('level')}] {message[match.end():]}"
    if is_http_line(message):
        message = _ACCESS_STAMP.sub("", message, count=1)
    return message


def format_event(event: dict, *, color: bool) -> str:
    """One line per event: ``[YYYY-MM-DD HH:MM:SS] message``, the only timestamp on the line. With ``color``,
    the timestamp is bold, an error line red, and in a request line only the status code is coloured."""
    when = dt.datetime.fromtimestamp(event["timestamp"] / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    message = plain_message(event.get("message", "").rstrip("\n"))
    if not color:
        return f"[{when}] {message}"
    if "Traceback" in message or "ERROR" in message or "Error" in message:
        message = style(message, "31", True)
    elif is_http_line(message):
        message = _STATUS.sub(lambda m: m.group(1) + style(m.group(2), STATUS_COLORS[m.group(2)[0]], True)
                              + m.group(3), message, count=1)
    return f"[{style(when, '1', True)}] {message}"


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


def tail(ctx: Any, color_flag: bool | None = None, http: bool = False, non_http: bool = False, since: str = "100000s",
         filter: str | None = None, disable_keep_open: bool = False, *, out: Callable[[str], None] | None = None,
         sleep: Callable[[float], None] = time.sleep, max_polls: int | None = None, **_: Any) -> int:
    from zappa_core.awserrors import is_aws_error, is_not_found
    from zappa_core.engine import describe_aws_error
    from zappa_core.resources.logs import log_group_name

    if http and non_http:
        raise UsageError("--http and --non-http exclude each other")
    seconds = parse_since(since)
    stages = ctx.stages()
    if len(stages) != 1:
        raise UsageError("tail follows one stage at a time")
    settings = stages[0]
    logs = ctx.aws(settings).client("logs")
    group = log_group_name(settings.function_name)
    color = colors.enabled(sys.stdout, color_flag)
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
