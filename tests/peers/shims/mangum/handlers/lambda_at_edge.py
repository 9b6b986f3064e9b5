"""Stand-ins for one of mangum's internal handler classes (see the package docstring)."""

from mangum.handlers import _Internal


class LambdaAtEdge(_Internal):
    pass
