"""``zappa deploy`` and ``zappa update``: package, plan and apply a stage, then touch its URL."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from zappa_core.callbacks import CallbackTarget, run_callback
from zappa_core.commands.code_source import build_package, check_image_options, package_from_zip, s3_zip_option
from zappa_core.commands.fingerprint import (
    CODE,
    EVERYTHING,
    FINGERPRINT_TAG,
    NOTHING,
    changes_since_last_update,
    stage_fingerprint,
)
from zappa_core.commands.stages import (
    apply_overrides,
    deploy_context,
    for_each_stage,
    read_aws,
    require_bucket,
    stage_status_from_plugins,
)
from zappa_core.commands.touch import primary_url, touch
from zappa_core.errors import ZappaError
from zappa_core.resources.image import check_package_type


def provision(ctx: Any, settings: Any, command: str, *, zip: str | None = None, no_upload: bool = False,
              refresh: bool = False, image_uri: str | None = None) -> dict:
    """Package, plan and apply one stage (``deploy`` or ``update``).

    ``update`` reads only the function when the package and every setting are those of the last successful
    update and the function has not drifted (``--refresh`` reads everything anyway; ``zappa plan`` always
    does)."""
    from zappa_core.engine import Engine, command_line
    from zappa_core.resources.code import remote_function
    from zappa_core.resources.util import INCOMPLETE_TAG

    started, read_since = time.perf_counter(), time.time()
    apply_overrides(ctx, settings)
    s3_zip = s3_zip_option(zip)
    target = CallbackTarget(ctx, settings, command)
    changed = run_callback(settings, "settings", target)
    if changed is not settings:  # the callback changed the stage's values: use them, validated again
        settings = changed
        apply_overrides(ctx, settings)
    if not s3_zip and not image_uri:
        require_bucket(settings)
    dctx = deploy_context(ctx, settings, command, no_upload=no_upload, s3_zip=s3_zip, zip=zip, image_uri=image_uri)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="zappa-provision") as pool:
        # Building the package is local work, reading AWS is waiting: both at once.
        built_here = not zip and not s3_zip and not image_uri  # the builder runs the 'zip' callback itself
        package = pool.submit(build_package, ctx, settings, target) if built_here else None
        remote = read_aws(f"reading function {settings.function_name}", lambda: remote_function(dctx),
                       hint=f"nothing is lost: run '{command_line(command, settings.stage, dctx)}' again")
        if command == "deploy" and remote is not None and INCOMPLETE_TAG not in (remote.get("Tags") or {}):
            raise ZappaError(f"stage '{settings.stage}' is already deployed (function {settings.function_name})",
                             hint=f"did you mean: {command_line('update', settings.stage, dctx)}")
        if command == "update" and remote is None:
            raise ZappaError(f"stage '{settings.stage}' is not deployed (no function {settings.function_name} in "
                             f"{dctx.region})", hint=f"deploy it first: {command_line('deploy', settings.stage, dctx)}")
        check_package_type(settings, remote, image_uri)
        if command == "update":
            settle_rollout(dctx, settings, (remote or {}).get("Tags") or {})
        if zip and not s3_zip:
            dctx.package = package_from_zip(zip)
        elif package is not None:
            dctx.package = package.result()
        if dctx.package is not None:
            target.zip_path = str(dctx.package.path)
        fingerprint = stage_fingerprint(ctx, settings, dctx.package) if built_here else None
        changed = (changes_since_last_update(dctx, remote, fingerprint) if command == "update" and not refresh
                   and not no_upload and fingerprint is not None and remote is not None else EVERYTHING)
        fast = changed == NOTHING
        if fast:
            from zappa_core.engine import Plan
            from zappa_core.plan import FunctionOutputs
            from zappa_core.resources.function import get_alias

            plan = Plan(stage=settings.stage, function_name=settings.function_name)
            live = read_aws("reading the live version", lambda: get_alias(dctx),
                         hint=f"nothing is lost: run '{command_line(command, settings.stage, dctx)}' again") if ctx.json else None
            dctx.publish_function(FunctionOutputs(function_name=settings.function_name,
                                                  function_arn=remote["Configuration"].get("FunctionArn"),
                                                  version=live.get("FunctionVersion") if live else None))
            # nothing changed, so nothing to touch: the URLs are read only for --json's answer
            status = stage_status_from_plugins(dctx) if ctx.json else {"urls": {}}
        else:
            # The plugins' status (URLs) is read while planning; when nothing changes it is already the answer.
            early_status = pool.submit(stage_status_from_plugins, dctx) if command == "update" else None
            engine = Engine(dctx)
            # only the code changed: the other steps are as the last update left them (the URLs too)
            left_out = engine.narrow_to_code() if changed == CODE else 0
            plan = engine.plan()
            verb = "Deploying" if command == "deploy" else "Updating"
            unchanged = "only the code changed" if left_out else f"{plan.counts()['unchanged']} unchanged"
            ctx.echo(f"{verb} {settings.function_name} ({len(plan.pending)} change(s), {unchanged})")
            engine.apply(plan)
            status = early_status.result() if early_status is not None and (left_out or not plan.has_changes) else None
            lam = dctx.aws.client("lambda")
            done = dctx.function
            recorded = ((remote or {}).get("Tags") or {}).get(FINGERPRINT_TAG)
            if fingerprint and done is not None and (plan.has_changes or recorded != fingerprint):
                read_aws("recording what was deployed", lambda: lam.tag_resource(
                    Resource=done.function_arn, Tags={FINGERPRINT_TAG: fingerprint}),
                      hint=f"everything is deployed; run '{command_line(command, settings.stage, dctx)}' again to finish")
    rolled_out = run_rollout(dctx, settings)
    out = dctx.function
    if status is None:
        status = stage_status_from_plugins(dctx)
    urls = status.get("urls") or {}
    touched = None
    if settings.touch and urls and not fast:
        touched = touch(settings, urls, ctx.echo, local=dctx.local, dctx=dctx)
    if built_here and settings.delete_local_zip and dctx.package is not None:
        Path(dctx.package.path).unlink(missing_ok=True)
    run_callback(settings, "post", target)
    if out is not None and out.incomplete:  # only now: a deploy whose app fails its touch, or callback, is re-run
        read_aws("marking the deploy complete", lambda: dctx.aws.client("lambda").untag_resource(
            Resource=out.function_arn, TagKeys=[INCOMPLETE_TAG]),
              hint=f"everything is deployed; run '{command_line(command, settings.stage, dctx)}' again to finish")
    uploads = [dctx.outputs.get(step) or {} for step in ("core:code", "core:project-archive", "core:dependencies-layer")]
    code = uploads[0]
    seconds = time.perf_counter() - started
    url = primary_url(urls)
    if rolled_out is not None:
        if rolled_out.decision != "promoted":
            raise ZappaError(f"version {rolled_out.rollout.new} was rolled back: {rolled_out.reason}",
                             hint=f"version {rolled_out.rollout.old} serves the stage; fix the app and run "
                                  f"'{command_line(command, settings.stage, dctx)}' again")
    elif command == "deploy":
        ctx.echo(f"Deployment complete{'!: ' + url if url else ': ' + str(out and out.function_arn)} ({seconds:.1f}s)")
    elif plan.has_changes:
        ctx.echo(f"Your updated deployment is live{'!: ' + url if url else ': version ' + str(out and out.version)} ({seconds:.1f}s)")
    else:
        ctx.echo(f"Nothing to update: the stage already runs this package and these settings ({seconds:.1f}s)")
    if built_here and rolled_out is None:
        record_receipt(ctx, dctx, settings, read_since)
    return {
        "stage": settings.stage, "command": command, "function_name": settings.function_name,
        "function_arn": out and out.function_arn, "version": out and out.version, "alias": out and out.alias,
        "urls": urls, "url": url, "uploaded": bool(code.get("uploaded")),
        "bytes_uploaded": sum(int(u.get("bytes") or 0) for u in uploads if u.get("uploaded") or u.get("published")),
        "layer_published": bool(uploads[2].get("published")),
        "sha256": code.get("sha256"), "changes": [c.to_json() for c in plan.changes if c.changes_something],
        "touch": touched, "seconds": round(seconds, 3), "rollout": rolled_out.to_json() if rolled_out else None,
    }


def record_receipt(ctx: Any, dctx: Any, settings: Any, read_since: float) -> None:
    """Let the next ``update`` with nothing to do answer from a receipt (:mod:`zappa_core.receipts`): only for
    what the receipt can stand for. A callback or a plugin from elsewhere may read anything, a package built
    by a plugin has no known sources, and credentials other than static keys cannot be read without botocore."""
    from zappa_core import receipts

    package = dctx.package
    if settings.callbacks or package is None or not package.sources or not receipts.only_own_plugins(ctx.pm):
        return
    lam = dctx.aws.client("lambda")
    if dctx.local:
        source = "local"
    else:
        found = dctx.aws.botocore_session.get_credentials()
        method = getattr(found, "method", None)
        if method == "env":
            source = "env"
        elif method == "shared-credentials-file":
            source = f"profile:{dctx.aws.profile or os.environ.get('AWS_PROFILE') or 'default'}"
        else:
            return
    remote = {"function": settings.function_name, "endpoint": lam.meta.endpoint_url, "region": lam.meta.region_name,
              "credentials": source}
    receipts.write_receipt(str(settings.project_dir), settings.stage, dctx.local, remote,
                           [*package.sources, *receipts.loaded_sources()], read_since)


def settle_rollout(dctx: Any, settings: Any, tags: dict[str, str]) -> None:
    """Before an update: the alarms a gradual deployment watches exist, and a rollout an earlier command left
    under way is finished first."""
    from zappa_core.engine import command_line
    from zappa_core.rollout.run import pick_up, preflight

    hint = f"nothing new is deployed: run '{command_line('update', settings.stage, dctx)}' again"
    deployment = settings.deployment
    if deployment.gradual:
        read_aws("reading the deployment's alarms", lambda: preflight(dctx, deployment), hint=hint)
    read_aws("finishing an unfinished rollout", lambda: pick_up(dctx, list(deployment.alarms), tags), hint=hint)


def run_rollout(dctx: Any, settings: Any) -> Any:
    """The rollout of the version the function step published without moving the alias, if it did; the
    function's ``version`` is then the one the alias points at after it."""
    function = dctx.function
    if function is None or not function.rollout_to:
        return None
    from dataclasses import replace

    from zappa_core.engine import command_line
    from zappa_core.rollout.run import hold_interrupts, release_interrupts, start, watch

    deployment = settings.deployment
    hint = (f"the rollout is recorded in the alias: 'zappa status {settings.stage}' shows it, "
            f"'{command_line('update', settings.stage, dctx)}' finishes it")
    held = hold_interrupts()
    try:
        rollout = read_aws("starting the rollout", lambda: start(dctx, deployment, function.rollout_from,
                                                                 function.rollout_to), hint=hint)
    except BaseException:
        release_interrupts()
        raise
    outcome = read_aws("watching the rollout", lambda: watch(dctx, rollout, list(deployment.alarms), held=held),
                       hint=hint)
    dctx.publish_function(replace(function, version=rollout.new if outcome.decision == "promoted" else rollout.old))
    return outcome


def deploy(ctx: Any, zip: str | None = None, docker_image_uri: str | None = None, **_: Any) -> int:
    check_image_options(ctx, docker_image_uri, zip)
    return for_each_stage(ctx, "deploy", lambda s: provision(ctx, s, "deploy", zip=zip, image_uri=docker_image_uri))


def update(ctx: Any, zip: str | None = None, no_upload: bool = False, docker_image_uri: str | None = None,
           refresh: bool = False, canary: float | None = None, interval: str | None = None, **_: Any) -> int:
    from zappa_core.rollout.overrides import override_deployment

    check_image_options(ctx, docker_image_uri, zip)

    def one(settings: Any) -> dict:
        override_deployment(settings, canary, interval)
        return provision(ctx, settings, "update", zip=zip, no_upload=no_upload, refresh=refresh, image_uri=docker_image_uri)

    return for_each_stage(ctx, "update", one)
