"""The exception names mangum's tests catch."""


class LifespanFailure(Exception):
    """The app's lifespan startup failed (raised by the shim from the runtime's ``LifespanError``)."""


class ConfigurationError(Exception):
    """mangum's own argument checks; the shim performs none."""


class UnexpectedMessage(Exception):
    """mangum's own protocol checks; the runtime answers them with a 500 instead."""
