"""Lambda SnapStart: the runtime's before-snapshot and after-restore work.

With SnapStart the init phase (runtime cold start, app import) runs once, when a version is published, and
every execution environment then starts from a copy of that memory. What must differ between environments,
or must not outlive the snapshot, is handled here through the ``snapshot_restore_py`` library that Lambda's
Python runtimes provide: before the snapshot, Django's database connections are closed and the plugins'
``zappa_runtime_before_snapshot`` run; after each restore, ``random`` is reseeded from the operating system
and the plugins' ``zappa_runtime_after_restore`` run. Registered only in a SnapStart init
(``AWS_LAMBDA_INITIALIZATION_TYPE`` is ``snap-start``), so an ordinary cold start imports nothing for it.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

log = logging.getLogger("zappa.runtime")


def in_snapshot_init() -> bool:
    return os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start"


def register(runtime: Any) -> bool:
    """Register the runtime's hooks with Lambda's ``snapshot_restore_py``; False when there is no such library
    (a SnapStart init on a runtime without it: nothing is registered, and the log says so)."""
    try:
        import snapshot_restore_py
    except ImportError:
        log.warning("SnapStart init without the snapshot_restore_py library: no before-snapshot or after-restore "
                    "work is registered")
        return False
    snapshot_restore_py.register_before_snapshot(before_snapshot, runtime)
    snapshot_restore_py.register_after_restore(after_restore, runtime)
    return True


def before_snapshot(runtime: Any) -> None:
    django_db = sys.modules.get("django.db")
    if django_db is not None:  # a connection opened during init would be shared by every restored copy
        django_db.connections.close_all()
    runtime.plugin_manager.hook.zappa_runtime_before_snapshot(runtime=runtime)


def after_restore(runtime: Any) -> None:
    import random

    random.seed()  # from os.urandom: otherwise every restored environment draws the same numbers
    runtime.plugin_manager.hook.zappa_runtime_after_restore(runtime=runtime)
