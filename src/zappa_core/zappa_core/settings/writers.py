"""Writing settings files: JSON, YAML (round-trip, keeping comments) and TOML.

Used by ``zappa settings --config`` (update a stage in place) and ``zappa init`` (values for its templates).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def toml_value(value: Any) -> str:
    """One TOML value (inline form). JSON string escapes are valid TOML basic-string escapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    if value is None:
        raise ValueError("TOML has no null: leave the key out instead")
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_toml(stages: dict[str, dict[str, Any]]) -> str:
    out = []
    for stage, body in stages.items():
        out.append(f"[{toml_key(stage)}]")
        out.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in body.items() if v is not None)
        out.append("")
    return "\n".join(out)


def parse_assignment(text: str) -> tuple[list[str], Any]:
    """``key=value`` (``a.b=value`` for a nested key); the value is JSON when it parses as JSON, else text."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"expected key=value, got {text!r}")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return key.split("."), value


def assign(target: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = type(target)() if hasattr(target, "lc") else {}
        target = child
    target[path[-1]] = value


def update_file(path: Path, stage: str, assignments: list[tuple[list[str], Any]]) -> str:
    """The new text of settings file ``path`` with ``assignments`` applied to ``stage`` (created if
    missing). YAML keeps its comments and layout; JSON is rewritten with 4-space indents; TOML is rewritten."""
    suffix = path.suffix.lower()
    exists = path.is_file()
    if suffix in (".yml", ".yaml"):
        from ruamel.yaml import YAML
        from ruamel.yaml.comments import CommentedMap

        yaml = YAML(typ="rt")
        yaml.indent(mapping=2, sequence=4, offset=2)
        doc = yaml.load(path.read_text(encoding="utf-8")) if exists else None
        doc = doc if doc is not None else CommentedMap()
        if stage not in doc:
            doc[stage] = CommentedMap()
        for key, value in assignments:
            assign(doc[stage], key, value)
        buffer = io.StringIO()
        yaml.dump(doc, buffer)
        return buffer.getvalue()
    from zappa_core.settings.files import load_file

    data = load_file(path).data if exists else {}
    body = data.setdefault(stage, {})
    for key, value in assignments:
        assign(body, key, value)
    if suffix == ".toml":
        return dump_toml(data)
    return json.dumps(data, indent=4) + "\n"
