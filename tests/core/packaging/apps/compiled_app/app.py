"""Needs compiled code: markupsafe's C speedups and pydantic-core's Rust extension."""

import markupsafe
import pydantic_core
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return {
        "app": "compiled",
        "escape": markupsafe._escape_inner.__module__,
        "escaped": str(markupsafe.escape("<b>")),
        "pydantic_core": pydantic_core._pydantic_core.__file__.rsplit("/", 1)[-1],
    }
