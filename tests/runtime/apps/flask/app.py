"""A Flask app that echoes what reached it."""

import base64
import json
from urllib.parse import parse_qsl

from flask import Flask, Response, request

app = Flask(__name__)
BINARY = bytes(range(256))


@app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def echo(path):
    body = request.get_data()
    if request.path == "/boom":
        raise RuntimeError("boom")
    if request.path == "/binary":
        return Response(BINARY, mimetype="application/octet-stream")
    if request.path == "/upload":
        return Response(body, mimetype="image/png")
    if request.path == "/empty":
        return Response(status=204)
    if request.path == "/cached":
        return Response(b"ignored", status=304, headers={"ETag": '"v1"'})
    query = request.query_string.decode("latin-1")
    echo = {
        "method": request.method,
        "root": request.script_root,
        "path": request.path,
        "query": query,
        "args": parse_qsl(query, keep_blank_values=True),
        "header2": request.headers.get("Header2"),
        "cookie": request.headers.get("Cookie"),
        "content_type": request.headers.get("Content-Type"),
        "host": request.headers.get("Host"),
        "body": base64.b64encode(body).decode(),
        "remote_addr": request.remote_addr,
        "scheme": request.scheme,
    }
    response = Response(json.dumps(echo, sort_keys=True), mimetype="application/json")
    response.headers.add("Set-Cookie", "a=1")
    response.headers.add("Set-Cookie", "b=2")
    response.headers.add("X-Multi", "one")
    response.headers.add("X-Multi", "two")
    return response
