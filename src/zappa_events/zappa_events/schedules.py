"""EventBridge rules: scheduled functions of ``events``, the keep-warm ping, and event-pattern rules.

One rule per expression (or per pattern), named as Zappa names them, targeting the stage function. Rules that belong to the
stage are found by their target (the function) and then by name prefix or the ``ZappaProject`` tag, so a
rule someone else pointed at the function is left alone. A schedule dropped from the settings is deleted.
"""

from __future__ import annotations

import json
import re
from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.plan import DeployContext

from zappa_events import naming
from zappa_events.awsutil import function_arn, same_function
from zappa_events.diffstep import DiffStep
from zappa_events.settings import EventPatternEvent, ScheduleEvent

TARGET_ID = "zappa-function"
PRINCIPAL = "events.amazonaws.com"


def scheduled_input(rule_arn: str, kwargs: dict[str, Any]) -> str:
    """The constant event a rule with ``kwargs`` sends: a scheduled event that carries them."""
    return json.dumps({
        "version": "0", "detail-type": "Scheduled Event", "source": "aws.events",
        "resources": [rule_arn], "detail": {}, "kwargs": kwargs,
    }, sort_keys=True)


def desired_rules(settings: Any, entries: list[ScheduleEvent]) -> dict[str, dict[str, Any]]:
    """``{rule name: spec}`` for the keep-warm ping and every expression of every scheduled function. The
    same function scheduled twice with the same expression is one rule with a target per entry (each with
    its own ``kwargs``), as in Zappa; validation refuses entries that would need two schedules on one rule."""
    lambda_name = settings.function_name
    rules: dict[str, dict[str, Any]] = {}
    if settings.keep_warm:
        rules[naming.keep_warm_rule_name(lambda_name)] = {
            "expression": settings.keep_warm_expression,
            "description": f"Zappa Keep Warm - {lambda_name}",
            "enabled": True,
            "function": naming.KEEP_WARM_FUNCTION,
            "targets": [{}],
        }
    for entry in entries:
        for index, expression in enumerate(entry.all_expressions()):
            name = naming.rule_name(lambda_name, entry.function, entry.name, index)
            if name in rules:
                rules[name]["targets"].append(dict(entry.kwargs))
                continue
            rules[name] = {
                "expression": expression,
                "description": entry.description or f"{entry.function} ({lambda_name})",
                "enabled": entry.enabled,
                "function": entry.function,
                "targets": [dict(entry.kwargs)],
            }
    return rules


def target_id(position: int) -> str:
    """The id of the rule's target for the entry at ``position`` (``zappa-function``, ``zappa-function-2``, ...)."""
    return TARGET_ID if position == 0 else f"{TARGET_ID}-{position + 1}"


_ZAPPA_KWARGS = re.compile(r'"kwargs":\s*(.*)}\s*$', re.DOTALL)


def target_kwargs(target: dict[str, Any]) -> dict[str, Any]:
    """The ``kwargs`` a target delivers: from its ``Input``, or from the input template of a rule made by
    Zappa (an ``InputTransformer`` whose template ends with ``"kwargs": {...}}``)."""
    if target.get("Input"):
        return json.loads(target["Input"]).get("kwargs", {})
    template = (target.get("InputTransformer") or {}).get("InputTemplate", "")
    match = _ZAPPA_KWARGS.search(template)
    if match:
        try:
            return json.loads(match.group(1))
        except ValueError:
            return {}
    return {}


def desired_pattern_rules(settings: Any, entries: list[EventPatternEvent]) -> dict[str, dict[str, Any]]:
    """``{rule name: spec}`` of the event-pattern rules."""
    lambda_name = settings.function_name
    return {
        naming.rule_name(lambda_name, entry.function, entry.name): {
            "pattern": json.dumps(entry.event_pattern, sort_keys=True),
            "description": entry.description or f"{entry.function} ({lambda_name})",
            "enabled": entry.enabled,
            "function": entry.function,
            "targets": [{}],
        }
        for entry in entries
    }


class ScheduleStep(DiffStep):
    """The rules with a schedule expression (``rate``/``cron``), keep-warm included."""

    id = "events:schedule"
    follows_code = False
    kind = "rule"
    rule_field = "ScheduleExpression"

    def __init__(self, entries: list[Any], settings: Any) -> None:
        self.entries = entries
        self.settings = settings

    def describe(self, spec: Any) -> str:
        state = "" if spec.get("enabled", True) else ", disabled"
        count = len(spec.get("targets") or ())
        times = f" ({count} targets)" if count > 1 else ""
        return f"{spec.get('expression') or spec.get('pattern')} -> {spec.get('function')}{times}{state}"

    def comparable(self, spec: Any) -> Any:
        return {field: value for field, value in spec.items() if field != "function"}  # the name carries it

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        return self._permitted(desired_rules(self.settings, self.entries))

    @staticmethod
    def _permitted(rules: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Each rule wants EventBridge's permission to invoke the function (a failure between the rule and
        its permission, or a permission removed by hand, shows as a change)."""
        return {name: {**spec, "permitted": True} for name, spec in rules.items()}

    def existing(self, ctx: DeployContext) -> dict[str, Any]:
        arn = function_arn(ctx)
        if arn is None:
            return {}
        events = ctx.aws.client("events")
        names: list[str] = []
        token = None
        while True:
            kwargs = {"TargetArn": arn, **({"NextToken": token} if token else {})}
            page = events.list_rule_names_by_target(**kwargs)
            names += page.get("RuleNames", [])
            token = page.get("NextToken")
            if not token:
                break
        desired = self.desired(ctx)
        found: dict[str, Any] = {}
        from zappa_events.permissions import allowed_sources

        allowed = allowed_sources(ctx, PRINCIPAL) if names else set()
        for name in names:
            try:
                rule = events.describe_rule(Name=name)
                if not self._owned(ctx, rule):
                    continue
            except Exception as exc:
                if is_not_found(exc):
                    continue
                raise
            if not rule.get(self.rule_field):
                continue  # the other kind of rule (schedule or pattern) belongs to the other step
            spec = {
                **({"expression": rule["ScheduleExpression"]} if self.rule_field == "ScheduleExpression"
                   else {"pattern": json.dumps(json.loads(rule["EventPattern"]), sort_keys=True)}),
                "description": rule.get("Description"),
                "enabled": rule.get("State") == "ENABLED",
                "function": (desired.get(name) or {}).get("function", "?"),
                "targets": [target_kwargs(t) for t in sorted(self._function_targets(events, name, arn),
                                                             key=lambda t: (len(t["Id"]), t["Id"]))],
                "permitted": rule["Arn"] in allowed,
            }
            found[name] = spec
        return found

    @staticmethod
    def _function_targets(events: Any, rule: str, function: str) -> list[dict[str, Any]]:
        return [t for t in events.list_targets_by_rule(Rule=rule).get("Targets", []) if same_function(t.get("Arn"), function)]

    def _owned(self, ctx: DeployContext, rule: dict[str, Any]) -> bool:
        """The stage's rule: named after the function (Zappa's rules too), or tagged with the stage."""
        if rule["Name"].startswith(f"{self.settings.function_name}-"):
            return True
        tags = ctx.aws.client("events").list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", [])
        return any(t.get("Key") == "ZappaProject" and t.get("Value") == self.settings.zappa_project_tag for t in tags)

    def create(self, ctx: DeployContext, key: str, spec: Any) -> None:
        self._put(ctx, key, spec, tag=True)

    def update(self, ctx: DeployContext, key: str, old: Any, new: Any) -> None:
        self._put(ctx, key, new, tag=False)

    def _put(self, ctx: DeployContext, name: str, spec: dict[str, Any], *, tag: bool) -> None:
        events = ctx.aws.client("events")
        target_arn = function_arn(ctx, required=True)
        kwargs: dict[str, Any] = {"Name": name, "State": "ENABLED" if spec["enabled"] else "DISABLED",
                                  "Description": spec["description"][:512]}
        if "expression" in spec:
            kwargs["ScheduleExpression"] = spec["expression"]
        else:
            kwargs["EventPattern"] = spec["pattern"]
        if tag:
            kwargs["Tags"] = [{"Key": "ZappaProject", "Value": self.settings.zappa_project_tag}]
        rule_arn = events.put_rule(**kwargs)["RuleArn"]
        targets = []
        for position, given in enumerate(spec["targets"]):
            target: dict[str, Any] = {"Id": target_id(position), "Arn": target_arn}
            if given:
                target["Input"] = scheduled_input(rule_arn, given)
            targets.append(target)
        events.put_targets(Rule=name, Targets=targets)
        wanted = {t["Id"] for t in targets}
        stale = [t["Id"] for t in self._function_targets(events, name, target_arn) if t["Id"] not in wanted]
        if stale:  # targets of an earlier apply with more entries, or Zappa's own (random ids)
            events.remove_targets(Rule=name, Ids=stale)
        from zappa_events.permissions import grant

        grant(ctx, target_arn, PRINCIPAL, rule_arn)

    def delete(self, ctx: DeployContext, key: str, spec: Any) -> None:
        from zappa_events.permissions import revoke

        events = ctx.aws.client("events")
        try:
            rule_arn = events.describe_rule(Name=key)["Arn"]
            targets = events.list_targets_by_rule(Rule=key).get("Targets", [])
            if targets:
                events.remove_targets(Rule=key, Ids=[t["Id"] for t in targets])
            events.delete_rule(Name=key)
        except Exception as exc:
            if not is_not_found(exc):
                raise
            return
        revoke(ctx, PRINCIPAL, rule_arn)


class EventPatternStep(ScheduleStep):
    """The rules with an event pattern: the function runs for matching events of the default bus."""

    id = "events:eventbridge"
    follows_code = False
    rule_field = "EventPattern"

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        return self._permitted(desired_pattern_rules(self.settings, self.entries))
