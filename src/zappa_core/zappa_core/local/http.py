"""The request and response types the local gateway hands to ``LocalRoute.handle``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LocalRequest:
    """One HTTP request received by the local gateway.

    ``path`` is what follows the route key in the URL (for ``/abc123/dev/hello`` with route key ``abc123``
    it is ``/dev/hello``), still percent-encoded; ``headers`` keeps repeated headers in order.
    """

    method: str
    path: str
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    scheme: str = "http"
    host: str = "127.0.0.1"

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
