"""Reading the Markdown of ``docs/`` and the README the way mkdocs does, for checks that run without mkdocs.

- :func:`fenced_blocks`: the fenced code blocks of a page, with their language, line and whether the
  ``<!-- not-settings -->`` marker comment sits right above them.
- :func:`heading_anchors`: the anchors mkdocs gives a page's headings (Python-Markdown's ``toc`` slugs,
  ``_1``, ``_2``... for repeated headings).
- :func:`relative_links`: the links of a page outside code, with their line.
- :func:`nav_pages`: every page named in ``mkdocs.yml``'s ``nav``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOT_SETTINGS = "<!-- not-settings -->"

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\((?P<target><[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")


@dataclass
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    not_settings: bool

    @property
    def where(self) -> str:
        return f"{self.page.name}:{self.line}"


def _lines_outside_code(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` for every line that is not inside a fenced block."""
    out = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group("fence")
                continue
            out.append((number, line))
        elif line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            fence = None
    return out


# pymdownx.snippets: a line `--8<-- "path"` is replaced by that file (paths from the repository root)
SNIPPET = re.compile(r'^\s*--8<-- "([^"]+)"\s*$')
REPO_ROOT = Path(__file__).resolve().parents[2]


def _included(match: re.Match) -> str:
    return (REPO_ROOT / match.group(1)).read_text(encoding="utf-8").rstrip("\n")


def fenced_blocks(page: Path) -> list[Block]:
    """The fenced code blocks of ``page``, with the files that snippet lines include in place of those lines."""
    blocks = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start = m.group("fence"), i
        body = []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence) and not lines[i].strip().strip(fence[0])):
            body.append(lines[i])
            i += 1
        above = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        text = "\n".join(SNIPPET.sub(_included, line) for line in body) + "\n"
        blocks.append(Block(page, start + 1, m.group("lang").lower(), text, above == NOT_SETTINGS))
        i += 1
    return blocks


def slugify(text: str) -> str:
    """Python-Markdown's default ``toc`` slug (what mkdocs uses for heading ids)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _plain(heading: str) -> str:
    """The text of a heading as rendered: code spans, links and emphasis reduced to their text."""
    heading = LINK.sub(lambda m: m.group("text"), heading)
    heading = re.sub(r"(`+)(.+?)\1", lambda m: m.group(2), heading)
    heading = re.sub(r"<[^>]+>", "", heading)
    return re.sub(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1", lambda m: m.group(2), heading)


def heading_anchors(page: Path) -> set[str]:
    anchors: set[str] = set()
    for _, line in _lines_outside_code(page.read_text(encoding="utf-8")):
        m = HEADING.match(line)
        if not m:
            continue
        slug = base = slugify(_plain(m.group(2)))
        n = 0
        while slug in anchors:
            n += 1
            slug = f"{base}_{n}"
        anchors.add(slug)
    return anchors


def relative_links(page: Path) -> list[tuple[int, str]]:
    """``(line, target)`` of every link outside code that is not an absolute URL."""
    found = []
    for number, line in _lines_outside_code(page.read_text(encoding="utf-8")):
        for m in LINK.finditer(INLINE_CODE.sub("", line)):
            target = m.group("target").strip("<>")
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            found.append((number, target))
    return found


def nav_pages(mkdocs_yml: Path) -> list[str]:
    import yaml

    config = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8"))
    pages: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            pages.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)

    walk(config.get("nav", []))
    return pages
