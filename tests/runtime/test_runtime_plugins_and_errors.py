"""In-process runtime tests: ``zappa_runtime_wrap_app`` order, ``exception_handler`` for events that plugins
dispatch, and ``remote_env`` against moto's in-process S3 (fake credentials).

The plugin modules and the app are real files written to a temporary folder and imported by name, the way the
runtime imports the manifest's ``runtime_modules``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import textwrap

import events_factory as ev
import pytest
from zappa_runtime.coldstart import load_includes, load_remote_env, load_settings_file
from zappa_runtime.records import UnhandledEventError
from zappa_runtime.runtime import Runtime, make_plugin_manager


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """``modules(name=source, ...)``: write importable modules (removed from ``sys.modules`` afterwards)."""
    folder = tmp_path / "mods"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    written: list[str] = []

    def write(**sources: str) -> None:
        for name, source in sources.items():
            (folder / f"{name}.py").write_text(textwrap.dedent(source))
            written.append(name)

    yield write
    for name in written:
        sys.modules.pop(name, None)


WRAPPERS = """
    from zappa_runtime.hookspecs import hookimpl

    def tagging(tag, app):
        def wrapped(environ, start_response):
            environ.setdefault("tags", []).append(tag)
            return app(environ, start_response)
        return wrapped

    @hookimpl
    def zappa_runtime_wrap_app(app, settings):
        return tagging("{name}:" + settings["stage"], app)
"""


def test_wrap_app_plugins_are_applied_in_manifest_order(modules):
    modules(
        echo_app="""
            import json
            def app(environ, start_response):
                start_response("200 OK", [("Content-Type", "application/json")])
                return [json.dumps(environ.get("tags")).encode()]
        """,
        wrap_first=WRAPPERS.replace("{name}", "first"),
        wrap_none="""
            from zappa_runtime.hookspecs import hookimpl
            SEEN = []
            @hookimpl
            def zappa_runtime_wrap_app(app, settings):
                SEEN.append(app)
                return None  # leaves the app alone
        """,
        # a hook implementation may take a subset of the hook's arguments (pluggy allows it)
        wrap_app_only="""
            from zappa_runtime.hookspecs import hookimpl
            from wrap_first import tagging
            @hookimpl
            def zappa_runtime_wrap_app(app):
                return tagging("app-only", app)
        """,
    )
    runtime = Runtime({"app_function": "echo_app.app", "stage": "dev"}, plugin_manager=make_plugin_manager())
    runtime.register_plugins(["wrap_first", "wrap_none", "wrap_app_only"])
    response = runtime.invoke(ev.rest("GET", "/"), None)
    # the last registered wrapper is the outermost, so it sees the request first
    assert json.loads(response["body"]) == ["app-only", "first:dev"]
    assert runtime.app_kind == "wsgi"
    assert sys.modules["wrap_none"].SEEN[0].__name__ == "wrapped"  # it got the first plugin's wrapper


def test_a_hook_wrapper_sees_each_plugin_wrap_the_app(modules):
    """``zappa_runtime_wrap_app`` is called plugin by plugin (each wraps the app the one before returned), and
    still through the plugin manager: a hook wrapper sees every call."""
    modules(
        echo_app="""
            def app(environ, start_response):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"ok"]
        """,
        wrap_first=WRAPPERS.replace("{name}", "first"),
        wrap_second=WRAPPERS.replace("{name}", "second"),
        wrap_spy="""
            from zappa_runtime.hookspecs import hookimpl
            SEEN = []
            @hookimpl(wrapper=True)
            def zappa_runtime_wrap_app(app, settings):
                result = yield
                SEEN.append((app.__name__, [wrapped.__name__ for wrapped in result]))
                return result
        """,
    )
    runtime = Runtime({"app_function": "echo_app.app", "stage": "dev"}, plugin_manager=make_plugin_manager())
    runtime.register_plugins(["wrap_spy", "wrap_first", "wrap_second"])
    assert runtime.invoke(ev.rest("GET", "/"), None)["body"] == "ok"
    assert sys.modules["wrap_spy"].SEEN == [("app", ["wrapped"]), ("wrapped", ["wrapped"])]


def test_a_runtime_plugin_with_an_unknown_hook_is_logged_and_skipped(modules, caplog):
    modules(misspelled="""
        from zappa_runtime.hookspecs import hookimpl
        @hookimpl
        def zappa_runtime_wrap(app, settings):
            raise AssertionError("never called")
    """)
    runtime = Runtime({}, plugin_manager=make_plugin_manager())
    with caplog.at_level(logging.WARNING, logger="zappa.runtime"):
        runtime.register_plugins(["misspelled"])
    assert ("plugin 'misspelled' implements 'zappa_runtime_wrap', which no hook specification declares "
            "(misspelled, or written for another version of zappa-ng): the plugin was skipped") in caplog.text
    assert not runtime.plugin_manager.has_plugin("misspelled")


def test_a_built_in_runtime_plugin_with_an_unknown_hook_is_an_error():
    import types

    from zappa_runtime.hookspecs import hookimpl

    stale = types.ModuleType("zappa_events.stale")  # a module of one of the project's own distributions
    stale.zappa_runtime_handle_events = hookimpl(lambda event, context: None)
    runtime = Runtime({}, plugin_manager=make_plugin_manager())
    runtime.plugin_manager.register(stale, name="zappa_events.stale")
    with pytest.raises(RuntimeError, match=r"plugin 'zappa_events\.stale' implements 'zappa_runtime_handle_events'"):
        runtime.register_plugins([])


def test_a_runtime_plugin_module_that_cannot_be_imported_is_named(modules):
    runtime = Runtime({}, plugin_manager=make_plugin_manager())
    with pytest.raises(RuntimeError, match=r"runtime plugin module 'not_there_at_all' .* cannot be imported"):
        runtime.register_plugins(["not_there_at_all"])


DISPATCHER = """
    from zappa_runtime.hookspecs import hookimpl
    from zappa_runtime.records import Handled

    @hookimpl
    def zappa_runtime_handle_event(event, context):
        if isinstance(event, dict) and event.get("source") == "my.app":
            if event.get("fail"):
                raise KeyError("order-17")
            return Handled(None)
        return None
"""

HANDLERS = """
    SEEN = []

    def swallow(exc, event, context):
        SEEN.append((type(exc).__name__, event.get("source"), context))
        return "yes"

    def keep(exc, event, context):
        SEEN.append((type(exc).__name__, event.get("source"), context))
        return 0

    def broken(exc, event, context):
        raise ZeroDivisionError("handler bug")
"""


@pytest.fixture
def dispatching(modules):
    modules(my_dispatcher=DISPATCHER, my_handlers=HANDLERS)

    def runtime(exception_handler):
        rt = Runtime({"exception_handler": exception_handler}, plugin_manager=make_plugin_manager())
        rt.register_plugins(["my_dispatcher"])
        return rt

    return runtime


def test_a_truthy_exception_handler_swallows_a_plugin_event_failure(dispatching):
    runtime = dispatching("my_handlers.swallow")
    assert runtime.invoke({"source": "my.app", "fail": True}, "ctx") is None
    assert runtime.invoke({"source": "my.app"}, "ctx") is None  # a legitimate None result
    assert sys.modules["my_handlers"].SEEN == [("KeyError", "my.app", "ctx")]


def test_a_falsy_exception_handler_lets_the_failure_reach_lambda(dispatching):
    runtime = dispatching("my_handlers.keep")
    with pytest.raises(KeyError, match="order-17"):
        runtime.invoke({"source": "my.app", "fail": True}, "ctx")
    with pytest.raises(UnhandledEventError):
        runtime.invoke({"source": "someone.else"}, "ctx")
    assert sys.modules["my_handlers"].SEEN == [("KeyError", "my.app", "ctx"), ("UnhandledEventError", "someone.else", "ctx")]


def test_without_exception_handler_or_with_a_broken_one_the_original_error_is_raised(dispatching, caplog):
    with pytest.raises(KeyError, match="order-17"):
        dispatching(None).invoke({"source": "my.app", "fail": True}, None)
    with caplog.at_level(logging.ERROR, logger="zappa.runtime"), pytest.raises(KeyError, match="order-17"):
        dispatching("my_handlers.broken").invoke({"source": "my.app", "fail": True}, None)
    assert "exception_handler 'my_handlers.broken' failed while handling KeyError('order-17')" in caplog.text
    assert "ZeroDivisionError: handler bug" in caplog.text
    with pytest.raises(KeyError, match="order-17"):  # a handler that cannot be imported hides nothing either
        dispatching("my_handlers.missing").invoke({"source": "my.app", "fail": True}, None)


# ------------------------------------------------------------------------------------------------ remote_env
BUCKET = "env-bucket"


@pytest.fixture(scope="module")
def env_files(s3):
    """The bucket of ``remote_env`` files: one valid, one a list, one broken JSON."""
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="good.json", Body=b'{"RT_A": "one", "RT_B": 2, "RT_C": true}')
    s3.put_object(Bucket=BUCKET, Key="list.json", Body=b'["RT_A"]')
    s3.put_object(Bucket=BUCKET, Key="broken.json", Body=b'{"RT_A": ')
    return s3


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("RT_A", "RT_B", "RT_C"):
        monkeypatch.delenv(name, raising=False)  # restored (removed) after the test


def loaded() -> dict:
    return {name: os.environ.get(name) for name in ("RT_A", "RT_B", "RT_C")}


@pytest.mark.parametrize(
    "settings",
    [{"remote_env": f"s3://{BUCKET}/good.json"}, {"remote_env_bucket": BUCKET, "remote_env_file": "good.json"}],
    ids=["remote_env", "legacy-bucket-and-file"],
)
def test_remote_env_sets_each_key_as_text(env_files, clean_env, settings):
    load_remote_env(settings)
    assert loaded() == {"RT_A": "one", "RT_B": "2", "RT_C": "True"}


@pytest.mark.parametrize(
    "url, problem",
    [
        (f"s3://{BUCKET}/missing.json", "NoSuchKey"),
        ("s3://no-such-bucket/x.json", "NoSuchBucket"),
        (f"s3://{BUCKET}/broken.json", "Expecting value"),
        (f"s3://{BUCKET}/list.json", "must hold a flat JSON object, got list"),
        ("https://example.com/env.json", "expected an s3://bucket/key URL"),
    ],
    ids=["missing-key", "missing-bucket", "invalid-json", "not-an-object", "not-s3"],
)
def test_a_remote_env_that_cannot_be_read_is_logged_and_the_cold_start_goes_on(env_files, clean_env, caplog, url, problem):
    with caplog.at_level(logging.ERROR, logger="zappa.runtime"):
        load_remote_env({"remote_env": url})
    assert loaded() == {"RT_A": None, "RT_B": None, "RT_C": None}
    assert f"remote_env {url}" in caplog.text and problem in caplog.text


# ------------------------------------------------------------------------------- settings_file and include
def test_a_settings_file_missing_from_the_package_fails_the_cold_start_by_name(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape("settings_file 'conf/missing.py' is not in the package")):
        load_settings_file({"settings_file": "conf/missing.py"}, str(tmp_path), str(tmp_path))


def test_a_settings_file_is_found_by_its_base_name_at_the_package_root(tmp_path, monkeypatch):
    # Zappa users often give the path on their machine; the package holds the file at its root
    (tmp_path / "stage_conf.py").write_text("import os\nos.environ['RT_A'] = __name__\n")
    monkeypatch.delenv("RT_A", raising=False)
    monkeypatch.setitem(sys.modules, "stage_conf", None)  # removed again after the test
    load_settings_file({"settings_file": "/home/me/project/stage_conf.py"}, str(tmp_path), str(tmp_path))
    assert os.environ["RT_A"] == "stage_conf"
    assert sys.modules["stage_conf"].__file__ == str(tmp_path / "stage_conf.py")


def test_an_include_that_cannot_be_loaded_is_logged_and_the_cold_start_goes_on(tmp_path, caplog):
    (tmp_path / "libbroken.so").write_bytes(b"not an ELF file")
    with caplog.at_level(logging.ERROR, logger="zappa.runtime"):
        load_includes({"include": ["libbroken.so", "libabsent.so"]}, str(tmp_path), str(tmp_path))
    assert "include: failed to load libbroken.so" in caplog.text
    assert "include: failed to load libabsent.so" in caplog.text
