"""The peers' tests that fail on purpose against this runtime, per suite: ``test id (or its parametrized
family) -> reason``. docs/runtime.md ("Against the peers' test suites") explains each reason."""

from __future__ import annotations

DIFFERENCES = {
    "untyped-body-base64": "a response body without Content-Type is sent base64-encoded (binary_support), so any "
                           "bytes reach the client unchanged; the peer sends it as text",
    "alb-status-description": "ALB replies carry statusDescription ('200 OK'), the reason phrase ALB puts in the "
                              "status line; the peer leaves it out",
    "header-join": "repeated request header values are joined with ', ' (RFC 9110's list form, as Zappa and "
                   "mangum do); apig-wsgi joins with ','",
    "cookie-join": "cookies are joined with '; ' as RFC 6265 writes the Cookie header; apig-wsgi uses ';'",
    "no-http-content-type": "the request's Content-Type is CONTENT_TYPE only, as PEP 3333 names it; apig-wsgi "
                            "also sets HTTP_CONTENT_TYPE",
    "remote-addr": "REMOTE_ADDR is the address AWS saw (requestContext identity/http sourceIp; ALB: the last "
                   "X-Forwarded-For entry), never the first X-Forwarded-For entry, which the client writes",
    "exc-info": "start_response(..., exc_info) before any output replaces the response, as PEP 3333 allows, "
                "instead of re-raising the exception",
    "server-name": "SERVER_NAME is never empty (PEP 3333): 'localhost' when the event has no Host",
    "http-api-path-decoded": "an HTTP API hands the path over already percent-decoded: it is not decoded again "
                             "(a literal %2F or %25 stays as it is)",
    "unknown-event": "an event no plugin recognises raises UnhandledEventError (a RuntimeError naming its "
                     "top-level keys), not the peer's ValueError/RuntimeError",
    "asgi-scope": "the ASGI scope holds more than mangum's: raw_path (the encoded path), state (the lifespan "
                  "state), spec_version 2.3, the client address, zappa.event_kind, headers as tuples with the "
                  "decoded body's content-length",
    "routed-prefix": "the part of the path before what the resource and its pathParameters matched is taken for "
                     "a custom domain's base path (root_path); mangum's hand-made event says proxy='hello' for the "
                     "path /test/hello, which API Gateway never sends",
    "asgi-root-path": "a REST stage (execute-api host) is the scope's root_path and its path includes it, as "
                      "ASGI defines path; mangum leaves the stage out of both",
    "lifespan-per-container": "lifespan startup runs once per container at cold start and shutdown when the "
                              "process exits; mangum runs both around every invocation",
    "error-body": "the runtime's own 500 is its JSON message (see expose_tracebacks), not mangum's plain "
                  "'Internal Server Error'",
    "log-lines": "the runtime logs its own lines (the access line on zappa.runtime.access, its own wording), "
                 "not mangum's",
    "exclude-headers": "mangum's exclude_headers option (drop response headers) has no counterpart: the "
                       "response keeps every header the app sent",
    "lambda-at-edge": "CloudFront Lambda@Edge events are not HTTP events for the runtime (they go to the event "
                      "plugins, and none handles them)",
    "mangum-internal": "tests of mangum's own classes and options (per-event handler classes, custom handlers, "
                       "handler.config, argument checks): the runtime has no counterpart to run them against",
    "localstack": "needs a LocalStack container (testcontainers and Docker), which cannot run here",
    "stage-from-event": "SCRIPT_NAME comes from the stage in the event's requestContext (the stage that served "
                        "the request); Zappa takes API_STAGE from its settings, also for hand-made events that "
                        "name no stage",
    "cloudwatch-logs-to-app": "a CloudWatch Logs event goes to the function its subscription names in `events`, "
                              "never to the web app (Zappa calls the app with it)",
    "cognito-unconfigured": "a Cognito trigger with no function configured for it is an unhandled-event error, "
                            "not silently answered with the event unchanged",
    "keep-warm-answer": "the keep-warm ping answers {'zappa': 'warm'} instead of None",
    "run-function-arity": "a function with more than two required parameters is called with (event, context) and "
                          "fails with Python's TypeError, not Zappa's RuntimeError",
    "is-base64-always": "isBase64Encoded is always in the reply (false for text); Zappa leaves it out for text",
    "zappa-internal": "tests of Zappa's internal helper merge_headers: the runtime has no counterpart",
    "sdist-incomplete": "Zappa's sdist lacks tests/test_settings.py, which these tests import",
}

FAILING: dict[str, dict[str, str]] = {
    "apig-wsgi": {
        "tests.test_apig_wsgi.TestV1Events.test_get_missing_content_type": "untyped-body-base64",
        "tests.test_apig_wsgi.TestV1Events.test_empty_and_uncloseable_content": "untyped-body-base64",
        "tests.test_apig_wsgi.TestV1Events.test_get_binary_support_alb_default": "alb-status-description",
        "tests.test_apig_wsgi.TestV1Events.test_get_binary_support_alb_enabled": "alb-status-description",
        "tests.test_apig_wsgi.TestV1Events.test_plain_header_multi": "header-join",
        "tests.test_apig_wsgi.TestV1Events.test_special_headers": "no-http-content-type",
        "tests.test_apig_wsgi.TestV1Events.test_special_content_type": "no-http-content-type",
        "tests.test_apig_wsgi.TestV2Events.test_special_headers": "no-http-content-type",
        "tests.test_apig_wsgi.TestV1Events.test_special_x_forwarded_for": "remote-addr",
        "tests.test_apig_wsgi.TestV1Events.test_exc_info": "exc-info",
        "tests.test_apig_wsgi.TestV1Events.test_elb_health_check": "server-name",
        "tests.test_apig_wsgi.TestV2Events.test_two_cookies": "cookie-join",
        "tests.test_apig_wsgi.TestV2Events.test_mixed_cookies": "cookie-join",
        "tests.test_apig_wsgi.TestV2Events.test_path_unquoting": "http-api-path-decoded",
        "tests.test_apig_wsgi.TestUnknownVersionEvents.test_errors": "unknown-event",
    },
    "mangum": {
        "tests.handlers.test_alb.test_aws_alb_scope_real": "mangum-internal",
        "tests.handlers.test_alb.test_aws_alb_response_extra_mime_types": "mangum-internal",
        "tests.handlers.test_alb.test_aws_alb_set_cookies": "alb-status-description",
        "tests.handlers.test_alb.test_aws_alb_response": "alb-status-description",
        "tests.handlers.test_alb.test_aws_alb_exclude_headers": "exclude-headers",
        "tests.handlers.test_api_gateway.test_aws_api_gateway_scope_basic": "mangum-internal",
        "tests.handlers.test_api_gateway.test_aws_api_gateway_scope_real": "mangum-internal",
        "tests.handlers.test_api_gateway.test_aws_api_gateway_response_extra_mime_types": "mangum-internal",
        "tests.handlers.test_api_gateway.test_aws_api_gateway_base_path": "asgi-root-path",
        "tests.handlers.test_api_gateway.test_aws_api_gateway_exclude_headers": "exclude-headers",
        "tests.handlers.test_api_gateway.test_aws_api_gateway_real_lambda_get": "localstack",
        "tests.handlers.test_api_gateway.test_aws_api_gateway_real_lambda_post": "localstack",
        "tests.handlers.test_custom.test_custom_handler": "mangum-internal",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_scope_basic_v1": "mangum-internal",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_scope_v1_only_non_multi_headers": "mangum-internal",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_scope_v1_no_headers": "mangum-internal",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_scope_basic_v2": "mangum-internal",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_scope_real_v1": "mangum-internal",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_scope_real_v2": "mangum-internal",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_response_v1_extra_mime_types": "mangum-internal",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_response_v2_extra_mime_types": "mangum-internal",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_response_v2": "untyped-body-base64",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_real_lambda_get": "localstack",
        "tests.handlers.test_http_gateway.test_aws_http_gateway_real_lambda_post": "localstack",
        "tests.handlers.test_lambda_at_edge.test_aws_cf_lambda_at_edge_scope_basic": "mangum-internal",
        "tests.handlers.test_lambda_at_edge.test_aws_api_gateway_scope_real": "mangum-internal",
        "tests.handlers.test_lambda_at_edge.test_aws_lambda_at_edge_response": "lambda-at-edge",
        "tests.handlers.test_lambda_at_edge.test_aws_lambda_at_edge_response_extra_mime_types": "lambda-at-edge",
        "tests.handlers.test_lambda_at_edge.test_aws_lambda_at_edge_exclude_": "lambda-at-edge",
        "tests.test_adapter.test_default_settings": "mangum-internal",
        "tests.test_adapter.test_invalid_options": "mangum-internal",
        "tests.test_http.test_http_response": "asgi-scope",
        "tests.test_http.test_set_cookies_v1": "asgi-scope",
        "tests.test_http.test_set_cookies_v2": "asgi-scope",
        "tests.test_http.test_http_exception_handler": "routed-prefix",
        "tests.test_http.test_http_exception_mid_response": "error-body",
        "tests.test_http.test_http_cycle_state": "error-body",
        "tests.test_http.test_http_logging": "log-lines",
        "tests.test_lifespan.test_lifespan_error": "log-lines",
        "tests.test_lifespan.test_lifespan": "lifespan-per-container",
        "tests.test_lifespan.test_lifespan_state": "lifespan-per-container",
        "tests.test_lifespan.test_starlette_lifespan": "lifespan-per-container",
        "tests.test_lifespan.test_quart_lifespan": "lifespan-per-container",
        "tests.test_lifespan.test_lifespan_failure": "lifespan-per-container",
    },
    "zappa": {
        "tests.test_handler.TestZappa.test_cloudwatch_subscription_event": "cloudwatch-logs-to-app",
        "tests.test_handler.TestZappa.test_handler_backward_compat_string_event_mapping": "sdist-incomplete",
        "tests.test_handler.TestZappa.test_handler_calls_multiple_functions_for_same_arn": "sdist-incomplete",
        "tests.test_handler.TestZappa.test_keep_warm_scheduled_event_without_handler_module": "keep-warm-answer",
        "tests.test_handler.TestZappa.test_merge_headers_combine_values": "zappa-internal",
        "tests.test_handler.TestZappa.test_merge_headers_no_multi_value": "zappa-internal",
        "tests.test_handler.TestZappa.test_merge_headers_no_single_value": "zappa-internal",
        "tests.test_handler.TestZappa.test_run_function": "run-function-arity",
        "tests.test_handler.TestZappa.test_wsgi_script_binary_support_userdefined_additional_text_mimetypes__defined":
            "is-base64-always",
        "tests.test_handler.TestZappa.test_wsgi_script_binary_support_without_content_encoding_edgecases":
            "is-base64-always",
        "tests.test_handler.TestZappa.test_wsgi_script_name_on_aws_url": "stage-from-event",
        "tests.test_handler.TestZappa.test_wsgi_script_name_on_test_request": "server-name",
        "tests.test_handler.TestZappa.test_wsgi_script_on_cognito_event_request": "cognito-unconfigured",
    },
}


def reason_for(suite: str, test: str) -> str | None:
    """The listed reason why ``test`` of ``suite`` fails, or None. A family name covers its parameters."""
    for family, reason in FAILING.get(suite, {}).items():
        if test == family or test.startswith(family + "["):
            return reason
    return None
