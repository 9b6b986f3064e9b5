"""The stage's exception_handler, and a command that reports what it was given."""

SEEN = []


def on_error(exc, event, context):
    SEEN.append(f"{type(exc).__name__}: {exc}")


def errors_seen(event, context):
    return list(SEEN)
