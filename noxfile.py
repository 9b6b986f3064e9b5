"""Sessions: tests, tests_core, lint, demo, bench, docs."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

DISTS = ["zappa_runtime", "zappa_core", "zappa_aws_apigw", "zappa_aws_alb", "zappa_events", "zappa_certs"]


def install_workspace(session: nox.Session, extras: str = "all,dev") -> None:
    args = []
    for dist in DISTS:
        args += ["-e", f"src/{dist}"]
    session.install(*args, "-e", f".[{extras}]")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite, every distribution installed."""
    install_workspace(session)
    session.run("pytest", *(session.posargs or ["-q", "-n", "auto"]))


@nox.session
def tests_core(session: nox.Session) -> None:
    """The core and the runtime alone, with no feature plugin installed."""
    session.install(
        "-e", "src/zappa_runtime", "-e", "src/zappa_core",
        "pytest", "pytest-xdist", "hypothesis", "moto[server]==5.2.5", "flask", "django", "fastapi",
    )
    session.run("pytest", "-q", "tests/core", "tests/runtime", "-m", "not needs_plugins", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over all the Python the project keeps, with the rules in pyproject.toml and a pinned ruff."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", "src", "tests", "bench", "examples", "noxfile.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The README's first command: deploy the example app to the local AWS and call it over HTTP."""
    install_workspace(session)
    session.run("python", "examples/demo.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the peers (zappa 0.63, apig-wsgi, serverless-wsgi, mangum). Results in bench/results/."""
    install_workspace(session)
    session.run("python", "bench/run.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The docs site: the drift checks (pages in the nav, links and anchors, settings examples, the generated
    settings reference, one section per hook), then `mkdocs build --strict` into site/."""
    install_workspace(session)
    session.install("mkdocs>=1.6,<2")
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/docs", "tests/core/test_settings_reference.py",
                "tests/core/test_plugins_docs.py")
    session.run("mkdocs", "build", "--strict", *session.posargs)
