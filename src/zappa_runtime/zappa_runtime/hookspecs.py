"""Lambda-side hook specifications of the ``zappa.runtime`` plugin project.

The runtime registers the modules listed in the package's frozen manifest (never scanning installed
distributions at cold start), calls ``zappa_runtime_configure`` once, then for each event that is not an
HTTP request asks ``zappa_runtime_handle_event`` who recognises it.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("zappa.runtime")
hookimpl = pluggy.HookimplMarker("zappa.runtime")


@hookspec(historic=True)
def zappa_runtime_configure(settings: dict, runtime: Any) -> None:
    """Called once at cold start with the stage settings (plain JSON data from the manifest) and the
    runtime object (which can import user functions and run them with Zappa's signatures). Historic:
    plugins registered later are configured too. Return value ignored."""


@hookspec(firstresult=True)
def zappa_runtime_handle_event(event: dict, context: Any) -> Any:
    """Handle a non-HTTP event.

    Firstresult: return ``None`` unless this plugin recognises ``event`` (classify cheaply: look at one or
    two keys); otherwise return the result to give back to Lambda, wrapped as
    :class:`zappa_runtime.records.Handled` so that a legitimate ``None`` result still counts as handled.
    """


@hookspec
def zappa_runtime_wrap_app(app: Any, settings: dict) -> Any:
    """Return a new WSGI/ASGI app wrapping ``app`` (middleware), or ``None`` to leave it alone.

    The runtime calls plugins one at a time in registration order, passing each the app returned by the
    previous one.
    """
