"""docs/settings.md is generated from the plugins' models; it must match what the generator writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from zappa_core.settings.reference import render

pytestmark = pytest.mark.needs_plugins

PAGE = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_committed_settings_reference_is_current():
    assert PAGE.read_text() == render(), (
        "docs/settings.md is stale: run `python -m zappa_core.settings.reference --write docs/settings.md`")


def test_reference_lists_every_key_with_default_and_plugin():
    from zappa_core.plugins import get_plugin_manager
    from zappa_core.settings.compose import key_owners, settings_sections

    text = render()
    owners = key_owners(settings_sections(get_plugin_manager()))
    for key, section in owners.items():
        if key == "snapstart":
            assert "also read as `snapstart`" in text
            continue
        row = next((line for line in text.splitlines() if line.startswith(f"| `{key}` |")), None)
        assert row is not None, key
        assert f"| `{section.plugin}` |" in row, key
    assert '| `memory_size` | `512` | `core.settings` |' in text
    assert '| `keep_warm_expression` | `"rate(4 minutes)"` | `events` |' in text
    assert 'pip install \\"zappa-ng[alb]\\"' not in text and 'pip install "zappa-ng[alb]"' in text
