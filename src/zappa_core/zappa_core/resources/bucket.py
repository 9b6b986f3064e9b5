"""``core:bucket``: the code bucket (``s3_bucket``), created when missing: encrypted, public access blocked.

The bucket is shared by stages (and often by projects), so ``undeploy`` never deletes it; the stage's own
objects are removed by ``core:code``."""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import error_code, http_status, is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep


class BucketStep(ResourceStep):
    id = "core:bucket"
    follows_code = False
    depends_on = ()

    def plan(self, ctx: DeployContext) -> Change:
        bucket = ctx.settings.s3_bucket
        outputs = {"bucket": bucket}
        if ctx.options.get("s3_zip") or ctx.options.get("image_uri"):
            why = "the package is already in S3" if ctx.options.get("s3_zip") else "the code is a container image"
            return Change(self.id, Action.UNCHANGED, f"S3 bucket {bucket}", [f"not used: {why}"], outputs=outputs)
        s3 = ctx.aws.client("s3")
        try:
            s3.head_bucket(Bucket=bucket)
        except Exception as exc:
            if is_not_found(exc):
                return Change(self.id, Action.CREATE, f"S3 bucket {bucket}",
                              ["encryption: AES256 by default", "public access: blocked"], data={"bucket": bucket, "create": True},
                              outputs=outputs)
            if http_status(exc) == 403 or error_code(exc) in ("403", "AccessDenied"):
                raise AwsError(f"step 'core:bucket': S3 bucket '{bucket}' exists but these credentials may not use it",
                               hint="bucket names are global: choose another 's3_bucket', or grant access to it") from exc
            raise
        missing = self._missing_protection(s3, bucket)
        if missing:
            return Change(self.id, Action.UPDATE, f"S3 bucket {bucket}", [f"{m}: none -> set" for m in missing],
                          data={"bucket": bucket, "create": False, "missing": missing}, outputs=outputs)
        return Change(self.id, Action.UNCHANGED, f"S3 bucket {bucket}", outputs=outputs)

    @staticmethod
    def _missing_protection(s3: Any, bucket: str) -> list[str]:
        """Protections that a bucket has no configuration for at all (AWS gives new buckets both; an older
        bucket, or one whose creation was interrupted, may lack them). An explicit configuration, whatever
        it says, is the owner's choice and is left alone."""
        missing = []
        for name, call, absent in (
            ("encryption", lambda: s3.get_bucket_encryption(Bucket=bucket), "ServerSideEncryptionConfigurationNotFoundError"),
            ("public access block", lambda: s3.get_public_access_block(Bucket=bucket), "NoSuchPublicAccessBlockConfiguration"),
        ):
            try:
                call()
            except Exception as exc:
                if error_code(exc) != absent:
                    raise
                missing.append(name)
        return missing

    def apply(self, ctx: DeployContext, change: Change) -> None:
        s3 = ctx.aws.client("s3")
        bucket = change.data["bucket"]
        missing = change.data.get("missing", ["encryption", "public access block"])
        if change.data.get("create", True):
            kwargs: dict = {"Bucket": bucket}
            region = ctx.region
            if region and region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            try:
                s3.create_bucket(**kwargs)
            except Exception as exc:
                if error_code(exc) != "BucketAlreadyOwnedByYou":
                    raise
        if "encryption" in missing:
            s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        if "public access block" in missing:
            s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        ctx.outputs.setdefault(self.id, {})["bucket"] = bucket

    def plan_destroy(self, ctx: DeployContext) -> Change:
        return Change(self.id, Action.UNCHANGED, f"S3 bucket {ctx.settings.s3_bucket}",
                      ["kept (shared by stages); the stage's objects are removed by core:code"])

    def destroy(self, ctx: DeployContext, change: Change) -> None:  # pragma: no cover - never planned
        return None
