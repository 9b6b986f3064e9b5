"""The resource-step interface of the plan/apply engine.

Every AWS resource a stage owns is described by a :class:`ResourceStep`. Plugins return steps from
``zappa_plan_resources``; the engine (:mod:`zappa_core.engine`) orders them by ``depends_on``, asks each for
a :class:`Change` (reading AWS, writing nothing), prints the plan, then applies only what differs.

A step is idempotent by construction: ``plan`` looks at what exists (found by name and by the
``ZappaProject`` tag, never from a local state file), so running ``deploy`` again after a failure converges.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Action(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DELETE = "delete"


@dataclass
class Change:
    """What one step will do. ``details`` are human lines ("memory_size: 512 -> 1024");
    ``data`` is whatever ``apply`` needs and is never printed."""

    step_id: str
    action: Action
    resource: str
    details: list[str] = field(default_factory=list)
    data: Any = None


@dataclass
class DeployContext:
    """Everything a step may use. ``outputs`` carries values between steps, keyed by step id
    (for example the function ARN that the API Gateway step needs)."""

    settings: Any
    aws: Any
    pm: Any = None
    package: Any = None
    command: str = "deploy"
    local: bool = False
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    echo: Any = print


class ResourceStep:
    """One resource, or a tightly bound group of resources, that a stage owns.

    Subclasses set ``id`` (unique across plugins, ``"<plugin>:<what>"``), ``depends_on`` (ids of steps
    that must be applied first; unknown ids are ignored so optional plugins can be absent) and implement
    the methods below.
    """

    id: str = ""
    depends_on: tuple[str, ...] = ()

    def iam_statements(self, ctx: DeployContext) -> list[dict]:
        """IAM statements the Lambda *execution role* needs because this step exists, scoped to the
        stage's own resources. The core's role step unions them into the least-privilege policy."""
        return []

    def plan(self, ctx: DeployContext) -> Change:
        """Read AWS and return the change needed to reach the settings. Must not write anything."""
        raise NotImplementedError

    def apply(self, ctx: DeployContext, change: Change) -> None:
        """Make ``change`` real; store values later steps need in ``ctx.outputs[self.id]``."""
        raise NotImplementedError

    def plan_destroy(self, ctx: DeployContext) -> Change:
        """Read AWS and return a DELETE change for what exists (UNCHANGED when nothing does)."""
        raise NotImplementedError

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        """Remove what ``plan_destroy`` found. Must tolerate resources that are already gone."""
        raise NotImplementedError
