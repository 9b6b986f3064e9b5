"""Meta-tests: every hook has a docstring, a section in docs/plugins.md with its exact signature and kind,
and is exercised by at least one test."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import zappa_core.hookspecs
import zappa_runtime.hookspecs

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "plugins.md"
TESTS = REPO / "tests"


def _hookspecs():
    for module, project in ((zappa_core.hookspecs, "zappa"), (zappa_runtime.hookspecs, "zappa.runtime")):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            options = getattr(function, f"{project}_spec", None)
            if options is not None:
                yield name, function, options


HOOKS = sorted(_hookspecs(), key=lambda item: item[0])


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n### ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


def test_there_are_hooks_to_check():
    names = {name for name, _, _ in HOOKS}
    assert {"zappa_settings_sections", "zappa_cli_commands", "zappa_runtime_handle_event"} <= names


@pytest.mark.parametrize("name, function, options", HOOKS, ids=[h[0] for h in HOOKS])
def test_hook_has_docstring_and_section_with_exact_signature(name, function, options):
    assert (function.__doc__ or "").strip(), f"{name} has no docstring"
    signature = f"{name}({', '.join(inspect.signature(function).parameters)})"
    text = PAGE.read_text()
    heading = f"### `{signature}`"
    assert heading in text, f"docs/plugins.md has no section '{heading}'"
    kind = re.search(r"\*\*Kind:\*\* ([a-z]+)", _section(text, heading))
    assert kind, f"the section of {name} does not state its kind"
    expected = "firstresult" if options.get("firstresult") else "historic" if options.get("historic") else "collect"
    assert kind.group(1) == expected, name


def _exercised(name: str) -> bool:
    this = Path(__file__).resolve()
    return any(path.resolve() != this and name in path.read_text(encoding="utf-8", errors="replace")
               for path in TESTS.rglob("*.py"))


@pytest.mark.parametrize("name", [h[0] for h in HOOKS])
def test_hook_is_exercised_by_a_test(name):
    assert _exercised(name), f"no test under tests/ mentions {name}"

