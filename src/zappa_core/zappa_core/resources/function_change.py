"""What the ``core:function`` step's plan decided, as the typed records its ``apply`` and ``destroy`` carry out
(the ``data`` of its :class:`~zappa_core.plan.Change`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SetConcurrency:
    """One concurrency setting to change: set it to ``value``, or remove it when ``value`` is ``None``."""

    value: int | None = None


@dataclass(frozen=True)
class FunctionCreate:
    """The function does not exist: create it (with the settings' configuration, read again when applied)."""


@dataclass
class FunctionUpdate:
    """What to change on the existing function ``arn``.

    ``desired`` is every configuration key's wanted value and ``config_keys`` the keys that differ; ``code``
    uploads new code; ``publish`` publishes a version and points the alias at it (``alias_exists``: the alias is
    there to be moved); ``tags`` are set and ``untag`` removed; ``reserved`` and ``provisioned`` change the
    concurrency (``provisioned_tagged``: the function carries zappa's mark of managed provisioned concurrency);
    ``prune`` deletes versions and S3 objects beyond the retention; ``ready`` is false while a previous update
    is still being applied by Lambda (``apply`` waits for it first)."""

    arn: str
    desired: dict[str, Any]
    ready: bool = True
    code: bool = False
    config_keys: list[str] = field(default_factory=list)
    alias_exists: bool = False
    publish: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    untag: list[str] = field(default_factory=list)
    reserved: SetConcurrency | None = None
    provisioned: SetConcurrency | None = None
    provisioned_tagged: bool = False
    prune: bool = False

    @property
    def changes_something(self) -> bool:
        return bool(self.code or self.config_keys or self.publish or self.tags or self.untag or self.reserved
                    or self.provisioned or self.prune)


@dataclass(frozen=True)
class FunctionDelete:
    """Delete the function ``name`` (every version and alias with it)."""

    name: str
