"""The core's resource steps: the execution role and its policy, the code bucket, the uploaded package, the
Lambda function (versions, alias, concurrency) and its log group.

Their ids and outputs are a public interface (see :mod:`zappa_core.plan`)."""

from __future__ import annotations

from typing import Any


def core_steps(settings: Any, context: Any) -> list[Any]:
    """The core's steps for ``settings``, in the order they are usually applied."""
    from zappa_core.resources.archive import ProjectArchiveStep
    from zappa_core.resources.bucket import BucketStep
    from zappa_core.resources.code import CodeStep
    from zappa_core.resources.function import FunctionStep
    from zappa_core.resources.layer import DependenciesLayerStep
    from zappa_core.resources.logs import LogGroupStep
    from zappa_core.resources.role import RoleStep

    return [RoleStep(), BucketStep(), ProjectArchiveStep(), CodeStep(), DependenciesLayerStep(), LogGroupStep(),
            FunctionStep()]
