"""The function's environment: ``aws_environment_variables`` and ``environment_variables``, in the function
configuration, never in the package.

Zappa baked ``environment_variables`` into the zip, where anyone who can download the function's code reads
them. Here both settings go into the function's configuration (encrypted at rest by Lambda, readable only
with ``lambda:GetFunctionConfiguration``); ``environment_variables`` win over ``aws_environment_variables``
of the same name, as Zappa's runtime let them. The names a configuration cannot hold (those Lambda reserves,
``AWS_REGION``, ``_HANDLER``, ..., and those it refuses, such as ``bills-bucket`` or ``stripe.api_key``) stay
in the package's manifest, and the runtime sets them at cold start as before.

Variables set outside zappa are kept. The names zappa set are recorded on the function, in the
``ZappaEnvironment`` tags (comma-separated, split over ``ZappaEnvironment-2``, ... past a tag value's 256
characters), so a variable dropped from the settings is removed from the function on the next update.
"""

from __future__ import annotations

import re
from typing import Any

from zappa_runtime.secret_refs import RESERVED_VARIABLES

ENV_TAG = "ZappaEnvironment"
TAG_VALUE_LIMIT = 256
#: Lambda refuses these in a function's configuration ("reserved keys"); the runtime sets them itself.
RESERVED = RESERVED_VARIABLES


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


#: The names Lambda takes in a function's configuration; Zappa's runtime set any name (``bills-bucket``).
CONFIGURABLE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")


def in_configuration(name: str) -> bool:
    return name not in RESERVED and bool(CONFIGURABLE.match(name))


def runtime_only(settings: Any) -> dict[str, str]:
    """The ``environment_variables`` the function configuration cannot carry (reserved names, and names
    Lambda refuses such as ``stripe.api_key``): the runtime sets them, as Zappa's did."""
    return {k: _text(v) for k, v in (settings.environment_variables or {}).items() if not in_configuration(k)}


def wanted(settings: Any) -> dict[str, str]:
    """What the settings put in the function's configuration."""
    env = {k: _text(v) for k, v in (settings.aws_environment_variables or {}).items()}
    env.update({k: _text(v) for k, v in (settings.environment_variables or {}).items() if in_configuration(k)})
    return env


def desired(settings: Any, remote_env: dict[str, str], remote_tags: dict[str, str] | None = None) -> dict[str, str]:
    """The function's environment after an update: what it has, minus what zappa set earlier and the
    settings no longer list, plus what the settings want."""
    want = wanted(settings)
    earlier = names_from_tags(remote_tags or {})
    env = {k: v for k, v in remote_env.items() if k not in earlier or k in want}
    env.update(want)
    return env


def names_tags(settings: Any) -> dict[str, str]:
    """The ``ZappaEnvironment`` tags naming the variables zappa sets (none when it sets none)."""
    chunks: list[str] = []
    for name in sorted(wanted(settings)):
        if chunks and len(chunks[-1]) + 1 + len(name) <= TAG_VALUE_LIMIT:
            chunks[-1] += "," + name
        else:
            chunks.append(name)
    return {(ENV_TAG if i == 0 else f"{ENV_TAG}-{i + 1}"): chunk for i, chunk in enumerate(chunks)}


def names_from_tags(tags: dict[str, str]) -> set[str]:
    return {name for key, value in tags.items() if is_names_tag(key) for name in value.split(",") if name}


def is_names_tag(key: str) -> bool:
    return key == ENV_TAG or (key.startswith(f"{ENV_TAG}-") and key[len(ENV_TAG) + 1:].isdigit())
