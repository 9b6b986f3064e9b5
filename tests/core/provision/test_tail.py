"""zappa tail: --since units, the HTTP filters, and printing what CloudWatch Logs holds."""

from __future__ import annotations

import re
import time

import pytest
from zappa_core.commands.logs import is_http_line, keep, parse_since
from zappa_core.errors import UsageError


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("1m", 60), ("4h", 4 * 3600), ("2d", 2 * 86400),
                                           ("1w", 7 * 86400), ("1mm", 30 * 86400), ("1h30m", 5400),
                                           ("100000s", 100000)])
def test_since_units(text, seconds):
    assert parse_since(text) == seconds


@pytest.mark.parametrize("text", ["", "4", "h", "4x", "4h-", "four hours"])
def test_since_rejects_what_it_cannot_read(text):
    with pytest.raises(UsageError):
        parse_since(text)


def test_http_filters():
    request = '127.0.0.1 - - [27/Nov/2026:13:00:00 +0000] "GET / HTTP/1.1" 200 12 "" "curl/8" 0/1.2'
    assert is_http_line(request) and not is_http_line("tick 2026-11-27")
    assert keep(request, http=True, non_http=False) and not keep(request, http=False, non_http=True)
    assert keep("tick", http=False, non_http=True) and not keep("tick", http=True, non_http=False)
    assert not keep("START RequestId: 1 Version: $LATEST", http=False, non_http=False)


def test_tail_prints_the_stage_logs_and_exits_with_disable_keep_open(project, zappa, aws, monkeypatch):
    monkeypatch.setenv("ZAPPA_DISABLE_PLUGINS", "alb,apigw,events,certs")
    logs = aws("logs")
    logs.create_log_group(logGroupName="/aws/lambda/demo-dev")
    logs.create_log_stream(logGroupName="/aws/lambda/demo-dev", logStreamName="s1")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="/aws/lambda/demo-dev", logStreamName="s1", logEvents=[
        {"timestamp": now - 7200_000, "message": "old line"},
        {"timestamp": now - 1000, "message": "START RequestId: abc Version: 1"},
        {"timestamp": now - 900, "message": '10.0.0.1 - - "GET /x HTTP/1.1" 200 3'},
        {"timestamp": now - 800, "message": "tick from the schedule"},
    ])
    everything = zappa("tail", "dev", "--since", "1h", "--disable-keep-open", "--no-color")
    assert everything.code == 0, everything
    assert "old line" not in everything.out and "START RequestId" not in everything.out
    assert "GET /x" in everything.out and "tick from the schedule" in everything.out
    http = zappa("tail", "dev", "--since", "1h", "--disable-keep-open", "--http")
    assert "GET /x" in http.out and "tick" not in http.out
    non_http = zappa("tail", "dev", "--since", "1h", "--disable-keep-open", "--non-http")
    assert "GET /x" not in non_http.out and "tick" in non_http.out
    filtered = zappa("tail", "dev", "--since", "3h", "--disable-keep-open", "--filter", "old")
    assert "old line" in filtered.out and "tick" not in filtered.out


def test_tail_of_a_stage_without_logs_says_so(project, zappa, aws, monkeypatch):
    monkeypatch.setenv("ZAPPA_DISABLE_PLUGINS", "alb,apigw,events,certs")
    result = zappa("tail", "dev", "--disable-keep-open")
    assert result.code == 1 and "does not exist" in result.err


ACCESS = ('[INFO] 2026-11-27 13:00:00,123 zappa.runtime.access 127.0.0.1 - - [27/Nov/2026:13:00:00 +0000] '
          '"GET /missing HTTP/1.1" 404 9 "-" "curl/8.5" 1234us')
LAMBDA_LINE = "[ERROR]\t2026-11-27T13:00:01.456Z\t5e3f1c2a-0b1d-4c6e-9f00-1234567890ab\tboom: it failed"


def put(aws, *messages):
    logs = aws("logs")
    logs.create_log_group(logGroupName="/aws/lambda/demo-dev")
    logs.create_log_stream(logGroupName="/aws/lambda/demo-dev", logStreamName="s1")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="/aws/lambda/demo-dev", logStreamName="s1",
                        logEvents=[{"timestamp": now - 500 + i, "message": m} for i, m in enumerate(messages)])


STAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\d\d/[A-Z][a-z]{2}/\d{4}")


def test_one_timestamp_per_line_and_only_the_status_code_coloured(project, zappa, aws, monkeypatch):
    monkeypatch.setenv("ZAPPA_DISABLE_PLUGINS", "alb,apigw,events,certs")
    monkeypatch.delenv("NO_COLOR", raising=False)
    put(aws, ACCESS, LAMBDA_LINE)
    plain = zappa("tail", "dev", "--since", "1h", "--disable-keep-open").out.splitlines()  # piped: no colour
    assert [len(STAMP.findall(line)) for line in plain] == [1, 1], plain
    assert plain[0].endswith('] [INFO] zappa.runtime.access 127.0.0.1 - - "GET /missing HTTP/1.1" 404 9 "-" '
                             '"curl/8.5" 1234us')
    assert plain[1].endswith("] [ERROR] boom: it failed") and "\x1b[" not in "".join(plain)

    coloured = zappa("--color", "always", "tail", "dev", "--since", "1h", "--disable-keep-open").out.splitlines()
    assert '" \x1b[33m404\x1b[0m 9 ' in coloured[0]
    codes = re.findall(r"\x1b\[(\d+)m([^\x1b]*)\x1b\[0m", coloured[0])
    assert [text for _, text in codes][1:] == ["404"]  # after the bold timestamp, only the status code
    assert coloured[1].endswith("\x1b[31m[ERROR] boom: it failed\x1b[0m")


def test_color_flags_and_no_color(project, zappa, aws, monkeypatch):
    monkeypatch.setenv("ZAPPA_DISABLE_PLUGINS", "alb,apigw,events,certs")
    put(aws, ACCESS)
    args = ("tail", "dev", "--since", "1h", "--disable-keep-open")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" in zappa("--color", "always", *args).out  # an explicit choice beats NO_COLOR
    assert "\x1b[" in zappa(*args, "--force-color").out
    assert "\x1b[" in zappa(*args, "--color", "always").out  # --color after the command works too
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" not in zappa("--color", "never", *args).out
    assert "\x1b[" not in zappa(*args, "--no-color", "--color", "always").out  # the command's own flag wins
    bogus = zappa("--color", "bogus", *args)
    assert bogus.code == 2 and "'bogus' is not one of 'auto', 'always', 'never'" in bogus.err
