"""The Apache combined-log line that every HTTP request writes, as Zappa does (logger ``zappa.runtime.access``).

The line goes to the handlers :mod:`logging` would give it to, so the Lambda log handler (request id, JSON log
format) and the user's own handlers and filters see it. It is written on every request, so its cost matters:

* the handlers are found by walking the logger hierarchy here, as ``Logger.callHandlers`` does, and the one
  handler found gets the record directly; when that handler is a plain :class:`logging.StreamHandler` whose
  formatter writes the message alone (the default) and whose only filters are the secrets mask, the line is
  written to its stream under its lock, as ``StreamHandler.emit`` would write it, and no record is built at all
  (:func:`emit_line`). Anything else (filters on the access logger, a custom record factory, handlers on two
  loggers, another handler class or formatter, no handler) takes ``Logger.handle``, unchanged;
* the record is copied from a template that ``makeRecord`` built once per thread and process, instead of being
  built from scratch (no basename/splitext of an empty path, no level-name or thread-name lookup); with a
  custom record factory installed, every record comes from that factory;
* the timestamp is formatted once per second.
"""

from __future__ import annotations

import logging
import os
import sys
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


_StreamHandler = logging.StreamHandler
_Formatter = logging.Formatter
_PercentStyle = logging.PercentStyle
_INFO = logging.INFO


def _message_only(handler: logging.Handler) -> bool:
    """True when the handler's formatter turns a record without traceback into its message alone (the
    formatter ``logging`` gives a handler that has none, or an exact ``Formatter("%(message)s")``)."""
    formatter = handler.formatter or getattr(logging, "_defaultFormatter", None)
    if type(formatter) is not _Formatter:
        return False
    style = formatter._style  # what Formatter.format formats with
    return (type(style) is _PercentStyle and style._fmt == "%(message)s"
            and not getattr(style, "_defaults", None))


def _masked(line: str, filters: list[Any]) -> str | None:
    """The line after the handler's filters, when they are all the secrets mask (else None: they need a record)."""
    secrets = sys.modules.get("zappa_runtime.secrets")  # no mask exists unless that module was imported
    masking = getattr(secrets, "MaskingFilter", None)
    for each in filters:
        if masking is None or type(each) is not masking:
            return None
        line = each.mask(line) if each.values else line
    return line


def emit_line(line: str, created: float) -> None:
    """Give the access line to the handlers of ``access_log``, as ``access_log.handle(access_record(...))``
    would, skipping what that does not need (the caller has checked that INFO is enabled)."""
    if access_log.filters or _record_factory() is not _LogRecord:  # they see (or make) a record
        access_log.handle(access_record(line, created))
        return
    found: list[Any] | None = None
    logger: Any = access_log
    while logger is not None:  # Logger.callHandlers' walk: the handlers up to the first non-propagating logger
        if logger.handlers:
            if found is not None:  # handlers at two levels: let logging take the record to each
                access_log.handle(access_record(line, created))
                return
            found = logger.handlers
        logger = logger.parent if logger.propagate else None
    if found is None or len(found) != 1:  # none (logging's last resort) or several
        access_log.handle(access_record(line, created))
        return
    handler = found[0]
    if _INFO < handler.level:
        return
    text: str | None = None
    if type(handler) is _StreamHandler and _message_only(handler):
        text = _masked(line, handler.filters) if handler.filters else line
    if text is None:  # a record for the handler (Handler.handle: its filters, its lock, its emit)
        handler.handle(access_record(line, created))
        return
    lock = handler.lock
    if lock is not None:
        lock.acquire()
    try:  # StreamHandler.emit, with the message known
        stream = handler.stream
        stream.write(text + handler.terminator)
        if stream and hasattr(stream, "flush"):
            stream.flush()
    except RecursionError:
        raise
    except Exception:  # noqa: BLE001 - what emit does: the handler reports it
        handler.handleError(access_record(text, created))
    finally:
        if lock is not None:
            lock.release()


def log_request(environ: dict[str, Any], status: int, length: int, started: float) -> None:
    """Write the access line of one request (``started`` is its ``time.perf_counter()``), if INFO is enabled."""
    if access_log.isEnabledFor(_INFO):
        micros = int((time.perf_counter() - started) * 1e6)
        now = time.time()
        emit_line(access_line(environ, status, length, micros, now), now)


def log_request_of(request: Any, status: int, length: int, started: float) -> None:
    """:func:`log_request` for an :class:`~zappa_runtime.request.HttpRequest` (an ASGI app's): the same line."""
    if access_log.isEnabledFor(_INFO):
        from zappa_runtime.request import native

        headers = request.headers
        line = {"REMOTE_ADDR": request.client, "REMOTE_USER": request.user, "REQUEST_METHOD": request.method,
                "SCRIPT_NAME": native(request.script_name), "PATH_INFO": native(request.path),
                "QUERY_STRING": native(request.query), "SERVER_PROTOCOL": request.protocol,
                "HTTP_REFERER": headers.get("referer", "-"), "HTTP_USER_AGENT": headers.get("user-agent", "-")}
        log_request(line, status, length, started)
