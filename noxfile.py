"""Sessions: tests, tests_core, lint, demo, bench, docs, peers, faults."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).resolve().parent
DISTS = ["zappa_runtime", "zappa_core", "zappa_aws_apigw", "zappa_aws_alb", "zappa_events", "zappa_certs"]
PEBBLE_PROGRAMS = ("pebble", "pebble-challtestsrv")


def install_workspace(session: nox.Session, extras: str = "all,dev") -> None:
    """Install every distribution of the checkout (editable) with ``extras`` of the root one.

    A session's environment is kept between runs: when the distributions' metadata has not changed since the
    last install, the install is skipped. The first one downloads about a hundred distributions; pip's output
    is shown then, so that the wait is visible."""
    projects = [ROOT / "pyproject.toml"] + [ROOT / "src" / dist / "pyproject.toml" for dist in DISTS]
    stamp_text = hashlib.sha256(b"".join(p.read_bytes() for p in projects) + extras.encode()).hexdigest()
    stamp = Path(session.virtualenv.location) / ".zappa-workspace"
    if stamp.is_file() and stamp.read_text() == stamp_text:
        session.log("zappa-ng already installed in this environment (metadata unchanged)")
        return
    session.log("Installing zappa-ng and its dependencies into this session's environment: the first time takes "
                "a few minutes (pip downloads about 100 distributions; 3 to 9 minutes measured), later runs reuse it.")
    args = []
    for dist in DISTS:
        args += ["-e", f"src/{dist}"]
    session.install(*args, "-e", f".[{extras}]", silent=False)
    stamp.write_text(stamp_text)


def pebble_environment(path: str, cache: Path) -> dict[str, str]:
    """What the Let's Encrypt tests need from Debian's ``pebble`` package, as environment variables.

    - both programs on ``path``: nothing;
    - else the package unpacked in ``cache`` before, or fetched there now with ``apt-get download`` (no root
      needed, nothing installed on the machine): ``PATH`` with its ``usr/bin`` first;
    - else ``ZAPPA_TESTS_NO_PEBBLE``: the one-line reason the tests print when they skip.
    """
    if all(shutil.which(program, path=path) for program in PEBBLE_PROGRAMS):
        return {}
    bin_dir = cache / "root" / "usr" / "bin"
    if not all((bin_dir / program).is_file() for program in PEBBLE_PROGRAMS):
        problem = fetch_debian_package("pebble", cache, path)
        if problem:
            return {"ZAPPA_TESTS_NO_PEBBLE": f"Debian's pebble is not on PATH and could not be fetched ({problem})"}
    return {"PATH": f"{bin_dir}{os.pathsep}{path}"}


def fetch_debian_package(name: str, cache: Path, path: str) -> str | None:
    """Download Debian package ``name`` with ``apt-get download`` and unpack it into ``cache/root``.

    The machine's package lists are used when they know the package, else lists of the session's own (in
    ``cache/apt``). Returns None on success, else why it failed."""
    apt_get, dpkg_deb = shutil.which("apt-get", path=path), shutil.which("dpkg-deb", path=path)
    if not apt_get or not dpkg_deb:
        return "apt-get and dpkg-deb are not available"
    cache.mkdir(parents=True, exist_ok=True)
    for folder in ("lists/partial", "archives/partial"):
        (cache / "apt" / folder).mkdir(parents=True, exist_ok=True)
    own_lists = ["-o", f"Dir::State::Lists={cache / 'apt' / 'lists'}", "-o", f"Dir::Cache={cache / 'apt'}"]

    def apt(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([apt_get, "-q", *args], cwd=cache, capture_output=True, text=True, check=False,
                              timeout=300)

    result = apt("download", name)
    if result.returncode != 0:  # the machine's lists do not know the package (or there are none)
        result = apt(*own_lists, "update")
        if result.returncode == 0:
            result = apt(*own_lists, "download", name)
    debs = sorted(cache.glob(f"{name}_*.deb"))
    if result.returncode != 0 or not debs:
        lines = (result.stderr or result.stdout).strip().splitlines()
        return f"apt-get: {lines[-1] if lines else f'exit {result.returncode}'}"
    unpacked = subprocess.run([dpkg_deb, "-x", str(debs[-1]), str(cache / "root")], capture_output=True, text=True,
                              check=False)
    return None if unpacked.returncode == 0 else f"dpkg-deb: {unpacked.stderr.strip()[:200]}"


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite, every distribution installed (Debian's pebble fetched when it is missing)."""
    install_workspace(session)
    env = pebble_environment(os.environ.get("PATH", ""), Path(session.cache_dir) / "pebble")
    if "ZAPPA_TESTS_NO_PEBBLE" in env:
        session.warn(env["ZAPPA_TESTS_NO_PEBBLE"])
    session.run("pytest", *(session.posargs or ["-q", "-n", "auto"]), env=env)


@nox.session
def tests_core(session: nox.Session) -> None:
    """The core and the runtime alone, with no feature plugin installed."""
    session.install(
        "-e", "src/zappa_runtime", "-e", "src/zappa_core[local]",
        "pytest", "pytest-xdist", "hypothesis", "flask", "django", "fastapi", "snapshot-restore-py==1.0.0", "wheel",
    )
    session.run("pytest", "-q", "tests/core", "tests/runtime", "-m", "not needs_plugins", *session.posargs)


# mypy, pinned, with the two libraries whose types the checked modules use (the rest is not needed to check them).
TYPE_CHECK = ["mypy==2.4.1", "pluggy==1.7.0", "pytest==9.2.0"]


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over all the Python the project keeps, with the rules in pyproject.toml and a pinned ruff; then mypy,
    strict on the runtime and on the modules of zappa_core that plugins build on (listed in pyproject.toml)."""
    session.install("ruff==0.17.6")
    session.install(*TYPE_CHECK)
    session.run("ruff", "check", "src", "tests", "bench", "examples", "noxfile.py", "setup.py", *session.posargs)
    session.run("mypy")


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
def faults(session: nox.Session) -> None:
    """Not in the default run: a failure (hard error, throttling, lost answer) injected at every AWS call of
    deploy, update and undeploy on the local AWS in turn, each command re-run as its hint says; prints tried,
    converged and orphans left after undeploy (exit 1 unless all converge with none). Takes an hour or more;
    `nox -s faults -- --commands deploy --faults lost` narrows it."""
    install_workspace(session)
    session.run("python", "tests/fault_sweep.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The docs site: the drift checks (pages in the nav, links and anchors, settings examples, the generated
    settings reference, one section per hook, the built site's theme, diagrams and API reference), then
    `mkdocs build --strict` into site/ (material theme, offline diagrams, API reference from the docstrings)."""
    install_workspace(session)  # the dev extra brings mkdocs, the material theme and mkdocstrings
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/docs", "tests/core/test_settings_reference.py",
                "tests/core/test_plugins_docs.py")
    session.run("mkdocs", "build", "--strict", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


# What the peers' test suites import besides the frameworks the workspace already has.
PEER_TEST_DEPS = ["quart==0.22.0", "brotli==1.2.1", "brotli-asgi==1.7.0", "httpx2==2.16.2", "mock==5.2.0"]


@nox.session
def peers(session: nox.Session) -> None:
    """The test suites of apig-wsgi, mangum and Zappa's handler, from their sdists at pinned versions, run
    unchanged against this runtime through the shims in tests/peers (not in the default run; see docs/runtime.md)."""
    install_workspace(session)
    session.install(*PEER_TEST_DEPS)
    session.run("python", "tests/peers/run.py", *session.posargs)
