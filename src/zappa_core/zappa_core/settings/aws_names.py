"""Checks of names that AWS defines: regions, S3 bucket names, Lambda function names.

Settings files copied from tutorials keep their placeholders (``"aws_region": "your-region-here"``,
``"s3_bucket": "YOUR_BUCKET_NAME"``); Zappa passes them to AWS and fails half-way through a deploy. Here
they are settings problems, found before anything runs.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import re

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# Prefixes and suffixes S3 reserves (access points, Object Lambda, directory and table buckets).
_BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_LAMBDA_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_RUNTIME = re.compile(r"^python(\d+)\.(\d+)$")
OLDEST_RUNTIME = (3, 9)


@functools.cache
def known_regions() -> tuple[str, ...]:
    """Every region of every partition in the installed botocore's endpoint data.

    That file is large (over a megabyte of JSON) and every command validates its settings, so the list is
    kept in the cache folder, keyed by the file's path, size and modification time."""
    import importlib.util
    import json
    import os

    spec = importlib.util.find_spec("botocore")  # found, not imported: importing botocore takes a while
    source = os.path.join(spec.submodule_search_locations[0], "data", "endpoints.json") if spec else ""
    try:
        stat = os.stat(source)
    except OSError:
        from botocore.loaders import Loader  # the data lives elsewhere: botocore's own loader finds it

        return _regions_of(Loader().load_data("endpoints"))
    key = f"{source}|{stat.st_size}|{stat.st_mtime_ns}"
    from zappa_core.packaging.context import default_cache_dir

    cache = default_cache_dir() / "regions.json"
    try:
        kept = json.loads(cache.read_text())
        if kept.get("key") == key:
            return tuple(kept["regions"])
    except (OSError, ValueError, AttributeError):
        pass
    with open(source, "rb") as handle:
        regions = _regions_of(json.load(handle))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".regions.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "regions": regions}))
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only cache only costs time
    return regions


def _regions_of(endpoints: dict) -> tuple[str, ...]:
    return tuple(sorted(region for partition in endpoints["partitions"] for region in partition.get("regions", {})))


def region_problem(region: str) -> str | None:
    regions = known_regions()
    if region in regions:
        return None
    import botocore

    lowered = region.strip().lower().replace("_", "-")
    close = [lowered] if lowered in regions else _closest(lowered, regions)
    if not close and _placeholder(region):
        return f"{region!r} is not an AWS region{_placeholder(region)} (a region looks like 'us-east-1')"
    hint = ("did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else
            "a region looks like 'us-east-1' or 'eu-west-2'")
    return (f"{region!r} is not an AWS region; {hint} (if it is a region newer than botocore "
            f"{botocore.__version__}, which knows {len(regions)}, upgrade botocore)")


def _closest(text: str, choices: tuple[str, ...], cutoff: float = 0.75) -> list[str]:
    """The choices nearest to ``text``, all of them when several are as near (``us-est-1``: east or west)."""
    scores = {c: difflib.SequenceMatcher(None, text, c).ratio() for c in choices}
    best = max(scores.values(), default=0.0)
    return sorted(c for c, score in scores.items() if score >= cutoff and score >= best - 0.01)


def bucket_problem(name: str) -> str | None:
    """The S3 naming rule ``name`` breaks, or None. Legacy names (upper case, '_') are refused too: S3 no
    longer creates such buckets, and the code bucket is only a staging area, so any valid name will do."""
    if name.startswith(("s3://", "arn:aws")):
        bare = name.split(":::", 1)[-1] if name.startswith("arn:") else name[5:].split("/", 1)[0]
        return f"{name!r} is not a bucket name; write the bucket's name alone: {bare!r}"
    rules = ("S3 bucket names are 3 to 63 lowercase letters, digits, '.' and '-', beginning and ending with "
             "a letter or digit")
    if not _BUCKET.match(name):
        broken = ("it has characters S3 does not allow" if not re.match(r"^[A-Za-z0-9._-]+$", name) else
                  "it has upper-case letters" if name.lower() != name else
                  "it has '_'" if "_" in name else
                  "it is too short" if len(name) < 3 else
                  "it is too long" if len(name) > 63 else
                  "it does not begin and end with a letter or digit")
        return f"{name!r} is not a valid S3 bucket name ({broken}): {rules}{_placeholder(name)}"
    if ".." in name:
        return f"{name!r} is not a valid S3 bucket name: it has two '.' in a row"
    try:
        ipaddress.ip_address(name)
        return f"{name!r} is not a valid S3 bucket name: it is an IP address"
    except ValueError:
        pass
    reserved = [p for p in _BUCKET_RESERVED_PREFIXES if name.startswith(p)] + \
               [s for s in _BUCKET_RESERVED_SUFFIXES if name.endswith(s)]
    if reserved:
        return f"{name!r} is not a valid S3 bucket name: S3 reserves {reserved[0]!r} for its own bucket kinds"
    return None


def _placeholder(value: str) -> str:
    """A hint when a value is a template's or a tutorial's placeholder that nobody filled in."""
    lowered = value.lower()
    if any(mark in value for mark in ("${", "{{", "<", ">", "%(")) or any(
            word in lowered for word in ("your", "xxx", "placeholder", "change_me", "changeme", "replace")):
        return "; it looks like a placeholder that was not filled in"
    return ""


def lambda_name_problem(name: str, limit: int = 80) -> str | None:
    """Zappa 0.63's rule for ``project_name`` (``validate_name``): letters, digits, '-' and '_', at most 80."""
    if not name:
        return "must not be empty"
    if len(name) > limit:
        return f"is {len(name)} characters long; Lambda function names take at most {limit}"
    if not _LAMBDA_NAME.match(name):
        return f"{name!r} may contain only letters, digits, '-' and '_' (it names the Lambda function)"
    return None


def runtime_problem(runtime: str) -> str | None:
    """One message for every runtime Lambda no longer runs (``python2.7`` and ``python3.8`` alike)."""
    match = _RUNTIME.match(runtime or "")
    oldest = "python{}.{}".format(*OLDEST_RUNTIME)
    if not match:
        return f"{runtime!r} is not a Lambda Python runtime; write it like 'python3.12' ({oldest} or later)"
    if (int(match.group(1)), int(match.group(2))) < OLDEST_RUNTIME:
        return f"Lambda no longer runs {runtime}; use {oldest} or later, such as 'python3.12'"
    return None
