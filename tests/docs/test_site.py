"""The checks of ``mkdocs build --strict`` that can drift with every docs edit, run without mkdocs: every page
is in the nav, every nav entry exists, every relative link of the docs and the README reaches a file and,
with ``#anchor``, a heading of that file. ``nox -s docs`` runs mkdocs itself."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from docs_markdown import heading_anchors, nav_pages, relative_links

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
PAGES = sorted(DOCS.rglob("*.md"))


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    nav = [p for p in nav_pages(REPO / "mkdocs.yml") if "://" not in p]
    on_disk = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert sorted(on_disk - set(nav)) == [], "pages missing from the nav in mkdocs.yml"
    assert sorted(set(nav) - on_disk) == [], "nav entries in mkdocs.yml with no page under docs/"


def broken_links(page: Path, root: Path) -> list[str]:
    """Links of ``page`` that do not resolve; targets must stay inside ``root``."""
    problems = []
    for line, target in relative_links(page):
        path_part, _, anchor = target.partition("#")
        file = (page.parent / unquote(path_part)).resolve() if path_part else page
        where = f"{page.relative_to(root)}:{line}: {target}"
        if not file.is_relative_to(root.resolve()):
            problems.append(f"{where}: points outside {root.name}/ (use a full URL)")
        elif not file.exists():
            problems.append(f"{where}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in heading_anchors(file):
            problems.append(f"{where}: no heading with anchor #{anchor} in {file.name}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_in_docs_resolve(page):
    assert broken_links(page, DOCS) == []


def test_links_in_readme_resolve():
    assert broken_links(REPO / "README.md", REPO) == []


def test_a_broken_link_or_anchor_is_reported(tmp_path):
    """The checker itself: a missing page and a missing anchor are both caught, a good anchor is not."""
    (tmp_path / "a.md").write_text("# Title\n\n## `zappa tail`: logs\n\n## Setup\n\n## Setup\n")
    page = tmp_path / "b.md"
    page.write_text(
        "See [tail](a.md#zappa-tail-logs), [twice](a.md#setup_1), [top](#own).\n\n## Own\n\n"
        "[gone](missing.md) and [bad](a.md#nowhere), `[code](ignored.md)`\n\n```md\n[in code](x.md)\n```\n"
    )
    problems = broken_links(page, tmp_path)
    assert problems == ["b.md:5: missing.md: no such file", "b.md:5: a.md#nowhere: no heading with anchor #nowhere in a.md"]
