"""deploy, update, rollback, undeploy, status, invoke, manage and plan.

Every command works on one stage or on ``--all`` of them (a failed stage does not stop the others; a
summary is printed and the exit code is 1 when any failed). Settings were validated by the CLI before the
command runs, so a settings problem never reaches AWS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zappa_core.callbacks import CallbackTarget, run_callback
from zappa_core.commands.touch import primary_url, touch
from zappa_core.errors import AwsError, UsageError, ZappaError
from zappa_core.plan import DeployContext
from zappa_core.resources.image import check_image_settings, check_package_type

# -- shared plumbing ----------------------------------------------------------------------------------------


def _progress(ctx: Any) -> bool:
    return not (ctx.quiet or ctx.json or ctx.options.get("disable_progress")) and sys.stderr.isatty()


def deploy_context(ctx: Any, settings: Any, command: str, **options: Any) -> DeployContext:
    return DeployContext(settings=settings, aws=ctx.aws(settings), pm=ctx.pm, command=command, local=ctx.local,
                         echo=ctx.echo, options={"settings_file": getattr(ctx, "settings_file", None), **options},
                         progress=_progress(ctx))


def _apply_overrides(ctx: Any, settings: Any) -> None:
    app_function = ctx.options.get("app_function")
    if app_function:
        core = settings.section("core")
        if core is not None:
            core.app_function = app_function


def for_each_stage(ctx: Any, action: str, run: Callable[[Any], dict | None]) -> int:
    """Run ``run(settings)`` for every stage asked for; with several stages, continue past failures and
    print a per-stage summary. Returns the exit code."""
    stages = ctx.stages()
    if len(stages) == 1:
        result = run(stages[0])
        if ctx.json and result is not None:
            ctx.emit_json(result)
        return 0
    results: list[dict] = []
    reasons: dict[str, str] = {}  # the whole message on one line (its first line may say only which step failed)
    failed = 0
    for settings in stages:
        started = time.perf_counter()
        try:
            out = run(settings) or {}
            results.append({"stage": settings.stage, "ok": True, "seconds": round(time.perf_counter() - started, 2), **out})
        except ZappaError as exc:
            failed += 1
            print(f"Error: stage '{settings.stage}': {exc}", file=sys.stderr)
            reasons[settings.stage] = " ".join(exc.message.split())
            results.append({"stage": settings.stage, "ok": False, "error": str(exc),
                            "seconds": round(time.perf_counter() - started, 2)})
    if ctx.json:
        ctx.emit_json(results)
    else:
        ctx.echo(f"\n{action} summary:")
        for r in results:
            ctx.echo(f"  {r['stage']:<20} {'ok' if r['ok'] else 'FAILED'}  {r['seconds']:.1f}s"
                     + ("" if r["ok"] else f"  {reasons[r['stage']]}"))
    return 1 if failed else 0


def stage_status_from_plugins(dctx: DeployContext) -> dict[str, Any]:
    """Merge every plugin's ``zappa_stage_status``; ``urls`` dicts are merged key by key."""
    merged: dict[str, Any] = {"urls": {}}
    for part in dctx.pm.hook.zappa_stage_status(settings=dctx.settings, context=dctx) or []:
        if not isinstance(part, dict):
            continue
        for key, value in part.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key].update(value)
            else:
                merged[key] = value
    return merged


# -- packages -------------------------------------------------------------------------------------------


def package_from_zip(path: str) -> Any:
    """A zip built earlier, with the project archive or dependencies layer that ``zappa package`` wrote beside it."""
    from zappa_core.packaging.prebuilt import prebuilt_package

    return prebuilt_package(path)


def build_package(ctx: Any, settings: Any, target: CallbackTarget) -> Any:
    """Build the stage's package with the ``zappa_build_package`` hook (the core's builder by default)."""
    from zappa_core.packaging.context import PackageContext

    pctx = PackageContext(project_dir=Path(settings.project_dir), quiet=ctx.quiet or ctx.json, echo=ctx.echo,
                          pm=ctx.pm, command=target, progress=_progress(ctx))
    package = ctx.pm.hook.zappa_build_package(settings=settings, context=pctx)
    if package is None:
        raise ZappaError("no plugin builds packages (zappa_build_package returned nothing)",
                         hint="is the core's packaging plugin disabled (ZAPPA_DISABLE_PLUGINS)?")
    return package


def _zip_option(zip_arg: str | None) -> tuple[str, str] | None:
    if zip_arg and zip_arg.startswith("s3://"):
        bucket, _, key = zip_arg[len("s3://"):].partition("/")
        if not bucket or not key:
            raise UsageError(f"--zip: '{zip_arg}' is not s3://bucket/key")
        return bucket, key
    return None


# -- deploy / update ------------------------------------------------------------------------------------


def _require_bucket(settings: Any) -> None:
    if not settings.s3_bucket:
        raise UsageError(f"stage '{settings.stage}': 's3_bucket' is not set", hint="add \"s3_bucket\": \"<a bucket name>\" to the stage")


FINGERPRINT_TAG = "ZappaFingerprint"


def stage_fingerprint(ctx: Any, settings: Any, package: Any) -> str:
    """What a successful deploy/update applied: the package, every resolved setting, the plugins in use."""
    from zappa_core import __version__

    plugins = sorted(name for name, plugin in ctx.pm.list_name_plugin() if plugin is not None)
    data = {"package": package.sha256, "settings": settings.to_dict(), "plugins": plugins, "zappa": __version__,
            "layer": getattr(getattr(package, "layer", None), "sha256", None)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:40]


def unchanged_since_last_update(dctx: DeployContext, remote: dict, fingerprint: str) -> bool:
    """True when the function carries this exact fingerprint (the last update applied these settings and
    this package, and finished) and its own code and configuration have not drifted since."""
    from zappa_core.resources.function import (
        current_values,
        desired_values,
        diff_values,
    )
    from zappa_core.resources.layer import STEP_ID as LAYER_STEP
    from zappa_core.resources.layer import attached_layer
    from zappa_core.resources.role import role_name_of
    from zappa_core.resources.util import INCOMPLETE_TAG, hex_to_b64

    tags = remote.get("Tags") or {}
    if tags.get(FINGERPRINT_TAG) != fingerprint or INCOMPLETE_TAG in tags:
        return False
    settings = dctx.settings
    conf = remote["Configuration"]
    if conf.get("CodeSha256") != hex_to_b64(dctx.package.sha256):
        return False
    if settings.role_arn:
        role = settings.role_arn
    elif settings.manage_roles:
        role = f"arn:{dctx.partition}:iam::{dctx.account_id}:role/{role_name_of(settings)}"
    else:
        role = None
    dctx.outputs["core:role"] = {"role_arn": role}
    # the fingerprint covers the dependencies layer's content: the one attached is the one wanted
    dctx.outputs[LAYER_STEP] = {"layer_version_arn": attached_layer(dctx, conf)}
    current = current_values(conf)
    try:
        drift = diff_values(current, desired_values(dctx, current["Environment"], tags))
    finally:
        dctx.outputs.pop("core:role", None)
        dctx.outputs.pop(LAYER_STEP, None)
    reserved = (remote.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    return not drift and reserved == settings.lambda_concurrency and (conf.get("Architectures") or ["x86_64"])[0] == settings.architecture


def provision(ctx: Any, settings: Any, command: str, *, zip: str | None = None, no_upload: bool = False,
              refresh: bool = False, image_uri: str | None = None) -> dict:
    """Package, plan and apply one stage (``deploy`` or ``update``).

    ``update`` reads only the function when the package and every setting are those of the last successful
    update and the function has not drifted (``--refresh`` reads everything anyway; ``zappa plan`` always
    does)."""
    from zappa_core.engine import Engine, command_line
    from zappa_core.resources.code import remote_function
    from zappa_core.resources.util import INCOMPLETE_TAG

    started = time.perf_counter()
    _apply_overrides(ctx, settings)
    s3_zip = _zip_option(zip)
    target = CallbackTarget(ctx, settings, command)
    changed = run_callback(settings, "settings", target)
    if changed is not settings:  # the callback changed the stage's values: use them, validated again
        settings = changed
        _apply_overrides(ctx, settings)
    if not s3_zip and not image_uri:
        _require_bucket(settings)
    dctx = deploy_context(ctx, settings, command, no_upload=no_upload, s3_zip=s3_zip, zip=zip, image_uri=image_uri)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="zappa-provision") as pool:
        # Building the package is local work, reading AWS is waiting: both at once.
        built_here = not zip and not s3_zip and not image_uri  # the builder runs the 'zip' callback itself
        package = pool.submit(build_package, ctx, settings, target) if built_here else None
        remote = _read(f"reading function {settings.function_name}", lambda: remote_function(dctx),
                       hint=f"nothing is lost: run '{command_line(command, settings.stage, dctx)}' again")
        if command == "deploy" and remote is not None and INCOMPLETE_TAG not in (remote.get("Tags") or {}):
            raise ZappaError(f"stage '{settings.stage}' is already deployed (function {settings.function_name})",
                             hint=f"did you mean: {command_line('update', settings.stage, dctx)}")
        if command == "update" and remote is None:
            raise ZappaError(f"stage '{settings.stage}' is not deployed (no function {settings.function_name} in "
                             f"{dctx.region})", hint=f"deploy it first: {command_line('deploy', settings.stage, dctx)}")
        check_package_type(settings, remote, image_uri)
        if zip and not s3_zip:
            dctx.package = package_from_zip(zip)
        elif package is not None:
            dctx.package = package.result()
        if dctx.package is not None:
            target.zip_path = str(dctx.package.path)
        fingerprint = stage_fingerprint(ctx, settings, dctx.package) if built_here else None
        fast = (command == "update" and not refresh and not no_upload and fingerprint is not None and remote is not None
                and unchanged_since_last_update(dctx, remote, fingerprint))
        if fast:
            from zappa_core.engine import Plan
            from zappa_core.resources.function import get_alias

            plan = Plan(stage=settings.stage, function_name=settings.function_name)
            dctx.outputs["core:function"] = {"function_arn": remote["Configuration"].get("FunctionArn"), "version": None}
            live = _read("reading the live version", lambda: get_alias(dctx),
                         hint=f"nothing is lost: run '{command_line(command, settings.stage, dctx)}' again") if ctx.json else None
            dctx.outputs["core:function"]["version"] = live.get("FunctionVersion") if live else None
            status = stage_status_from_plugins(dctx) if (ctx.json or settings.touch) else {"urls": {}}
        else:
            # The plugins' status (URLs) is read while planning; when nothing changes it is already the answer.
            early_status = pool.submit(stage_status_from_plugins, dctx) if command == "update" else None
            engine = Engine(dctx)
            plan = engine.plan()
            verb = "Deploying" if command == "deploy" else "Updating"
            ctx.echo(f"{verb} {settings.function_name} ({len(plan.pending)} change(s), {plan.counts()['unchanged']} unchanged)")
            engine.apply(plan)
            status = early_status.result() if early_status is not None and not plan.has_changes else None
            lam = dctx.aws.client("lambda")
            done = dctx.outputs.get("core:function") or {}
            recorded = ((remote or {}).get("Tags") or {}).get(FINGERPRINT_TAG)
            if fingerprint and done.get("function_arn") and (plan.has_changes or recorded != fingerprint):
                _read("recording what was deployed", lambda: lam.tag_resource(
                    Resource=done["function_arn"], Tags={FINGERPRINT_TAG: fingerprint}),
                      hint=f"everything is deployed; run '{command_line(command, settings.stage, dctx)}' again to finish")
    out = dctx.outputs.get("core:function") or {}
    if status is None:
        status = stage_status_from_plugins(dctx)
    urls = status.get("urls") or {}
    touched = None
    if settings.touch and urls:
        touched = touch(settings, urls, ctx.echo, local=dctx.local, dctx=dctx)
    if built_here and settings.delete_local_zip and dctx.package is not None:
        Path(dctx.package.path).unlink(missing_ok=True)
    run_callback(settings, "post", target)
    if out.get("incomplete"):  # only now: a deploy whose app fails its touch, or whose callback fails, is re-run
        _read("marking the deploy complete", lambda: dctx.aws.client("lambda").untag_resource(
            Resource=out["function_arn"], TagKeys=[INCOMPLETE_TAG]),
              hint=f"everything is deployed; run '{command_line(command, settings.stage, dctx)}' again to finish")
    uploads = [dctx.outputs.get(step) or {} for step in ("core:code", "core:project-archive", "core:dependencies-layer")]
    code = uploads[0]
    seconds = time.perf_counter() - started
    url = primary_url(urls)
    if command == "deploy":
        ctx.echo(f"Deployment complete{'!: ' + url if url else ': ' + str(out.get('function_arn'))} ({seconds:.1f}s)")
    elif plan.has_changes:
        ctx.echo(f"Your updated deployment is live{'!: ' + url if url else ': version ' + str(out.get('version'))} ({seconds:.1f}s)")
    else:
        ctx.echo(f"Nothing to update: the stage already runs this package and these settings ({seconds:.1f}s)")
    return {
        "stage": settings.stage, "command": command, "function_name": settings.function_name,
        "function_arn": out.get("function_arn"), "version": out.get("version"), "alias": out.get("alias"),
        "urls": urls, "url": url, "uploaded": bool(code.get("uploaded")),
        "bytes_uploaded": sum(int(u.get("bytes") or 0) for u in uploads if u.get("uploaded") or u.get("published")),
        "layer_published": bool(uploads[2].get("published")),
        "sha256": code.get("sha256"), "changes": [c.to_json() for c in plan.changes if c.changes_something],
        "touch": touched, "seconds": round(seconds, 3),
    }


def _read(what: str, fn: Callable[[], Any], hint: str | None = None) -> Any:
    """A read before any step runs: transient errors retried, AWS errors turned into AwsError."""
    from zappa_core.engine import describe_aws_error
    from zappa_core.retry import is_aws_error, retry

    try:
        return retry(fn, attempts=4)
    except Exception as exc:
        if is_aws_error(exc):
            raise AwsError(f"{what}: {describe_aws_error(exc)}",
                           hint=hint or "nothing is lost: run the command again; it continues from what exists") from exc
        raise


def _image_checks(ctx: Any, docker_image_uri: str | None, zip: str | None) -> None:
    if not docker_image_uri:
        return
    if zip:
        raise UsageError("--docker-image-uri and --zip both give the function's code: choose one")
    if ctx.local:
        raise UsageError("the local AWS runs zip packages only: it cannot run a container image without Docker",
                         hint="deploy the zip package locally (leave out -d), or deploy the image to AWS")
    for settings in ctx.stages():
        check_image_settings(settings)


def deploy(ctx: Any, zip: str | None = None, docker_image_uri: str | None = None, **_: Any) -> int:
    _image_checks(ctx, docker_image_uri, zip)
    return for_each_stage(ctx, "deploy", lambda s: provision(ctx, s, "deploy", zip=zip, image_uri=docker_image_uri))


def update(ctx: Any, zip: str | None = None, no_upload: bool = False, docker_image_uri: str | None = None,
           refresh: bool = False, **_: Any) -> int:
    _image_checks(ctx, docker_image_uri, zip)
    return for_each_stage(ctx, "update", lambda s: provision(ctx, s, "update", zip=zip, no_upload=no_upload,
                                                             refresh=refresh, image_uri=docker_image_uri))


# -- plan -----------------------------------------------------------------------------------------------


def plan(ctx: Any, destroy: bool = False, docker_image_uri: str | None = None, **_: Any) -> int:
    from zappa_core.engine import Engine
    from zappa_core.resources.code import remote_function

    if not destroy:
        _image_checks(ctx, docker_image_uri, None)

    def run(settings: Any) -> dict:
        _apply_overrides(ctx, settings)
        dctx = deploy_context(ctx, settings, "plan", remove_logs=False, image_uri=docker_image_uri)
        if not destroy:
            if not docker_image_uri:
                _require_bucket(settings)
            check_package_type(settings, _read(f"reading function {settings.function_name}",
                                               lambda: remote_function(dctx)), docker_image_uri)
        if not destroy and not docker_image_uri:
            dctx.package = build_package(ctx, settings, CallbackTarget(ctx, settings, "package"))
        result = Engine(dctx).plan(destroy=destroy)
        if not ctx.json and not ctx.quiet:
            print(result.render())
        return result.to_json()

    return for_each_stage(ctx, "plan", run)


# -- undeploy -------------------------------------------------------------------------------------------


def _confirm(question: str) -> bool:
    try:
        print(question, end=" ", flush=True)
        answer = sys.stdin.readline()
    except (EOFError, OSError):
        return False
    return answer.strip().lower() in ("y", "yes")


def undeploy(ctx: Any, remove_logs: bool = False, yes: bool = False, **_: Any) -> int:
    from zappa_core.engine import Engine

    def run(settings: Any) -> dict:
        if not yes and not _confirm(f"Are you sure you want to undeploy stage '{settings.stage}' "
                                    f"({settings.function_name})? [y/n]"):
            raise ZappaError("undeploy cancelled: nothing was removed", hint="pass --yes to skip the question")
        started = time.perf_counter()
        dctx = deploy_context(ctx, settings, "undeploy", remove_logs=remove_logs)
        engine = Engine(dctx)
        result = engine.plan(destroy=True)
        ctx.echo(f"Undeploying {settings.function_name} ({len(result.pending)} resource(s) to remove)")
        engine.apply(result)
        seconds = time.perf_counter() - started
        ctx.echo(f"Done: stage '{settings.stage}' removed ({seconds:.1f}s)" if result.has_changes
                 else f"Nothing to remove: stage '{settings.stage}' is not deployed")
        return {"stage": settings.stage, "removed": [c.to_json() for c in result.changes if c.changes_something],
                "kept": [c.to_json() for c in result.changes if not c.changes_something], "seconds": round(seconds, 3)}

    return for_each_stage(ctx, "undeploy", run)


# -- rollback -------------------------------------------------------------------------------------------


def rollback(ctx: Any, num_rollback: int = 1, **_: Any) -> int:
    return for_each_stage(ctx, "rollback", lambda s: rollback_stage(ctx, s, num_rollback))


def rollback_stage(ctx: Any, settings: Any, n: int) -> dict:
    """Make the version ``n`` before the live one live again.

    When that version's zip is still in the code bucket (``num_retained_versions`` zips are kept), its code
    is re-published: ``$LATEST`` and a new version run it and the alias moves there, so unqualified and
    aliased invocations agree. Otherwise only the alias moves."""
    from zappa_core.engine import describe_aws_error
    from zappa_core.resources.code import remote_function
    from zappa_core.resources.function import (
        FunctionStep,
        get_alias,
        list_versions,
        point_alias,
        published,
    )
    from zappa_core.resources.util import (
        ALIAS,
        b64_to_hex,
        code_key,
        wait_function_ready,
    )
    from zappa_core.retry import is_aws_error

    dctx = deploy_context(ctx, settings, "rollback")
    name = settings.function_name
    try:
        if remote_function(dctx) is None:
            raise ZappaError(f"stage '{settings.stage}' is not deployed (no function {name})")
        versions = published(list_versions(dctx))
        alias = get_alias(dctx)
        numbers = [v["Version"] for v in versions]
        live = alias.get("FunctionVersion") if alias else (numbers[-1] if numbers else None)
        if live not in numbers:
            raise ZappaError(f"cannot find the live version of {name}")
        index = numbers.index(live) - n
        if index < 0:
            raise ZappaError(f"cannot roll back {n} version(s): only {numbers.index(live)} earlier version(s) of "
                             f"{name} are retained", hint="num_retained_versions sets how many are kept")
        target = versions[index]
        lam = dctx.aws.client("lambda")
        sha_hex = b64_to_hex(target.get("CodeSha256"))
        key = code_key(name, sha_hex) if sha_hex else None
        s3 = dctx.aws.client("s3")
        has_zip = False
        if key and settings.s3_bucket:
            try:
                s3.head_object(Bucket=settings.s3_bucket, Key=key)
                has_zip = True
            except Exception as exc:
                if not is_aws_error(exc):
                    raise
        if has_zip:
            wait_function_ready(dctx, name)
            lam.update_function_code(FunctionName=name, S3Bucket=settings.s3_bucket, S3Key=key, Publish=False,
                                     Architectures=target.get("Architectures") or [settings.architecture])
            wait_function_ready(dctx, name)
            new_version = lam.publish_version(FunctionName=name)["Version"]
            point_alias(dctx, new_version, exists=alias is not None)
            FunctionStep().prune(dctx)
            message = (f"Rolled back {name}: version {target['Version']}'s code is live again "
                       f"(as version {new_version}; $LATEST and alias '{ALIAS}')")
            live_now = new_version
        else:
            point_alias(dctx, target["Version"], exists=alias is not None)
            message = (f"Rolled back {name}: alias '{ALIAS}' -> version {target['Version']} (its zip is no longer in S3, "
                       f"so $LATEST still runs version {live}'s code)")
            live_now = target["Version"]
    except ZappaError:
        raise
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        raise AwsError(f"rollback of {name} failed: {describe_aws_error(exc)}",
                       hint=f"run 'zappa status {settings.stage}' to see the versions") from exc
    ctx.echo(message)
    return {"stage": settings.stage, "function_name": name, "rolled_back_to": target["Version"], "version": live_now,
            "previous": live, "republished": has_zip}


# -- status ---------------------------------------------------------------------------------------------


def status(ctx: Any, policy: bool = False, **_: Any) -> int:
    return for_each_stage(ctx, "status", lambda s: _print_status(ctx, stage_status(ctx, s, policy=policy)))


def stage_status(ctx: Any, settings: Any, *, policy: bool = False) -> dict:
    import datetime as dt

    from zappa_core.engine import Engine, command_line, describe_aws_error
    from zappa_core.resources.code import remote_function
    from zappa_core.resources.function import get_alias, list_versions, published
    from zappa_core.resources.logs import log_group_name
    from zappa_core.resources.package_status import package_status
    from zappa_core.resources.role import POLICY_NAME, policy_document, role_name_of
    from zappa_core.resources.util import ALIAS
    from zappa_core.retry import is_aws_error, is_not_found

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
        # last invocations: CloudWatch metrics over a day, and the newest log stream
        now = dt.datetime.now(dt.timezone.utc)
        cw = dctx.aws.client("cloudwatch")
        for metric, key in (("Invocations", "invocations_24h"), ("Errors", "errors_24h")):
            try:
                points = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName=metric,
                                                  Dimensions=[{"Name": "FunctionName", "Value": name}],
                                                  StartTime=now - dt.timedelta(days=1), EndTime=now, Period=86400,
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
    for key, url in sorted(st["urls"].items()):
        rows.append((f"URL ({key})", url))
    for key in sorted(k for k in st if k not in {"stage", "urls", "url", "policy", "tags", "environment_variables",
                                                   "layers", "alias", "code_sha256", "state"} and k not in dict(rows)):
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


# -- invoke / manage ------------------------------------------------------------------------------------


def _invoke(ctx: Any, settings: Any, payload: dict, *, qualifier: str | None, client_context: str | None,
            no_color: bool) -> dict:
    from zappa_core.engine import describe_aws_error
    from zappa_core.retry import is_aws_error, is_not_found

    dctx = deploy_context(ctx, settings, "invoke")
    kwargs: dict[str, Any] = {"FunctionName": settings.function_name, "InvocationType": "RequestResponse",
                              "LogType": "Tail", "Payload": json.dumps(payload).encode()}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    if client_context:
        kwargs["ClientContext"] = base64.b64encode(client_context.encode()).decode()
    try:
        response = dctx.aws.client("lambda").invoke(**kwargs)
    except Exception as exc:
        if is_aws_error(exc) and is_not_found(exc):
            raise ZappaError(f"stage '{settings.stage}' is not deployed (no function {settings.function_name})") from exc
        if is_aws_error(exc):
            raise AwsError(f"invoke {settings.function_name}: {describe_aws_error(exc)}") from exc
        raise
    body = response["Payload"].read().decode("utf-8", "replace")
    log = base64.b64decode(response["LogResult"]).decode("utf-8", "replace") if response.get("LogResult") else ""
    try:
        result: Any = json.loads(body) if body else None
    except ValueError:
        result = body
    error = response.get("FunctionError")
    out = {"stage": settings.stage, "status_code": response.get("StatusCode"), "function_error": error,
           "log": log, "result": result}
    if not ctx.json:
        from zappa_core.commands import invoke_output

        failure = result if error and invoke_output.is_error_payload(result) else None
        if log and not ctx.quiet:
            print("\n".join(invoke_output.log_lines(log, not no_color, failure)))
        if failure:
            lines = invoke_output.app_traceback(failure)
            if lines:
                print("\n".join(lines), file=sys.stderr)
        else:
            print(result if isinstance(result, str) else json.dumps(result, indent=2))
    if error:
        if ctx.json:
            ctx.emit_json(out)
        from zappa_core.commands.invoke_output import error_message

        raise ZappaError(error_message(result, error))
    return out


def invoke(ctx: Any, function_path: str | None = None, raw: bool = False, no_color: bool = False,
           client_context: str | None = None, qualifier: str | None = None, payload: str | None = None, **_: Any) -> int:
    if payload is not None:
        try:
            event = json.loads(payload)
        except ValueError as exc:
            raise UsageError(f"--payload is not JSON: {exc}") from exc
    elif function_path and raw:
        event = {"raw_command": function_path}
    elif function_path:
        event = {"command": function_path}
    else:
        raise UsageError("give FUNCTION_PATH (module.function), --raw \"python source\" or --payload JSON")
    return for_each_stage(ctx, "invoke", lambda s: _invoke(ctx, s, event, qualifier=qualifier,
                                                           client_context=client_context, no_color=no_color))


def manage(ctx: Any, command_rest: list[str] | None = None, no_color: bool = False, client_context: str | None = None,
           qualifier: str | None = None, **_: Any) -> int:
    words = [w for part in (command_rest or []) for w in part.split()]
    if not words:
        raise UsageError("give the management command, e.g. zappa manage dev \"migrate --noinput\"")

    def run(settings: Any) -> dict:
        if not settings.django_settings:
            raise UsageError(f"stage '{settings.stage}': 'manage' is for Django projects ('django_settings' is not set)")
        return _invoke(ctx, settings, {"manage": " ".join(words)}, qualifier=qualifier,
                       client_context=client_context, no_color=no_color)

    return for_each_stage(ctx, "manage", run)
