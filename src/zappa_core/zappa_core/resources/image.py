"""Container-image functions (``deploy -d/--docker-image-uri``, ``update -d``): the function's code is an image in
ECR (``PackageType: Image``) instead of a zip.

The image holds the handler, the runtime and the settings module (``zappa save-python-settings-file``), so the
keys that describe a zip's code do not apply: ``Handler`` and ``Runtime`` come from the image, and Lambda takes
no layers and no SnapStart for images. Every other setting (memory, timeout, role, environment, VPC, ...)
still does. Lambda cannot change a function's package type: a zip stage stays a zip stage."""

from __future__ import annotations

from typing import Any

from zappa_core.errors import UsageError

#: Configuration keys that only a zip function has.
ZIP_ONLY = ("Handler", "Runtime", "Layers", "SnapStart")
#: Settings an image deployment refuses, with the reason.
REFUSED = {
    "slim_handler": "the image holds the whole project; a project archive from S3 would replace the image's code",
    "dependencies_layer": "Lambda attaches no layers to container images: install the dependencies in the image",
    "layers": "Lambda attaches no layers to container images: copy their content into the image",
}


def image_uri(ctx: Any) -> str | None:
    """The image this command deploys (``-d``), or None for a zip package."""
    return (getattr(ctx, "options", None) or {}).get("image_uri")


def check_image_settings(settings: Any) -> None:
    """Refuse the settings that cannot work with a container image (exit 2, before any AWS call)."""
    problems = [f"'{key}': {why}" for key, why in REFUSED.items() if getattr(settings, key, None)]
    if problems:
        raise UsageError(f"stage '{settings.stage}': --docker-image-uri cannot be used with " + "; ".join(problems),
                         hint="remove these settings from the stage (or use a stage of its own for the image)")


def check_package_type(settings: Any, remote: dict | None, uri: str | None) -> None:
    """The deployed function's package type must be the one this command deploys."""
    if remote is None:
        return
    current = remote.get("Configuration", {}).get("PackageType") or "Zip"
    if current == "Image" and not uri:
        raise UsageError(f"stage '{settings.stage}' runs a container image ({image_of(remote)})",
                         hint=f"update it with the new image: zappa update {settings.stage} -d <image URI>")
    if current != "Image" and uri:
        raise UsageError(f"stage '{settings.stage}' runs a zip package, and Lambda cannot turn a function into an "
                         "image function", hint=f"undeploy it first, then: zappa deploy {settings.stage} -d {uri}")


def image_of(remote: dict | None) -> str | None:
    return ((remote or {}).get("Code") or {}).get("ImageUri")


def zip_only_removed(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ZIP_ONLY}


def code_argument(ctx: Any, bucket: str | None, key: str | None) -> dict[str, Any]:
    """``create_function``'s code arguments: the image, or the package in S3."""
    uri = image_uri(ctx)
    if uri:
        return {"Code": {"ImageUri": uri}, "PackageType": "Image"}
    return {"Code": {"S3Bucket": bucket, "S3Key": key}}


def code_update(ctx: Any, bucket: str | None, key: str | None) -> dict[str, Any]:
    """``update_function_code``'s code arguments."""
    uri = image_uri(ctx)
    return {"ImageUri": uri} if uri else {"S3Bucket": bucket, "S3Key": key}
