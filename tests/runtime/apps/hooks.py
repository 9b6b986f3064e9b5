"""Functions the runtime tests call through the package: exception_handler, `zappa invoke` commands.

Shared by the apps that have no ``hooks.py`` of their own: it is copied into their project before packaging."""

SEEN = []


def on_error(exc, event, context):
    SEEN.append(f"{type(exc).__name__}: {exc}")
    return bool(isinstance(event, dict) and event.get("swallow"))


def errors_seen(event, context):
    return list(SEEN)


def add(event):
    return event["a"] + event["b"]


def fail(event, context):
    raise ValueError("command failed")
