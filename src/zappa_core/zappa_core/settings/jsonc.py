"""Lenient JSON for settings files: ``//``, ``#`` and ``/* */`` comments and trailing commas.

Zappa reads ``zappa_settings.json`` with a lenient parser, and its documented examples carry comments and
trailing commas, so existing files must keep loading. Comments are blanked out (not removed) so every line
keeps its number for error messages.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def strip_comments(text: str) -> str:
    """Replace comments outside strings with spaces, keeping newlines (and so line numbers)."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i) or ch == "#":
            end = text.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def remove_trailing_commas(text: str) -> str:
    """Drop commas that directly precede ``}`` or ``]`` (outside strings; run after strip_comments)."""
    parts = re.split(r'("(?:[^"\\]|\\.)*")', text)
    return "".join(p if k % 2 else _TRAILING_COMMA.sub(r" \1", p) for k, p in enumerate(parts))


def loads(text: str) -> Any:
    """Parse strict JSON, or JSON with comments and trailing commas."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(remove_trailing_commas(strip_comments(text)))


def normalize(text: str) -> str:
    """The text as strict JSON with the same line structure (for position lookups)."""
    return remove_trailing_commas(strip_comments(text))
