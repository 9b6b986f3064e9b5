"""The per-request Apache line (logger ``zappa.runtime.access``): its text, and that its record is an ordinary
:class:`logging.LogRecord` that every handler, formatter and filter treats like any other."""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import time

import events_factory as ev
import pytest
from zappa_runtime.access import access_line, access_log, access_record, emit_line, log_request
from zappa_runtime.secrets import MaskingFilter

ENVIRON = {
    "REMOTE_ADDR": "203.0.113.9",
    "REQUEST_METHOD": "POST",
    "SCRIPT_NAME": "/prod",
    "PATH_INFO": "/caf\xc3\xa9",
    "QUERY_STRING": "a=1&a=2",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_REFERER": "https://example.com/",
    "HTTP_USER_AGENT": "curl/8.5",
}
EVERY_FIELD = (
    "%(name)s|%(levelno)s|%(levelname)s|%(pathname)s|%(filename)s|%(module)s|%(lineno)d|%(funcName)s|"
    "%(created)f|%(msecs)d|%(relativeCreated)d|%(asctime)s|%(thread)d|%(threadName)s|%(process)d|"
    "%(processName)s|%(message)s"
)
WHEN = 1795784401.25  # 2026-11-27 13:00:01.25 UTC


@pytest.fixture
def captured():
    """A handler on the access logger itself (propagation off, so nothing else sees the test's lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(EVERY_FIELD))
    saved = access_log.level, access_log.propagate
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
    yield stream
    access_log.removeHandler(handler)
    access_log.setLevel(saved[0])
    access_log.propagate = saved[1]


def test_the_line_is_apache_combined_format_with_the_duration_in_microseconds():
    line = access_line(ENVIRON, 201, 12, 345, WHEN)
    assert line == (
        '203.0.113.9 - - [27/Nov/2026:13:00:01 +0000] "POST /prod/caf\xc3\xa9?a=1&a=2 HTTP/1.1" 201 12 '
        '"https://example.com/" "curl/8.5" 345us'
    )
    bare = access_line({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "REMOTE_USER": "alice"}, 204, 0, 7, WHEN + 60)
    assert bare == '- - alice [27/Nov/2026:13:01:01 +0000] "GET / HTTP/1.1" 204 - "-" "-" 7us'


def test_the_record_formats_exactly_like_one_from_make_record(captured):
    line = access_line(ENVIRON, 200, 3, 9, WHEN)
    ours = access_record(line, WHEN)
    reference = access_log.makeRecord(access_log.name, logging.INFO, "", 0, line, (), None)
    assert ours.relativeCreated == pytest.approx(reference.relativeCreated + (WHEN - reference.created) * 1000)
    reference.created, reference.msecs, reference.relativeCreated = WHEN, 250.0, ours.relativeCreated
    assert type(ours) is logging.LogRecord
    assert vars(ours) == vars(reference)
    formatter = logging.Formatter(EVERY_FIELD)
    assert formatter.format(ours) == formatter.format(reference)


def test_log_request_reaches_handlers_with_the_current_thread_and_process(captured):
    log_request(ENVIRON, 200, 3, time.perf_counter())
    fields = captured.getvalue().rstrip("\n").split("|")
    assert fields[:9] == ["zappa.runtime.access", "20", "INFO", "", "", "", "0", "None", fields[8]]
    assert abs(float(fields[8]) - time.time()) < 5
    assert fields[12:16] == [str(threading.get_ident()), threading.current_thread().name, str(os.getpid()),
                             "MainProcess"]
    assert re.fullmatch(r'203\.0\.113\.9 - - \[.+\] "POST /prod/caf\xc3\xa9\?a=1&a=2 HTTP/1\.1" 200 3 '
                        r'"https://example\.com/" "curl/8\.5" \d+us', fields[16])

    # another thread gets its own thread fields
    seen = []
    worker = threading.Thread(target=lambda: seen.append(access_record("x", time.time())), name="other-thread")
    worker.start()
    worker.join()
    assert (seen[0].threadName, seen[0].thread) == ("other-thread", worker.ident)
    assert access_record("y", time.time()).threadName == threading.current_thread().name


def test_filters_levels_and_a_custom_record_factory_are_honoured(captured):
    access_log.addFilter(lambda record: "/private" not in record.getMessage())
    try:
        log_request(dict(ENVIRON, PATH_INFO="/private"), 200, 1, time.perf_counter())
        assert captured.getvalue() == ""
    finally:
        access_log.filters.clear()

    access_log.setLevel(logging.WARNING)
    log_request(ENVIRON, 200, 1, time.perf_counter())
    assert captured.getvalue() == ""
    access_log.setLevel(logging.INFO)

    original = logging.getLogRecordFactory()

    def tagged(*args, **kwargs):
        record = original(*args, **kwargs)
        record.tag = "from-factory"
        return record

    logging.setLogRecordFactory(tagged)
    try:
        assert access_record("z", time.time()).tag == "from-factory"
    finally:
        logging.setLogRecordFactory(original)
    assert not hasattr(access_record("z", time.time()), "tag")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_logs_its_own_process_id():
    access_record("warm the template", time.time())
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.write(write, str(access_record("child", time.time()).process).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        assert pipe.read() == str(pid)


LINE = '203.0.113.9 - - [27/Nov/2026:13:00:01 +0000] "GET /prod/?token=s3cr3t-value HTTP/1.1" 200 2 "-" "-" 9us'


class Collecting(logging.Handler):
    """A handler of another class than StreamHandler: it keeps the records it is given."""

    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def mask(*values):
    masking = MaskingFilter()
    masking.set_values(values)
    return masking


def plain(handler):
    return handler


def with_format(text):
    def configure(handler):
        handler.setFormatter(logging.Formatter(text))
        return handler
    return configure


def with_filters(*filters):
    def configure(handler):
        for each in filters:
            handler.addFilter(each)
        return handler
    return configure


def at_level(level):
    def configure(handler):
        handler.setLevel(level)
        return handler
    return configure


@pytest.fixture
def isolated():
    """``access_log`` on its own (propagation off, no handlers), restored afterwards."""
    saved = access_log.level, access_log.propagate, list(access_log.handlers), list(access_log.filters)
    access_log.handlers[:], access_log.filters[:] = [], []
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
    yield access_log
    access_log.handlers[:], access_log.filters[:] = saved[2], saved[3]
    access_log.setLevel(saved[0])
    access_log.propagate = saved[1]


def written(configure, send):
    stream = io.StringIO()
    handler = configure(logging.StreamHandler(stream))
    access_log.handlers[:] = [handler]
    send(LINE, WHEN)
    return stream.getvalue()


def through_logging(line, created):
    access_log.handle(access_record(line, created))


@pytest.mark.parametrize("configure", [
    plain,  # no formatter: the line alone, written straight to the stream
    with_format("%(message)s"),
    with_format(EVERY_FIELD),  # fields besides the message: logging formats a record
    with_format("%(levelname)s %(message)s"),
    with_filters(mask("s3cr3t-value")),  # the secrets mask, applied to the line
    with_filters(mask("s3cr3t-value"), mask("GET")),
    with_filters(mask()),  # a mask with no values yet
    with_filters(lambda record: "token" not in record.getMessage()),  # another filter drops the line
    at_level(logging.WARNING),  # the handler's own level
], ids=["default", "message-only", "every-field", "level-and-message", "mask", "two-masks", "empty-mask",
        "user-filter", "handler-level"])
def test_the_line_written_is_what_logging_writes(isolated, configure):
    ours = written(configure, emit_line)
    assert ours == written(configure, through_logging)
    if configure is plain:
        assert ours == LINE + "\n"


def test_the_secrets_mask_hides_values_in_the_line(isolated):
    assert written(with_filters(mask("s3cr3t-value")), emit_line) == LINE.replace("s3cr3t-value", "****") + "\n"


def test_other_handler_classes_get_an_ordinary_record(isolated):
    collecting = Collecting()
    access_log.handlers[:] = [collecting]
    emit_line(LINE, WHEN)
    (record,) = collecting.records
    assert type(record) is logging.LogRecord
    assert (record.name, record.levelname, record.getMessage(), record.created) == (access_log.name, "INFO", LINE, WHEN)


def test_handlers_up_the_hierarchy_and_none_at_all_go_through_logging(isolated, capsys):
    parent = logging.getLogger("zappa.runtime")
    saved = parent.propagate, list(parent.handlers)
    ours, theirs = Collecting(), Collecting()
    try:
        access_log.propagate, parent.propagate = True, False
        access_log.handlers[:], parent.handlers[:] = [ours], [theirs]
        emit_line(LINE, WHEN)
        assert [r.getMessage() for r in ours.records + theirs.records] == [LINE, LINE]

        access_log.handlers[:], parent.handlers[:] = [], []
        emit_line(LINE, WHEN)  # no handler anywhere: logging's last resort writes WARNING and above only
        assert capsys.readouterr().err == ""
    finally:
        parent.propagate, parent.handlers[:] = saved


def test_a_stream_that_fails_is_reported_as_logging_reports_it(isolated, capsys, monkeypatch):
    class Broken(io.StringIO):
        def write(self, text):
            raise OSError("disk full")

    monkeypatch.setattr(logging, "raiseExceptions", True)
    access_log.handlers[:] = [logging.StreamHandler(Broken())]
    emit_line(LINE, WHEN)
    err = capsys.readouterr().err
    assert "--- Logging error ---" in err and "OSError: disk full" in err and LINE in err


def test_every_http_request_of_a_real_package_writes_one_line(lambda_app):
    for app in ("flask", "fastapi"):
        worker = lambda_app(app)
        before = worker.logs()
        worker.invoke(ev.rest("GET", "/echo", query={"q": ["a b"]}, headers={"User-Agent": "tester/1"}))
        worker.invoke(ev.v2("POST", "/upload", body="12345"))
        lines = [line for line in worker.logs()[len(before):].splitlines() if "zappa.runtime.access" in line]
        assert len(lines) == 2, (app, lines)
        assert re.search(r'203\.0\.113\.9 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] '
                         r'"GET /prod/echo\?q=a\+b HTTP/1\.1" 200 \d+ "-" "tester/1" \d+us$', lines[0]), lines[0]
        assert re.search(r'"POST /upload HTTP/1\.1" 200 \d+ "-" "-" \d+us$', lines[1]), lines[1]


def test_raising_the_access_loggers_level_drops_only_the_access_line(lambda_app):
    worker = lambda_app("raw")
    quiet = "import logging\nlogging.getLogger('zappa.runtime.access').setLevel(logging.WARNING)"
    worker.invoke({"raw_command": quiet})  # what an app module does at import, as docs/runtime.md shows
    before = worker.logs()
    assert worker.invoke(ev.rest("GET", "/hello"))["statusCode"] == 200
    worker.invoke({"raw_command": "import logging\nlogging.getLogger('myapp').info('an app record')"})
    logged = worker.logs()[len(before):]
    assert "zappa.runtime.access" not in logged
    assert "myapp an app record" in logged
