"""The fast path of ``update``: a successful deploy or update tags the function with a fingerprint of what it
applied; when the next update would apply the very same and nothing drifted, only the function is read."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from zappa_core.plan import DeployContext

FINGERPRINT_TAG = "ZappaFingerprint"


def stage_fingerprint(ctx: Any, settings: Any, package: Any) -> str:
    """What a successful deploy/update applied: the package, every resolved setting, the plugins in use."""
    from zappa_core import __version__

    plugins = sorted(name for name, plugin in ctx.pm.list_name_plugin() if plugin is not None)
    data = {"package": package.sha256, "settings": settings.to_dict(), "plugins": plugins, "zappa": __version__,
            "layer": getattr(getattr(package, "layer", None), "sha256", None)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:40]


def unchanged_since_last_update(dctx: DeployContext, remote: dict, fingerprint: str) -> bool:
    """True when the function carries this exact fingerprint (the last update applied these settings and
    this package, and finished) and its own code and configuration have not drifted since."""
    from zappa_core.resources.function import (
        current_values,
        desired_values,
        diff_values,
    )
    from zappa_core.resources.layer import STEP_ID as LAYER_STEP
    from zappa_core.resources.layer import attached_layer
    from zappa_core.resources.role import role_name_of
    from zappa_core.resources.util import INCOMPLETE_TAG, hex_to_b64

    tags = remote.get("Tags") or {}
    if tags.get(FINGERPRINT_TAG) != fingerprint or INCOMPLETE_TAG in tags:
        return False
    settings = dctx.settings
    conf = remote["Configuration"]
    if conf.get("CodeSha256") != hex_to_b64(dctx.package.sha256):
        return False
    if settings.role_arn:
        role = settings.role_arn
    elif settings.manage_roles:
        role = f"arn:{dctx.partition}:iam::{dctx.account_id}:role/{role_name_of(settings)}"
    else:
        role = None
    dctx.outputs["core:role"] = {"role_arn": role}
    # the fingerprint covers the dependencies layer's content: the one attached is the one wanted
    dctx.outputs[LAYER_STEP] = {"layer_version_arn": attached_layer(dctx, conf)}
    current = current_values(conf)
    try:
        drift = diff_values(current, desired_values(dctx, current["Environment"], tags))
    finally:
        dctx.outputs.pop("core:role", None)
        dctx.outputs.pop(LAYER_STEP, None)
    reserved = (remote.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    return not drift and reserved == settings.lambda_concurrency and (conf.get("Architectures") or ["x86_64"])[0] == settings.architecture
