"""The plan/apply engine.

1. **Collect** the :class:`~zappa_core.plan.ResourceStep` objects of every plugin (``zappa_plan_resources``);
   step ids are unique across plugins.
2. **Order** them by ``depends_on`` (a stable topological sort: unknown ids are ignored so optional plugins
   can be absent; a cycle is an error that names it).
3. **Plan**: each step reads AWS and returns a :class:`~zappa_core.plan.Change`; nothing is written.
4. **Apply** only the changes that are not ``unchanged``, in dependency order (``destroy``: reverse order).
   A transient AWS error makes the engine back off, plan that step again and apply the fresh change; a hard
   failure raises :class:`~zappa_core.errors.AwsError` naming the step, the resource and the AWS error.

State is never kept locally: a run after any failure plans from what exists and converges.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from zappa_core import awserrors as _errors
from zappa_core import retry as _retry
from zappa_core.errors import AwsError, PluginError, ZappaError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.UNCHANGED: "=", Action.DELETE: "-"}


@dataclass
class PlannedStep:
    step: ResourceStep
    change: Change
    plugin: str = ""


@dataclass
class Plan:
    """The ordered changes of one stage (``destroy``: an undeploy plan, in reverse dependency order)."""

    stage: str
    function_name: str
    items: list[PlannedStep] = field(default_factory=list)
    destroy: bool = False

    @property
    def changes(self) -> list[Change]:
        return [item.change for item in self.items]

    @property
    def pending(self) -> list[PlannedStep]:
        return [item for item in self.items if item.change.action is not Action.UNCHANGED]

    @property
    def has_changes(self) -> bool:
        return bool(self.pending)

    def counts(self) -> dict[str, int]:
        """Changes by action; steps with nothing configured and nothing found (``empty``) are not counted."""
        counts = {a.value: 0 for a in Action}
        for change in self.changes:
            if not (change.empty and change.action is Action.UNCHANGED):
                counts[change.action.value] += 1
        return counts

    def change_for(self, step_id: str) -> Change | None:
        for item in self.items:
            if item.step.id == step_id:
                return item.change
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "function_name": self.function_name,
            "destroy": self.destroy,
            "summary": self.counts(),
            "changes": [dict(item.change.to_json(), plugin=item.plugin) for item in self.items],
        }

    def render(self) -> str:
        counts = self.counts()
        head = (f"Plan for stage '{self.stage}' ({self.function_name}): " + ", ".join(
            f"{counts[a.value]} to {a.value}" if a is not Action.UNCHANGED else f"{counts[a.value]} unchanged"
            for a in (Action.CREATE, Action.UPDATE, Action.DELETE, Action.UNCHANGED)))
        lines = [head]
        # a feature the stage does not use and that has nothing in the account is not shown (--json has it)
        shown = [item for item in self.items if not (item.change.empty and item.change.action is Action.UNCHANGED)]
        width = max((len(item.step.id) for item in shown), default=0)
        for item in shown:
            change = item.change
            lines.append(f"  {SYMBOLS[change.action]} {item.step.id.ljust(width)}  {change.action.value:<9}  {change.resource}")
            for detail in change.details:
                lines.append(f"  {' ' * (width + 16)}{detail}")
        return "\n".join(lines)


def collect_steps(ctx: DeployContext) -> list[tuple[str, ResourceStep]]:
    """``(plugin_name, step)`` of every plugin, in registration order; duplicate ids are a PluginError."""
    from zappa_core.plugins import call_each

    pairs = call_each(ctx.pm, "zappa_plan_resources", registration_order=True, settings=ctx.settings, context=ctx)
    seen: dict[str, str] = {}
    out = []
    for plugin, step in pairs:
        if not isinstance(step, ResourceStep) and not (hasattr(step, "plan") and hasattr(step, "id")):
            raise PluginError(f"plugin '{plugin}' returned {step!r} from zappa_plan_resources, not a ResourceStep")
        if not step.id:
            raise PluginError(f"plugin '{plugin}' returned a resource step without an id ({type(step).__name__})")
        if step.id in seen:
            raise PluginError(f"resource step '{step.id}' is returned by plugin '{seen[step.id]}' and by plugin '{plugin}'",
                              hint="step ids must be unique: '<plugin>:<what>'")
        seen[step.id] = plugin
        out.append((plugin, step))
    return out


def order_steps(steps: Iterable[ResourceStep]) -> list[ResourceStep]:
    """Stable topological order by ``depends_on``; unknown ids are ignored; a cycle raises PluginError."""
    steps = list(steps)
    by_id = {s.id: s for s in steps}
    deps = {s.id: [d for d in dict.fromkeys(s.depends_on or ()) if d in by_id and d != s.id] for s in steps}
    for s in steps:
        if s.id in (s.depends_on or ()):
            raise PluginError(f"resource step '{s.id}' depends on itself")
    done: set[str] = set()
    ordered: list[ResourceStep] = []
    remaining = [s.id for s in steps]
    while remaining:
        ready = [sid for sid in remaining if all(d in done for d in deps[sid])]
        if not ready:
            raise PluginError(f"resource steps depend on each other in a cycle: {_find_cycle(remaining, deps)}")
        first = ready[0]  # keep the collection order among the steps that are ready
        ordered.append(by_id[first])
        done.add(first)
        remaining.remove(first)
    return ordered


def _find_cycle(nodes: list[str], deps: dict[str, list[str]]) -> str:
    node_set = set(nodes)
    for start in nodes:
        path = [start]
        current = start
        visited: set[str] = set()
        while True:
            nxt = next((d for d in deps[current] if d in node_set), None)
            if nxt is None or nxt in visited:
                break
            if nxt in path:
                cycle = path[path.index(nxt):] + [nxt]
                return " -> ".join(cycle)
            visited.add(nxt)
            path.append(nxt)
            current = nxt
    return ", ".join(nodes)


def describe_aws_error(exc: BaseException) -> str:
    code = _errors.error_code(exc)
    message = _errors.error_message(exc)
    if code:
        return f"{code}: {message}"
    return f"{type(exc).__name__}: {exc}"


def command_line(command: str, stage: str, ctx: DeployContext | None = None) -> str:
    """``zappa COMMAND STAGE`` as the user would type it again: with ``-s FILE`` and ``--local`` when the
    failed run had them."""
    words = ["zappa", command, stage]
    if ctx is not None and ctx.options.get("settings_file"):
        words[2:2] = ["-s", str(ctx.options["settings_file"])]
    if ctx is not None and ctx.local:
        words.append("--local")
    return " ".join(words)


def hint_for(exc: BaseException, stage: str, command: str, ctx: DeployContext | None = None) -> str:
    """What to do after a failed step. The command named is the one that works next: a failed deploy is
    finished by deploying again (the function may not exist yet, and ``update`` needs it)."""
    code = _errors.error_code(exc)
    again = command_line(command, stage, ctx)
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure"):
        return (f"the AWS credentials in use may not do this; grant the permission (see docs/iam.md) and run "
                f"'{again}' again")
    if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"):
        return "the AWS credentials are invalid or expired; refresh them (profile_name, AWS_PROFILE)"
    if command in ("deploy", "update"):
        return f"nothing is lost: fix the cause and run '{again}' again; it continues from what exists"
    return f"fix the cause and run '{again}' again"


#: The core's steps that follow the app's code: its archive (``slim_handler``), its package, its function.
CODE_STEPS = frozenset({"core:project-archive", "core:code", "core:function"})


class Engine:
    """Plans and applies the resource steps of one stage."""

    def __init__(self, ctx: DeployContext, steps: list[ResourceStep] | None = None,
                 *, attempts: int = 5, base_delay: float = 0.5, threads: int = 8) -> None:
        self.ctx = ctx
        pairs = collect_steps(ctx) if steps is None else [("", s) for s in steps]
        self.plugin_of = {step.id: plugin for plugin, step in pairs}
        self.steps = order_steps([step for _, step in pairs])
        ctx.steps = list(self.steps)
        self.attempts = attempts
        self.threads = threads
        self.base_delay = base_delay
        self.timings: dict[str, float] = {}

    def narrow_to_code(self) -> int:
        """Keep only the core's steps that follow the code (:data:`CODE_STEPS`) when no other enabled step says
        it does (:attr:`ResourceStep.follows_code`): ``update`` after a change to the app's code alone. Returns
        how many steps were left out; 0, with every step kept, when some other step follows the code."""
        if any(step.follows_code and step.id not in CODE_STEPS for step in self.steps):
            return 0
        kept = [step for step in self.steps if step.id in CODE_STEPS]
        left_out = len(self.steps) - len(kept)
        self.steps = kept
        return left_out

    # -- planning -----------------------------------------------------------------------------------------

    def step(self, step_id: str) -> ResourceStep | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def _guard(self, step: ResourceStep, resource: str, fn: Any) -> Any:
        """Run ``fn`` and turn an AWS error into an AwsError naming the step and the resource."""
        try:
            return fn()
        except ZappaError:
            raise
        except TimeoutError as exc:
            raise AwsError(f"step '{step.id}' failed on {resource}: {exc}",
                           hint=hint_for(exc, self.ctx.settings.stage, self.ctx.command, self.ctx)) from exc
        except Exception as exc:
            if not _errors.is_aws_error(exc):
                raise
            raise AwsError(f"step '{step.id}' failed on {resource}: {describe_aws_error(exc)}",
                           hint=hint_for(exc, self.ctx.settings.stage, self.ctx.command, self.ctx)) from exc

    def _plan_step(self, step: ResourceStep, destroy: bool) -> Change:
        method = step.plan_destroy if destroy else step.plan

        def run() -> Change:
            return _retry.retry(lambda: method(self.ctx), attempts=self.attempts, base=self.base_delay)

        change = self._guard(step, step.id, run)
        if not isinstance(change, Change):
            raise PluginError(f"resource step '{step.id}' returned {change!r} from "
                              f"{'plan_destroy' if destroy else 'plan'}, not a Change")
        if change.outputs and not destroy:
            self.ctx.outputs.setdefault(step.id, {}).update(change.outputs)
        return change

    def waves(self) -> list[list[ResourceStep]]:
        """The steps in dependency levels: every step of a level depends only on steps of earlier levels,
        so the steps of one level can be planned at the same time."""
        ids = {s.id for s in self.steps}
        level: dict[str, int] = {}
        for step in self.steps:  # already in dependency order
            deps = [d for d in (step.depends_on or ()) if d in ids]
            level[step.id] = 1 + max((level[d] for d in deps), default=-1)
        out: list[list[ResourceStep]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
        for step in self.steps:
            out[level[step.id]].append(step)
        return out

    def _prefetch_account(self) -> None:
        """Resolve the account id once, before threads would each ask STS for it."""
        if self.ctx.aws is None or getattr(self.ctx, "_account_id", None) is not None:
            return
        try:
            _ = self.ctx.account_id
        except Exception as exc:
            if not _errors.is_aws_error(exc):
                raise
            raise AwsError(f"reading the AWS account: {describe_aws_error(exc)}",
                           hint=hint_for(exc, self.ctx.settings.stage, self.ctx.command, self.ctx)) from exc

    def plan(self, *, destroy: bool = False) -> Plan:
        """Read AWS for every step and return the plan, in dependency order (reverse order for ``destroy``).

        Reads are I/O: the steps of one dependency level are planned in parallel threads (``threads``), and
        a level starts once the previous one has published its predicted outputs."""
        settings = self.ctx.settings
        result = Plan(stage=settings.stage, function_name=settings.function_name, destroy=destroy)
        changes: dict[str, Change] = {}
        if self.threads <= 1:
            for step in (reversed(self.steps) if destroy else self.steps):
                changes[step.id] = self._plan_step(step, destroy)
        else:
            from concurrent.futures import ThreadPoolExecutor

            self._prefetch_account()
            waves = self.waves()
            with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="zappa-plan") as pool:
                for wave in (reversed(waves) if destroy else waves):
                    if len(wave) == 1:
                        changes[wave[0].id] = self._plan_step(wave[0], destroy)
                        continue
                    futures = [(step, pool.submit(self._plan_step, step, destroy)) for step in wave]
                    for step, future in futures:  # in order: the first failing step is the one reported
                        changes[step.id] = future.result()
        steps = list(reversed(self.steps)) if destroy else self.steps
        for step in steps:
            result.items.append(PlannedStep(step, changes[step.id], self.plugin_of.get(step.id, "")))
        return result

    # -- applying -----------------------------------------------------------------------------------------

    def _apply_one(self, item: PlannedStep, destroy: bool) -> None:
        step, change = item.step, item.change
        method = step.destroy if destroy else step.apply
        delays = _retry.backoff_delays(self.attempts, self.base_delay)
        while True:
            try:
                method(self.ctx, change)
                return
            except ZappaError:
                raise
            except Exception as exc:
                if not (_errors.is_aws_error(exc) and _retry.is_transient(exc)) or not delays:
                    raise
                _retry.sleep(delays.pop(0))
                # Plan this step again: the failed attempt may have done part of the work.
                change = self._plan_step(step, destroy)
                item.change = change
                if change.action is Action.UNCHANGED:
                    return

    def apply(self, plan: Plan) -> Plan:
        """Apply every pending change of ``plan`` in its order. Calls ``zappa_before_apply`` and
        ``zappa_after_apply`` (with ``"ok"`` or the exception)."""
        pm = self.ctx.pm
        if pm is not None:
            pm.hook.zappa_before_apply(plan=plan.changes)
        outcome: Any = "ok"
        try:
            for item in plan.items:
                if item.change.action is Action.UNCHANGED:
                    continue
                started = time.perf_counter()
                if self.ctx.echo and self.ctx.command != "plan":
                    self.ctx.echo(f"  {SYMBOLS[item.change.action]} {item.step.id}: {item.change.action.value} {item.change.resource}")
                self._guard(item.step, item.change.resource, lambda item=item: self._apply_one(item, plan.destroy))
                self.timings[item.step.id] = time.perf_counter() - started
        except BaseException as exc:
            outcome = exc
            raise
        finally:
            if pm is not None:
                pm.hook.zappa_after_apply(plan=plan.changes, outcome=outcome)
        return plan

    def run(self, *, destroy: bool = False) -> Plan:
        """Plan then apply."""
        return self.apply(self.plan(destroy=destroy))


def plan_json(plans: list[Plan]) -> str:
    data = [p.to_json() for p in plans]
    return json.dumps(data[0] if len(data) == 1 else data, indent=2, sort_keys=True)
