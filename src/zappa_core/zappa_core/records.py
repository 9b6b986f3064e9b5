"""Typed records that plugins return from discovery hooks.

The core collects them, stamps each with the plugin that returned it and rejects duplicate names with a
message that names both plugins (see :mod:`zappa_core.plugins`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SettingsSection:
    """A group of stage settings owned by one plugin.

    ``model`` is a pydantic model with ``extra="forbid"`` whose fields are top-level keys of a stage in
    ``zappa_settings.*`` (Zappa's format is flat: ``memory_size`` and ``apigateway_enabled`` sit side by side).
    No two sections may declare the same key.
    """

    name: str
    model: type
    description: str = ""
    plugin: str = ""


@dataclass(frozen=True)
class SettingsProblem:
    """One problem with a stage's settings.

    ``key`` is the setting it is about, when there is one, and ``path`` the place inside that setting's
    value (``(0, "event_source", "arn")`` for ``events[0].event_source.arn``). ``stage`` is the stage whose
    text holds the value (the parent stage for a value inherited through ``extends``); ``inherited_by``
    names the stages that were checked and got the value from there.
    """

    message: str
    key: str | None = None
    stage: str | None = None
    file: str | None = None
    line: int | None = None
    path: tuple[str | int, ...] = ()
    inherited_by: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """``key`` and ``path`` as written: ``events[0].event_source.arn``."""
        text = self.key or ""
        for part in self.path:
            if isinstance(part, int):
                text += f"[{part}]"
            elif str(part).isidentifier():
                text += f".{part}"
            else:
                text += f"[{str(part)!r}]"
        return text

    def __str__(self) -> str:
        where = self.file or ""
        if self.line:
            where = f"{where}:{self.line}"
        stage = f"stage '{self.stage}'" if self.stage else ""
        if stage and self.inherited_by:
            stage += " (inherited by " + ", ".join(f"'{s}'" for s in self.inherited_by) + ")"
        prefix = ", ".join(p for p in (where, stage) if p)
        key = f"'{self.where}': " if self.key else ""
        return f"{prefix}: {key}{self.message}" if prefix else f"{key}{self.message}"


@dataclass(frozen=True)
class PackageInclude:
    """A file to put in the Lambda package: ``arcname`` inside the zip, from ``source`` or ``data``."""

    arcname: str
    source: Path | None = None
    data: bytes | None = None
    mode: int = 0o644

    def __post_init__(self) -> None:
        if (self.source is None) == (self.data is None):
            raise ValueError("PackageInclude needs exactly one of source= or data=")


@dataclass(frozen=True)
class BuiltPackage:
    """What ``zappa_build_package`` returns: the zip on disk and its content hash.

    ``sha256`` is computed over the zip bytes; because builds are deterministic it is what ``update``
    compares to skip an upload. ``layer`` is the dependencies layer zip when ``layer`` packaging is on.
    ``sources`` are the files the package was made of (empty when unknown): a no-op update's receipt checks
    them for changes.
    """

    path: Path
    sha256: str
    size: int
    files: int
    layer: BuiltPackage | None = None
    details: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class CertificateProvider:
    """A source of TLS certificates for ``zappa certify``.

    ``applies(settings) -> bool`` says whether the stage's settings select this provider;
    ``obtain(ctx) -> str`` returns the ACM certificate ARN to bind.
    """

    name: str
    applies: Callable[[Any], bool]
    obtain: Callable[[Any], str]
    plugin: str = ""


@dataclass(frozen=True)
class StageDomain:
    """A custom domain of the stage besides its ``domain`` (``zappa_stage_domains``), which ``zappa certify``
    certifies and binds as well: ``name`` is the host name; ``certificate_region`` the region the certificate must
    be in for the front door that serves it (``None``: the stage's own region); ``scheme`` the URL scheme it
    serves (``"wss"`` for a WebSocket API); ``alternative_names`` the names served with it by the same front door
    under the same certificate (the certificate covers them all; certify binds once and points each at the
    front door). A record whose ``name`` is the stage's ``domain`` says this about that domain.
    """

    name: str
    certificate_region: str | None = None
    scheme: str = "https"
    alternative_names: tuple[str, ...] = ()
    plugin: str = ""


@dataclass(frozen=True)
class CliCommand:
    """An extra CLI command. ``app`` is a ``typer.Typer`` (a command group) or a plain callable."""

    name: str
    app: Any
    help: str = ""
    plugin: str = ""


@dataclass(frozen=True)
class LocalRoute:
    """How the local gateway reaches a function.

    ``kind`` is ``"rest"``, ``"http"``, ``"alb"``, ``"url"`` or ``"websocket"``; ``key`` identifies the front door (API id,
    load balancer name, function name) and becomes part of the local URL; ``handle(request) -> response``
    turns a local HTTP request into an invocation and the invocation's result into an HTTP response (the
    request/response types are those of :mod:`zappa_core.local.http`).
    """

    kind: str
    key: str
    handle: Callable[[Any], Any]
    description: str = ""
    plugin: str = ""
    #: ``websocket(request, socket) -> None``: serves a WebSocket connection to this front door (``None``:
    #: it serves none); see :mod:`zappa_core.local.websocket`.
    websocket: Callable[[Any, Any], None] | None = None
    #: Custom domain names this front door serves on the local gateway by ``Host`` header, each with the path
    #: on this route that the domain's root maps to (``{"ws.example.com": "/dev"}``: ``ws://ws.example.com:<port>/``
    #: is ``/<key>/dev``).
    hosts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LocalFrontDoor:
    """How ``zappa serve`` reaches the app the way the stage's front door would (``zappa_local_front_door``).

    ``kind`` names the event shape in the server's banner (``"v1"`` for a REST API, ``"v2"`` for an HTTP API
    or a function URL, ``"alb"`` for a load balancer); ``build_event(request) -> dict`` makes the event of a
    :class:`~zappa_core.local.http.LocalRequest`; ``read_response(payload, function_error) -> LocalResponse``
    makes the HTTP response of what the handler returned (``function_error``: ``None``, or ``"Unhandled"``
    with Lambda's error document as ``payload``).
    """

    kind: str
    build_event: Callable[[Any], dict[str, Any]]
    read_response: Callable[[Any, str | None], Any]
    plugin: str = ""
    #: ``websocket(invoke, url) -> route``: the stage's WebSocket API under ``zappa serve`` (``None``: it has none).
    #: ``invoke(event) -> (payload, function_error)`` runs the handler; ``url`` is the server's. The route's
    #: ``websocket(request, socket)`` serves a client, and its ``handle(request)`` the requests under
    #: ``<url>__zappa__/`` (the management API the handlers post to), as a :class:`LocalRoute`'s do.
    websocket: Callable[[Callable[[dict[str, Any]], tuple[Any, str | None]], str], Any] | None = None


@dataclass(frozen=True)
class DomainBinding:
    """What a front door's ``zappa_bind_domain`` made: ``domain`` now served by it, with the certificate.

    ``target`` is the DNS name the domain must point at (a CloudFront distribution, a regional API Gateway
    domain name, a load balancer; ``None`` while AWS has not named it yet) and ``hosted_zone_id`` the Route53 hosted zone of that target (for the
    alias record ``certify`` writes); ``details`` says what the front door did, in its own words
    (``{"api_id": ..., "base_path": ...}``, ``{"listener": ..., "action": ...}``); ``url`` the URL clients use
    when it is not ``https://<domain>[/<base_path>]`` (``wss://<domain>`` for a WebSocket API).
    """

    domain: str
    target: str | None
    hosted_zone_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    plugin: str = ""
    url: str | None = None
    #: The alias record types certify writes (``("A", "AAAA")`` for a target that serves IPv6 too).
    record_types: tuple[str, ...] = ("A",)
