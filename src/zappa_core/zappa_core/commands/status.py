"""``zappa status``: the stage's function, versions, recent invocations, URLs and (``--policy``) its role's policy."""

from __future__ import annotations

import json
from typing import Any

from zappa_core.commands.stages import deploy_context, for_each_stage, stage_status_from_plugins
from zappa_core.commands.touch import primary_url
from zappa_core.errors import AwsError, ZappaError


def status(ctx: Any, policy: bool = False, **_: Any) -> int:
    return for_each_stage(ctx, "status", lambda s: _print_status(ctx, stage_status(ctx, s, policy=policy)))


def stage_status(ctx: Any, settings: Any, *, policy: bool = False) -> dict:
    import datetime as dt

    from zappa_core.awserrors import is_aws_error, is_not_found
    from zappa_core.engine import Engine, command_line, describe_aws_error
    from zappa_core.resources.code import remote_function
    from zappa_core.resources.function import get_alias, list_versions, published
    from zappa_core.resources.logs import log_group_name
    from zappa_core.resources.package_status import package_status
    from zappa_core.resources.role import POLICY_NAME, policy_document, role_name_of
    from zappa_core.resources.util import ALIAS

    dctx = deploy_context(ctx, settings, "status")
    name = settings.function_name
    try:
        remote = remote_function(dctx)
        if remote is None:
            raise ZappaError(f"stage '{settings.stage}' is not deployed (no function {name} in {dctx.region})",
                             hint=f"deploy it: {command_line('deploy', settings.stage, dctx)}")
        conf = remote["Configuration"]
        versions = published(list_versions(dctx))
        alias = get_alias(dctx)
        result: dict[str, Any] = {
            "stage": settings.stage, "function_name": name, "function_arn": conf.get("FunctionArn"),
            "alias": ALIAS, "live_version": alias.get("FunctionVersion") if alias else None,
            "versions": [v["Version"] for v in versions], "runtime": conf.get("Runtime"),
            "architecture": (conf.get("Architectures") or ["x86_64"])[0], "handler": conf.get("Handler"),
            "memory_size": conf.get("MemorySize"), "timeout_seconds": conf.get("Timeout"),
            "ephemeral_storage": (conf.get("EphemeralStorage") or {}).get("Size"), "role_arn": conf.get("Role"),
            "code_size": conf.get("CodeSize"), "code_sha256": conf.get("CodeSha256"),
            "last_modified": conf.get("LastModified"), "state": conf.get("State"),
            "environment_variables": sorted(((conf.get("Environment") or {}).get("Variables") or {}).keys()),
            "layers": [layer.get("Arn") for layer in conf.get("Layers") or []],
            "reserved_concurrency": (remote.get("Concurrency") or {}).get("ReservedConcurrentExecutions"),
            "tags": remote.get("Tags") or {}, "log_group": log_group_name(name), "region": dctx.region,
        }
        result.update(package_status(dctx, remote, result["live_version"]))
        result.update(rollout_status(alias))
        # last invocations: CloudWatch metrics over a day, and the newest log stream
        now = dt.datetime.now(dt.timezone.utc)
        # Lambda stamps a point with its minute and CloudWatch's end time is exclusive, to the second: a query
        # ending now would miss an invocation of the first second of this minute, so it ends a minute later
        until = now + dt.timedelta(minutes=1)
        cw = dctx.aws.client("cloudwatch")
        for metric, key in (("Invocations", "invocations_24h"), ("Errors", "errors_24h")):
            try:
                points = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName=metric,
                                                  Dimensions=[{"Name": "FunctionName", "Value": name}],
                                                  StartTime=now - dt.timedelta(days=1), EndTime=until, Period=86400,
                                                  Statistics=["Sum"]).get("Datapoints", [])
                result[key] = int(sum(p.get("Sum", 0) for p in points))
            except Exception as exc:
                if not is_aws_error(exc):
                    raise
                result[key] = None
        try:
            streams = dctx.aws.client("logs").describe_log_streams(
                logGroupName=log_group_name(name), orderBy="LastEventTime", descending=True, limit=1).get("logStreams", [])
            last = streams[0].get("lastEventTimestamp") if streams else None
            result["last_invocation"] = (dt.datetime.fromtimestamp(last / 1000, dt.timezone.utc).isoformat()
                                         if last else None)
        except Exception as exc:
            if not is_aws_error(exc):
                raise
            result["last_invocation"] = None
        plugins = stage_status_from_plugins(dctx)
        urls = plugins.pop("urls", {}) or {}
        for key, value in plugins.items():
            result.setdefault(key, value)
        result["urls"] = urls
        result["url"] = primary_url(urls)
        if policy:
            Engine(dctx)  # collects the enabled steps into dctx.steps
            generated = policy_document(dctx)
            role = role_name_of(settings)
            deployed = None
            if settings.manage_roles and not settings.role_arn:
                try:
                    deployed = dctx.aws.client("iam").get_role_policy(RoleName=role, PolicyName=POLICY_NAME)["PolicyDocument"]
                except Exception as exc:
                    if not is_not_found(exc):
                        raise
            result["policy"] = {"role_name": role, "policy_name": POLICY_NAME, "document": generated,
                                "deployed": deployed, "managed": bool(settings.manage_roles and not settings.role_arn)}
    except ZappaError:
        raise
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        raise AwsError(f"status of {name}: {describe_aws_error(exc)}") from exc
    return result


def _print_status(ctx: Any, st: dict) -> dict:
    if ctx.json or ctx.quiet:
        return st
    rows = [
        ("Function", st["function_name"]), ("ARN", st["function_arn"]), ("Region", st["region"]),
        ("Live version", f"{st['live_version']} (alias {st['alias']})"), ("Versions", ", ".join(st["versions"]) or "-"),
        ("Runtime", f"{st['runtime']} ({st['architecture']})"), ("Handler", st["handler"]),
        ("Memory", f"{st['memory_size']} MB"), ("Timeout", f"{st['timeout_seconds']} s"),
        ("Code size", f"{st['code_size']} bytes"), ("Last modified", st["last_modified"]), ("Role", st["role_arn"]),
        ("Reserved concurrency", st["reserved_concurrency"] if st["reserved_concurrency"] is not None else "-"),
        ("Invocations (24h)", st["invocations_24h"] if st["invocations_24h"] is not None else "n/a"),
        ("Errors (24h)", st["errors_24h"] if st["errors_24h"] is not None else "n/a"),
        ("Last invocation", st["last_invocation"] or "-"), ("Log group", st["log_group"]),
    ]
    if st.get("rollout"):
        rows.insert(4, ("Rollout", describe_rollout(st["rollout"], st["stage"])))
    for key, url in sorted(st["urls"].items()):
        rows.append((f"URL ({key})", url))
    for key in sorted(k for k in st if k not in {"stage", "urls", "url", "policy", "tags", "environment_variables",
                                                   "layers", "alias", "code_sha256", "state", "rollout", "weights"}
                      and k not in dict(rows)):
        value = st[key]
        if key in {"function_name", "function_arn", "live_version", "versions", "runtime", "architecture", "handler",
                   "memory_size", "timeout_seconds", "ephemeral_storage", "role_arn", "code_size", "last_modified",
                   "reserved_concurrency", "invocations_24h", "errors_24h", "last_invocation", "log_group", "region"}:
            continue
        rows.append((key.replace("_", " ").capitalize(), json.dumps(value, default=str) if isinstance(value, (dict, list)) else value))
    width = max(len(k) for k, _ in rows)
    print(f"Status of stage '{st['stage']}':")
    for key, value in rows:
        print(f"  {key.ljust(width)} : {value}")
    if "policy" in st:
        pol = st["policy"]
        print(f"\nExecution role policy ({pol['role_name']}, {pol['policy_name']}"
              + ("" if pol["managed"] else "; not managed by zappa") + "):")
        print(json.dumps(pol["document"], indent=2))
        if pol["managed"] and pol["deployed"] is not None and pol["deployed"] != pol["document"]:
            print("note: the deployed policy differs; 'zappa update' applies this one")
    return st


def rollout_status(alias: dict | None) -> dict:
    """The alias's weights (percent per version) and the rollout under way, read without changing anything."""
    from zappa_core.rollout.state import Rollout, routed_weights

    weights = routed_weights(alias)
    rollout = Rollout.from_alias(alias)
    live = rollout is not None and weights.get(rollout.new, 0) > 0
    return {"weights": weights, "rollout": rollout.to_json() if live else None}


def describe_rollout(r: dict, stage: str) -> str:
    from zappa_core.rollout.settings import show_duration

    text = (f"{r['strategy']}: version {r['new']} {r['weight']:g}%, version {r['old']} {100 - r['weight']:g}%; "
            f"{show_duration(r['time_left_s'])} left")
    if not r["step_left_s"]:
        text += (f" (its step is over: unless a command is watching it, 'zappa update {stage}' finishes it, "
                 f"'zappa promote' or 'zappa rollback' end it now)")
    return text
