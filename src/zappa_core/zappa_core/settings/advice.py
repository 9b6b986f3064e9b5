"""What to tell a user about a key no installed plugin owns.

Spelling distance finds ``remote_evn``; it does not find what people actually write instead of a setting
(``timeout`` for ``timeout_seconds``, ``asgi: true`` for ``app_type: "asgi"``), nor settings that Zappa
itself had once and removed. Those are known here, from Zappa's history (its README and ``cli.py`` since
2016), so the message says what to write instead, or that nothing replaces the key.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

# Settings Zappa had and removed, with what happened to them. None of them does anything in Zappa 0.63.
OBSOLETE: dict[str, str] = {
    "http_methods": "API Gateway sends every HTTP method to the app (one {proxy+} route) since Zappa 0.36.1 (2017)",
    "parameter_depth": "API Gateway sends every path to the app (one {proxy+} route) since Zappa 0.36.1 (2017)",
    "integration_response_codes": "the app's own status codes reach the client unchanged since Zappa 0.36.1 (2017)",
    "method_response_codes": "the app's own status codes reach the client unchanged since Zappa 0.36.1 (2017)",
    "integration_content_type_aliases": "requests reach the app unchanged, without templates, since Zappa 0.36.1 (2017)",
    "method_header_types": "response headers come from the app; for CORS headers use 'cors'",
    "lets_encrypt_expression": "Zappa 0.41 (2017) stopped renewing certificates on a schedule; run 'zappa certify' to renew",
    "lets_encrypt_schedule": "Zappa 0.41 (2017) stopped renewing certificates on a schedule; run 'zappa certify' to renew",
    "async_enabled": "async tasks need no switch; 'async_source' picks lambda or sns",
}

# Settings Zappa renamed: the old name and the new one.
RENAMED: dict[str, str] = {
    "dead_letter_config": "dead_letter_arn",
    "extra_tags": "tags",
    "using_route53": "route53_enabled",
    "enable_cors": "cors",
    "keep_warm_expressions": "keep_warm_expression",
}

# What people write for a setting, beyond spelling: the key and the setting they mean.
CONFUSIONS: dict[str, str] = {
    "iam_authorizer": "iam_authorization",
    "iam_auth": "iam_authorization",
    "timeout": "timeout_seconds",
    "lambda_timeout": "timeout_seconds",
    "memory": "memory_size",
    "lambda_memory": "memory_size",
    "region": "aws_region",
    "profile": "profile_name",
    "aws_profile": "profile_name",
    "bucket": "s3_bucket",
    "bucket_name": "s3_bucket",
    "env": "environment_variables",
    "environment": "environment_variables",
    "env_vars": "environment_variables",
    "python_version": "runtime",
    "python": "runtime",
    "vpc": "vpc_config",
    "role": "role_name",
    "function_name": "project_name",
    "lambda_name": "project_name",
    "name": "project_name",
    "app": "app_function",
    "wsgi_app": "app_function",
    "django_settings_module": "django_settings",
    "schedule": "events",
    "keep_warm_rate": "keep_warm_expression",
    "custom_domain": "domain",
    "api_key_enabled": "api_key_required",
    "exclude_globs": "exclude_glob",
    "excludes": "exclude",
    "description": "lambda_description",
}

COMMENT_KEYS = {"comment", "comments", "_comment", "_comments", "__comment__", "//", "#", "_", "note", "notes",
                "_note"}
APP_TYPES = {"asgi", "wsgi"}


def _comment_advice(file_format: str) -> str:
    if file_format == "json":
        return ("JSON has no comments key, but this file may use // and /* */ comments; or keep the note "
                "under an 'x_' key (such as 'x_comment'), which is yours and never checked")
    return "write a # comment instead, or keep the note under an 'x_' key (such as 'x_comment'), which is yours"


def unknown_setting(key: str, value: Any, known: Iterable[str], file_format: str = "json") -> str:
    """The message for a stage key that no installed plugin owns (not a key of a missing plugin)."""
    known = list(known)
    if key in OBSOLETE:
        return f"Zappa no longer has this setting and nothing replaces it: {OBSOLETE[key]}; remove it"
    if key in RENAMED:
        return f"Zappa renamed this setting: write '{RENAMED[key]}'"
    if key.lower() in APP_TYPES:
        return f"unknown setting; did you mean \"app_type\": \"{key.lower()}\"?"
    if key.lower() in COMMENT_KEYS:
        return f"unknown setting; {_comment_advice(file_format)}"
    if key == "stage":
        return ("unknown setting: a stage is named by the key that holds its settings, and the API Gateway "
                "stage is named after it; remove it")
    if key in ("include_packages", "packages", "requirements", "dependencies"):
        return ("unknown setting: the dependencies shipped are those the app declares (requirements.txt or "
                "pyproject.toml); 'include' adds shared libraries (.so) and 'exclude' leaves files out")
    meant = CONFUSIONS.get(key) or CONFUSIONS.get(key.lower())
    if meant is None:
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        meant = close[0] if close else None
    if meant is None and key.lower() != key:
        meant = key.lower() if key.lower() in known else None
    own = "x_" + (key[2:] if key.startswith("X_") else key.lstrip("_"))
    return f"unknown setting; did you mean '{meant}'?" if meant else (
        f"unknown setting; to keep a value of your own here, name it '{own}'")
