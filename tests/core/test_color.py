"""The colour rules on a real terminal (a pseudo-terminal) and on a pipe: auto colours a terminal only, NO_COLOR
and TERM=dumb turn it off, --color always/never and a command's own flag decide over both."""

from __future__ import annotations

import os
import pty

import pytest

from zappa_core import color


@pytest.fixture
def terminal():
    main, child = pty.openpty()
    stream = os.fdopen(child, "w")
    yield stream
    stream.close()
    os.close(main)


@pytest.fixture
def pipe():
    read, write = os.pipe()
    stream = os.fdopen(write, "w")
    yield stream
    stream.close()
    os.close(read)


@pytest.fixture(autouse=True)
def auto(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    color.set_mode("auto")
    yield
    color.set_mode("auto")


def test_auto_colours_a_terminal_and_not_a_pipe(terminal, pipe):
    assert color.enabled(terminal) is True
    assert color.enabled(pipe) is False


@pytest.mark.parametrize("variable, value", [("NO_COLOR", "1"), ("TERM", "dumb")])
def test_no_color_and_dumb_terminals(terminal, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    assert color.enabled(terminal) is False
    color.set_mode("always")
    assert color.enabled(terminal) is True


def test_modes_and_flags(terminal, pipe):
    color.set_mode("never")
    assert color.enabled(terminal) is False and color.enabled(terminal, flag=True) is True
    color.set_mode("always")
    assert color.enabled(pipe) is True and color.enabled(pipe, flag=False) is False
    with pytest.raises(ValueError, match="--color must be one of auto, always, never"):
        color.set_mode("bogus")


def test_the_color_option_may_follow_the_command():
    assert color.hoist_color_option(["tail", "dev", "--color", "never"]) == ["--color", "never", "tail", "dev"]
    assert color.hoist_color_option(["tail", "--color=always", "dev"]) == ["--color=always", "tail", "dev"]
    assert color.hoist_color_option(["--color", "never", "tail"]) == ["--color", "never", "tail"]
    assert color.hoist_color_option(["manage", "dev", "--", "--color", "never"]) == [
        "manage", "dev", "--", "--color", "never"]
