"""What the local gateway's API routes share: the API's model read once per route discovery, and paging
through API Gateway's and Lambda's list calls."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from zappa_aws_apigw.local_auth import AuthorizerCache


def paged(client: Any, method: str, items: str, token_key: str, *, token_arg: str | None = None, **kwargs: Any) -> Iterator[Any]:
    token = None
    while True:
        args = dict(kwargs)
        if token:
            args[token_arg or ("position" if token_key == "position" else token_key)] = token
        page = getattr(client, method)(**args)
        yield from page.get(items, [])
        token = page.get(token_key)
        if not token:
            return


class ApiRoute:
    """A deployed API seen by the gateway: its model (``load()``) is read once, on first use, per route
    discovery (the gateway discovers again after every change to API Gateway or Lambda)."""

    id_key = ""

    def __init__(self, state: Any, api: dict[str, Any]) -> None:
        self.state = state
        self.api = api
        self.api_id = api[self.id_key]
        self.cache = AuthorizerCache()
        self._model: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def load(self) -> dict[str, Any]:
        raise NotImplementedError

    def model(self) -> dict[str, Any]:
        with self._lock:
            if self._model is None:
                self._model = self.load()
            return self._model
