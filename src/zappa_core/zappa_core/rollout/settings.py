"""The ``deployment`` setting: how ``update`` moves traffic to a new version, and durations such as ``5m``."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
MAX_INTERVAL_S = 24 * 3600.0


def parse_duration(value: Any) -> float:
    """Seconds of ``"90s"``, ``"5m"``, ``"1h30m"``, ``"500ms"`` or a number of seconds; ``ValueError`` if not one."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().lower().replace(" ", "")
        parts = DURATION.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"{value!r} is not a duration: write it as 30s, 5m, 1h or 1m30s")
        seconds = sum(float(n) * UNITS[u] for n, u in parts)
    else:
        raise ValueError(f"{value!r} is not a duration: write it as 30s, 5m, 1h or 1m30s")
    if not 1.0 <= seconds <= MAX_INTERVAL_S:
        raise ValueError(f"{value!r} is out of range: an interval is 1s to 24h")
    return seconds


def show_duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f}s" if seconds >= 10 or seconds == int(seconds) else f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s" if rest else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"


def _duration_text(value: Any) -> Any:
    parse_duration(value)  # refuses what is not a duration, with the accepted forms
    return str(value) if not isinstance(value, str) else value


def _percent(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{value!r} is not a number: the percent of traffic, as in 10")
    return value


Duration = Annotated[str, BeforeValidator(_duration_text)]
Percent = Annotated[float, BeforeValidator(_percent)]
Strategy = Literal["all-at-once", "canary", "linear"]


class DeploymentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: Strategy = Field("all-at-once", description="`all-at-once` (the default: the new version takes all traffic at once), `canary` (`percent` of the traffic for `interval`, then all of it) or `linear` (`percent` more every `interval`).")
    percent: Percent = Field(10.0, gt=0, lt=100, description="Share of the traffic, in percent, that the new version takes first (`canary`) or at each step (`linear`).")
    interval: Duration = Field("5m", description="How long each step is watched before the next: `30s`, `5m`, `1h`, `1m30s` (1s to 24h).")
    alarms: list[str] = Field(default_factory=list, description="CloudWatch alarms watched during the rollout: any of them in state ALARM rolls the new version back.")
    max_error_rate: float = Field(1.0, ge=0, le=100, description="Percent of the new version's invocations that may fail (function errors and HTTP 5xx answers) before it is rolled back.")

    @property
    def gradual(self) -> bool:
        return self.strategy != "all-at-once"

    @property
    def interval_seconds(self) -> float:
        return parse_duration(self.interval)
