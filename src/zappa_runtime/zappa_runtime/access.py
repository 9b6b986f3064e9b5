"""The Apache combined-log line that every HTTP request writes, as Zappa does (logger ``zappa.runtime.access``).

The line goes through :mod:`logging` like any other record, so the Lambda log handler (request id, JSON log
format) and the user's own handlers and filters see it. It is written on every request, so its cost matters:

* the record is copied from a template that ``makeRecord`` built once per thread and process, instead of being
  built from scratch (no basename/splitext of an empty path, no level-name or thread-name lookup); with a
  custom record factory installed, every record comes from that factory;
* the timestamp is formatted once per second.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

access_log = logging.getLogger("zappa.runtime.access")

_LogRecord = logging.LogRecord
_new_record = _LogRecord.__new__
_record_factory = logging.getLogRecordFactory
_thread_id = threading.get_ident


class _Stamp:
    """The log line's timestamp, formatted once per second."""

    second = -1
    text = ""


def access_line(environ: dict[str, Any], status: int, length: int, micros: int, when: float) -> str:
    """Apache combined-log format, with the request's duration in microseconds at the end."""
    second = int(when)
    if second != _Stamp.second:
        _Stamp.text = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(second))
        _Stamp.second = second
    get = environ.get
    query = get("QUERY_STRING")
    target = get("SCRIPT_NAME", "") + get("PATH_INFO", "") + ("?" + query if query else "")
    return (
        f'{get("REMOTE_ADDR", "-")} - {get("REMOTE_USER") or "-"} [{_Stamp.text}] '
        f'"{get("REQUEST_METHOD", "-")} {target} {get("SERVER_PROTOCOL", "HTTP/1.1")}" '
        f'{status} {length or "-"} "{get("HTTP_REFERER", "-")}" "{get("HTTP_USER_AGENT", "-")}" {micros}us'
    )


class _Template:
    """The fields of an INFO record of ``access_log`` that do not change between requests of one thread."""

    fields: dict[str, Any] | None = None
    thread: int | None = None
    start: float = 0.0

    @classmethod
    def build(cls) -> dict[str, Any]:
        record = access_log.makeRecord(access_log.name, logging.INFO, "", 0, "", (), None)
        fields = dict(record.__dict__)
        cls.start = record.created - record.relativeCreated / 1000.0
        cls.thread = threading.get_ident()
        cls.fields = fields
        return fields

    @classmethod
    def forget(cls) -> None:
        cls.fields = None


os.register_at_fork(after_in_child=_Template.forget)  # a forked child has its own process id and name


def access_record(line: str, created: float) -> logging.LogRecord:
    """An INFO record of ``access_log`` carrying ``line``, equal to what ``makeRecord`` would return."""
    if _record_factory() is not _LogRecord:
        return access_log.makeRecord(access_log.name, logging.INFO, "", 0, line, (), None)
    fields = _Template.fields
    if fields is None or _Template.thread != _thread_id():
        fields = _Template.build()
    record = _new_record(_LogRecord)
    record.__dict__.update(fields)
    record.msg = line
    record.created = created
    record.msecs = int((created - int(created)) * 1000) + 0.0
    record.relativeCreated = (created - _Template.start) * 1000.0
    return record


def log_request(environ: dict[str, Any], status: int, length: int, started: float) -> None:
    """Write the access line of one request (``started`` is its ``time.perf_counter()``), if INFO is enabled."""
    if access_log.isEnabledFor(logging.INFO):
        micros = int((time.perf_counter() - started) * 1e6)
        now = time.time()
        access_log.handle(access_record(access_line(environ, status, length, micros, now), now))
