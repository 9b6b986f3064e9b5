"""Where moto's way into a function differs from Lambda's, corrected (moto seams beside
:mod:`zappa_core.local.moto_seam`; checked by ``tests/core/local/test_local_moto_hook.py``):

- **SNS deliveries**: moto hands a publish to a Lambda subscription over as
  ``LambdaBackend.send_sns_message(function_name, message, subject, qualifier)`` and builds the event with the
  placeholder ``arn:aws:sns:EXAMPLE`` as topic and subscription. ``Subscription.publish`` is wrapped to note
  which subscription is delivering (its ARN, the topic, the message id and attributes), and
  ``send_sns_message`` is replaced to build the event Lambda really receives from them, delivered
  asynchronously as SNS does.
- **The Invoke API**: moto reads the ``qualifier`` query parameter while the API sends ``Qualifier``, so every
  invoke ran ``$LATEST``; the response handler is wrapped to hand the qualifier over under both names, to note
  the ARN the caller named, to answer ``InvocationType: Event`` at once (the function runs beside it), to
  refuse with Lambda's own errors (throttling, payload too large) and to name the version that ran
  (``X-Amz-Executed-Version``).
- **API Gateway v2 domain names**: moto keeps a custom domain's configuration as it was sent, without the
  name API Gateway gives it; ``create_domain_name`` is wrapped to add what AWS answers (``ApiGatewayDomainName``
  ``d-<id>.execute-api.<region>.amazonaws.com``, API Gateway's hosted zone, ``AVAILABLE``), which ``certify``
  points the domain's alias record at.

:mod:`zappa_core.local.lambda_model` corrects moto's Lambda control plane the same way, and
:mod:`zappa_core.local.cloudfront_gaps` its CloudFront (functions published, function associations kept).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from zappa_core.arns import function_arn
from zappa_core.local import limits
from zappa_core.local.moto_seam import calling

SNS_SUBSCRIPTION_CLASS = "moto.sns.models.Subscription"
SNS_DELIVERY_METHOD = "send_sns_message"
INVOKE_RESPONSE_CLASS = "moto.awslambda.responses.LambdaResponse"
#: The hosted zone of API Gateway's regional endpoints (us-east-1's; the local AWS names every domain in it).
APIGW_HOSTED_ZONE_ID = "Z1UJRXOUMOOFQ8"

_originals: dict[str, Any] = {}


def install() -> None:
    from moto.apigatewayv2 import models as v2_models
    from moto.awslambda import models, responses
    from moto.sns import models as sns_models

    from zappa_core.local import cloudfront_gaps, lambda_model

    lambda_model.install()
    cloudfront_gaps.install()
    if _originals:
        return
    _originals["create_domain_name"] = v2_models.ApiGatewayV2Backend.create_domain_name
    v2_models.ApiGatewayV2Backend.create_domain_name = _create_domain_name
    _originals["publish"] = sns_models.Subscription.publish
    _originals[SNS_DELIVERY_METHOD] = getattr(models.LambdaBackend, SNS_DELIVERY_METHOD)
    _originals["invoke"] = responses.LambdaResponse.invoke
    sns_models.Subscription.publish = _subscription_publish
    setattr(models.LambdaBackend, SNS_DELIVERY_METHOD, _send_sns_message)
    responses.LambdaResponse.invoke = _invoke_response


def uninstall() -> None:
    from moto.apigatewayv2 import models as v2_models
    from moto.awslambda import models, responses
    from moto.sns import models as sns_models

    from zappa_core.local import cloudfront_gaps, lambda_model

    lambda_model.uninstall()
    cloudfront_gaps.uninstall()
    if not _originals:
        return
    v2_models.ApiGatewayV2Backend.create_domain_name = _originals.pop("create_domain_name")
    sns_models.Subscription.publish = _originals.pop("publish")
    setattr(models.LambdaBackend, SNS_DELIVERY_METHOD, _originals.pop(SNS_DELIVERY_METHOD))
    responses.LambdaResponse.invoke = _originals.pop("invoke")


def _create_domain_name(self: Any, domain_name: str, domain_name_configurations: list[dict[str, str]], *args: Any,
                        **kwargs: Any) -> Any:
    """Wraps ``ApiGatewayV2Backend.create_domain_name``: each configuration gets the names AWS gives it."""
    import secrets

    for config in domain_name_configurations:
        config.setdefault("apiGatewayDomainName", f"d-{secrets.token_hex(5)}.execute-api.{self.region_name}.amazonaws.com")
        config.setdefault("hostedZoneId", APIGW_HOSTED_ZONE_ID)
        config.setdefault("domainNameStatus", "AVAILABLE")
    return _originals["create_domain_name"](self, domain_name, domain_name_configurations, *args, **kwargs)


def _subscription_publish(self: Any, message: str, message_id: str, subject: str | None = None,
                          message_attributes: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
    """Wraps ``Subscription.publish``: remembers which subscription delivers while moto delivers it."""
    calling.sns = {"subscription_arn": self.arn, "topic_arn": self.topic_arn, "message_id": message_id,
                         "message_attributes": message_attributes or {}}
    try:
        return _originals["publish"](self, message, message_id, subject, message_attributes, *args, **kwargs)
    finally:
        calling.sns = None


def _send_sns_message(self: Any, function_name: str, message: str, subject: str | None = None,
                      qualifier: str | None = None) -> None:
    """Replaces ``LambdaBackend.send_sns_message``: the event of the subscription that is delivering."""
    from zappa_core.local import delivery

    func = self._lambdas.get_function_by_name_or_arn_with_qualifier(function_name, qualifier)
    current = getattr(calling, "sns", None) or {}
    invoked = f"{func.function_arn.split(':function:')[0]}:function:{func.function_name}:{qualifier}" if qualifier else None
    # SNS invokes Lambda asynchronously: the publish returns before the function runs
    delivery.submit(func, sns_event(message, subject=subject, region=func.region, **current), invoked)


def sns_event(message: str, *, subject: str | None, region: str, subscription_arn: str = "", topic_arn: str = "",
              message_id: str = "", message_attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event Lambda receives for one SNS delivery (moto's attributes are ``{"Type", "Value"}`` already)."""
    now = datetime.now(timezone.utc)
    host = f"https://sns.{region}.amazonaws.com"
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": topic_arn,
            "Subject": subject,
            "Message": message,
            "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "SignatureVersion": "1",
            "Signature": "",
            "SigningCertUrl": f"{host}/SimpleNotificationService-local.pem",
            "UnsubscribeUrl": f"{host}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}",
            "MessageAttributes": {name: {"Type": value.get("Type"), "Value": value.get("Value")}
                                  for name, value in (message_attributes or {}).items()},
        },
    }]}


def _invoke_response(self: Any) -> Any:
    """Wraps ``LambdaResponse.invoke``: the API's ``Qualifier`` reaches moto, which only reads ``qualifier``."""
    qualifier = self.querystring.get("Qualifier")
    if qualifier and "qualifier" not in self.querystring:
        self.querystring["qualifier"] = qualifier
    from urllib.parse import unquote

    named = unquote(self.path.rsplit("/", 2)[-2])
    if named.startswith("arn:") and named.count(":") >= 7:
        calling.invoked_arn = named
    elif qualifier:
        calling.invoked_arn = function_arn(self.region, self.current_account, named, qualifier[0])
    calling.api_call = True
    calling.executed_version = None
    try:
        if self.headers.get("X-Amz-Invocation-Type") == "Event":
            from zappa_core.local import delivery

            invoked, calling.invoked_arn = getattr(calling, "invoked_arn", None), None
            return delivery.event_invoke(self.backend, named, self._get_param("qualifier"), self.body, invoked)
        status, headers, body = _originals["invoke"](self)
        if calling.executed_version and status in (200, "200"):
            headers["X-Amz-Executed-Version"] = calling.executed_version
        return status, headers, body
    except limits.InvokeRefused as refused:
        body = json.dumps(refused.document())
        headers = {"status": str(refused.status), "x-amzn-ErrorType": refused.error_type, "content-type": "application/json"}
        return refused.status, headers, body
    finally:
        calling.invoked_arn = None
        calling.api_call = False

