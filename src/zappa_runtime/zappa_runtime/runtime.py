"""The runtime object: cold start (manifest, environment, plugins, app) and the dispatch of every event.

Standard library and pluggy only; boto3 is imported lazily (``remote_env``, ``slim_handler``, ``secrets``), asyncio only for
ASGI apps, Django only for Django projects.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from zappa_runtime.coldstart import (
    load_includes,
    load_remote_env,
    load_settings_file,
    s3_client,
    set_environment,
    setup_logging,
)
from zappa_runtime.hookcalls import call_one, check_hooks, implementations
from zappa_runtime.records import Handled, UnhandledEventError

log = logging.getLogger("zappa.runtime")

_CO_VARARGS = 0x04
_CO_COROUTINE = 0x80


class Runtime:
    """What runtime plugins get in ``zappa_runtime_configure(settings, runtime)``; see ``docs/runtime.md``.

    ``Runtime(settings)`` builds one with no side effects (tests, tools); :meth:`cold_start` does what the Lambda
    does once per container: apply the environment, register the manifest's plugins, load the app.
    """

    def __init__(self, settings: dict[str, Any] | None = None, root: str | None = None, plugin_manager: Any = None) -> None:
        self.settings: dict[str, Any] = dict(settings or {})
        self.root: str = root or os.getcwd()
        self.logger = log
        self._pm = plugin_manager
        self._functions: dict[str, Callable[..., Any]] = {}
        self._arity: dict[Any, int] = {}
        self._app: Any = None
        self._app_loaded = False
        self.app_kind: str | None = None
        self._http: Any = None
        self._exception_handler: Any = None
        self._last_stage_vars: Any = None
        self.project_folder: str = self.root
        self.secrets: Any = None  # the SecretsLoader of a stage with ``secrets``/``secrets_path``

    # ----------------------------------------------------------------------------------------------- plugins
    @property
    def plugin_manager(self) -> Any:
        if self._pm is None:
            self._pm = make_plugin_manager(())
        return self._pm

    def register_plugins(self, modules: Iterable[str]) -> None:
        """Import and register exactly these modules (the manifest's ``runtime_modules``)."""
        import importlib

        pm = self.plugin_manager
        for name in modules:
            if pm.has_plugin(name):
                continue
            try:
                module = importlib.import_module(name)
            except ImportError as exc:
                raise RuntimeError(
                    f"runtime plugin module '{name}' (listed in the package manifest) cannot be imported: {exc}. "
                    "Rebuild the package with the plugin's distribution installed."
                ) from exc
            pm.register(module, name=name)
        check_hooks(pm, warn=log.warning, error=RuntimeError)

    def configure_plugins(self) -> None:
        self.plugin_manager.hook.zappa_runtime_configure.call_historic(
            kwargs={"settings": self.settings, "runtime": self}
        )

    # --------------------------------------------------------------------------------------- user functions
    def import_function(self, dotted: str) -> Callable[..., Any]:
        """``"package.module.func"`` (or ``"module.Class.method"``) → the object, imported once and cached."""
        func = self._functions.get(dotted)
        if func is not None:
            return func
        import importlib

        if not isinstance(dotted, str) or "." not in dotted:
            raise ValueError(f"expected a dotted path 'module.function', got {dotted!r}")
        parts = dotted.split(".")
        error: Exception | None = None
        for cut in range(len(parts) - 1, 0, -1):
            module_name = ".".join(parts[:cut])
            try:
                obj: Any = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                    error = exc
                    continue
                raise
            found = module_name
            for attr in parts[cut:]:
                if not hasattr(obj, attr):
                    kind = "module" if found == module_name else "object"
                    raise AttributeError(f"cannot find '{dotted}': {kind} '{found}' has no attribute '{attr}'")
                obj, found = getattr(obj, attr), f"{found}.{attr}"
            self._functions[dotted] = obj
            function: Callable[..., Any] = obj
            return function
        raise ImportError(f"cannot import '{dotted}': {error}") from error

    def run_function(self, func: Callable[..., Any], event: Any, context: Any) -> Any:
        """Call ``func`` the way Zappa does: ``(event, context)``, else ``(event)``, else ``()``.

        The choice comes from the function's parameters (cached per function), so a ``TypeError`` raised inside
        the function is never mistaken for a signature mismatch. ``*args`` receives both.
        """
        try:
            arity = self._arity[func]
        except (KeyError, TypeError):
            arity = _arity(func)
            try:
                self._arity[func] = arity
            except TypeError:  # unhashable callable
                pass
        if arity >= 2:
            return func(event, context)
        if arity == 1:
            return func(event)
        return func()

    def handle_exception(self, exc: BaseException, event: Any, context: Any) -> bool:
        """Run the stage's ``exception_handler(exc, event, context)``; ``True`` when it asks to swallow ``exc``.

        Without an ``exception_handler``, or when the handler itself fails (logged), returns ``False``.
        """
        dotted = self.settings.get("exception_handler")
        if not dotted:
            return False
        try:
            handler = self._exception_handler or self.import_function(dotted)
            self._exception_handler = handler
            return bool(handler(exc, event, context))
        except Exception:  # the handler must never hide the original error
            log.exception("exception_handler %r failed while handling %r", dotted, exc)
            return False

    # ------------------------------------------------------------------------------------------------- app
    @property
    def app(self) -> Any:
        """The WSGI/ASGI app (``app_function`` or Django's ``django_settings``), loaded once; ``None`` when the
        stage has neither (a function-only project)."""
        if not self._app_loaded:
            self._load_app()
        return self._app

    def _load_app(self) -> None:
        settings = self.settings
        app_function = settings.get("app_function")
        django_settings = settings.get("django_settings")
        app_type = settings.get("app_type")
        if django_settings:
            os.environ["DJANGO_SETTINGS_MODULE"] = django_settings
        if app_function:
            app = self.import_function(app_function)
        elif django_settings:
            if app_type == "asgi":
                from django.core.asgi import get_asgi_application

                app = get_asgi_application()
            else:
                from django.core.wsgi import get_wsgi_application

                app = get_wsgi_application()
        else:
            self._app, self._app_loaded, self.app_kind = None, True, None
            return
        kind = app_type or ("asgi" if is_asgi_app(app) else "wsgi")
        pm = self.plugin_manager
        impls = implementations(pm, "zappa_runtime_wrap_app")
        for impl in impls:  # each plugin wraps what the one before returned
            wrapped = call_one(pm, "zappa_runtime_wrap_app", impl, {"app": app, "settings": settings}, impls)
            if wrapped is not None:
                app = wrapped
        self._app, self.app_kind, self._app_loaded = app, kind, True
        self._http = None

    @property
    def http(self) -> Any:
        """The HTTP adapter of the app: ``adapter(event, context, kind) -> proxy response dict``."""
        adapter = self._http
        if adapter is None:
            app = self.app
            if self.app_kind == "asgi":
                from zappa_runtime.asgi import AsgiAdapter

                adapter = AsgiAdapter(app, self)
            else:
                from zappa_runtime.wsgi import WsgiAdapter

                adapter = WsgiAdapter(app, self)
            self._http = adapter
        return adapter

    # ------------------------------------------------------------------------------------------- dispatch
    def invoke(self, event: Any, context: Any) -> Any:
        """Handle one Lambda invocation (the body of ``lambda_handler``)."""
        if self.secrets is not None and self.secrets.refresh_seconds:
            self.secrets.refresh()
        if type(event) is dict:
            stage_vars = event.get("stageVariables")
            if stage_vars and stage_vars != self._last_stage_vars:
                self._apply_stage_variables(stage_vars)
            kind = classify(event)
            if kind is not None:
                return self.http(event, context, kind)
        try:
            return self.handle_event(event, context)
        except Exception as exc:
            if self.handle_exception(exc, event, context):
                return None
            raise

    def handle_event(self, event: Any, context: Any) -> Any:
        """Send a non-HTTP event through ``zappa_runtime_handle_event``; raise when nobody recognises it."""
        if self.settings.get("debug") and log.isEnabledFor(logging.DEBUG):
            log.debug("Zappa Event: %r", event)
        result = self.plugin_manager.hook.zappa_runtime_handle_event(event=event, context=context)
        if result is None:
            raise UnhandledEventError(describe_unhandled(event))
        if isinstance(result, Handled):
            return result.value
        return result

    def _apply_stage_variables(self, stage_vars: Any) -> None:
        # Zappa copies API Gateway stage variables into os.environ on every request that carries them.
        # A name the OS cannot hold (empty, with "=" or NUL, unencodable) is skipped, never a failed request.
        if isinstance(stage_vars, dict):
            for key, value in stage_vars.items():
                if isinstance(key, str) and isinstance(value, str):
                    try:
                        os.environ[key] = value
                    except (ValueError, OSError, UnicodeError):
                        log.warning("stage variable %r cannot be an environment variable; skipped", key)
            self._last_stage_vars = stage_vars

    # ------------------------------------------------------------------------------------------ cold start
    @classmethod
    def cold_start(cls, root: str | None = None, manifest: dict[str, Any] | None = None) -> Runtime:
        """Everything the Lambda does once per container, in Zappa's order:

        1. read the manifest; 2. ``log_level``; 3. ``remote_env`` from S3; 4. ``SERVERTYPE``, ``FRAMEWORK``,
        ``PROJECT``, ``STAGE`` and ``environment_variables``; ``secrets`` and ``secrets_path``; 5. ``slim_handler``: the project archive from S3;
        6. ``include``: ``.so`` files; 7. ``settings_file``; 8. the manifest's runtime plugins and
        ``zappa_runtime_configure``; 9. the app.
        """
        from zappa_runtime import manifest as manifest_mod

        if root is None:
            root = manifest_mod.find_task_root()
        if manifest is None:
            manifest = manifest_mod.read_manifest(root)
        settings = manifest.get("settings") or {}
        runtime = cls(settings, root)
        setup_logging(settings)
        load_remote_env(settings)
        set_environment(settings)
        if settings.get("secrets") or settings.get("secrets_path"):
            from zappa_runtime.secrets import SecretsLoader

            runtime.secrets = SecretsLoader(settings)
            runtime.secrets.load()
        if settings.get("slim_handler") or settings.get("slim_archive"):
            from zappa_runtime.slim import load_slim_archive

            runtime.project_folder = load_slim_archive(settings, s3_client)
            if runtime.project_folder not in sys.path:
                sys.path.insert(0, runtime.project_folder)
            os.chdir(runtime.project_folder)
        load_includes(settings, runtime.project_folder, root)
        load_settings_file(settings, runtime.project_folder, root)
        if runtime.project_folder not in sys.path:
            sys.path.insert(0, runtime.project_folder)
        runtime._pm = make_plugin_manager(manifest.get("runtime_modules") or ())
        from zappa_runtime.builtin import CorePlugin

        runtime._pm.register(CorePlugin(runtime), name="zappa_runtime.builtin")
        runtime.register_plugins(manifest.get("runtime_modules") or ())
        runtime.configure_plugins()
        if settings.get("app_function") or settings.get("django_settings"):
            runtime._load_app()
            if runtime.app_kind:
                _ = runtime.http  # build the adapter (ASGI: event loop + lifespan startup) during init
        return runtime

# ------------------------------------------------------------------------------------------------ helpers
def make_plugin_manager(modules: Iterable[str] = ()) -> Any:
    import pluggy

    from zappa_runtime import hookspecs

    pm = pluggy.PluginManager("zappa.runtime")
    pm.add_hookspecs(hookspecs)
    return pm


def classify(event: dict[str, Any]) -> str | None:
    """The HTTP kind of an event: ``"rest"`` (REST API, payload 1.0), ``"http"`` (HTTP API, payload 2.0),
    ``"http1"`` (HTTP API, payload 1.0: REST's shape with ``"version": "1.0"``, which REST events never carry, and
    the path already decoded), ``"url"`` (function URL), ``"alb"``, or ``None`` when it is not an HTTP request
    (authorizers, WebSocket, everything else)."""
    rc = event.get("requestContext")
    if "methodArn" in event or "routeArn" in event:
        return None  # API Gateway authorizer: never an HTTP request for the app
    if type(rc) is not dict:
        if "httpMethod" in event and "path" in event:
            return "rest"  # hand-made or console-test REST events without a requestContext
        return None
    if "elb" in rc:
        return "alb" if "httpMethod" in event else None
    if "httpMethod" in event:
        return "http1" if event.get("version") == "1.0" else "rest"
    if event.get("version") == "2.0" and "http" in rc:
        domain = rc.get("domainName")
        if type(domain) is str and ".lambda-url." in domain:
            return "url"
        return "http"
    return None


def describe_unhandled(event: Any) -> str:
    if isinstance(event, dict):
        keys = sorted(str(k) for k in event)
        shown = ", ".join(keys[:20]) + (", ..." if len(keys) > 20 else "")
        if event.get("type") in ("TOKEN", "REQUEST") and ("methodArn" in event or "routeArn" in event):
            message = (
                "API Gateway authorizer event that no runtime plugin answered: set the stage's `authorizer` "
                "setting (zappa-ng-aws-apigw answers it with that function); it never reaches the app"
            )
        else:
            message = "no runtime plugin recognises this event"
        log.error("%s; top-level keys: %s", message, shown)
        return f"{message} (top-level keys: {shown})"
    log.error("no runtime plugin recognises an event of type %s", type(event).__name__)
    return f"no runtime plugin recognises an event of type {type(event).__name__}"


def _arity(func: Callable[..., Any]) -> int:
    code = getattr(func, "__code__", None)
    if code is not None and not hasattr(func, "__wrapped__"):
        if code.co_flags & _CO_VARARGS:
            return 2
        count: int = code.co_argcount
        if getattr(func, "__self__", None) is not None:
            count -= 1
        return max(0, min(count, 2))
    import inspect

    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return 2
    count = 0
    for param in params:
        if param.kind is param.VAR_POSITIONAL:
            return 2
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            count += 1
    return min(count, 2)


def is_asgi_app(app: Any) -> bool:
    """Whether ``app`` is an ASGI callable (an ``async def`` function or an object with ``async def __call__``)."""
    target = app
    if not hasattr(app, "__code__"):
        call = getattr(type(app), "__call__", None)  # noqa: B004 - the method itself is inspected, not callability
        target = getattr(app, "__call__", call)  # noqa: B004 - the method itself is inspected, not callability
    func = getattr(target, "__func__", target)
    code = getattr(func, "__code__", None)
    if code is not None and code.co_flags & _CO_COROUTINE:
        return True
    if getattr(func, "_is_coroutine_marker", None) is not None or getattr(func, "_is_coroutine", None) is not None:
        return True
    import inspect

    return inspect.iscoroutinefunction(func)
