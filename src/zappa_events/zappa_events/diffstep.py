"""A resource step that owns a set of similar AWS objects (rules, mappings, subscriptions).

Subclasses say what the settings want (``desired``), what exists for the stage (``existing``, read from
AWS by name, tag or target, never from a local file), and how to create, update and delete one object.
The base class turns the difference into a :class:`~zappa_core.plan.Change` and applies it; an object that
the settings no longer list is deleted on the next apply. Third-party event sources can subclass it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zappa_core.plan import Action, Change, DeployContext, ResourceStep


@dataclass(frozen=True)
class Operation:
    verb: str  # "create", "update" or "delete"
    key: str
    old: Any = None
    new: Any = None


class DiffStep(ResourceStep):
    """Subclasses set ``id``, ``kind`` (a word for the plan: "rule", "mapping", ...) and implement the
    five methods below. Specs are plain, comparable data (dicts of strings, numbers, lists)."""

    kind = "object"
    depends_on: tuple[str, ...] = ("core:function",)

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        raise NotImplementedError

    def existing(self, ctx: DeployContext) -> dict[str, Any]:
        raise NotImplementedError

    def create(self, ctx: DeployContext, key: str, spec: Any) -> None:
        raise NotImplementedError

    def update(self, ctx: DeployContext, key: str, old: Any, new: Any) -> None:
        """Default: delete and create again."""
        self.delete(ctx, key, old)
        self.create(ctx, key, new)

    def delete(self, ctx: DeployContext, key: str, spec: Any) -> None:
        raise NotImplementedError

    def describe(self, spec: Any) -> str:
        """One short line about a spec for the plan."""
        return ""

    def comparable(self, spec: Any) -> Any:
        """The part of a spec that the settings decide (default: all of it); ids read from AWS are not."""
        return spec

    # -- the ResourceStep interface ----------------------------------------------------------------------

    def plan(self, ctx: DeployContext) -> Change:
        return self._change(self.existing(ctx), self.desired(ctx))

    def plan_destroy(self, ctx: DeployContext) -> Change:
        return self._change(self.existing(ctx), {})

    def apply(self, ctx: DeployContext, change: Change) -> None:
        for op in change.data or ():
            if op.verb == "delete":
                self.delete(ctx, op.key, op.old)
        for op in change.data or ():
            if op.verb == "create":
                self.create(ctx, op.key, op.new)
            elif op.verb == "update":
                self.update(ctx, op.key, op.old, op.new)

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        for op in change.data or ():
            self.delete(ctx, op.key, op.old)

    def _change(self, have: dict[str, Any], want: dict[str, Any]) -> Change:
        ops: list[Operation] = []
        for key in sorted(have.keys() - want.keys()):
            ops.append(Operation("delete", key, old=have[key]))
        for key in sorted(want.keys() - have.keys()):
            ops.append(Operation("create", key, new=want[key]))
        for key in sorted(want.keys() & have.keys()):
            if self.comparable(want[key]) != self.comparable(have[key]):
                ops.append(Operation("update", key, old=have[key], new=want[key]))
        verbs = {op.verb for op in ops}
        if not ops:
            action = Action.UNCHANGED
        elif verbs == {"create"} and not have:
            action = Action.CREATE
        elif verbs == {"delete"} and not want:
            action = Action.DELETE
        else:
            action = Action.UPDATE
        sign = {"create": "+", "update": "~", "delete": "-"}
        details = []
        for op in ops:
            about = self.describe(op.new if op.new is not None else op.old)
            details.append(f"{sign[op.verb]} {self.kind} {op.key}" + (f" ({about})" if about else ""))
        count = len(want) if want else len(have)
        resource = f"{count} {self.kind}{'s' if count != 1 else ''}"
        return Change(self.id, action, resource, details, ops, empty=not have and not want)
