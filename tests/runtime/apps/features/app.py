"""A raw WSGI app for the settings that change what reaches the app or what goes back (the `features` package)."""

import json
import os
import sys

BINARY = bytes(range(256))


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/png-text":  # an image/* type whose bytes happen to be UTF-8 text
        start_response("200 OK", [("Content-Type", "image/png")])
        return [b"PNG-AS-TEXT"]
    if path == "/binary":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [BINARY]
    if path == "/custom-text":
        start_response("200 OK", [("Content-Type", "application/vnd.example+csv; charset=utf-8")])
        return ["a,b\n1,é\n".encode()]
    if path == "/custom-binary":
        start_response("200 OK", [("Content-Type", "application/vnd.example.other")])
        return [b"abc"]
    echo = {
        "root": environ["SCRIPT_NAME"],
        "path": path,
        "request_id": environ.get("HTTP_X_REQUEST_ID"),
        "api_stage": environ.get("HTTP_API_STAGE"),
        "user_sub": environ.get("HTTP_X_USER_SUB"),
        "remote_secret": os.environ.get("REMOTE_SECRET"),
        "overridden": os.environ.get("OVERRIDDEN"),
        "settings_file_ran": os.environ.get("SETTINGS_FILE_RAN"),
        "settings_module": getattr(sys.modules.get("runtime_settings"), "LOADED_AS", None),
        "app_file": __file__,
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(echo).encode()]
