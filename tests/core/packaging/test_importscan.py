"""What a runtime module imports, remembered by the hash of its source between builds."""

from __future__ import annotations

import json

import pytest
from zappa_core.packaging.importscan import CACHE_FILE, PARSE_ATTEMPTS, ImportScans, imports_of, parse_python
from zappa_core.packaging.runtime import runtime_entries


def test_relative_imports_are_resolved_against_the_package():
    source = b"import os\nfrom . import naming\nfrom .. import top\nfrom .sub.deep import thing\n"
    assert imports_of(source, "pkg.mod.inner", is_package=False) == {
        "os", "pkg.mod", "pkg.mod.naming", "pkg", "pkg.top", "pkg.mod.sub.deep", "pkg.mod.sub.deep.thing"}
    assert imports_of(b"from . import a\n", "pkg", is_package=True) == {"pkg", "pkg.a"}
    assert imports_of(b"def broken(:\n", "pkg", is_package=True) == set()


def test_a_changed_module_is_parsed_again_and_only_used_entries_are_kept(tmp_path):
    module = tmp_path / "plugin_runtime.py"
    module.write_text("import json\n")
    cache = tmp_path / "cache"
    first = ImportScans(cache)
    assert first.imports(module, "plugin_runtime", False) == {"json"}
    first.save()
    module.write_text("import json\nfrom plugin_extra import helper\n")
    second = ImportScans(cache)
    assert second.imports(module, "plugin_runtime", False) == {"json", "plugin_extra", "plugin_extra.helper"}
    second.save()
    kept = json.loads((cache / CACHE_FILE).read_text())["imports"]
    assert list(kept.values()) == [["json", "plugin_extra", "plugin_extra.helper"]]


def test_an_unchanged_module_is_answered_from_the_cache(tmp_path):
    module = tmp_path / "plugin_runtime.py"
    module.write_text("import json\n")
    scans = ImportScans(tmp_path)
    scans.imports(module, "plugin_runtime", False)
    scans.save()
    data = json.loads((tmp_path / CACHE_FILE).read_text())
    (key,) = data["imports"]
    data["imports"][key] = ["recorded"]  # what a parse of these exact bytes found before
    (tmp_path / CACHE_FILE).write_text(json.dumps(data))
    assert ImportScans(tmp_path).imports(module, "plugin_runtime", False) == {"recorded"}


@pytest.mark.needs_plugins  # the runtime plugins' modules are what gets scanned
def test_the_runtime_collected_with_the_cache_is_the_same_as_without(tmp_path):
    def names(cache_dir):
        entries, modules, problems = runtime_entries(None, cache_dir)
        return sorted(e.arcname for e in entries), modules, problems

    uncached = names(None)
    assert names(tmp_path) == uncached  # the cache is filled
    assert names(tmp_path) == uncached  # and then read
    assert (tmp_path / CACHE_FILE).is_file()


def _failing_parse(times: int, monkeypatch):
    """ast.parse failing ``times`` times as CPython 3.11 does when two threads convert syntax trees at once.

    The race itself cannot be produced on demand, so ast.parse is wrapped here (the one stand-in in this module).
    """
    import ast

    real_parse, calls = ast.parse, []

    def parse(source, *args, **kwargs):
        calls.append(source)
        if len(calls) <= times:
            raise SystemError("AST constructor recursion depth mismatch (before=2, after=1)")
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", parse)
    return calls


def test_a_parse_hit_by_the_thread_race_is_tried_again(monkeypatch):
    calls = _failing_parse(PARSE_ATTEMPTS - 1, monkeypatch)
    assert imports_of(b"import json\n", "m", is_package=False) == {"json"}
    assert len(calls) == PARSE_ATTEMPTS


def test_a_parse_that_keeps_failing_raises_instead_of_reading_as_no_imports(monkeypatch):
    _failing_parse(PARSE_ATTEMPTS, monkeypatch)
    with pytest.raises(SystemError, match="recursion depth mismatch"):
        parse_python(b"import json\n")
    assert parse_python(b"def broken(:\n") is None  # not Python: no retry, no tree
