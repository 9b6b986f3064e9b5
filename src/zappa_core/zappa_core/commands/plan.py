"""``zappa plan``: what a deploy or update (or, with ``--destroy``, an undeploy) would change, changing nothing."""

from __future__ import annotations

from typing import Any

from zappa_core.callbacks import CallbackTarget
from zappa_core.commands.code_source import build_package, check_image_options
from zappa_core.commands.stages import apply_overrides, deploy_context, for_each_stage, read_aws, require_bucket
from zappa_core.resources.image import check_package_type


def plan(ctx: Any, destroy: bool = False, docker_image_uri: str | None = None, **_: Any) -> int:
    from zappa_core.engine import Engine
    from zappa_core.resources.code import remote_function

    if not destroy:
        check_image_options(ctx, docker_image_uri, None)

    def run(settings: Any) -> dict:
        apply_overrides(ctx, settings)
        dctx = deploy_context(ctx, settings, "plan", remove_logs=False, image_uri=docker_image_uri)
        if not destroy:
            if not docker_image_uri:
                require_bucket(settings)
            check_package_type(settings, read_aws(f"reading function {settings.function_name}",
                                               lambda: remote_function(dctx)), docker_image_uri)
        if not destroy and not docker_image_uri:
            dctx.package = build_package(ctx, settings, CallbackTarget(ctx, settings, "package"))
        result = Engine(dctx).plan(destroy=destroy)
        if not ctx.json and not ctx.quiet:
            print(result.render())
        return result.to_json()

    return for_each_stage(ctx, "plan", run)
