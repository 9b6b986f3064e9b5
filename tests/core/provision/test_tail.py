"""zappa tail: --since units, the HTTP filters, and printing what CloudWatch Logs holds."""

from __future__ import annotations

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
