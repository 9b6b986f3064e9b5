"""Meta-tests of the workspace: one version written once, siblings pinned to it, entry points registered, and
each distribution with its readme, licence and py.typed."""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path

import zappa_core

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
ALL = ["zappa-ng", *DISTS.values()]


def _pyproject(path: Path) -> dict:
    return tomllib.loads(path.read_text())


def test_the_version_is_written_once():
    """Only zappa_core/__init__.py holds it; every pyproject.toml leaves it (and the pins) to setup.py."""
    version = zappa_core.__version__
    holders = []
    sources = [p for p in REPO.glob("src/**/*.py") if "build" not in p.relative_to(REPO).parts]  # pip's build/ copies
    for path in [REPO / "pyproject.toml", REPO / "setup.py", *REPO.glob("src/*/pyproject.toml"), *sources]:
        if re.search(rf"(?<![\d.]){re.escape(version)}(?![\d.])", path.read_text()):
            holders.append(path.relative_to(REPO).as_posix())
    assert holders == ["src/zappa_core/zappa_core/__init__.py"]
    for path in [REPO / "pyproject.toml", *REPO.glob("src/*/pyproject.toml")]:
        project = _pyproject(path)["project"]
        assert "version" not in project and "version" in project["dynamic"], path


def test_every_distribution_has_the_shared_version_and_pins_its_siblings_to_it():
    version = zappa_core.__version__
    pins = []
    for dist in ALL:
        assert metadata.version(dist) == version, dist
        for requirement in metadata.requires(dist) or []:
            name = re.split(r"[\[=<>;! ]", requirement, maxsplit=1)[0]
            if name.startswith("zappa-ng"):
                pins.append(requirement)
                assert re.match(rf"^{name}(\[[a-z,]+\])?=={re.escape(version)}(;|$)", requirement), requirement
    assert len(pins) >= 10


def test_extras_install_exactly_their_feature():
    extras = _pyproject(REPO / "pyproject.toml")["tool"]["zappa-ng"]["optional-dependencies"]
    assert extras["apigw"] == ["zappa-ng-aws-apigw"]
    assert extras["alb"] == ["zappa-ng-aws-alb"]
    assert extras["events"] == ["zappa-ng-events"]
    assert extras["certs"] == ["zappa-ng-certs"]
    assert extras["local"] == ["zappa-ng-core[local]"]
    core_extras = _pyproject(REPO / "src/zappa_core/pyproject.toml")["tool"]["zappa-ng"]["optional-dependencies"]
    assert core_extras["local"][0] == "moto[server]>=5.2.5,<5.3"  # a supported range, not one release


def test_each_distribution_ships_a_readme_a_licence_and_py_typed():
    for folder, name in DISTS.items():
        root = REPO / "src" / folder
        project = _pyproject(root / "pyproject.toml")["project"]
        assert project["name"] == name and project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
        assert (root / "README.md").read_text().startswith(f"# {name}\n")
        assert (root / "LICENSE").read_text() == (REPO / "LICENSE").read_text()
        assert (root / "setup.py").resolve() == (REPO / "setup.py")
        assert (root / folder / "py.typed").is_file()
        meta = metadata.metadata(name)
        assert meta["License-Expression"] == "MIT" and "Typing :: Typed" in meta.get_all("Classifier")
        assert {url.split(",")[0] for url in meta.get_all("Project-URL")} >= {"Homepage", "Source", "Issues"}
    assert (REPO / "src/zappa_events/zappa/py.typed").is_file()


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


def test_pre_commit_runs_the_same_lint_as_nox():
    import yaml

    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    (hook,) = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "ruff"]
    nox_text = (REPO / "noxfile.py").read_text()
    pin = re.search(r'session\.install\("(ruff==[\d.]+)"\)', nox_text).group(1)
    assert hook["additional_dependencies"] == [pin]
    assert hook["entry"].startswith("ruff check")
    paths = re.search(r'session\.run\("ruff", "check", ((?:"[^"]+", )+)\*session\.posargs\)', nox_text).group(1)
    folders = re.findall(r'"([^"]+)"', paths)
    assert folders == ["src", "tests", "bench", "examples", "noxfile.py", "setup.py"]
    assert hook["files"] == r"^(src|tests|bench|examples)/|^(noxfile|setup)\.py$"
    (mypy,) = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "mypy"]
    pins = re.search(r'TYPE_CHECK = (\[[^\]]+\])', nox_text).group(1)
    assert mypy["additional_dependencies"] == json.loads(pins)
    assert mypy["entry"] == "mypy" and mypy["pass_filenames"] is False
    assert 'session.run("mypy")' in nox_text
