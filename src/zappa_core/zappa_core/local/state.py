"""What ``zappa_local_routes(settings, state)`` receives: access to the running local AWS.

Route handlers run inside the local AWS process, next to moto and the executor, so :meth:`LocalState.invoke`
calls the executor directly (no HTTP round trip); when there is no executor in this process it falls back
to ``lambda.invoke`` through :attr:`LocalState.aws`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from zappa_core.aws import AwsClients


@dataclass
class LocalState:
    """The local AWS as seen by plugins.

    - ``aws``: an :class:`~zappa_core.aws.AwsClients` pointed at the local AWS with dummy credentials
      (``state.aws.client("apigateway").get_rest_apis()``).
    - ``aws_endpoint``: the local AWS API URL (``http://127.0.0.1:<port>``).
    - ``gateway_endpoint``: the local HTTP gateway URL; build public URLs with :mod:`zappa_core.local.urls`.
    - ``region``, ``account_id``: where functions are looked up when a route names one without an ARN.
    - ``invoke(function, event, qualifier=None) -> (payload, function_error)``: run a deployed function
      synchronously. ``function`` is a name or an ARN (an API Gateway integration URI
      ``arn:aws:apigateway:...:lambda:path/.../functions/<arn>/invocations`` is accepted too). ``payload`` is
      the decoded JSON the handler returned (``None`` for ``null``); ``function_error`` is ``None`` on
      success, else ``"Unhandled"`` and ``payload`` is the ``{"errorMessage", "errorType", "stackTrace"}``
      document (a timeout has ``errorType`` ``"Sandbox.Timedout"``).
    """

    aws_endpoint: str
    gateway_endpoint: str
    region: str = "us-east-1"
    account_id: str = "123456789012"
    aws: AwsClients = field(init=False)

    def __post_init__(self) -> None:
        self.aws = AwsClients(region=self.region, local_endpoint=self.aws_endpoint)

    def invoke(self, function: str, event: Any, qualifier: str | None = None) -> tuple[Any, str | None]:
        function = function_from_integration_uri(function)
        from zappa_core.local import moto_seam

        if moto_seam.installed() is not None:
            try:
                result = moto_seam.invoke_deployed(function, event, qualifier=qualifier, region=self.region,
                                                   account=self.account_id)
            except LookupError:
                pass
            else:
                return _decode(result.payload), result.function_error
        kwargs: dict[str, Any] = {"FunctionName": function, "Payload": json.dumps(event).encode()}
        if qualifier:
            kwargs["Qualifier"] = qualifier
        response = self.aws.client("lambda").invoke(**kwargs)
        error = response.get("FunctionError")
        return _decode(response["Payload"].read().decode()), ("Unhandled" if error else None)


def function_from_integration_uri(uri: str) -> str:
    """``arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations`` -> the
    function ARN; anything else is returned unchanged."""
    marker = "/functions/"
    if uri.startswith("arn:aws:apigateway:") and marker in uri:
        return uri.split(marker, 1)[1].rsplit("/invocations", 1)[0]
    return uri


def _decode(payload: str) -> Any:
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        return payload

