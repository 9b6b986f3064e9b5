"""``core:dependencies-layer``: with ``dependencies_layer``, the stage's dependencies as a Lambda layer
(``<function>-dependencies``), attached before the user's own ``layers``.

A layer version is published only when the dependencies changed: each version's description carries a key
made of the layer zip's sha256 (the dependency set, file by file) and the target platform (runtime and
architecture), and a version with the same key is reused. So an app-only change uploads the function zip
alone. Layer versions that no retained function version uses any more are deleted when versions are pruned;
``undeploy`` deletes them all."""

from __future__ import annotations

import hashlib
from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.errors import UsageError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep
from zappa_core.resources.util import code_prefix, human_bytes, short, upload_file

STEP_ID = "core:dependencies-layer"
MAX_LAYERS = 5  # Lambda's limit per function
NEXT = "(next)"  # the version number of a layer version not published yet, in plans


def layer_name(function_name: str) -> str:
    return f"{function_name}-dependencies"


def layer_key(settings: Any, layer_sha256: str) -> str:
    """What identifies a dependencies layer: its content and the platform it was built for."""
    text = f"{layer_sha256}|{settings.runtime}|{settings.architecture}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def is_dependencies_layer(function_name: str, arn: str | None) -> bool:
    """``arn:...:layer:<function>-dependencies:<version>``."""
    parts = (arn or "").split(":")
    return len(parts) == 8 and parts[5] == "layer" and parts[6] == layer_name(function_name)


def layer_versions(ctx: DeployContext) -> list[dict]:
    """Every version of the stage's dependencies layer (newest first); empty when there is none."""
    lam = ctx.aws.client("lambda")
    found: list[dict] = []
    try:
        for page in lam.get_paginator("list_layer_versions").paginate(LayerName=layer_name(ctx.function_name)):
            found.extend(page.get("LayerVersions", []) or [])
    except Exception as exc:
        if is_not_found(exc):
            return []
        raise
    return sorted(found, key=lambda v: -int(v.get("Version", 0)))


def attached_layer(ctx: DeployContext, conf: dict | None) -> str | None:
    """The dependencies layer attached to a function configuration."""
    for layer in (conf or {}).get("Layers") or []:
        if is_dependencies_layer(ctx.function_name, layer.get("Arn")):
            return layer["Arn"]
    return None


def function_layers(ctx: DeployContext) -> tuple[str, ...]:
    """The layers the function should have: the dependencies layer (when there is one), then ``layers``."""
    arn = (ctx.outputs.get(STEP_ID) or {}).get("layer_version_arn")
    return ((arn,) if arn else ()) + tuple(ctx.settings.layers or ())


class DependenciesLayerStep(ResourceStep):
    id = STEP_ID
    depends_on = ("core:bucket",)
    follows_code = False  # the dependencies, not the app: update's fingerprint covers the layer's content

    def plan(self, ctx: DeployContext) -> Change:
        settings = ctx.settings
        name = layer_name(ctx.function_name)
        layer = getattr(ctx.package, "layer", None)
        if not settings.dependencies_layer:
            return Change(self.id, Action.UNCHANGED, f"layer {name}", ["dependencies_layer is off"], empty=True,
                          outputs={"layer_version_arn": None})
        if len(settings.layers or ()) >= MAX_LAYERS:
            raise UsageError(f"dependencies_layer needs one of Lambda's {MAX_LAYERS} layers per function, and "
                             f"'layers' already lists {len(settings.layers)}", hint="remove a layer, or dependencies_layer")
        if layer is None or ctx.options.get("no_upload"):
            # no dependencies to publish (or --no-upload): the function keeps the layer it has
            from zappa_core.resources.code import remote_function

            current = attached_layer(ctx, (remote_function(ctx) or {}).get("Configuration"))
            why = "not published (--no-upload)" if layer is not None else "no dependencies besides the runtime's"
            return Change(self.id, Action.UNCHANGED, f"layer {name}", [why], outputs={"layer_version_arn": current})
        key = layer_key(settings, layer.sha256)
        platform = f"{settings.runtime} {settings.architecture}"
        for version in layer_versions(ctx):
            if key in (version.get("Description") or ""):
                return Change(self.id, Action.UNCHANGED, f"layer {name}",
                              [f"version {version['Version']} holds these dependencies (sha256 {short(layer.sha256)}, "
                               f"{platform})"], outputs={"layer_version_arn": version["LayerVersionArn"],
                                                         "published": False, "bytes": 0})
        return Change(self.id, Action.CREATE, f"layer {name}",
                      [f"publish a layer version: {human_bytes(layer.size)}, {layer.files} files "
                       f"(sha256 {short(layer.sha256)}, {platform})"],
                      data={"name": name, "key": key, "path": str(layer.path), "sha256": layer.sha256},
                      outputs={"layer_version_arn": f"{ctx.arn('lambda', f'layer:{name}')}:{NEXT}", "published": True,
                               "bytes": layer.size})

    def apply(self, ctx: DeployContext, change: Change) -> None:
        data = change.data
        settings = ctx.settings
        bucket = settings.s3_bucket
        key = f"{code_prefix(ctx.function_name)}{data['sha256']}.layer.zip"
        sent = upload_file(ctx, data["path"], bucket, key, {"Metadata": {"sha256": data["sha256"]}})
        s3 = ctx.aws.client("s3")
        try:
            published = ctx.aws.client("lambda").publish_layer_version(
                LayerName=data["name"], Content={"S3Bucket": bucket, "S3Key": key},
                Description=f"zappa: dependencies of {ctx.function_name} ({settings.runtime} "
                            f"{settings.architecture}), key {data['key']}",
                CompatibleRuntimes=[settings.runtime], CompatibleArchitectures=[settings.architecture])
        finally:
            s3.delete_object(Bucket=bucket, Key=key)  # Lambda keeps its own copy of the layer's content
        ctx.outputs.setdefault(self.id, {}).update(
            {"layer_version_arn": published["LayerVersionArn"], "published": True, "bytes": sent})

    def plan_destroy(self, ctx: DeployContext) -> Change:
        name = layer_name(ctx.function_name)
        versions = [v["Version"] for v in layer_versions(ctx)]
        if not versions:
            return Change(self.id, Action.UNCHANGED, f"layer {name}", ["no layer versions"], empty=True)
        return Change(self.id, Action.DELETE, f"layer {name}", [f"{len(versions)} layer version(s)"],
                      data={"name": name, "versions": versions})

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        delete_layer_versions(ctx, change.data["name"], change.data["versions"])


def delete_layer_versions(ctx: DeployContext, name: str, versions: list[int]) -> None:
    lam = ctx.aws.client("lambda")
    for version in versions:
        try:
            lam.delete_layer_version(LayerName=name, VersionNumber=int(version))
        except Exception as exc:
            if not is_not_found(exc):
                raise


def unused_layer_versions(ctx: DeployContext, function_versions: list[dict]) -> list[int]:
    """Versions of the dependencies layer that none of ``function_versions`` (the retained versions and
    ``$LATEST``) uses, nor the one being deployed."""
    used = {attached_layer(ctx, conf) for conf in function_versions}
    used.add((ctx.outputs.get(STEP_ID) or {}).get("layer_version_arn"))
    return [v["Version"] for v in layer_versions(ctx) if v["LayerVersionArn"] not in used]


def prune_layers(ctx: DeployContext, function_versions: list[dict]) -> None:
    """Delete the layer versions no retained function version uses (after the function's versions were pruned)."""
    doomed = unused_layer_versions(ctx, function_versions)
    if doomed:
        delete_layer_versions(ctx, layer_name(ctx.function_name), doomed)
