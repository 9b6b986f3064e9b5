"""What the cold start does to the process before plugins and the app are loaded, in Zappa's order: the log
level, ``remote_env`` from S3, the environment variables, ``include`` libraries and ``settings_file``
(:meth:`zappa_runtime.runtime.Runtime.cold_start` runs them; ``slim_handler`` is :mod:`zappa_runtime.slim`).

Standard library only; boto3 is imported when S3 is read.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

log = logging.getLogger("zappa.runtime")


def setup_logging(settings: dict[str, Any]) -> None:
    """``log_level`` (DEBUG when unset or unknown) on the root logger and on ``zappa``, as Zappa (since 0.59)."""
    level = settings.get("log_level") or "DEBUG"
    level_no = logging.getLevelName(str(level).upper())
    if not isinstance(level_no, int):
        level_no = logging.DEBUG
    root_logger = logging.getLogger()
    if not root_logger.handlers:
        logging.basicConfig(format="[%(levelname)s] %(asctime)s %(name)s %(message)s")
    root_logger.setLevel(level_no)
    logging.getLogger("zappa").setLevel(level_no)


def load_remote_env(settings: dict[str, Any]) -> None:
    """The variables of the ``remote_env`` JSON object in S3 (or ``remote_env_bucket`` + ``remote_env_file``),
    set as text; one that cannot be read is logged and the cold start goes on, as in Zappa."""
    url = settings.get("remote_env")
    if not url and settings.get("remote_env_bucket") and settings.get("remote_env_file"):
        url = f"s3://{settings['remote_env_bucket']}/{settings['remote_env_file']}"
    if not url:
        return
    import json

    try:
        bucket, key = parse_s3_url(url)
        body = s3_client(settings).get_object(Bucket=bucket, Key=key)["Body"].read()
        values = json.loads(body)
    except Exception as exc:  # noqa: BLE001 - Zappa logs and goes on without the remote variables
        log.error("could not load remote_env %s: %s", url, exc)
        return
    if not isinstance(values, dict):
        log.error("remote_env %s must hold a flat JSON object, got %s", url, type(values).__name__)
        return
    carried = set(settings.get("function_environment") or ())  # environment_variables win, as in Zappa
    for name, value in values.items():
        if str(name) not in carried:
            os.environ[str(name)] = value if isinstance(value, str) else str(value)


def set_environment(settings: dict[str, Any]) -> None:
    """``SERVERTYPE``, ``FRAMEWORK``, ``PROJECT``, ``STAGE`` and ``environment_variables``."""
    os.environ["SERVERTYPE"] = "AWS Lambda"
    os.environ["FRAMEWORK"] = "Zappa"
    if settings.get("project_name"):
        os.environ["PROJECT"] = str(settings["project_name"])
    if settings.get("stage"):
        os.environ["STAGE"] = str(settings["stage"])
    for name, value in (settings.get("environment_variables") or {}).items():
        os.environ[str(name)] = value if isinstance(value, str) else str(value)


def load_includes(settings: dict[str, Any], project_folder: str, root: str) -> None:
    """Load the ``include`` shared libraries (``.so``) from the project folder (else the package root); one that
    fails to load is logged and the cold start goes on."""
    libraries = settings.get("include") or []
    if not libraries:
        return
    import ctypes

    for library in libraries:
        name = os.path.basename(library)
        if not (name.endswith(".so") or ".so." in name):
            continue  # an ordinary file shipped through 'include' (a .env, a key): nothing to load
        path = library if os.path.isabs(library) else os.path.join(project_folder, library)
        if not os.path.exists(path) and project_folder != root:
            path = os.path.join(root, library)
        try:
            ctypes.cdll.LoadLibrary(path)
        except OSError as exc:
            log.error("include: failed to load %s (right file name?): %s", library, exc)


def load_settings_file(settings: dict[str, Any], project_folder: str, root: str) -> None:
    """Run ``settings_file`` as a module, found by its path or, at the package root, by its base name (Zappa
    users often give the path on their machine); missing from the package, it fails the cold start."""
    name = settings.get("settings_file")
    if not name:
        return
    import importlib.util

    candidates = [name] if os.path.isabs(name) else []
    for folder in (project_folder, root):
        candidates += [os.path.join(folder, name), os.path.join(folder, os.path.basename(name))]
    path = next((c for c in candidates if os.path.isfile(c)), None)
    if path is None:
        raise FileNotFoundError(f"settings_file {name!r} is not in the package (looked in {root})")
    module_name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"settings_file {name!r} cannot be imported as a module ({path})")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/key`` → ``(bucket, key)``."""
    if not isinstance(url, str) or not url.startswith("s3://") or "/" not in url[5:]:
        raise ValueError(f"expected an s3://bucket/key URL, got {url!r}")
    bucket, key = url[5:].split("/", 1)
    return bucket, key


def s3_client(settings: dict[str, Any]) -> Any:
    """A boto3 S3 client (imported lazily), honouring ``aws_endpoint_urls["s3"]`` (local AWS)."""
    import boto3

    endpoint = (settings.get("aws_endpoint_urls") or {}).get("s3") or os.environ.get("AWS_ENDPOINT_URL_S3")
    kwargs = {"endpoint_url": endpoint} if endpoint else {}
    return boto3.client("s3", **kwargs)
