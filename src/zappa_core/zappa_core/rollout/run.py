"""Driving a rollout: shift the first share, watch, step, then promote or roll back, saying what and why.

Every move is one ``UpdateAlias`` call carrying both the weights and the state (:mod:`.state`). Ctrl-C while
watching rolls the new version back before the command ends; a rollout whose command died (a crash, a lost
machine) is found in the alias by the next ``update``, ``promote``, ``rollback`` or ``status``.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zappa_core.errors import ZappaError
from zappa_core.plan import DeployContext
from zappa_core.resources.util import ALIAS
from zappa_core.rollout.health import Health, missing_alarms, read_health
from zappa_core.rollout.settings import show_duration
from zappa_core.rollout.state import Rollout, routed_weights, set_alias

MAX_POLL_S = 5.0
# On the function while a rollout may be under way: the next update reads the alias only when it is there.
ROLLOUT_TAG = "ZappaRollout"


@dataclass
class Outcome:
    """How a rollout ended: ``promoted`` or ``rolled-back``, why, and the new version's last health."""

    decision: str
    reason: str
    rollout: Rollout
    health: Health | None = None
    restored_latest: bool = field(default=False)

    def to_json(self) -> dict[str, Any]:
        return {"decision": self.decision, "reason": self.reason, "old_version": self.rollout.old,
                "new_version": self.rollout.new, "strategy": self.rollout.strategy,
                "health": self.health.to_json() if self.health else None}


def read_alias(dctx: DeployContext) -> dict | None:
    from zappa_core.resources.versions import get_alias

    return get_alias(dctx)


def in_progress(dctx: DeployContext, alias: dict | None = None) -> Rollout | None:
    """The rollout the alias records, when its weights still say it is under way. A record whose weights are gone
    (the alias moved by hand, or a command died between two calls) is cleared."""
    alias = read_alias(dctx) if alias is None else alias
    rollout = Rollout.from_alias(alias)
    if rollout is None:
        return None
    if routed_weights(alias).get(rollout.new, 0) > 0 and alias.get("FunctionVersion") == rollout.old:
        return rollout
    set_alias(dctx.aws.client("lambda"), dctx.function_name, str(alias.get("FunctionVersion")),
              extra={v: w for v, w in routed_weights(alias).items() if v != str(alias.get("FunctionVersion"))})
    return None


def _function_arn(dctx: DeployContext) -> str:
    return dctx.arn("lambda", f"function:{dctx.function_name}")


def unmark(dctx: DeployContext) -> None:
    dctx.aws.client("lambda").untag_resource(Resource=_function_arn(dctx), TagKeys=[ROLLOUT_TAG])


def preflight(dctx: DeployContext, deployment: Any) -> None:
    """Before anything is deployed: the alarms a gradual deployment watches must exist."""
    missing = missing_alarms(dctx.aws, list(deployment.alarms))
    if missing:
        raise ZappaError(f"deployment.alarms: no CloudWatch alarm named {', '.join(repr(m) for m in missing)} in "
                         f"{dctx.region}; nothing was deployed",
                         hint="create the alarm(s) first, or fix the names under 'deployment.alarms'")


def start(dctx: DeployContext, deployment: Any, old: str, new: str) -> Rollout:
    """Shift the first share of the alias's traffic from ``old`` to ``new``."""
    rollout = Rollout(old=old, new=new, strategy=deployment.strategy, percent=float(deployment.percent),
                      interval=deployment.interval_seconds, max_error_rate=float(deployment.max_error_rate))
    rollout.weight = rollout.weights()[0]
    lam = dctx.aws.client("lambda")
    lam.tag_resource(Resource=_function_arn(dctx), Tags={ROLLOUT_TAG: f"{old}->{new}"})  # before the weights
    set_alias(dctx.aws.client("lambda"), dctx.function_name, old, extra={new: rollout.weight},
              description=rollout.description())
    then = "then all of it" if rollout.strategy == "canary" else f"then {rollout.percent:g}% more every {show_duration(rollout.interval)}"
    dctx.echo(f"Rollout ({rollout.strategy}): version {new} takes {rollout.weight:g}% of alias '{ALIAS}' traffic, version "
              f"{old} the rest; watching version {new} for {show_duration(rollout.interval)}, {then}")
    return rollout


def promote(dctx: DeployContext, rollout: Rollout, reason: str, health: Health | None = None) -> Outcome:
    set_alias(dctx.aws.client("lambda"), dctx.function_name, rollout.new)
    unmark(dctx)
    dctx.echo(f"Promoted version {rollout.new}: it takes all of alias '{ALIAS}' traffic ({reason})")
    return Outcome("promoted", reason, rollout, health)


def roll_back(dctx: DeployContext, rollout: Rollout, reason: str, health: Health | None = None) -> Outcome:
    """The alias back on the old version alone; ``$LATEST`` runs the old code again (when its zip is kept), so
    whatever invokes the function itself agrees; the update's fingerprint goes, so updating again retries."""
    from zappa_core.commands.fingerprint import FINGERPRINT_TAG
    from zappa_core.resources.code import restore_code

    lam = dctx.aws.client("lambda")
    name = dctx.function_name
    set_alias(lam, name, rollout.old)
    dctx.echo(f"Rolled back version {rollout.new}: version {rollout.old} takes all of alias '{ALIAS}' traffic again ({reason})")
    outcome = Outcome("rolled-back", reason, rollout, health)
    old = lam.get_function_configuration(FunctionName=name, Qualifier=rollout.old)
    latest = lam.get_function(FunctionName=name)
    if latest["Configuration"].get("CodeSha256") != old.get("CodeSha256"):
        outcome.restored_latest = restore_code(dctx, old)
    lam.untag_resource(Resource=latest["Configuration"]["FunctionArn"], TagKeys=[FINGERPRINT_TAG, ROLLOUT_TAG])
    return outcome


def hold_interrupts() -> list[bool]:
    """From now until :func:`watch` takes over, a Ctrl-C is held, not raised: the alias may already carry the
    rollout that ``start`` is writing, and only ``watch`` can roll it back. Returns the list a held Ctrl-C is
    recorded in; :func:`release_interrupts` undoes it when the rollout never reaches ``watch``."""
    held: list[bool] = []
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, lambda *_: held.append(True))
    return held


def release_interrupts() -> None:
    """Ctrl-C raises KeyboardInterrupt again (also where SIGINT was inherited as ignored)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def watch(dctx: DeployContext, rollout: Rollout, alarms: list[str], *, held: list[bool] | None = None,
          sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time) -> Outcome:
    """Watch the new version until the rollout ends; roll it back at the first sign of trouble. Ctrl-C rolls it
    back too (then the interrupt goes on), also one ``held`` since :func:`hold_interrupts`."""
    lam = dctx.aws.client("lambda")
    name = dctx.function_name
    poll = min(MAX_POLL_S, max(0.2, rollout.interval / 10))
    release_interrupts()
    try:
        if held:
            raise KeyboardInterrupt
        while True:
            ended = ended_elsewhere(dctx, rollout)
            if ended is not None:
                return ended
            health = read_health(dctx.aws, name, rollout.new, rollout.started, alarms)
            problem = health.problem(rollout.max_error_rate)
            if problem:
                return roll_back(dctx, rollout, problem, health)
            now = clock()
            if now >= rollout.step_deadline():
                following = rollout.next_weight()
                if following is None:
                    judged = (f"{health.summary()} in {show_duration(now - rollout.started)}" if health.invocations
                              else f"no invocation reached it in {show_duration(now - rollout.started)}: nothing "
                                   "failed, so nothing held it back")
                    return promote(dctx, rollout, judged, health)
                rollout.weight, rollout.step_started = following, now
                set_alias(lam, name, rollout.old, extra={rollout.new: rollout.weight}, description=rollout.description())
                dctx.echo(f"  version {rollout.new} healthy so far ({health.summary()}): now {rollout.weight:g}% of the "
                          f"traffic for {show_duration(rollout.interval)}")
                continue
            sleep(min(poll, max(0.05, rollout.step_deadline() - now)))
    except KeyboardInterrupt:
        roll_back(dctx, rollout, "interrupted: the rollout was stopped before it finished")
        raise


def ended_elsewhere(dctx: DeployContext, rollout: Rollout) -> Outcome | None:
    """How the rollout ended when another command (``promote``, ``rollback``) ended it; ``None`` while it goes on."""
    alias = read_alias(dctx)
    recorded = Rollout.from_alias(alias)
    if recorded is not None and recorded.new == rollout.new:
        return None
    promoted = str((alias or {}).get("FunctionVersion")) == rollout.new
    decision = "promoted" if promoted else "rolled-back"
    reason = f"{decision.replace('-', ' ')} by another command"
    dctx.echo(f"The rollout of version {rollout.new} was ended by another command: version "
              f"{rollout.new if promoted else (alias or {}).get('FunctionVersion')} takes all of alias '{ALIAS}' traffic")
    return Outcome(decision, reason, rollout)


def pick_up(dctx: DeployContext, alarms: list[str], tags: dict[str, str]) -> Outcome | None:
    """Finish a rollout that an earlier command left under way (the function's ``tags`` say whether one may be):
    watch what is left of its step (or judge it at once when its time is up), then promote or roll back."""
    if ROLLOUT_TAG not in tags:
        return None
    rollout = in_progress(dctx)
    if rollout is None:
        unmark(dctx)
        return None
    left = max(0.0, rollout.step_deadline() - time.time())
    dctx.echo(f"Found an unfinished rollout of version {rollout.new} ({rollout.weight:g}% of the traffic, started "
              f"{show_duration(time.time() - rollout.started)} ago): watching it "
              + (f"for the {show_duration(left)} left of its step" if left else "(its step is over)"))
    return watch(dctx, rollout, alarms)
