"""A function's sandbox on this machine: its zip and layers unpacked once per digest, the host's boto3 & co
standing in for the Lambda runtime's own, and the environment Lambda gives a function."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from zappa_core.local.invocation import FunctionSpec

#: Packages the Lambda Python runtime provides next to the function's own code.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


def environment(spec: FunctionSpec, task_root: Path, runtime_dir: Path, aws_endpoint: str,
                gateway_endpoint: str | None = None) -> dict[str, str]:
    """The environment of a worker: Lambda's variables, dummy credentials, the function's own, the local AWS
    and (``ZAPPA_LOCAL_GATEWAY``) the local gateway, whose front doors a function reaches back through (the
    management API of a WebSocket API is served there)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": str(runtime_dir),
        "_HANDLER": spec.handler,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(spec.timeout)),
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,
        # Dummy credentials and the local endpoint: a handler's boto3 calls stay on this machine.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "ZAPPA_LOCAL": "1",
    }
    env.update({k: str(v) for k, v in spec.environment.items()})
    env["AWS_ENDPOINT_URL"] = aws_endpoint
    if gateway_endpoint:
        env["ZAPPA_LOCAL_GATEWAY"] = gateway_endpoint
    return env


def extract(code: bytes, folder: Path, lock: threading.Lock) -> Path:
    """Unpack a zip once into a subfolder of ``folder`` named by its digest (shared by every worker of that code).

    A file whose bytes and mode are those of the same path in the folder unpacked last is a hard link to it,
    with the bytecode an earlier worker compiled for it: after a one-line change, only the changed module is
    compiled again at the next cold start (as on Lambda, the function must not write into its own code)."""
    target = folder / hashlib.sha256(code).hexdigest()
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with lock:
        if target.is_dir():
            return target
        previous = _newest_folder(target.parent)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".extract-"))
        with zipfile.ZipFile(io.BytesIO(code)) as archive:
            for info in archive.infolist():
                mode = (info.external_attr >> 16) & 0o777
                if previous is not None and not info.is_dir() and _link_unchanged(archive, info, mode, previous, staging):
                    continue
                path = archive.extract(info, staging)
                if mode and not info.is_dir():
                    os.chmod(path, mode | 0o400)
        try:
            os.rename(staging, target)
        except OSError:  # another process of ours won the race
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _newest_folder(folder: Path) -> Path | None:
    unpacked = [(entry.stat().st_mtime, Path(entry.path)) for entry in os.scandir(folder)
                if entry.is_dir() and not entry.name.startswith(".")]
    return max(unpacked)[1] if unpacked else None


def _link_unchanged(archive: zipfile.ZipFile, info: zipfile.ZipInfo, mode: int, previous: Path, staging: Path) -> bool:
    """Hard-link ``info``'s file (and its compiled bytecode) from ``previous`` when it holds the very same bytes;
    False when it does not (the caller unpacks it)."""
    name = info.filename
    if name.startswith("/") or "\\" in name or ".." in name.split("/"):
        return False  # zipfile's own extract sanitises such names
    old = previous / name
    try:
        stat = os.lstat(old)
    except OSError:
        return False
    if (not os.path.isfile(old) or os.path.islink(old) or stat.st_size != info.file_size
            or (mode and (stat.st_mode & 0o777) != (mode | 0o400))):
        return False
    with open(old, "rb") as handle:
        if handle.read() != archive.read(info):
            return False
    new = staging / name
    if os.path.lexists(new):  # bytecode the package ships, linked already with its unchanged source
        return True
    new.parent.mkdir(parents=True, exist_ok=True)
    os.link(old, new)
    if name.endswith(".py"):
        cache = old.parent / "__pycache__"
        for compiled in cache.glob(f"{old.stem}.*.pyc") if cache.is_dir() else ():
            linked = new.parent / "__pycache__" / compiled.name
            if not os.path.lexists(linked):  # else the package's own, unpacked before its source
                linked.parent.mkdir(exist_ok=True)
                os.link(compiled, linked)
    return True


def runtime_library(cache_dir: Path) -> Path:
    """A folder with links to the host's boto3 & co, standing in for the Lambda runtime's own copies."""
    sources = []
    for name in RUNTIME_PROVIDED:
        found = importlib.util.find_spec(name)
        if found is None or not found.origin:
            continue
        origin = Path(found.origin)
        sources.append(origin.parent if origin.name == "__init__.py" else origin)
    digest = hashlib.sha256("\n".join(map(str, sources)).encode()).hexdigest()[:16]
    folder = cache_dir / "runtime" / digest
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".runtime-"))
        for source in sources:
            os.symlink(source, staging / source.name)
        try:
            os.rename(staging, folder)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return folder
