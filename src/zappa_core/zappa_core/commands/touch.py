"""``touch``: after a deploy or an update, one GET of the stage's public URL proves the app answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zappa_core.errors import AwsError
from zappa_core.plan import DeployContext


def primary_url(urls: dict[str, str]) -> str | None:
    for key in ("api", "rest", "http", "url", "function_url", "alb", "domain"):
        if urls.get(key):
            return urls[key]
    return next((u for u in urls.values() if isinstance(u, str) and u), None)


def touch(settings: Any, urls: dict[str, str], echo: Callable[[str], None], *, local: bool = False,
          dctx: DeployContext | None = None) -> dict | None:
    """GET the stage's public URL + ``touch_path``; a 5xx (or no answer) fails the deploy, which stays
    unfinished: running the same command again finishes it.

    In local mode only a loopback URL is requested: nothing may reach a real AWS endpoint."""
    import urllib.error
    import urllib.parse
    import urllib.request

    from zappa_core.engine import command_line

    base = primary_url(urls)
    if not base:
        return None
    if local and urllib.parse.urlsplit(base).hostname not in ("127.0.0.1", "localhost", "::1"):
        echo(f"touch: skipped, {base} is not served by the local gateway")
        return None
    url = base.rstrip("/") + "/" + (settings.touch_path or "/").lstrip("/")
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "zappa-touch"}), timeout=60) as resp:
            status = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        raise AwsError(f"touch: GET {url} failed: {exc}",
                       hint="the function is deployed; set 'touch: false' if this URL is not reachable from here") from exc
    if status >= 500:
        again = command_line(dctx.command, settings.stage, dctx) if dctx else "the command"
        raise AwsError(f"touch: GET {url} returned HTTP {status}: the app fails to answer",
                       hint=f"see the traceback with '{command_line('tail', settings.stage, dctx)}'; "
                            f"fix the app and run '{again}' again to finish")
    echo(f"touch: GET {url} -> {status}")
    return {"url": url, "status": status}
