"""The Lambda entry point. The zip-root ``handler.py`` is one line::

    from zappa_runtime.handler import lambda_handler

Importing this module costs almost nothing. The cold start (manifest, environment, plugins, app) runs once:
at import time on Lambda (``AWS_LAMBDA_FUNCTION_NAME`` is set), so that it happens in the init phase (and in a
SnapStart snapshot); elsewhere at the first invocation. ``ZAPPA_RUNTIME_LAZY=1`` defers it on Lambda too.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zappa_runtime.runtime import Runtime

_runtime: Runtime | None = None


def get_runtime() -> Runtime:
    """The process's :class:`zappa_runtime.runtime.Runtime`, cold-started on first use."""
    global _runtime
    if _runtime is None:
        from zappa_runtime.runtime import Runtime

        _runtime = Runtime.cold_start()
        if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
            from zappa_runtime.snapstart import register

            register(_runtime)
    return _runtime


def lambda_handler(event: Any, context: Any) -> Any:
    """``handler.lambda_handler``: answers every event kind (HTTP through the app, the rest through plugins)."""
    return (_runtime or get_runtime()).invoke(event, context)


def _reset_for_tests() -> None:
    global _runtime
    _runtime = None


if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and not os.environ.get("ZAPPA_RUNTIME_LAZY"):
    get_runtime()
