"""The resource-step interface of the plan/apply engine.

Every AWS resource a stage owns is described by a :class:`ResourceStep`. Plugins return steps from
``zappa_plan_resources``; the engine (:mod:`zappa_core.engine`) orders them by ``depends_on``, asks each for
a :class:`Change` (reading AWS, writing nothing), prints the plan, then applies only what differs.

A step is idempotent by construction: ``plan`` looks at what exists (found by name and by the
``ZappaProject`` tag, never from a local state file), so running ``deploy`` again after a failure converges.

The contract, in the order the engine uses it:

1. Steps are planned in dependency order. Right after a step is planned, the engine stores
   ``change.outputs`` (the values the step *will* have once applied, as far as they can be known without
   writing: ARNs, names) in ``ctx.outputs[step.id]``, so a later step can plan against them even on a first
   deploy, when nothing exists yet.
2. ``apply`` is called only for changes whose action is not ``UNCHANGED``, in dependency order; it updates
   ``ctx.outputs[step.id]`` with the real values (a version number only known after publishing, say).
3. A transient AWS error (throttling, "an update is in progress") during ``apply`` makes the engine wait,
   plan that step again and apply the fresh change, so ``apply`` never has to be re-entrant by itself.
4. ``plan_destroy``/``destroy`` run in reverse dependency order for ``undeploy``.

Values the core's steps publish in ``ctx.outputs`` (other plugins depend on them):

- ``core:role``: ``{"role_arn", "role_name"}``
- ``core:bucket``: ``{"bucket"}``
- ``core:code``: ``{"bucket", "s3_key", "sha256", "uploaded"}``
- ``core:function``: a :class:`FunctionOutputs`, read with ``ctx.function`` (typed) rather than by its keys.
- ``core:log-group``: ``{"log_group", "log_group_arn"}``
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from zappa_core.arns import partition_of

FUNCTION_STEP = "core:function"


class Action(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DELETE = "delete"


@dataclass
class Change:
    """What one step will do. ``details`` are human lines ("memory_size: 512 -> 1024");
    ``data`` is whatever ``apply`` needs and is never printed. ``outputs`` are the values this step will
    publish in ``ctx.outputs`` once applied (known at plan time as far as possible)."""

    step_id: str
    action: Action
    resource: str
    details: list[str] = field(default_factory=list)
    data: Any = None
    outputs: dict[str, Any] = field(default_factory=dict)
    empty: bool = False  # nothing wanted and nothing found (an event type the stage does not use)

    @property
    def changes_something(self) -> bool:
        return self.action is not Action.UNCHANGED

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step_id, "action": self.action.value, "resource": self.resource,
                "details": list(self.details), "empty": self.empty}


@dataclass(frozen=True)
class FunctionOutputs:
    """What the core's function step (``core:function``) publishes for the steps that depend on it, read
    with :attr:`DeployContext.function`.

    ``qualified_arn`` is the managed alias (``<function_arn>:current``) that ``rollback`` moves; front doors
    and event sources should invoke it (the unqualified ARN works too: ``rollback`` re-publishes the older
    code to ``$LATEST`` whenever its zip is still in S3). ``version`` is the version the alias points at
    (``None`` before the first publish); ``incomplete`` marks a deploy whose function exists but was not
    finished (its app has not passed its first touch yet). When a gradual deployment publishes a version, the
    alias is left where it was: ``rollout_from`` (the live version) and ``rollout_to`` (the new one) say what
    the rollout that follows the apply moves it between."""

    function_name: str
    function_arn: str
    version: str | None = None
    alias: str | None = None
    qualified_arn: str | None = None
    incomplete: bool = False
    rollout_from: str | None = None
    rollout_to: str | None = None

    def as_outputs(self) -> dict[str, Any]:
        """The values as stored in ``ctx.outputs["core:function"]``."""
        return asdict(self)

    @classmethod
    def from_outputs(cls, values: Mapping[str, Any]) -> FunctionOutputs:
        """The record of the values stored in ``ctx.outputs["core:function"]`` (unknown keys ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})


@dataclass
class DeployContext:
    """Everything a step may use. ``outputs`` carries values between steps, keyed by step id
    (for example the function ARN that the API Gateway step needs).

    ``command`` is ``deploy``, ``update``, ``undeploy``, ``plan`` or ``status``; ``options`` holds the
    command's flags that steps honour (``no_upload``, ``remove_logs``, ``zip``). ``steps`` is every enabled
    step of the stage, in dependency order (set by the engine; the role step unions their IAM statements)."""

    settings: Any
    aws: Any
    pm: Any = None
    package: Any = None
    command: str = "deploy"
    local: bool = False
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    echo: Any = print
    options: dict[str, Any] = field(default_factory=dict)
    progress: bool = False
    steps: list[Any] = field(default_factory=list)
    _account_id: str | None = field(default=None, repr=False)

    # -- conveniences shared by every step ---------------------------------------------------------------

    @property
    def function(self) -> FunctionOutputs | None:
        """The stage's function as the ``core:function`` step planned or made it; ``None`` when no step has
        published it (the step is not part of this run, or planning has not reached it)."""
        values = self.outputs.get(FUNCTION_STEP)
        if not values or not values.get("function_arn"):
            return None
        return FunctionOutputs.from_outputs(values)

    def publish_function(self, function: FunctionOutputs) -> None:
        """Store ``function`` as the ``core:function`` step's outputs (what :attr:`function` returns)."""
        self.outputs[FUNCTION_STEP] = function.as_outputs()

    @property
    def function_name(self) -> str:
        name: str = self.settings.function_name
        return name

    @property
    def project_tag(self) -> str:
        """The value of the ``ZappaProject`` tag on everything this stage owns."""
        tag: str = self.settings.zappa_project_tag
        return tag

    def tags(self) -> dict[str, str]:
        """Tags for every resource the stage creates: the user's ``tags`` plus ``ZappaProject``."""
        tags = dict(getattr(self.settings, "tags", None) or {})
        tags["ZappaProject"] = self.project_tag
        return tags

    @property
    def region(self) -> str:
        region: str = self.aws.resolve_region()
        return region

    @property
    def account_id(self) -> str:
        if self._account_id is None:
            self._account_id = self.aws.account_id()
        return self._account_id

    @property
    def partition(self) -> str:
        """``aws``, ``aws-cn`` or ``aws-us-gov``: the partition of the stage's region."""
        return partition_of(self.region)

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        return (f"arn:{self.partition}:{service}:{self.region if region else ''}:"
                f"{self.account_id if account else ''}:{resource}")


class ResourceStep:
    """One resource, or a tightly bound group of resources, that a stage owns.

    Subclasses set ``id`` (unique across plugins, ``"<plugin>:<what>"``), ``depends_on`` (ids of steps
    that must be applied first; unknown ids are ignored so optional plugins can be absent) and implement
    the methods below.
    """

    id: str = ""
    depends_on: tuple[str, ...] = ()
    #: Whether what the step wants can change when only the app's code changes: it reads the package, or the
    #: version a new package publishes (not only the function's name, ARN or alias). ``update`` after a change
    #: to the code alone plans only the core's code and function steps, when every step that says ``True``
    #: is one of them; the default is ``True``, so a step that does not say keeps every update planning it.
    follows_code: bool = True

    def iam_statements(self, ctx: DeployContext) -> list[dict[str, Any]]:
        """IAM statements the Lambda *execution role* needs because this step exists, scoped to the
        stage's own resources. The core's role step unions them into the least-privilege policy."""
        return []

    def trusted_services(self, ctx: DeployContext) -> list[str]:
        """Service principals (``"apigateway.amazonaws.com"``) that must be able to assume the execution
        role because this step exists. The core's role step adds them to the trust policy next to
        ``lambda.amazonaws.com`` (unless the user's ``assume_policy`` replaces it)."""
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
