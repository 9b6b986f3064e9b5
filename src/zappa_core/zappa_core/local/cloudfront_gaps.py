"""CloudFront as the local AWS needs it, where moto (pinned) stops short.

- ``PublishFunction`` is missing: a CloudFront Function can be created but never reach its ``LIVE`` stage,
  which is what a distribution associates. The operation is added (route, response, backend): the function's
  stage becomes ``LIVE`` and its status ``UNASSOCIATED``, as AWS answers.
- A cache behavior's ``FunctionAssociations`` are dropped (read back as none): they are kept as sent.

Nothing else of moto's CloudFront changes. moto deletes an enabled distribution (AWS refuses until it is
disabled and deployed) and accepts any ``IfMatch``; zappa disables first and sends the current ETag anyway.
"""

from __future__ import annotations

from typing import Any

PUBLISH_PATH = "{0}/2020-05-31/function/(?P<function_name>[^/]+)/publish$"

_originals: dict[str, Any] = {}


def install() -> None:
    """Patch moto's CloudFront (idempotent)."""
    from moto.cloudfront import models, responses, urls

    if _originals:
        return
    urls.url_paths.setdefault(PUBLISH_PATH, responses.CloudFrontResponse.dispatch)
    _originals["behaviour_init"] = models.DefaultCacheBehaviour.__init__
    models.DefaultCacheBehaviour.__init__ = _behaviour_init
    responses.CloudFrontResponse.publish_function = _publish_response
    models.CloudFrontBackend.publish_function = _publish


def uninstall() -> None:
    from moto.cloudfront import models, responses, urls

    if not _originals:
        return
    urls.url_paths.pop(PUBLISH_PATH, None)
    models.DefaultCacheBehaviour.__init__ = _originals.pop("behaviour_init")
    del responses.CloudFrontResponse.publish_function
    del models.CloudFrontBackend.publish_function


def _behaviour_init(self: Any, config: dict[str, Any]) -> None:
    _originals["behaviour_init"](self, config)
    associations = config.get("FunctionAssociations") or {}
    items = associations.get("Items") or []
    if items:
        self.function_associations = {"Quantity": len(items), "Items": items}


def _publish(self: Any, name: str, if_match: str | None) -> Any:
    from moto.cloudfront.exceptions import InvalidIfMatchVersion

    function = self.describe_function(name)
    if not if_match:
        raise InvalidIfMatchVersion
    function.stage = "LIVE"
    function.status = "UNASSOCIATED"
    return function


def _publish_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    function = self.backend.publish_function(name=self._get_param("Name"), if_match=self._get_param("IfMatch"))
    return ActionResult({"FunctionSummary": function.function_summary})
