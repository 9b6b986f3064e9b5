"""``core:project-archive``: the ``slim_handler`` project archive in the code bucket, content-addressed
(``<function>/<sha256>.tar.gz``, beside the packages).

Each package's manifest names the archive it was built with, so every function version (and a rollback to
it) loads its own project. An archive already in S3 with the same digest is not uploaded again. The
package's S3 object records its archive (metadata ``project-archive``), so pruning keeps exactly the
archives of the packages that retained versions still run; ``undeploy`` removes them with the packages
(``core:code`` deletes the stage's prefix, and nothing else)."""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.errors import UsageError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep
from zappa_core.resources.util import archive_key, human_bytes, short, upload_file

MIB = 1024 * 1024
ARCHIVE_SUFFIX = ".tar.gz"
ARCHIVE_META = "project-archive"  # on a package's S3 object: the sha256 of the archive it loads


def head(ctx: DeployContext, bucket: str, key: str) -> dict | None:
    """``head_object``, or None when the object (or the bucket) does not exist."""
    try:
        return ctx.aws.client("s3").head_object(Bucket=bucket, Key=key)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise


def check_fits_tmp(settings: Any, unpacked: int) -> None:
    """The project must fit into Lambda's ``/tmp`` (``ephemeral_storage``): a usage error before any upload."""
    size = int((settings.ephemeral_storage or {}).get("Size", 512))
    if unpacked > size * MIB:
        need = -(-unpacked // MIB)
        raise UsageError(f"slim_handler: the project unpacks to {need} MiB, more than /tmp holds "
                         f"(ephemeral_storage: {size} MiB)",
                         hint=f'set "ephemeral_storage": {{"Size": {min(10240, need + 128)}}} in the stage (512 to '
                              "10240 MiB), or leave large files out of the project ('exclude')")


class ProjectArchiveStep(ResourceStep):
    id = "core:project-archive"
    depends_on = ("core:bucket",)

    def plan(self, ctx: DeployContext) -> Change:
        details = getattr(ctx.package, "details", None) or {}
        bucket = ctx.settings.s3_bucket
        if not details.get("slim_archive"):
            return Change(self.id, Action.UNCHANGED, "project archive", ["slim_handler is off"], empty=True,
                          outputs={"sha256": None})
        sha = details["slim_archive_sha256"]
        unpacked = int(details.get("slim_archive_unpacked") or 0)
        check_fits_tmp(ctx.settings, unpacked)
        key = archive_key(ctx.function_name, sha)
        resource = f"s3://{bucket}/{key}"
        if details.get("slim_archive_url", resource) != resource:  # a zip built for another stage or bucket
            raise UsageError(f"the package loads its project from {details['slim_archive_url']}, not from {resource}",
                             hint=f"build the package for this stage: zappa package {ctx.settings.stage}")
        outputs = {"bucket": bucket, "s3_key": key, "sha256": sha, "uploaded": False, "bytes": 0}
        size = int(details.get("slim_archive_size") or 0)
        what = f"{human_bytes(size)}, unpacks to {human_bytes(unpacked)} in /tmp at cold start"
        if ctx.options.get("no_upload"):
            return Change(self.id, Action.UNCHANGED, resource, ["not uploaded (--no-upload)"], outputs=outputs)
        found = head(ctx, bucket, key)
        if found is not None and (found.get("Metadata") or {}).get("sha256") == sha:
            return Change(self.id, Action.UNCHANGED, resource, [f"already uploaded (sha256 {short(sha)}, {what})"],
                          outputs=outputs)
        return Change(self.id, Action.CREATE, resource, [f"upload the project archive: {what} (sha256 {short(sha)})"],
                      data={"bucket": bucket, "key": key, "path": str(details["slim_archive"]), "sha256": sha},
                      outputs=outputs)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        data = change.data
        sent = upload_file(ctx, data["path"], data["bucket"], data["key"], {"Metadata": {"sha256": data["sha256"]}})
        ctx.outputs.setdefault(self.id, {}).update(
            {"bucket": data["bucket"], "s3_key": data["key"], "sha256": data["sha256"], "uploaded": True, "bytes": sent})

    def plan_destroy(self, ctx: DeployContext) -> Change:
        return Change(self.id, Action.UNCHANGED, "project archives", ["removed with the packages (core:code)"],
                      empty=True)

    def destroy(self, ctx: DeployContext, change: Change) -> None:  # pragma: no cover - never planned
        return None


def package_metadata(ctx: DeployContext) -> dict[str, str]:
    """Metadata for the package's S3 object: the archive its manifest loads (``slim_handler``)."""
    sha = (ctx.outputs.get(ProjectArchiveStep.id) or {}).get("sha256")
    return {ARCHIVE_META: sha} if sha else {}


def stale_keys(ctx: DeployContext, bucket: str, prefix: str, keys: list[str], used: set[str | None]) -> list[str]:
    """Of the stage's objects ``keys``, those no kept package needs: packages whose sha256 is not in ``used``,
    and project archives that no kept package loads (nor the archive being deployed)."""
    kept_archives = {(ctx.outputs.get(ProjectArchiveStep.id) or {}).get("sha256")}
    archives = [k for k in keys if k.endswith(ARCHIVE_SUFFIX)]
    stale = []
    for key in keys:
        if key in archives:
            continue
        if key[len(prefix):].removesuffix(".zip") in used:
            if archives:
                found = head(ctx, bucket, key)
                kept_archives.add(((found or {}).get("Metadata") or {}).get(ARCHIVE_META))
        else:
            stale.append(key)
    stale += [k for k in archives if k[len(prefix):].removesuffix(ARCHIVE_SUFFIX) not in kept_archives]
    return stale


def live_archive(ctx: DeployContext, code_sha256_hex: str | None) -> dict | None:
    """The project archive the package ``code_sha256_hex`` loads: ``{"url", "sha256", "bytes"}``, or None."""
    from zappa_core.resources.util import code_key

    bucket = ctx.settings.s3_bucket
    if not (bucket and code_sha256_hex):
        return None
    found = head(ctx, bucket, code_key(ctx.function_name, code_sha256_hex))
    sha = ((found or {}).get("Metadata") or {}).get(ARCHIVE_META)
    if not sha:
        return None
    key = archive_key(ctx.function_name, sha)
    archive = head(ctx, bucket, key)
    return {"url": f"s3://{bucket}/{key}", "sha256": sha,
            "bytes": archive.get("ContentLength") if archive else None, "present": archive is not None}
