"""Reading ``zappa_settings.json|yml|yaml|toml`` with the line of every key, for error messages.

Every reader returns a :class:`LoadedFile`: the stages as plain JSON-compatible data, and the line (1-based)
where each key was written, by its path (``("dev",)``, ``("dev", "memory_size")``,
``("dev", "events", 0, "function")``). The JSON reader is tolerant the way Zappa's (hjson) is: ``//``, ``#``
and ``/* */`` comments, trailing commas and members separated by a line break instead of a comma are
accepted; tabs are whitespace like any other.
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zappa_core.settings import limits

SETTINGS_NAMES = ("zappa_settings.json", "zappa_settings.yml", "zappa_settings.yaml", "zappa_settings.toml")

KeyPath = tuple  # tuple[str | int, ...]


@dataclass
class LoadedFile:
    """The stages of one settings file as plain data, and the line (1-based) of each key path."""

    path: Path
    data: dict[str, Any]
    lines: dict[KeyPath, int] = field(default_factory=dict)
    format: str = "json"

    def line_of(self, stage: str, key: str | None = None) -> int | None:
        """Line of ``key`` in ``stage`` (or of the stage itself when ``key`` is None)."""
        if key:
            line = self.lines.get((stage, key))
            if line is not None:
                return line
        return self.lines.get((stage,))

    def line_at(self, path: KeyPath) -> int | None:
        """Line of the longest prefix of ``path`` that was written in the file."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


class SettingsFileError(Exception):
    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path, self.line, self.detail = path, line, message
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
    with path.open("rb") as handle:
        raw = handle.read(limits.MAX_FILE_BYTES + 1)
    if len(raw) > limits.MAX_FILE_BYTES:
        raise SettingsFileError(path, limits.TOO_LARGE)
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it
    except UnicodeDecodeError as exc:
        raise SettingsFileError(path, f"not UTF-8 text: {exc.reason}") from None
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        loaded = _load_yaml(path, text)
    elif suffix == ".toml":
        loaded = _load_toml(path, text)
    elif suffix == ".json":
        loaded = _load_json(path, text)
    else:
        raise SettingsFileError(path, "unknown settings file type (use .json, .yml, .yaml or .toml)")
    if limits.data_depth(loaded.data) > limits.MAX_DEPTH:
        raise SettingsFileError(path, f"invalid {loaded.format.upper()}: {limits.TOO_DEEP}")
    if not isinstance(loaded.data, dict):
        raise SettingsFileError(path, "the file must hold a mapping of stage names to settings")
    for stage, body in loaded.data.items():
        if not isinstance(body, dict):
            raise SettingsFileError(path, f"stage '{stage}' must be a mapping of settings", loaded.line_of(stage))
    return loaded


# -- JSON -----------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_WORDS = {"true": True, "false": False, "null": None}


class _JsonParser:
    """A small recursive-descent JSON reader that records the line of every key and array item."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text, self.pos = path, text, 0
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]
        self.lines: dict[KeyPath, int] = {}
        self.depth = 0
        self.newline = False

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self.newlines, self.pos if pos is None else pos) + 1

    def fail(self, message: str) -> None:
        raise SettingsFileError(self.path, f"invalid JSON: {message}", self.line())

    def skip(self) -> None:
        """Skip whitespace and comments; ``newline`` says whether a line ended on the way."""
        text, n = self.text, len(self.text)
        self.newline = False
        while self.pos < n:
            c = text[self.pos]
            if c in " \t\r\n\ufeff":
                self.newline = self.newline or c == "\n"
                self.pos += 1
            elif c == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    self.fail("unterminated /* comment")
                self.pos = end + 2
            else:
                return

    def parse(self) -> Any:
        self.skip()
        if self.pos >= len(self.text):
            return {}
        value = self.value(())
        self.skip()
        if self.pos < len(self.text):
            self.fail(f"unexpected {self.text[self.pos]!r} after the end of the document")
        return value

    def value(self, path: KeyPath) -> Any:
        if self.pos >= len(self.text):
            self.fail("unexpected end of file")
        c = self.text[self.pos]
        if c in "{[":
            self.depth += 1
            if self.depth > limits.MAX_DEPTH:
                self.fail(limits.TOO_DEEP)
            value = self.object(path) if c == "{" else self.array(path)
            self.depth -= 1
            return value
        if c == '"':
            return self.string()
        m = _NUMBER.match(self.text, self.pos)
        if m and m.end() > self.pos:
            self.pos = m.end()
            return float(m.group()) if (m.group(1) or m.group(2)) else int(m.group())
        for word, result in _WORDS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return result
        self.fail(f"unexpected {c!r}")

    def string(self) -> str:
        from json.decoder import scanstring

        try:
            value, self.pos = scanstring(self.text, self.pos + 1)
        except ValueError as exc:
            self.fail(str(exc).split(":")[0])
        return value

    def object(self, path: KeyPath) -> dict[str, Any]:
        self.pos += 1
        result: dict[str, Any] = {}
        while True:
            self.skip()
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return result
            if not self.text.startswith('"', self.pos):
                self.fail("expected a quoted key or '}'")
            line = self.line()
            key = self.string()
            self.lines[path + (key,)] = line
            self.skip()
            if not self.text.startswith(":", self.pos):
                self.fail(f"expected ':' after the key \"{key}\"")
            self.pos += 1
            self.skip()
            result[key] = self.value(path + (key,))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif not self.text.startswith("}", self.pos) and not (self.newline and self.text.startswith('"', self.pos)):
                self.fail("expected ',' or '}'")  # a line break separates members too, as in Hjson

    def array(self, path: KeyPath) -> list[Any]:
        self.pos += 1
        result: list[Any] = []
        while True:
            self.skip()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return result
            self.lines[path + (len(result),)] = self.line()
            result.append(self.value(path + (len(result),)))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif not self.text.startswith("]", self.pos) and not self.newline:
                self.fail("expected ',' or ']'")


def _load_json(path: Path, text: str) -> LoadedFile:
    parser = _JsonParser(path, text)
    data = parser.parse()
    return LoadedFile(path, data, parser.lines, "json")


# -- YAML -----------------------------------------------------------------------------------------------


def _plain(node: Any) -> Any:
    """ruamel's commented containers to plain dict/list (JSON-compatible)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _merged_line(node: Any, key: Any, depth: int = 0) -> int | None:
    """The line of ``key`` in the mapping a YAML merge key (``<<: *base``) brought into ``node``."""
    for item in getattr(node, "merge", None) or ():
        source = item[1] if isinstance(item, tuple) else item
        if depth < 20 and isinstance(source, dict) and key in source:
            try:
                return source.lc.key(key)[0] + 1
            except Exception:  # noqa: BLE001 - merged in turn: look one level further
                return _merged_line(source, key, depth + 1)
    return None


def _yaml_lines(node: Any, path: KeyPath = (), lines: dict[KeyPath, int] | None = None) -> dict[KeyPath, int]:
    lines = {} if lines is None else lines
    lc = getattr(node, "lc", None)
    if isinstance(node, dict):
        for key, value in node.items():
            try:
                lines[path + (str(key),)] = lc.key(key)[0] + 1
            except Exception:  # noqa: BLE001 - line numbers are a hint for error messages, left out where unknown
                merged = _merged_line(node, key)  # a key that a '<<: *anchor' brings: the anchor's line
                if merged is not None:
                    lines[path + (str(key),)] = merged
            _yaml_lines(value, path + (str(key),), lines)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            try:
                lines[path + (index,)] = lc.item(index)[0] + 1
            except Exception:  # noqa: BLE001 - line numbers are a hint for error messages, left out where unknown
                pass
            _yaml_lines(value, path + (index,), lines)
    return lines


def _load_yaml(path: Path, text: str) -> LoadedFile:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    shape = limits.yaml_shape_problem(text)
    if shape is not None:
        raise SettingsFileError(path, f"invalid YAML: {shape[0]}", shape[1])
    yaml = YAML(typ="rt")
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SettingsFileError(path, f"invalid YAML: {exc.problem}", line) from None
    except YAMLError as exc:
        raise SettingsFileError(path, f"invalid YAML: {exc}") from None
    return LoadedFile(path, _plain(doc) if doc is not None else {}, _yaml_lines(doc), "yaml")


# -- TOML -----------------------------------------------------------------------------------------------

_TOML_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)"""
_TOML_DOTTED = rf"{_TOML_PART}(?:\s*\.\s*{_TOML_PART})*"
_TOML_TABLE = re.compile(rf"^\s*(\[\[?)\s*({_TOML_DOTTED})\s*\]\]?\s*(#.*)?$")
_TOML_KEY = re.compile(rf"^\s*({_TOML_DOTTED})\s*=")
_TOML_PARTS = re.compile(_TOML_PART)


def _toml_parts(dotted: str) -> list[str]:
    parts = []
    for raw in _TOML_PARTS.findall(dotted):
        if raw.startswith('"'):
            import json

            parts.append(json.loads(raw))
        elif raw.startswith("'"):
            parts.append(raw[1:-1])
        else:
            parts.append(raw)
    return parts


def _toml_lines(text: str) -> dict[KeyPath, int]:
    """Line of every table header and key, by path. Arrays of tables get their item index."""
    lines: dict[KeyPath, int] = {}
    table: tuple = ()
    array_counts: dict[tuple, int] = {}
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        m = _TOML_TABLE.match(line)
        if m:
            parts = tuple(_toml_parts(m.group(2)))
            # the item indexes of enclosing arrays of tables
            resolved: tuple = ()
            for i, part in enumerate(parts):
                resolved += (part,)
                if i < len(parts) - 1 and resolved in array_counts:
                    resolved += (array_counts[resolved] - 1,)
            for i in range(1, len(resolved) + 1):
                lines.setdefault(resolved[:i], number)
            if m.group(1) == "[[":
                index = array_counts.get(resolved, 0)
                array_counts[resolved] = index + 1
                resolved += (index,)
                lines.setdefault(resolved, number)
            table = resolved
            continue
        k = _TOML_KEY.match(line)
        if k:
            parts = tuple(_toml_parts(k.group(1)))
            for i in range(1, len(parts) + 1):
                lines.setdefault(table + parts[:i], number)
            rest = line[k.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
    return lines


def _load_toml(path: Path, text: str) -> LoadedFile:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except RecursionError:  # the reader recurses per level: hundreds of levels exhaust it
        raise SettingsFileError(path, f"invalid TOML: {limits.TOO_DEEP}") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise SettingsFileError(path, f"invalid TOML: {exc}", int(m.group(1)) if m else None) from None
    return LoadedFile(path, data, _toml_lines(text), "toml")
