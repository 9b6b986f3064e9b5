"""The core's own runtime plugin: direct invocations from ``zappa invoke`` and ``zappa manage``.

Registered by the runtime itself (``trylast``), so feature plugins see every event first.

- ``{"command": "module.func"}``: imports the function, runs it with ``run_function`` (Zappa's signatures) and
  returns its result;
- ``{"raw_command": "python source"}``: executes the source and returns what it printed (captured stdout);
- ``{"manage": "migrate --noinput"}`` (or a list of arguments): Django's ``call_command`` after Django is set up
  from ``django_settings``; returns what the command printed.
"""

from __future__ import annotations

import io
from typing import Any

from zappa_runtime.hookspecs import hookimpl
from zappa_runtime.records import Handled


class CorePlugin:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    @hookimpl(trylast=True)
    def zappa_runtime_handle_event(self, event: Any, context: Any) -> Any:
        if type(event) is not dict:
            return None
        if event.get("command"):
            return Handled(self.run_command(event, context))
        if event.get("raw_command"):
            return Handled(self.run_raw_command(event["raw_command"]))
        if event.get("manage"):
            return Handled(self.run_manage(event["manage"]))
        return None

    def run_command(self, event: dict[str, Any], context: Any) -> Any:
        runtime = self.runtime
        name = event["command"]
        func = runtime.import_function(name)
        result = runtime.run_function(func, event, context)
        runtime.logger.info("Result of %s: %r", name, result)
        return result

    def run_raw_command(self, source: str) -> str:
        import contextlib

        out = io.StringIO()
        namespace: dict[str, Any] = {"__name__": "__zappa_raw_command__"}
        with contextlib.redirect_stdout(out):
            exec(compile(source, "<raw_command>", "exec"), namespace)  # zappa invoke --raw (IAM-only)
        return out.getvalue()

    def run_manage(self, command: Any) -> str:
        import contextlib
        import os
        import shlex

        settings = self.runtime.settings
        if settings.get("django_settings"):
            os.environ["DJANGO_SETTINGS_MODULE"] = settings["django_settings"]
        if not os.environ.get("DJANGO_SETTINGS_MODULE"):
            raise RuntimeError("`zappa manage` needs the `django_settings` setting")
        import django
        from django.core import management

        django.setup()
        args = list(command) if isinstance(command, (list, tuple)) else shlex.split(str(command))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            management.call_command(*args, stdout=out)
        return out.getvalue()
