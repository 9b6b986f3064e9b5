"""The one place that creates boto3 clients and resources.

Every client honours the stage's ``profile_name``, ``aws_region`` and ``aws_endpoint_urls`` (for every
service, including ``apigatewayv2``, ``cloudfront`` and ``sts``), retries throttling with backoff, and in
local mode points at the embedded local AWS with dummy credentials, so nothing reaches a real AWS endpoint.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DEFAULT_LOCAL_REGION = "us-east-1"


_LOADER: Any = None
_CLIENT_LOCK = threading.RLock()


def _shared_loader() -> Any:
    """One botocore data loader per process: it caches the parsed service models, which are most of the
    cost of creating a client (several stages, or several commands run in-process, parse them once), and
    keeps them parsed between runs in the user cache (:mod:`zappa_core.model_cache`)."""
    global _LOADER
    if _LOADER is None:
        from zappa_core.model_cache import create_loader

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
        self._botocore_session: Any = None
        self._clients: dict[tuple[str, str | None], Any] = {}

    @classmethod
    def for_settings(cls, settings: Any, *, local_endpoint: str | None = None) -> AwsClients:
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
    def botocore_session(self) -> Any:
        """The session every client is made from: botocore's own, so that a run which only needs a
        Lambda client never imports boto3 (boto3 adds nothing to a client but the S3 transfer methods,
        which are added here when an S3 client is made)."""
        if self._botocore_session is None:
            with _CLIENT_LOCK:
                if self._botocore_session is None:
                    session = self._new_botocore_session()
                    session.register("creating-client-class.s3", _inject_s3_transfer_methods)
                    if self.region is None:
                        self.region = (session.get_config_variable("region") or os.environ.get("AWS_DEFAULT_REGION")
                                       or "us-east-1")
                    self._botocore_session = session
        return self._botocore_session

    @property
    def session(self) -> Any:
        """A boto3 session with the same profile, region and credentials (for resources)."""
        if self._session is None:
            import boto3

            session = self._new_botocore_session(shared_loader=False)
            self._session = boto3.session.Session(botocore_session=session)
            # after boto3 has taken its own loader (with its resource models) for resources
            session.register_component("data_loader", _shared_loader())
            self.resolve_region()
        return self._session

    def _new_botocore_session(self, *, shared_loader: bool = True) -> Any:
        _import_botocore()
        import botocore.session

        if self.local_endpoint:
            session = _profileless_botocore_session()
            session.set_credentials(LOCAL_CREDENTIALS["aws_access_key_id"], LOCAL_CREDENTIALS["aws_secret_access_key"])
        else:
            session = botocore.session.Session()
            if self.profile:
                session.set_config_variable("profile", self.profile)
        if self.region:
            session.set_config_variable("region", self.region)
        if shared_loader:
            session.register_component("data_loader", _shared_loader())
        return session

    def resolve_region(self) -> str:
        """The region: the one given, else the profile's or the environment's, else us-east-1."""
        _ = self.botocore_session  # resolves it when none was given
        return self.region

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
                    client = self._clients[key] = self.botocore_session.create_client(
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

    def require_credentials(self) -> None:
        """Fail with the ways to provide credentials when there are none (no AWS call is made): commands
        check this before packaging or planning, instead of failing at their first AWS call."""
        if self.local_endpoint:
            return
        from botocore.exceptions import ProfileNotFound

        from zappa_core.errors import AwsError

        fixes = ("run 'aws configure', set AWS_PROFILE or the stage's profile_name to a profile that has "
                 "credentials (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or add --local to work on the "
                 "local AWS ('zappa local start')")
        try:
            found = self.botocore_session.get_credentials()
        except ProfileNotFound as exc:
            raise AwsError(f"the AWS profile '{exc.kwargs.get('profile', self.profile)}' is not configured on this "
                           "machine", hint=fixes) from None
        if found is None:
            where = f"profile '{self.profile}'" if self.profile else "the environment, ~/.aws or an instance role"
            raise AwsError(f"no AWS credentials found (looked in {where})", hint=fixes)


def _inject_s3_transfer_methods(class_attributes: dict, **kwargs: Any) -> None:
    """boto3's ``upload_file`` and friends on S3 clients (imported only when an S3 client is made)."""
    from boto3.s3.inject import inject_s3_transfer_methods

    inject_s3_transfer_methods(class_attributes, **kwargs)


def _import_botocore() -> None:
    """Import botocore without pyOpenSSL when nothing has loaded it.

    ``botocore.httpsession`` imports ``urllib3.contrib.pyopenssl`` only to take urllib3's SSL context
    class from before pyOpenSSL was injected, and falls back to ``urllib3.util.ssl_.SSLContext``. While
    nothing has imported that module nothing can have injected pyOpenSSL, so both name the same class
    (the standard library's); hiding the module during that one import skips loading pyOpenSSL and
    cryptography's X.509 layer (about 0.1 s), and it is importable as usual afterwards."""
    if "botocore.httpsession" in sys.modules or "urllib3.contrib.pyopenssl" in sys.modules:
        return
    with _CLIENT_LOCK:
        if "botocore.httpsession" in sys.modules:
            return
        sys.modules["urllib3.contrib.pyopenssl"] = None  # type: ignore[assignment]
        try:
            import botocore.httpsession  # noqa: F401
        finally:
            if sys.modules.get("urllib3.contrib.pyopenssl", False) is None:
                del sys.modules["urllib3.contrib.pyopenssl"]


def _profileless_botocore_session() -> Any:
    """A botocore session that ignores ``AWS_PROFILE``: in local mode a profile (even one that does not
    exist on this machine) must neither break nor steer anything."""
    import botocore.session
    from botocore.configprovider import ConstantProvider

    session = botocore.session.Session()
    session.get_component("config_store").set_config_provider("profile", ConstantProvider(None))
    return session
