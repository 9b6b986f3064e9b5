"""``zappa serve STAGE``: the app from the source folder through the Lambda runtime (see docs/local.md)."""

from __future__ import annotations

from typing import Any


def serve(ctx, *, port: int = 8000, reload: bool = True, **_: Any) -> int:
    from zappa_core.local import devserver

    settings = ctx.stages()[0]
    if reload:
        ctx.echo(f"Serving stage '{settings.stage}' on http://127.0.0.1:{port}/ (restarts when a .py file or the "
                 "settings file changes; Ctrl-C stops)")
        return devserver.serve_with_reload(ctx, settings, port, echo=ctx.echo)
    server = devserver.DevServer(settings, ctx.pm, port=port, echo=ctx.echo)
    ctx.echo(server.banner())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0
