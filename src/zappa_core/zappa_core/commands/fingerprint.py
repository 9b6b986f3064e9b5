"""The fast paths of ``update``: a successful deploy or update tags the function with a fingerprint of what it
applied. When the next update would apply the very same and nothing drifted, only the function is read; when
only the app's code differs, only the steps that follow the code are planned."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from zappa_core.plan import DeployContext

FINGERPRINT_TAG = "ZappaFingerprint"


#: What :func:`changes_since_last_update` finds: the stage runs exactly this; only the app's code differs;
#: something else may differ (every step is planned).
NOTHING, CODE, EVERYTHING = "nothing", "code", "everything"


def stage_fingerprint(ctx: Any, settings: Any, package: Any) -> str:
    """What a successful deploy/update applied, as ``<setup>:<code>``: the setup is every resolved setting, the
    plugins in use, this version and the dependencies layer; the code is the package."""
    from zappa_core import __version__

    plugins = sorted(name for name, plugin in ctx.pm.list_name_plugin() if plugin is not None)
    data = {"settings": settings.to_dict(), "plugins": plugins, "zappa": __version__,
            "layer": getattr(getattr(package, "layer", None), "sha256", None)}
    setup = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:40]
    return f"{setup}:{package.sha256[:24]}"


def changes_since_last_update(dctx: DeployContext, remote: dict, fingerprint: str) -> str:
    """:data:`NOTHING` when the function carries this exact fingerprint (the last update applied these settings
    and this package, and finished) and its own code and configuration have not drifted since; :data:`CODE` when
    only the package differs from what the last update applied (the configuration is still as it left it);
    :data:`EVERYTHING` otherwise."""
    from zappa_core.resources.function import (
        current_values,
        desired_values,
        diff_values,
    )
    from zappa_core.resources.layer import STEP_ID as LAYER_STEP
    from zappa_core.resources.util import INCOMPLETE_TAG, hex_to_b64

    tags = remote.get("Tags") or {}
    recorded = tags.get(FINGERPRINT_TAG) or ""
    if recorded.partition(":")[0] != fingerprint.partition(":")[0] or INCOMPLETE_TAG in tags:
        return EVERYTHING
    settings = dctx.settings
    conf = remote["Configuration"]
    known_outputs(dctx, conf)
    current = current_values(conf)
    drift = diff_values(current, desired_values(dctx, current["Environment"], tags))
    reserved = (remote.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    same_arch = (conf.get("Architectures") or ["x86_64"])[0] == settings.architecture
    if drift or reserved != settings.lambda_concurrency or not same_arch:
        dctx.outputs.pop("core:role", None)  # every step is planned: each publishes its own
        dctx.outputs.pop(LAYER_STEP, None)
        return EVERYTHING
    return NOTHING if recorded == fingerprint and conf.get("CodeSha256") == hex_to_b64(dctx.package.sha256) else CODE


def known_outputs(dctx: DeployContext, conf: dict) -> None:
    """Publish the outputs of the steps an unchanged setup leaves as they are, which the function step reads: the
    role (the fingerprint covers the settings that name it) and the dependencies layer (it covers its content,
    so the one attached is the one wanted)."""
    from zappa_core.resources.layer import STEP_ID as LAYER_STEP
    from zappa_core.resources.layer import attached_layer
    from zappa_core.resources.role import role_name_of

    settings = dctx.settings
    if settings.role_arn:
        role = settings.role_arn
    elif settings.manage_roles:
        role = f"arn:{dctx.partition}:iam::{dctx.account_id}:role/{role_name_of(settings)}"
    else:
        role = None
    dctx.outputs["core:role"] = {"role_arn": role}
    dctx.outputs[LAYER_STEP] = {"layer_version_arn": attached_layer(dctx, conf)}
