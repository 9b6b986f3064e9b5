"""The state of a rollout, kept in the description of the alias ``current`` next to its routing weights.

One ``UpdateAlias`` call sets both, so what the alias routes and what zappa recorded about it always agree.
Lambda keeps 256 characters of description: the record is short JSON after a readable prefix.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from zappa_core.resources.util import ALIAS

MARK = "zappa rollout "
IDLE_DESCRIPTION = "Managed by zappa: the live version (moved by update and rollback)"


@dataclass
class Rollout:
    """``old`` is the version the alias points at, ``new`` the one taking ``weight`` percent of its traffic."""

    old: str
    new: str
    strategy: str
    percent: float
    interval: float
    weight: float = 0.0
    started: float = field(default_factory=time.time)
    step_started: float = field(default_factory=time.time)
    max_error_rate: float = 1.0

    # -- the steps -------------------------------------------------------------------------------------

    def weights(self) -> list[float]:
        """The weights, in percent, the new version takes one after the other before it takes everything."""
        if self.strategy == "canary":
            return [self.percent]
        steps, weight = [], self.percent
        while weight < 100 - 1e-9:
            steps.append(round(weight, 4))
            weight += self.percent
        return steps

    def next_weight(self) -> float | None:
        """The weight after the present one; ``None`` when the next move is to promote."""
        later = [w for w in self.weights() if w > self.weight + 1e-9]
        return later[0] if later else None

    def step_deadline(self) -> float:
        return self.step_started + self.interval

    def time_left(self, now: float | None = None) -> float:
        """Seconds until the new version takes everything, if nothing goes wrong."""
        now = time.time() if now is None else now
        later = len([w for w in self.weights() if w > self.weight + 1e-9])
        return max(0.0, self.step_deadline() - now) + later * self.interval

    # -- the alias -------------------------------------------------------------------------------------

    def description(self) -> str:
        data = {"old": self.old, "new": self.new, "s": self.strategy, "p": self.percent, "i": self.interval,
                "w": self.weight, "t0": round(self.started, 1), "t": round(self.step_started, 1),
                "e": self.max_error_rate}
        return MARK + json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_alias(cls, alias: dict | None) -> Rollout | None:
        """The rollout an alias records, ``None`` when it records none (or something unreadable)."""
        text = (alias or {}).get("Description") or ""
        if not text.startswith(MARK):
            return None
        try:
            d = json.loads(text[len(MARK):])
            return cls(old=str(d["old"]), new=str(d["new"]), strategy=str(d["s"]), percent=float(d["p"]),
                       interval=float(d["i"]), weight=float(d["w"]), started=float(d["t0"]),
                       step_started=float(d["t"]), max_error_rate=float(d.get("e", 1.0)))
        except (ValueError, KeyError, TypeError):
            return None

    def to_json(self, now: float | None = None) -> dict[str, Any]:
        out = asdict(self)
        out.update(weights={self.old: round(100 - self.weight, 4), self.new: self.weight},
                   time_left_s=round(self.time_left(now), 1), step_left_s=round(max(0.0, self.step_deadline() - (now or time.time())), 1))
        return out


def routed_weights(alias: dict | None) -> dict[str, float]:
    """What the alias routes, in percent per version (its own version gets the rest)."""
    if not alias:
        return {}
    extra = ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights")) or {}
    shares = {str(v): round(float(w) * 100, 4) for v, w in extra.items()}
    shares[str(alias.get("FunctionVersion"))] = round(100 - sum(shares.values()), 4)
    return shares


def set_alias(lam: Any, function_name: str, version: str, *, extra: dict[str, float] | None = None,
              description: str = IDLE_DESCRIPTION) -> None:
    """Point the alias at ``version`` with ``extra`` weights (percent per version) and this description."""
    weights = {v: round(w / 100, 5) for v, w in (extra or {}).items() if w > 0}
    lam.update_alias(FunctionName=function_name, Name=ALIAS, FunctionVersion=version, Description=description,
                     RoutingConfig={"AdditionalVersionWeights": weights})
