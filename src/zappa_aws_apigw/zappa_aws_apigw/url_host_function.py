"""The CloudFront Function that tells the app which of its domains a client asked for.

A function URL only accepts requests with its own ``Host``, so CloudFront cannot pass the client's on; this
viewer-request function copies it into ``X-Forwarded-Host``, which the origin request policy forwards and the
runtime trusts for the stage's ``function_url_domains`` only: the app's own URLs (``url_for(_external=True)``,
redirects) then use the domain. Named ``<function>-host``, published to its ``LIVE`` stage, associated with
the distribution's default behavior, deleted after the distribution.
"""

from __future__ import annotations

from typing import Any

from zappa_core.awserrors import is_not_found
from zappa_core.errors import AwsError

RUNTIME = "cloudfront-js-2.0"
CODE = b"""function handler(event) {
    var request = event.request;
    if (request.headers.host) {
        request.headers['x-forwarded-host'] = {value: request.headers.host.value};
    }
    return request;
}
"""


def function_name(settings: Any) -> str:
    """CloudFront Function names have at most 64 characters of ``[A-Za-z0-9_-]``."""
    return f"{settings.function_name[:59]}-host"


def _describe(cf: Any, name: str, stage: str) -> dict[str, Any] | None:
    try:
        return cf.describe_function(Name=name, Stage=stage)
    except Exception as exc:  # noqa: BLE001 - not found means absent; any other failure is raised as AwsError
        if is_not_found(exc) or "NoSuchFunctionExists" in str(exc):
            return None
        raise AwsError(f"apigw:function-url-domains: could not read CloudFront Function {name}: {exc}") from None


def exists(cf: Any, settings: Any) -> bool:
    """Whether the function exists, published or not."""
    return _describe(cf, function_name(settings), "DEVELOPMENT") is not None


def live_arn(cf: Any, settings: Any) -> str | None:
    """The ARN of the published function, or ``None`` while it does not exist."""
    found = _describe(cf, function_name(settings), "LIVE")
    return found["FunctionSummary"]["FunctionMetadata"]["FunctionARN"] if found else None


def ensure(cf: Any, settings: Any) -> str:
    """Create and publish the function when it is missing (or not published yet); its ARN."""
    name = function_name(settings)
    arn = live_arn(cf, settings)
    if arn:
        return arn
    try:
        found = _describe(cf, name, "DEVELOPMENT")
        if found is None:
            found = cf.create_function(Name=name, FunctionCode=CODE, FunctionConfig={
                "Comment": f"X-Forwarded-Host for the function URL of {settings.function_name} (zappa)", "Runtime": RUNTIME})
        published = cf.publish_function(Name=name, IfMatch=found["ETag"])
    except Exception as exc:  # noqa: BLE001 - any failure is raised as this step's AwsError
        raise AwsError(f"apigw:function-url-domains: could not create CloudFront Function {name}: {exc}") from None
    return str(published["FunctionSummary"]["FunctionMetadata"]["FunctionARN"])


def delete(cf: Any, settings: Any) -> bool:
    """Delete the function (once no distribution uses it); whether there was one."""
    name = function_name(settings)
    found = _describe(cf, name, "DEVELOPMENT")
    if found is None:
        return False
    try:
        cf.delete_function(Name=name, IfMatch=found["ETag"])
    except Exception as exc:  # noqa: BLE001 - not found means gone; any other failure is raised as AwsError
        if not (is_not_found(exc) or "NoSuchFunctionExists" in str(exc)):
            raise AwsError(f"apigw:function-url-domains: could not delete CloudFront Function {name}: {exc}") from None
    return True
