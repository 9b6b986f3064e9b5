"""A FastAPI app that echoes what reached it (ASGI), with a lifespan that must have run once."""

import base64
import json
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response

BINARY = bytes(range(256))
STARTS = []


@asynccontextmanager
async def lifespan(app):
    STARTS.append(1)
    yield {"starts": STARTS}


app = FastAPI(lifespan=lifespan)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@app.api_route("/{path:path}", methods=METHODS)
async def echo(path: str, request: Request):
    body = await request.body()
    route = "/" + path
    if len(request.state.starts) != 1:
        raise RuntimeError("lifespan startup did not run exactly once")
    if route == "/boom":
        raise RuntimeError("boom")
    if route == "/binary":
        return Response(BINARY, media_type="application/octet-stream")
    if route == "/upload":
        return Response(body, media_type="image/png")
    if route == "/empty":
        return Response(status_code=204)
    if route == "/cached":
        return Response(b"ignored", status_code=304, headers={"ETag": '"v1"'})
    query = request.scope["query_string"].decode("latin-1")
    echo = {
        "method": request.method,
        "root": request.scope["root_path"],
        "path": route,
        "query": query,
        "args": parse_qsl(query, keep_blank_values=True),
        "header2": request.headers.get("header2"),
        "cookie": request.headers.get("cookie"),
        "content_type": request.headers.get("content-type"),
        "host": request.headers.get("host"),
        "body": base64.b64encode(body).decode(),
        "remote_addr": request.client.host,
        "scheme": request.url.scheme,
    }
    response = Response(json.dumps(echo, sort_keys=True), media_type="application/json")
    response.raw_headers.extend(
        [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"x-multi", b"one"), (b"x-multi", b"two")]
    )
    return response
