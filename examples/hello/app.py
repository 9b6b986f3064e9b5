"""A small Flask app used by the README demo."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(message="Hello from zappa!", path=request.path)


@app.post("/echo")
def echo():
    return request.get_data(), 200, {"Content-Type": request.content_type or "application/octet-stream"}


def tick(event, context):
    """A scheduled function: prints a line that shows up in `zappa tail`."""
    print("tick", event.get("time"))
    return {"ticked": True}
