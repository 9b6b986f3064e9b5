"""mangum's entry point, ``Mangum(app, lifespan=..., api_gateway_base_path=..., text_mime_types=...)``, on this
project's runtime: ``api_gateway_base_path`` is the stage's ``base_path``, ``text_mime_types`` its
``additional_text_mimetypes``; ``lifespan="off"`` serves the app as one that does not speak lifespan (it is
never sent the ``lifespan`` scope). The runtime is cold-started at the first call, as on Lambda, and a failed
lifespan startup is raised as mangum's ``LifespanFailure``."""

from __future__ import annotations

from typing import Any

from zappa_peer_runtime import runtime_for
from zappa_runtime.asgi import LifespanError

from mangum.exceptions import LifespanFailure

__all__ = ["Mangum"]


class Mangum:
    def __init__(self, app: Any, lifespan: str = "auto", api_gateway_base_path: str = "/",
                 custom_handlers: Any = None, text_mime_types: list[str] | None = None,
                 exclude_headers: list[str] | None = None) -> None:
        self.app = app
        self.lifespan = lifespan
        self.settings: dict[str, Any] = {"app_type": "asgi", "base_path": api_gateway_base_path.strip("/") or None}
        if text_mime_types:
            self.settings["additional_text_mimetypes"] = list(text_mime_types)
        self._runtime: Any = None

    def __call__(self, event: dict, context: Any) -> Any:
        if self._runtime is None:
            app = self.app if self.lifespan != "off" else _without_lifespan(self.app)
            try:
                self._runtime = runtime_for(app, **self.settings)
            except LifespanError as exc:
                raise LifespanFailure(str(exc)) from exc
        return self._runtime.invoke(event, context)


def _without_lifespan(app: Any) -> Any:
    async def served(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("lifespan is off")
        await app(scope, receive, send)

    return served
