"""What the shims share: a runtime for an app object, built by the runtime's own cold start from a manifest,
as the Lambda builds it (the app is reached through ``app_function``, like any user's app)."""

from __future__ import annotations

import itertools
import sys
import tempfile
from typing import Any

from zappa_runtime.runtime import Runtime

RUNTIME_MODULES = ["zappa_aws_apigw.runtime", "zappa_events.runtime"]
_ids = itertools.count()
_root = tempfile.mkdtemp(prefix="zappa-peer-")


def runtime_for(app: Any, **settings: Any) -> Runtime:
    """A cold-started runtime serving ``app`` with these stage ``settings``."""
    name = f"app_{next(_ids)}"
    setattr(sys.modules[__name__], name, app)
    stage = {"stage": "dev", "project_name": "peer", "log_level": "WARNING", **settings}
    if app is not None:
        stage["app_function"] = f"{__name__}.{name}"
    return Runtime.cold_start(root=_root, manifest={"format": 1, "runtime_modules": RUNTIME_MODULES, "settings": stage})
