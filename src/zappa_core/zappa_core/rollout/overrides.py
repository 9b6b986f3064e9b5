"""``zappa update STAGE --canary PERCENT --interval DURATION``: the deployment of one update, over the settings'."""

from __future__ import annotations

from typing import Any

from zappa_core.errors import UsageError
from zappa_core.rollout.settings import DeploymentSettings, parse_duration


def override_deployment(settings: Any, canary: float | None, interval: str | None) -> None:
    """Give the stage's settings the deployment that the flags ask for (exit 2 on a bad value)."""
    if canary is None and interval is None:
        return
    current = settings.deployment
    if canary is not None and not 0 < canary < 100:
        raise UsageError(f"--canary {canary:g}: the share of traffic is a percent above 0 and below 100",
                         hint="for example --canary 10")
    if interval is not None:
        try:
            parse_duration(interval)
        except ValueError as exc:
            raise UsageError(f"--interval: {exc}") from None
    if canary is None and not current.gradual:
        raise UsageError(f"--interval needs --canary PERCENT, or a gradual 'deployment' strategy in stage '{settings.stage}'",
                         hint=f"zappa update {settings.stage} --canary 10 --interval {interval}")
    wanted = current.model_dump()
    if canary is not None:
        wanted.update(strategy="canary", percent=canary)
    if interval is not None:
        wanted["interval"] = interval
    settings.section("core").deployment = DeploymentSettings(**wanted)
