"""Stand-ins for one of mangum's internal handler classes (see the package docstring)."""

from mangum.handlers import _Internal


class APIGateway(_Internal):
    pass


class HTTPGateway(_Internal):
    pass
