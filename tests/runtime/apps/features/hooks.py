"""exception_handler and `zappa invoke` helpers of the `features` package."""

import logging

SEEN = []


def on_error(exc, event, context):
    SEEN.append(f"{type(exc).__name__}: {exc}")
    return bool(isinstance(event, dict) and event.get("swallow"))


def errors_seen():
    return list(SEEN)


def fail(event):
    raise ValueError("command failed")


def log_each_level():
    log = logging.getLogger("features")
    for level in ("debug", "info", "warning", "error"):
        getattr(log, level)("features-%s-line", level)
