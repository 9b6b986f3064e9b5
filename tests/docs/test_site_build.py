"""The site as `nox -s docs` builds it: `mkdocs build --strict` with the material theme, the diagrams, the API
reference generated from the docstrings and the examples, all of it readable without a network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DIAGRAMS = {"request-path.svg": "runtime", "plugins.svg": "plugins", "local-aws.svg": "local",
            "plan-apply.svg": "commands", "rollout.svg": "deployments"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=REPO,
                            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), capture_output=True, text=True,
                            check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return out


def test_the_theme_loads_nothing_from_the_network(site):
    assert 'name="generator" content="mkdocs-' in (site / "index.html").read_text()
    assert "assets/stylesheets/main." in (site / "index.html").read_text()  # material's own, from the site
    for page in site.rglob("*.html"):
        text = page.read_text()
        loaded = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', text)
        assert loaded == [], (page, loaded)
    assert (site / "search" / "search_index.json").is_file()  # search runs in the browser, from this index


def test_the_diagrams_are_svg_files_of_the_site(site):
    for name, page in DIAGRAMS.items():
        svg = (site / "img" / name).read_text()
        assert svg.startswith("<svg ") and "<title>" in svg and "http://www.w3.org/2000/svg" in svg
        assert "href=" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing to fetch
        assert f'src="../img/{name}"' in (site / page / "index.html").read_text()


def test_the_api_reference_is_generated_from_the_docstrings(site):
    hooks = (site / "reference/hooks/index.html").read_text()
    for hook in ("zappa_plan_resources", "zappa_settings_sections", "zappa_bind_domain", "zappa_local_front_door"):
        assert f'id="zappa_core.hookspecs.{hook}"' in hooks
    assert 'id="zappa_events.hookspecs.zappa_event_sources"' in hooks  # published by the events plugin
    assert 'id="zappa_runtime.hookspecs.zappa_runtime_handle_event"' in hooks
    plan = (site / "reference/plan/index.html").read_text()
    assert 'id="zappa_core.plan.DeployContext"' in plan and 'id="zappa_core.plan.ResourceStep.plan"' in plan
    events = (site / "reference/events/index.html").read_text()
    assert 'id="zappa_events.mappings.function_mappings"' in events
    assert 'id="zappa_events.records.EventSourceType"' in events and 'id="zappa_events.sources.arn_of_service"' in events


def test_the_examples_are_on_the_site(site):
    text = (site / "examples/index.html").read_text()
    app = (REPO / "examples/hello/app.py").read_text().splitlines()[0]
    assert re.sub(r"<[^>]+>", "", text).count("def tick") >= 1 and app.split()[0] in text
    assert "zappa_mq_events" in text
