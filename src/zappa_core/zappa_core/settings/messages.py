"""Validation errors in words: what was expected, what was written, where.

pydantic's own texts (``Input should be a valid integer``, ``Extra inputs are not permitted``) speak of
its schema. These functions turn its errors into the project's one style, for every plugin's models:
``'memory_size': must be a whole number, not 'lots'``; ``'cors.alowed_origin': unknown key; did you mean
'allowed_origin'?``. The expected shape is read from the model's annotations, so a plugin's model gets the
same messages without writing any.
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

_TYPE_WORDS = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}
_RANGE = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
          "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}


def show(value: Any, limit: int = 60) -> str:
    """A value as a user wrote it: strings quoted, ``true``/``false``/``null``, short JSON for the rest."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        try:
            text = json.dumps(value, separators=(", ", ": "), default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def describe(annotation: Any) -> str:
    """What a value of this annotation looks like, in words (``a whole number``, ``one of 'v1', 'v2'``)."""
    annotation = _strip(annotation)
    if annotation in _TYPE_WORDS:
        return _TYPE_WORDS[annotation]
    if annotation is type(None) or annotation is None:
        return "null"
    if _is_model(annotation):
        keys = list(annotation.model_fields)
        listed = ", ".join(keys[:8]) + (", ..." if len(keys) > 8 else "")
        return f"a mapping with the keys {listed}"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(show(a) for a in args)
    if _is_union(annotation):
        members = [a for a in args if a is not type(None)]
        words = [describe(m) for m in members]
        text = " or ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " or " + words[-1]
        return text + (" (or null)" if len(members) < len(args) else "")
    if origin in (list, tuple, set, frozenset):
        item = _strip(args[0]) if args else Any
        return "a list of strings" if item is str else "a list"
    if origin is dict:
        value = _strip(args[1]) if len(args) > 1 else Any
        return "a mapping of names to strings" if value is str else "a mapping"
    if annotation is list:
        return "a list"
    if annotation is dict:
        return "a mapping"
    return "a different kind of value"


def _branch_tag(member: Any) -> str:
    member = _strip(member)
    if _is_model(member):
        return member.__name__
    if isinstance(member, type):
        return member.__name__
    origin = typing.get_origin(member)
    if origin is typing.Literal:
        return "literal"
    return getattr(origin, "__name__", "") or str(member)


def _pick_branch(union: Any, tag: Any) -> Any | None:
    """The member of ``union`` that pydantic named ``tag`` in an error location, if it is one."""
    if not isinstance(tag, str):
        return None
    for member in typing.get_args(union):
        name = _branch_tag(member)  # 'CorsOptions', 'bool', 'list'; a validated type is 'function-after[f(), str]'
        if name and (tag.split("[", 1)[0] == name or (tag.startswith("function-") and tag.endswith(f" {name}]"))):
            return member
    return None


def _field(model: type[BaseModel], name: Any) -> Any:
    if not isinstance(name, str):
        return None
    if name in model.model_fields:
        return model.model_fields[name]
    for field in model.model_fields.values():
        if field.alias == name:
            return field
    return None


class _Located:
    """One error, located in the user's terms: the path as written and the annotation found there."""

    def __init__(self, root: Any, err: dict[str, Any]) -> None:
        self.err = err
        self.path: list[Any] = []
        self.union_at: tuple | None = None  # the path of the first union the location went through
        self.union: Any = None
        self.parent: Any = None  # the annotation holding the last path part (a model for field errors)
        annotation = root
        for part in err["loc"]:
            annotation = _strip(annotation)
            while _is_union(annotation):
                members = [m for m in typing.get_args(annotation) if m is not type(None)]
                if self.union_at is None:
                    self.union_at, self.union = tuple(self.path), annotation
                if len(members) == 1:
                    annotation = _strip(members[0])
                    continue
                chosen = _pick_branch(annotation, part)
                annotation = _strip(chosen) if chosen is not None else Any
                part = None  # the branch tag is consumed, not a place in the value
                break
            if part is None:
                continue
            if part == "[key]":
                continue
            self.parent = annotation
            self.path.append(part)
            if _is_model(annotation):
                field = _field(annotation, part)
                annotation = field.annotation if field is not None else Any
            elif typing.get_origin(annotation) in (list, tuple, set, frozenset):
                args = typing.get_args(annotation)
                annotation = args[0] if args else Any
            elif typing.get_origin(annotation) is dict:
                args = typing.get_args(annotation)
                annotation = args[1] if len(args) > 1 else Any
            else:
                annotation = Any
        self.annotation = annotation

    @property
    def type(self) -> str:
        return self.err["type"]

    @property
    def is_type_error(self) -> bool:
        t = self.type
        return t.endswith(("_type", "_parsing")) or t in ("literal_error", "int_from_float", "union_tag_invalid",
                                                          "model_attributes_type", "enum")


def _unknown_key(located: _Located, known_hint: Any = None) -> tuple[tuple, str]:
    name = located.path[-1]
    parent = _strip(located.parent)
    known = list(parent.model_fields) if _is_model(parent) else []
    hint = known_hint(parent, name) if known_hint is not None else None
    if hint is None:
        close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'?" if close else
                f"expected one of: {', '.join(known)}" if known else "")
    return tuple(located.path), "unknown key" + (f"; {hint}" if hint else "")


def _literal_hint(annotation: Any, value: Any) -> str:
    choices = [a for a in typing.get_args(_strip(annotation)) if isinstance(a, str)]
    if not isinstance(value, str) or not choices:
        return ""
    same_case = [c for c in choices if c.lower() == value.lower()]
    close = same_case or difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f"; did you mean {show(close[0])}?" if close else ""


def _one(located: _Located, known_hint: Any = None) -> tuple[tuple, str]:
    err, t = located.err, located.type
    value, ctx = err.get("input"), err.get("ctx") or {}
    path = tuple(located.path)
    if t == "extra_forbidden" and located.path:
        return _unknown_key(located, known_hint)
    if t == "missing" and located.path:
        return path[:-1], f"needs '{path[-1]}'"
    if t in _RANGE:
        word, bound = _RANGE[t]
        return path, f"must be {word} {ctx.get(bound)}, not {show(value)}"
    if t in ("too_short", "string_too_short", "too_long", "string_too_long"):
        short = "short" in t
        count = ctx.get("min_length" if short else "max_length")
        noun = ("item" if t in ("too_short", "too_long") else "character") + ("" if count == 1 else "s")
        return path, f"{'needs at least' if short else 'takes at most'} {count} {noun}"
    if t in ("value_error", "assertion_error"):
        error = ctx.get("error")
        return path, str(error) if error is not None else err["msg"].removeprefix("Value error, ")
    if t == "string_pattern_mismatch":
        return path, f"must match {ctx.get('pattern')!r}, not {show(value)}"
    if t == "multiple_of":
        return path, f"must be a multiple of {ctx.get('multiple_of')}, not {show(value)}"
    if t == "literal_error":
        return path, f"must be {describe(located.annotation)}, not {show(value)}{_literal_hint(located.annotation, value)}"
    if located.is_type_error:
        return path, f"must be {describe(located.annotation)}, not {show(value)}"
    text = err["msg"]
    return path, text[:1].lower() + text[1:]


def explain(root: Any, errors: Iterable[dict[str, Any]], known_hint: Any = None) -> list[tuple[tuple, str]]:
    """``(path, message)`` for pydantic ``errors`` of a value validated as ``root`` (a model or a type).

    Errors from the members of a union are merged: when the value has the shape of one member (a mapping
    for a model), only that member's errors are kept; otherwise one message names every accepted shape.
    ``known_hint(model, key)`` may give a better hint than spelling distance for an unknown key.
    """
    located = [_Located(root, dict(e)) for e in errors]
    deeper_in_union = {loc.union_at for loc in located
                       if loc.union_at is not None and len(loc.path) > len(loc.union_at)}
    out: list[tuple[tuple, str]] = []
    merged: set[tuple] = set()
    for loc in located:
        at_union = loc.union_at is not None and tuple(loc.path) == loc.union_at
        if at_union and loc.is_type_error:
            if loc.union_at in deeper_in_union or loc.union_at in merged:
                continue
            merged.add(loc.union_at)
            out.append((loc.union_at, f"must be {describe(loc.union)}, not {show(loc.err.get('input'))}"))
            continue
        item = _one(loc, known_hint)
        if item not in out:
            out.append(item)
    return [item for item in out if not _answered_by_a_typo(item, out)]


def _answered_by_a_typo(item: tuple[tuple, str], found: list[tuple[tuple, str]]) -> bool:
    """``needs 'function'`` beside ``'functoin': unknown key; did you mean 'function'?`` says one thing twice."""
    path, message = item
    if not message.startswith("needs '"):
        return False
    wanted = message[len("needs '"):-1]
    return any(other[:-1] == path and text.endswith(f"did you mean '{wanted}'?") for other, text in found if other)


def explain_error(root: Any, exc: ValidationError, known_hint: Any = None) -> list[tuple[tuple, str]]:
    return explain(root, exc.errors(include_url=False), known_hint)
