"""Reading ``zappa_settings.json|yml|yaml|toml`` with the line of every key, for error messages."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SETTINGS_NAMES = ("zappa_settings.json", "zappa_settings.yml", "zappa_settings.yaml", "zappa_settings.toml")


@dataclass
class LoadedFile:
    """The stages of one settings file as plain data, and the line (1-based) of each ``(stage, key)``."""

    path: Path
    data: dict[str, Any]
    lines: dict[tuple[str, str], int] = field(default_factory=dict)
    format: str = "json"

    def line_of(self, stage: str, key: str | None = None) -> int | None:
        return self.lines.get((stage, key or ""))


class SettingsFileError(Exception):
    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path, self.line = path, line
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


def find_settings_file(project_dir: Path) -> Path | None:
    for name in SETTINGS_NAMES:
        candidate = project_dir / name
        if candidate.is_file():
            return candidate
    return None


def load_file(path: Path) -> LoadedFile:
    """Read a settings file by its extension (``.json``, ``.yml``/``.yaml``, ``.toml``)."""
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        loaded = _load_yaml(path, text)
    elif suffix == ".toml":
        loaded = _load_toml(path, text)
    elif suffix == ".json":
        loaded = _load_json(path, text)
    else:
        raise SettingsFileError(path, "unknown settings file type (use .json, .yml, .yaml or .toml)")
    if not isinstance(loaded.data, dict):
        raise SettingsFileError(path, "the file must hold a mapping of stage names to settings")
    for stage, body in loaded.data.items():
        if not isinstance(body, dict):
            raise SettingsFileError(path, f"stage '{stage}' must be a mapping of settings", loaded.line_of(stage))
    return loaded


def _plain(node: Any) -> Any:
    """ruamel's commented containers to plain dict/list (JSON-compatible)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _yaml_lines(doc: Any) -> dict[tuple[str, str], int]:
    lines: dict[tuple[str, str], int] = {}
    if not hasattr(doc, "lc"):
        return lines
    for stage in doc:
        try:
            lines[(str(stage), "")] = doc.lc.key(stage)[0] + 1
        except Exception:
            pass
        body = doc[stage]
        if hasattr(body, "lc") and isinstance(body, dict):
            for key in body:
                try:
                    lines[(str(stage), str(key))] = body.lc.key(key)[0] + 1
                except Exception:
                    pass
    return lines


def _load_yaml(path: Path, text: str) -> LoadedFile:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    yaml = YAML(typ="rt")
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SettingsFileError(path, f"invalid YAML: {exc.problem}", line) from None
    return LoadedFile(path, _plain(doc) if doc is not None else {}, _yaml_lines(doc), "yaml")


def _load_json(path: Path, text: str) -> LoadedFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsFileError(path, f"invalid JSON: {exc.msg}", exc.lineno) from None
    # JSON is YAML 1.2: ruamel gives the key positions that json does not.
    lines: dict[tuple[str, str], int] = {}
    try:
        from ruamel.yaml import YAML

        lines = _yaml_lines(YAML(typ="rt").load(text.replace("\t", " ")))
    except Exception:
        lines = {}
    return LoadedFile(path, data, lines, "json")


_TOML_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_TOML_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_\-]+))\s*=""")


def _toml_lines(text: str) -> dict[tuple[str, str], int]:
    lines: dict[tuple[str, str], int] = {}
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        m = _TOML_TABLE.match(line)
        if m:
            table = [part.strip().strip('"').strip("'") for part in m.group(1).split(".")]
            if len(table) == 1:
                lines.setdefault((table[0], ""), number)
            continue
        k = _TOML_KEY.match(line)
        if k and len(table) == 1:
            key = k.group(1) or k.group(2) or k.group(3)
            lines.setdefault((table[0], key), number)
    return lines


def _load_toml(path: Path, text: str) -> LoadedFile:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise SettingsFileError(path, f"invalid TOML: {exc}", int(m.group(1)) if m else None) from None
    return LoadedFile(path, data, _toml_lines(text), "toml")
