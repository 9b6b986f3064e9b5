"""AWS Signature Version 4 for a request without a body, in the standard library alone (the no-op update check
signs its one call with it instead of importing botocore)."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlsplit

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signed_headers(method: str, url: str, region: str, service: str, access_key: str, secret_key: str,
                   token: str | None = None, *, now: float | None = None) -> dict[str, str]:
    """The headers that sign ``method url`` (no query string, no body): ``Host``, ``X-Amz-Date``,
    ``X-Amz-Security-Token`` when there is a session token, and ``Authorization``."""
    parts = urlsplit(url)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    headers = {"host": parts.netloc, "x-amz-date": stamp}
    if token:
        headers["x-amz-security-token"] = token
    names = sorted(headers)
    canonical = "\n".join([method, quote(parts.path or "/", safe="/~"), "",
                           "".join(f"{name}:{headers[name]}\n" for name in names), ";".join(names), EMPTY_SHA256])
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret_key}".encode(), stamp[:8]), region), service), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={';'.join(names)}, "
                                f"Signature={signature}")
    return headers
