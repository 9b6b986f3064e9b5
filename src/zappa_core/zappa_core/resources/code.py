"""``core:code``: the Lambda package in the code bucket, at a content-addressed key
(``<function>/<sha256>.zip``).

Nothing is uploaded when the object is already in S3 with the package's ``sha256`` metadata (the function
runs it, or a re-run after a failure). A package the function runs whose zip is gone (the bucket emptied or
deleted by hand) is uploaded again: rollback needs it."""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.plan import Action, Change, DeployContext, ResourceStep
from zappa_core.resources.util import (
    code_key,
    code_prefix,
    hex_to_b64,
    human_bytes,
    short,
    upload_file,
)


def remote_function(ctx: DeployContext) -> dict | None:
    """``get_function`` of the stage's function, or None when it does not exist."""
    try:
        remote = ctx.aws.client("lambda").get_function(FunctionName=ctx.function_name)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise
    arn = remote.get("Configuration", {}).get("FunctionArn", "")
    if getattr(ctx, "_account_id", "") is None and arn.count(":") >= 6:
        ctx._account_id = arn.split(":")[4]  # saves an STS call: the function's ARN names the account
    return remote


class CodeStep(ResourceStep):
    id = "core:code"
    depends_on = ("core:bucket", "core:project-archive")

    def iam_statements(self, ctx: DeployContext) -> list[dict]:
        settings = ctx.settings
        statements: list[dict[str, Any]] = []
        if settings.s3_bucket:
            statements.append({"Effect": "Allow", "Action": ["s3:GetObject"],
                               "Resource": f"arn:{ctx.partition}:s3:::{settings.s3_bucket}/{code_prefix(ctx.function_name)}*"})
        remote_env = settings.remote_env or (
            f"s3://{settings.remote_env_bucket}/{settings.remote_env_file}"
            if settings.remote_env_bucket and settings.remote_env_file else None)
        if remote_env and remote_env.startswith("s3://"):
            path = remote_env[len("s3://"):]
            statements.append({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:{ctx.partition}:s3:::{path}"})
        return statements

    def plan(self, ctx: DeployContext) -> Change:
        bucket = ctx.settings.s3_bucket
        s3_zip = ctx.options.get("s3_zip")
        if s3_zip:
            zbucket, zkey = s3_zip
            return Change(self.id, Action.UNCHANGED, f"s3://{zbucket}/{zkey}", ["prebuilt package already in S3 (--zip)"],
                          outputs={"bucket": zbucket, "s3_key": zkey, "sha256": None, "uploaded": False})
        package = ctx.package
        if package is None:
            why = "container image: nothing to upload" if ctx.options.get("image_uri") else "no package built for this command"
            return Change(self.id, Action.UNCHANGED, f"s3://{bucket}/{code_prefix(ctx.function_name)}",
                          [why], outputs={"bucket": bucket, "s3_key": None,
                                                                          "sha256": None, "uploaded": False})
        sha = package.sha256
        key = code_key(ctx.function_name, sha)
        resource = f"s3://{bucket}/{key}"
        outputs = {"bucket": bucket, "s3_key": key, "sha256": sha, "uploaded": False, "bytes": 0}
        if ctx.options.get("no_upload"):
            return Change(self.id, Action.UNCHANGED, resource, ["not uploaded (--no-upload)"],
                          outputs=dict(outputs, s3_key=None))
        remote = remote_function(ctx)
        running = False
        if remote is not None:
            conf = remote["Configuration"]
            same_arch = (conf.get("Architectures") or ["x86_64"])[0] == ctx.settings.architecture
            running = conf.get("CodeSha256") == hex_to_b64(sha) and same_arch
        try:  # even when the function runs this package: rollback needs its zip (a bucket emptied by hand)
            head = ctx.aws.client("s3").head_object(Bucket=bucket, Key=key)
            if (head.get("Metadata") or {}).get("sha256") == sha:
                return Change(self.id, Action.UNCHANGED, resource,
                              [f"{'package unchanged' if running else 'already uploaded'} (sha256 {short(sha)})"],
                              outputs=outputs)
        except Exception as exc:
            if not is_not_found(exc):
                raise
        upload = f"upload {human_bytes(package.size)} (sha256 {short(sha)})"
        return Change(self.id, Action.CREATE, resource,
                      [f"{upload}: the function runs it, its zip is gone from the bucket" if running else upload],
                      data={"bucket": bucket, "key": key, "path": str(package.path), "sha256": sha, "size": package.size},
                      outputs=outputs)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        from zappa_core.resources.archive import package_metadata

        data = change.data
        metadata = {"sha256": data["sha256"], **package_metadata(ctx)}
        sent = upload_file(ctx, data["path"], data["bucket"], data["key"], {"Metadata": metadata})
        ctx.outputs.setdefault(self.id, {}).update(
            {"bucket": data["bucket"], "s3_key": data["key"], "sha256": data["sha256"], "uploaded": True, "bytes": sent})

    def _objects(self, ctx: DeployContext) -> list[str]:
        bucket = ctx.settings.s3_bucket
        s3 = ctx.aws.client("s3")
        keys: list[str] = []
        try:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=code_prefix(ctx.function_name)):
                keys.extend(obj["Key"] for obj in page.get("Contents", []) or [])
        except Exception as exc:
            if is_not_found(exc):
                return []
            raise
        return keys

    def plan_destroy(self, ctx: DeployContext) -> Change:
        bucket = ctx.settings.s3_bucket
        resource = f"s3://{bucket}/{code_prefix(ctx.function_name)}"
        keys = self._objects(ctx) if bucket else []
        if not keys:
            return Change(self.id, Action.UNCHANGED, resource, ["no packages"])
        archives = sum(k.endswith(".tar.gz") for k in keys)
        counts = f"{len(keys) - archives} package(s)" + (f", {archives} project archive(s)" if archives else "")
        return Change(self.id, Action.DELETE, resource, [counts], data={"bucket": bucket, "keys": keys})

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        delete_objects(ctx, change.data["bucket"], change.data["keys"])


def delete_objects(ctx: DeployContext, bucket: str, keys: list[str]) -> None:
    s3 = ctx.aws.client("s3")
    for i in range(0, len(keys), 1000):
        batch = keys[i:i + 1000]
        result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
        errors = [e for e in result.get("Errors", []) or [] if e.get("Code") != "NoSuchKey"]
        if errors:
            first = errors[0]
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": first.get("Code", "DeleteFailed"), "Message": first.get("Message", "")}},
                              "DeleteObjects")


def restore_code(ctx: DeployContext, version: dict) -> bool:
    """Make ``$LATEST`` run the code of the published ``version`` (its configuration) again, from its zip in the
    code bucket. ``False`` when that zip is no longer there (``$LATEST`` keeps its code)."""
    from zappa_core.awserrors import is_aws_error
    from zappa_core.resources.util import b64_to_hex, wait_function_ready

    s = ctx.settings
    name = ctx.function_name
    sha_hex = b64_to_hex(version.get("CodeSha256"))
    if not sha_hex or not s.s3_bucket:
        return False
    key = code_key(name, sha_hex)
    try:
        ctx.aws.client("s3").head_object(Bucket=s.s3_bucket, Key=key)
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        return False
    lam = ctx.aws.client("lambda")
    wait_function_ready(ctx, name)
    lam.update_function_code(FunctionName=name, S3Bucket=s.s3_bucket, S3Key=key, Publish=False,
                             Architectures=version.get("Architectures") or [s.architecture])
    wait_function_ready(ctx, name)
    return True
