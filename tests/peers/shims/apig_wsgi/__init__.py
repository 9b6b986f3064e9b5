"""apig-wsgi's entry point, ``make_lambda_handler(app, binary_support, non_binary_content_type_prefixes)``, on
this project's runtime. Its settings map to the stage's: ``binary_support`` (apig-wsgi's ``None``, its default,
means on for HTTP API and ALB events and off for REST: here it is the stage's default, on) and
``non_binary_content_type_prefixes`` (here ``additional_text_mimetypes``). apig-wsgi's environ keys for the
event and context are set from the runtime's.

The response is put in apig-wsgi's layout where the difference never reaches the client: the headers of a
REST or ALB reply in the one block the request's mode uses (API Gateway merges ``headers`` into
``multiValueHeaders``), HTTP API header names in lower case and an empty ``cookies`` list. Everything a client
can see (status, ALB's ``statusDescription``, header values, body, base64) is passed on as the runtime made it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from zappa_peer_runtime import runtime_for

_ExcInfoType = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None] | None


def make_lambda_handler(wsgi_app: Any, binary_support: bool | None = None,
                        non_binary_content_type_prefixes: Any = None) -> Callable[[dict, Any], dict]:
    def named_like_apig_wsgi(environ: dict, start_response: Any) -> Any:
        event = environ["lambda.event"]
        environ["apig_wsgi.full_event"] = event
        environ["apig_wsgi.request_context"] = event.get("requestContext")
        environ["apig_wsgi.context"] = environ["lambda.context"]
        return wsgi_app(environ, start_response)

    settings: dict[str, Any] = {"app_type": "wsgi", "binary_support": binary_support is not False}
    if non_binary_content_type_prefixes:
        settings["additional_text_mimetypes"] = list(non_binary_content_type_prefixes)
    invoke = runtime_for(named_like_apig_wsgi, **settings).invoke

    def handler(event: dict, context: Any) -> dict:
        return apig_wsgi_layout(event, invoke(event, context))

    return handler


def apig_wsgi_layout(event: dict, response: dict) -> dict:
    response = dict(response)
    single = response.pop("headers", None) or {}
    multi = response.pop("multiValueHeaders", None) or {}
    if event.get("version") == "2.0":
        response["headers"] = {name.lower(): value for name, value in single.items()}
        response.setdefault("cookies", [])
    elif event.get("multiValueHeaders"):
        response["multiValueHeaders"] = {**{k: [v] for k, v in single.items()}, **multi}
    else:
        response["headers"] = {**single, **{k: v[-1] for k, v in multi.items()}}
    return response
