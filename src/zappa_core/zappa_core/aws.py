"""The one place that creates boto3 clients and resources.

Every client honours the stage's ``profile_name``, ``aws_region`` and ``aws_endpoint_urls`` (for every
service, including ``apigatewayv2``, ``cloudfront`` and ``sts``), retries throttling with backoff, and in
local mode points at the embedded local AWS with dummy credentials, so nothing reaches a real AWS endpoint.
"""

from __future__ import annotations

import os
import threading
from typing import Any

LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DEFAULT_LOCAL_REGION = "us-east-1"


_LOADER: Any = None
_CLIENT_LOCK = threading.RLock()


def _shared_loader() -> Any:
    """One botocore data loader per process: it caches the parsed service models, which are most of the
    cost of creating a client (several stages, or several commands run in-process, parse them once)."""
    global _LOADER
    if _LOADER is None:
        from botocore.loaders import create_loader

        _LOADER = create_loader()
    return _LOADER


class AwsClients:
    """Caching factory of boto3 clients for one stage (or for explicit region/profile/endpoints)."""

    def __init__(
        self,
        *,
        region: str | None = None,
        profile: str | None = None,
        endpoint_urls: dict[str, str] | None = None,
        local_endpoint: str | None = None,
        max_attempts: int = 8,
    ) -> None:
        self.profile = None if local_endpoint else profile
        self.region = region or (DEFAULT_LOCAL_REGION if local_endpoint else None)
        self.endpoint_urls = dict(endpoint_urls or {})
        self.local_endpoint = local_endpoint
        self.max_attempts = max_attempts
        self._session: Any = None
        self._clients: dict[tuple[str, str | None], Any] = {}

    @classmethod
    def for_settings(cls, settings: Any, *, local_endpoint: str | None = None) -> "AwsClients":
        return cls(
            region=settings.aws_region,
            profile=settings.profile_name,
            endpoint_urls=settings.aws_endpoint_urls,
            local_endpoint=local_endpoint,
        )

    @property
    def local(self) -> bool:
        return self.local_endpoint is not None

    @property
    def session(self) -> Any:
        if self._session is None:
            import boto3

            kwargs: dict[str, Any] = {}
            if self.local_endpoint:
                kwargs.update(LOCAL_CREDENTIALS, botocore_session=_profileless_botocore_session())
            elif self.profile:
                kwargs["profile_name"] = self.profile
            if self.region:
                kwargs["region_name"] = self.region
            self._session = boto3.session.Session(**kwargs)
            self._session._session.register_component("data_loader", _shared_loader())
            if self.region is None:
                self.region = self._session.region_name or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        return self._session

    def endpoint_for(self, service: str) -> str | None:
        if self.local_endpoint:
            return self.local_endpoint
        return self.endpoint_urls.get(service)

    def _config(self) -> Any:
        from botocore.config import Config

        return Config(retries={"max_attempts": self.max_attempts, "mode": "adaptive"}, connect_timeout=10, read_timeout=70)

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        client = self._clients.get(key)
        if client is None:
            # Clients are thread-safe once made, but making them from one session is not (the engine plans
            # independent steps in parallel threads).
            with _CLIENT_LOCK:
                client = self._clients.get(key)
                if client is None:
                    session = self.session
                    client = self._clients[key] = session.client(
                        service,
                        region_name=region or self.region,
                        endpoint_url=self.endpoint_for(service),
                        config=self._config(),
                    )
        return client

    def resource(self, service: str, region: str | None = None) -> Any:
        return self.session.resource(
            service, region_name=region or self.region, endpoint_url=self.endpoint_for(service), config=self._config()
        )

    def account_id(self) -> str:
        return self.client("sts").get_caller_identity()["Account"]


def _profileless_botocore_session() -> Any:
    """A botocore session that ignores ``AWS_PROFILE``: in local mode a profile (even one that does not
    exist on this machine) must neither break nor steer anything."""
    import botocore.session
    from botocore.configprovider import ConstantProvider

    session = botocore.session.Session()
    session.get_component("config_store").set_config_provider("profile", ConstantProvider(None))
    return session
