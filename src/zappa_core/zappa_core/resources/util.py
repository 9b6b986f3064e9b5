"""Helpers shared by the core's steps: progress display, S3 keys, Lambda waits."""

from __future__ import annotations

import base64
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zappa_core.errors import AwsError
from zappa_core.retry import wait_until

ALIAS = "current"
INCOMPLETE_TAG = "ZappaDeployIncomplete"


def code_prefix(function_name: str) -> str:
    """Every package of a stage lives under ``<function_name>/`` in the code bucket."""
    return f"{function_name}/"


def code_key(function_name: str, sha256_hex: str) -> str:
    """Content-addressed: the same package always has the same key, so a re-run never uploads twice."""
    return f"{code_prefix(function_name)}{sha256_hex}.zip"


def archive_key(function_name: str, sha256_hex: str) -> str:
    """The ``slim_handler`` project archive, content-addressed beside the packages: each version's manifest
    names its own archive, so a rollback loads the project it was built with."""
    return f"{code_prefix(function_name)}{sha256_hex}.tar.gz"


def hex_to_b64(sha256_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


def b64_to_hex(sha256_b64: str | None) -> str | None:
    if not sha256_b64:
        return None
    try:
        return base64.b64decode(sha256_b64).hex()
    except (ValueError, TypeError):
        return None


def short(sha256_hex: str | None) -> str:
    return (sha256_hex or "?")[:12]


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


@contextlib.contextmanager
def spinner(ctx: Any, text: str) -> Iterator[None]:
    """A rich spinner while waiting, when progress display is on."""
    if not getattr(ctx, "progress", False):
        yield
        return
    from zappa_core.color import console

    with console().status(text):
        yield


def upload_file(ctx: Any, path: Path, bucket: str, key: str, extra: dict[str, Any]) -> int:
    """Upload ``path`` to ``s3://bucket/key`` (multipart when large) with a progress bar. Returns bytes sent."""
    s3 = ctx.aws.client("s3")
    size = Path(path).stat().st_size
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(multipart_threshold=16 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024)
    from zappa_core.progress import bar

    with bar("uploading", key, size, show=bool(getattr(ctx, "progress", False))) as advance:
        s3.upload_file(str(path), bucket, key, ExtraArgs=extra, Config=config, Callback=advance)
    return size


def wait_function_ready(ctx: Any, function_name: str, qualifier: str | None = None, timeout: float = 600.0) -> dict:
    """Wait until the function is Active and no update is in progress; a failed update is an error."""
    lam = ctx.aws.client("lambda")
    kwargs: dict[str, Any] = {"FunctionName": function_name}
    if qualifier:
        kwargs["Qualifier"] = qualifier

    def check() -> dict | None:
        conf = lam.get_function_configuration(**kwargs)
        state = conf.get("State", "Active")
        update = conf.get("LastUpdateStatus", "Successful")
        if state == "Failed" or update == "Failed":
            reason = conf.get("LastUpdateStatusReason") or conf.get("StateReason") or "no reason given"
            raise AwsError(f"Lambda function {function_name} is in a failed state: {reason}")
        if state in ("Active", "Inactive") and update in ("Successful", None, ""):
            return conf
        return None

    with spinner(ctx, f"waiting for {function_name} to be ready"):
        return wait_until(check, what=f"Lambda function {function_name} to be ready", timeout=timeout)


def now() -> float:
    return time.time()
