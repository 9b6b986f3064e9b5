"""Meta-tests of the workspace: one version everywhere, siblings pinned ==, entry points registered."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
DISTS = {
    "zappa_core": "zappa-ng-core",
    "zappa_runtime": "zappa-ng-runtime",
    "zappa_aws_apigw": "zappa-ng-aws-apigw",
    "zappa_aws_alb": "zappa-ng-aws-alb",
    "zappa_events": "zappa-ng-events",
    "zappa_certs": "zappa-ng-certs",
}


def _project(path: Path) -> dict:
    return tomllib.loads(path.read_text())["project"]


def test_every_distribution_shares_the_root_version():
    root = _project(REPO / "pyproject.toml")
    for folder, name in DISTS.items():
        project = _project(REPO / "src" / folder / "pyproject.toml")
        assert project["name"] == name
        assert project["version"] == root["version"], name
        package_version = (REPO / "src" / folder / folder / "__init__.py").read_text()
        assert f'__version__ = "{root["version"]}"' in package_version, folder


def test_siblings_are_pinned_to_the_shared_version():
    root = _project(REPO / "pyproject.toml")
    names = set(DISTS.values())
    requirements = list(root["dependencies"])
    for extra in root["optional-dependencies"].values():
        requirements += extra
    for folder in DISTS:
        requirements += _project(REPO / "src" / folder / "pyproject.toml").get("dependencies", [])
    siblings = [r for r in requirements if r.split("==")[0].split(">")[0].strip() in names]
    assert siblings, "no sibling requirements found"
    for requirement in siblings:
        assert requirement.endswith(f"=={root['version']}"), requirement


def test_extras_install_exactly_their_feature():
    extras = _project(REPO / "pyproject.toml")["optional-dependencies"]
    assert extras["apigw"] == ["zappa-ng-aws-apigw==0.1.0"]
    assert extras["alb"] == ["zappa-ng-aws-alb==0.1.0"]
    assert extras["events"] == ["zappa-ng-events==0.1.0"]
    assert extras["certs"] == ["zappa-ng-certs==0.1.0"]
    assert any(r.startswith("moto[server]") for r in extras["local"])


def test_feature_distributions_register_their_plugins():
    expected = {
        "zappa-ng-aws-apigw": {"zappa": "zappa_aws_apigw.plugin", "zappa.runtime": "zappa_aws_apigw.runtime"},
        "zappa-ng-aws-alb": {"zappa": "zappa_aws_alb.plugin"},
        "zappa-ng-events": {"zappa": "zappa_events.plugin", "zappa.runtime": "zappa_events.runtime"},
        "zappa-ng-certs": {"zappa": "zappa_certs.plugin"},
    }
    for dist, groups in expected.items():
        eps = metadata.distribution(dist).entry_points
        for group, value in groups.items():
            assert [ep.value for ep in eps if ep.group == group] == [value], (dist, group)
