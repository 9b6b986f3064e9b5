"""The request and response types the local gateway hands to ``LocalRoute.handle``."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The account id of the local AWS (moto's default) and of the events ``zappa serve`` makes.
LOCAL_ACCOUNT = "123456789012"


@dataclass
class LocalRequest:
    """One HTTP request received by the local gateway.

    ``path`` is what follows the route key in the URL (for ``/abc123/dev/hello`` with route key ``abc123``
    it is ``/dev/hello``), still percent-encoded; ``prefix`` is what came before it (``/abc123``; empty when
    the key was the host name, ``abc123.localhost``); ``headers`` keeps repeated headers in order, with the
    ``X-Forwarded-For``, ``X-Forwarded-Proto`` and ``X-Forwarded-Port`` every AWS front door adds.
    """

    method: str
    path: str
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    scheme: str = "http"
    host: str = "127.0.0.1"
    prefix: str = ""

    def header(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return default


@dataclass
class LocalResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
