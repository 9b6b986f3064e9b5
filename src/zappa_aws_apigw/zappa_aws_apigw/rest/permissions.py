"""The Lambda permissions a REST API needs: one statement ``zappa-apigw-rest-<api id>`` for the API and one
more for a TOKEN or REQUEST authorizer that is a function of the app. Reading, granting and revoking them is
shared with the HTTP API (:mod:`zappa_aws_apigw.permissions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zappa_aws_apigw import common, permissions

if TYPE_CHECKING:
    from zappa_aws_apigw.rest.model import Desired, Live

PERMISSION_PREFIX = "zappa-apigw-rest-"


def wanted_permissions(settings: Any, want: Desired, live: Live) -> dict[str, str]:
    """Sid -> source ARN of every permission API Gateway needs to invoke this stage's function."""
    if live.api_id is None:
        return {}
    auth = settings.authorizer  # a TOKEN or REQUEST authorizer that is a function of this app
    own = common.authorizer_type(settings) in ("TOKEN", "REQUEST") and bool(auth.function) and not auth.arn
    return permissions.wanted(want.function_arn, want.region, live.api_id, PERMISSION_PREFIX, authorizer=own)


def permission_work(settings: Any, want: Desired, live: Live) -> tuple[dict[str, str], list[str]]:
    """``(statements to add, Sids to remove)`` to bring the live statements to the wanted ones."""
    return permissions.difference(wanted_permissions(settings, want, live), live.permissions)
