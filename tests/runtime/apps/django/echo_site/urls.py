import base64
import json
from urllib.parse import parse_qsl

from django.http import HttpResponse
from django.urls import re_path

BINARY = bytes(range(256))


def echo(request):
    body = request.body
    path = request.path_info
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/binary":
        return HttpResponse(BINARY, content_type="application/octet-stream")
    if path == "/upload":
        return HttpResponse(body, content_type="image/png")
    if path == "/empty":
        return HttpResponse(status=204)
    if path == "/cached":
        response = HttpResponse(b"ignored", status=304)
        response["ETag"] = '"v1"'
        return response
    query = request.META.get("QUERY_STRING", "")
    echo = {
        "method": request.method,
        "root": request.META["SCRIPT_NAME"],
        "path": path,
        "query": query,
        "args": parse_qsl(query, keep_blank_values=True),
        "header2": request.headers.get("Header2"),
        "cookie": request.headers.get("Cookie"),
        "content_type": request.META.get("CONTENT_TYPE"),
        "host": request.META.get("HTTP_HOST"),
        "body": base64.b64encode(body).decode(),
        "remote_addr": request.META["REMOTE_ADDR"],
        "scheme": request.scheme,
    }
    response = HttpResponse(json.dumps(echo, sort_keys=True), content_type="application/json")
    response.headers["X-Multi"] = "one, two"
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    return response


urlpatterns = [re_path(r"", echo)]
