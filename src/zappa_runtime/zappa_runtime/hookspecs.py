"""Lambda-side hook specifications of the ``zappa.runtime`` plugin project.

The runtime registers the modules listed in the package's frozen manifest (never scanning installed
distributions at cold start), calls ``zappa_runtime_configure`` once, then for each event that is not an
HTTP request asks ``zappa_runtime_handle_event`` who recognises it. See ``docs/runtime.md``.

The ``runtime`` object passed to ``zappa_runtime_configure`` (a :class:`zappa_runtime.runtime.Runtime`) offers:

- ``runtime.settings``: the stage settings (a plain dict from the manifest: every setting with its default,
  plus ``stage``, ``project_name``, ``function_name`` and, for ``slim_handler``, ``slim_archive``);
- ``runtime.import_function("package.module.func")``: import a user function (cached);
- ``runtime.run_function(func, event, context)``: call it with Zappa's signatures: ``(event, context)``,
  ``(event)`` or ``()``, chosen from the function's parameters (``*args`` gets both);
- ``runtime.handle_exception(exc, event, context) -> bool``: run the stage's ``exception_handler`` (when set);
  truthy means "swallow the exception" (the plugin should then return ``Handled(None)``);
- ``runtime.app``: the loaded WSGI/ASGI app (``None`` for a function-only project), loaded lazily;
- ``runtime.app_kind``: ``"wsgi"``, ``"asgi"`` or ``None``; ``runtime.root``: the package folder;
- ``runtime.logger``: the ``zappa.runtime`` logger; ``runtime.plugin_manager``: the pluggy manager.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("zappa.runtime")
hookimpl = pluggy.HookimplMarker("zappa.runtime")


@hookspec(historic=True)
def zappa_runtime_configure(settings: dict[str, Any], runtime: Any) -> None:
    """Called once at cold start with the stage settings (plain JSON data from the manifest) and the
    runtime object (which can import user functions and run them with Zappa's signatures). Historic:
    plugins registered later are configured too. Return value ignored.

    Called after the environment is prepared (``environment_variables``, ``remote_env``, ``slim_handler``,
    ``include``, ``settings_file``) and before the app is imported. Keep it cheap: import heavy modules
    (boto3) only when an event needs them.
    """


@hookspec(firstresult=True)
def zappa_runtime_handle_event(event: Any, context: Any) -> Any:
    """Handle an event that is not an HTTP request.

    Firstresult: return ``None`` unless this plugin recognises ``event`` (classify cheaply: look at one or
    two keys); otherwise return the result to give back to Lambda, wrapped as
    :class:`zappa_runtime.records.Handled` so that a legitimate ``None`` result still counts as handled.

    HTTP requests (API Gateway REST/HTTP API, ALB, function URLs) never reach this hook. API Gateway
    authorizer events (``type`` ``TOKEN``/``REQUEST`` with ``methodArn``, or payload 2.0 with ``routeArn``),
    WebSocket events, AWS service events, schedules, async tasks and direct invocations do. The core's
    own implementation (``trylast``) handles ``{"command": ...}``, ``{"raw_command": ...}`` and
    ``{"manage": ...}``. An event that no plugin handles is logged with its top-level keys and raises
    :class:`zappa_runtime.records.UnhandledEventError`. Exceptions raised here go to the stage's
    ``exception_handler``; when it does not swallow them they propagate to Lambda (which may retry).
    """


@hookspec
def zappa_runtime_wrap_app(app: Any, settings: dict[str, Any]) -> Any:
    """Return a new WSGI/ASGI app wrapping ``app`` (middleware), or ``None`` to leave it alone.

    The runtime calls implementations one at a time in registration order (the manifest's order),
    passing each the app returned by the previous one, once, when the app is loaded. The wrapper must
    keep the app's kind (a WSGI app stays WSGI, an ASGI app stays ASGI).
    """


@hookspec
def zappa_runtime_before_snapshot(runtime: Any) -> None:
    """Lambda SnapStart (``snap_start: PublishedVersions``): called once when the initialised environment is
    about to be snapshotted, after the app is loaded. Close what must not be copied into every environment
    restored from the snapshot (network connections, open files, credentials with a short life). Called in
    reverse registration order, after the runtime's own work (closing Django's database connections).
    Return value ignored; an exception fails the snapshot (the version's publication fails with it).
    """


@hookspec
def zappa_runtime_after_restore(runtime: Any) -> None:
    """Lambda SnapStart: called in each environment restored from the snapshot, before its first event, in
    registration order. Reconnect what ``zappa_runtime_before_snapshot`` closed and renew anything unique
    per environment. The runtime has already reseeded ``random`` (which the snapshot would otherwise share
    among all environments). Must finish within Lambda's 10 s restore limit. Return value ignored.
    """
