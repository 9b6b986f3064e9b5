"""What ``zappa status`` says about the live version's code: a zip or a container image, the ``slim_handler``
project archive it loads, the dependencies layer it runs with."""

from __future__ import annotations

from typing import Any

from zappa_core.plan import DeployContext
from zappa_core.resources.archive import live_archive
from zappa_core.resources.image import image_of
from zappa_core.resources.layer import attached_layer
from zappa_core.resources.util import b64_to_hex


def package_status(ctx: DeployContext, remote: dict, live_version: str | None) -> dict[str, Any]:
    conf = remote["Configuration"]
    out: dict[str, Any] = {"package_type": conf.get("PackageType") or "Zip"}
    if out["package_type"] == "Image":
        out["image_uri"] = image_of(remote)
        return out
    live = conf
    if live_version and live_version != conf.get("Version"):
        live = ctx.aws.client("lambda").get_function_configuration(FunctionName=ctx.function_name,
                                                                    Qualifier=live_version)
    if ctx.settings.slim_handler:
        out["project_archive"] = live_archive(ctx, b64_to_hex(live.get("CodeSha256")))
    layer = attached_layer(ctx, live)
    if layer or ctx.settings.dependencies_layer:
        out["dependencies_layer"] = layer
    return out
