"""Limits that keep a hostile or broken settings file from hanging or crashing the CLI.

A settings file nested hundreds of levels deep would exhaust Python's recursion in any recursive reader
(and in everything that walks the settings afterwards), and a YAML file can expand exponentially through
aliases (the "billion laughs"): a few hundred bytes that stand for billions of values. Real settings files
are a few levels deep and hold at most thousands of values, so both are refused as settings errors, before
anything recursive walks the data and in time linear in the file's size. That size is bounded too: the YAML
and TOML readers take seconds per MiB, and a settings file path may name a device that never ends
(``-s /dev/zero``), so only the first :data:`MAX_FILE_BYTES` are read and a longer file is refused.
"""

from __future__ import annotations

from typing import Any

#: Containers (mappings, lists) inside one another: real settings use fewer than ten.
MAX_DEPTH = 100
#: Values of a YAML document once its aliases are expanded.
MAX_EXPANDED_VALUES = 100_000

#: Bytes of a settings file: real ones are a few KiB.
MAX_FILE_BYTES = 1024 * 1024

TOO_LARGE = (f"longer than {MAX_FILE_BYTES // 1024:,} KiB, which no settings file needs (real ones are a few KiB); "
             "is it the right file?")
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep (mappings and lists inside one another)"
TOO_BIG = (f"its aliases expand to more than {MAX_EXPANDED_VALUES:,} values (an alias bomb?); "
           "write the values out or use fewer nested aliases")


def data_depth(data: Any) -> int:
    """How many containers deep ``data`` goes, without recursion (a stage mapping is depth 1)."""
    deepest = 0
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest


def flow_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of ``[``/``{`` brackets outside quotes and comments, and the line where it is
    reached; an upper bound of a YAML document's flow nesting, found in one pass (YAML's own scanner
    looks ahead over every open bracket at each one: quadratic time on thousands of them)."""
    depth = deepest = line = deepest_line = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
                if deepest > MAX_DEPTH:
                    break
        elif c in "]}":
            depth = max(0, depth - 1)
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n"):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "\"'" and (i == 0 or text[i - 1] in " \t\n[{,:-?"):
            i = _after_quoted(text, i, c)
            continue
        i += 1
    return deepest, deepest_line + 1


def _after_quoted(text: str, start: int, quote: str) -> int:
    i = start + 1
    while i < len(text):
        c = text[i]
        if quote == '"' and c == "\\":
            i += 2
            continue
        if c == quote:
            if quote == "'" and text.startswith("''", i):
                i += 2
                continue
            return i + 1
        i += 1
    return len(text)


def yaml_shape_problem(text: str) -> tuple[str, int] | None:
    """``(problem, line)`` when a YAML text nests too deeply or its aliases expand too far; else None.

    Walks YAML's event stream (no tree is built, aliases are counted, not expanded): each anchor's
    expanded size and depth are known once its node ends, and every alias adds them where it is used.
    Syntax errors are left to the reader, which reports them with their line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

    deepest, line = flow_depth(text)
    if deepest > MAX_DEPTH:
        return TOO_DEEP, line
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (expanded values, depth of the node itself)
    stack: list[list[Any]] = []  # open containers: [anchor, values before it, deepest depth below it]
    values = 0
    try:
        for event in YAML(typ="rt").parse(text):
            reached = 0
            if isinstance(event, CollectionStartEvent):
                values += 1
                stack.append([event.anchor, values - 1, 0])
                reached = len(stack)
            elif isinstance(event, CollectionEndEvent) and stack:
                anchor, before, below = stack.pop()
                if anchor:
                    anchors[anchor] = (values - before, max(below, len(stack) + 1) - len(stack))
            elif isinstance(event, ScalarEvent):
                values += 1
                if event.anchor:
                    anchors[event.anchor] = (1, 0)
            elif isinstance(event, AliasEvent):
                size, depth = anchors.get(event.anchor, (1, 0))
                values += size
                reached = len(stack) + depth
            if reached:
                for entry in stack:
                    entry[2] = max(entry[2], reached)
                if reached > MAX_DEPTH:
                    return TOO_DEEP, event.start_mark.line + 1
            if values > MAX_EXPANDED_VALUES:
                return TOO_BIG, event.start_mark.line + 1
    except YAMLError:
        return None
    return None
