"""A no-op ``zappa update`` answered before the command line is built.

A successful ``deploy`` or ``update`` writes a receipt in the project's ``.zappa/receipts/``: a stamp of
everything the update read to decide what to do, and a digest of the function as AWS described it right after.
The stamp holds the command line, the environment, the interpreter and the modification time of every
``sys.path`` folder (installing or removing a distribution changes one), the settings files' bytes, the AWS
configuration files, and the size and modification time of every file of the project, every file the package
was built from and every Python file of zappa and its plugins that was loaded.

``zappa update STAGE [--local]`` first compares that stamp with what is on disk now. When it is the same, one
signed ``GetFunction`` call (SigV4, signed here: the check imports neither botocore, typer, pydantic nor a
plugin) tells whether the function is still as the update left it: its configuration, code, tags and reserved
concurrency. When it is, the update has nothing to do, and says so. Anything else (another stamp, a function
changed by someone else, credentials other than static keys, a network error) runs the whole command, which
checks everything again and writes a new receipt. Deploy, update, rollback, undeploy and every command that
changes the stage forget its receipts first. ``ZAPPA_NO_CACHE=1`` turns receipts off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from typing import Any

FORMAT = 1
RECEIPTS = os.path.join(".zappa", "receipts")
SETTINGS_NAMES = ("zappa_settings.json", "zappa_settings.yml", "zappa_settings.yaml", "zappa_settings.toml")
#: Folders of the project that never go into a package and change on their own (caches, version control,
#: virtual environments are recognised by their marker file).
SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", ".bzr", "__pycache__", ".pytest_cache", ".mypy_cache",
                             ".ruff_cache", ".hypothesis", ".tox", ".nox", ".zappa", ".idea", ".vscode"})
VENV_MARKERS = ("pyvenv.cfg", "conda-meta")
#: Variables a shell changes from one prompt to the next, which no command reads.
VOLATILE_ENV = frozenset({"_", "PWD", "OLDPWD", "SHLVL", "COLUMNS", "LINES", "PS1", "PS2", "PROMPT_COMMAND",
                          "TERM_SESSION_ID", "WINDOWID", "SECONDS", "RANDOM", "HISTCMD"})
#: zappa's own distributions: a plugin from anywhere else may read anything, so it turns receipts off.
OWN_PACKAGES = frozenset({"zappa_core", "zappa_runtime", "zappa_aws_apigw", "zappa_aws_alb", "zappa_events",
                          "zappa_certs"})
LOCAL_KEYS = ("testing", "testing")
TICK_S = 0.05  # more than the coarsest clock tick a file system stamps modification times with  # what every command run with --local signs with
NOTHING = "Nothing to update: the stage already runs this package and these settings"

#: Commands that never change a deployed stage: every other one forgets the project's receipts first.
LEAVES_STAGES_AS_THEY_ARE = frozenset({"status", "tail", "plan", "package", "template", "invoke", "manage", "init",
                                       "local", "serve", "--help", "-h", "--version", "-v", "help"})

_command_line: list[str] = []


def remember_command_line(args: list[str]) -> None:
    """The command line being run (the CLI calls this first): a receipt is written only for the plain forms."""
    _command_line[:] = args


def enabled() -> bool:
    return not os.environ.get("ZAPPA_NO_CACHE")


# -- the check ------------------------------------------------------------------------------------------------


def answer_noop_update(args: list[str], project_dir: str = ".") -> int | None:
    """0 after printing that there is nothing to update, when the receipt proves it; ``None`` otherwise (the
    caller runs the whole command). Never raises, never prints anything when it returns ``None``."""
    started = time.perf_counter()
    if not enabled() or update_stage(args) is None:
        return None
    try:
        with open(receipt_path(project_dir, args), encoding="utf-8") as handle:
            receipt = json.load(handle)
        if receipt.get("key") != inputs_key(args, project_dir) or receipt.get("project") != project_files(project_dir):
            return None
        if any(_stat(path) != stamp for path, stamp in receipt.get("files", [])):
            return None
        remote = receipt["remote"]
        if function_digest(read_function(remote)) != remote["digest"]:
            return None
    except Exception:  # noqa: BLE001 - any doubt runs the whole command, which reports real errors
        return None
    print(f"{NOTHING} ({time.perf_counter() - started:.1f}s)")
    return 0


def update_stage(args: list[str]) -> str | None:
    """The stage of ``update STAGE`` or ``update STAGE --local``: the forms a receipt answers."""
    if len(args) in (2, 3) and args[0] == "update" and not args[1].startswith("-") and args[2:] in ([], ["--local"]):
        return args[1]
    return None


def receipt_path(project_dir: str, args: list[str]) -> str:
    tag = hashlib.sha256(json.dumps(args).encode()).hexdigest()[:16]
    return os.path.join(project_dir, RECEIPTS, f"update-{args[1]}-{tag}.json")


def inputs_key(args: list[str], project_dir: str) -> str:
    """What, besides files, decides what an update does, as a digest (the environment may hold secrets: a
    receipt never holds their values)."""
    from zappa_core import __version__

    env = sorted([k, v] for k, v in os.environ.items() if k not in VOLATILE_ENV)
    settings = [[name, _digest(os.path.join(project_dir, name))] for name in SETTINGS_NAMES]
    home = os.path.expanduser("~")
    aws_files = [os.environ.get("AWS_CONFIG_FILE") or os.path.join(home, ".aws", "config"),
                 os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, ".aws", "credentials")]
    key = [FORMAT, __version__, sys.executable, args, os.path.realpath(project_dir), env, settings,
           [[p, _stat(p or ".")] for p in sys.path], [[f, _stat(f)] for f in aws_files]]
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()


def project_files(project_dir: str) -> list[list[Any]]:
    """Every file of the project (caches, version control and virtual environments aside) with its size and
    modification time, in a stable order."""
    out: list[list[Any]] = []
    seen: set[str] = set()

    def visit(folder: str, prefix: str) -> None:
        real = os.path.realpath(folder)
        if real in seen:
            return
        seen.add(real)
        with os.scandir(folder) as items:
            for item in sorted(items, key=lambda i: i.name):
                if item.is_dir():
                    if item.name not in SKIPPED_FOLDERS and not any(
                            os.path.exists(os.path.join(item.path, m)) for m in VENV_MARKERS):
                        visit(item.path, f"{prefix}{item.name}/")
                elif item.is_file():
                    st = item.stat()
                    out.append([f"{prefix}{item.name}", st.st_size, st.st_mtime_ns])

    visit(project_dir, "")
    return out


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


# -- the function, as AWS describes it --------------------------------------------------------------------------


ALIAS = "current"  # the alias every deploy manages (zappa_core.resources.function)


def read_function(remote: dict[str, Any]) -> dict[str, Any]:
    """``GetFunction`` and ``GetAlias`` (the live version) of ``remote["function"]`` at ``remote["endpoint"]``,
    signed with the credentials ``remote["credentials"]`` names (``local``, ``env`` or ``profile:<name>``);
    raises on any failure."""
    import http.client
    from urllib.parse import quote, urlsplit

    from zappa_core.sigv4 import signed_headers

    keys = credentials(remote["credentials"])
    base = f"{remote['endpoint'].rstrip('/')}/2015-03-31/functions/{quote(remote['function'], safe='')}"
    parts = urlsplit(base)
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_type(parts.netloc, timeout=10)
    documents: dict[str, Any] = {}
    try:
        for name, url in (("function", base), ("alias", f"{base}/aliases/{ALIAS}")):
            connection.request("GET", urlsplit(url).path,
                               headers=signed_headers("GET", url, remote["region"], "lambda", *keys))
            response = connection.getresponse()
            body = response.read()
            if not 200 <= response.status < 300:
                raise OSError(f"Lambda answered {response.status} to {url}")
            documents[name] = json.loads(body)
    finally:
        connection.close()
    return documents


def function_digest(documents: dict[str, Any]) -> str:
    """The function's configuration, code hash, tags and concurrency, and its live version (the code's download
    URL changes with every call and is left out)."""
    kept = {name: {key: value for key, value in document.items() if key not in ("Code", "ResponseMetadata")}
            for name, document in documents.items()}
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()


def credentials(source: str) -> tuple[str, str, str | None]:
    """(access key, secret key, session token) from a source a receipt may name; raises for any other."""
    if source == "local":
        return LOCAL_KEYS[0], LOCAL_KEYS[1], None
    if source == "env":
        return os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"], os.environ.get("AWS_SESSION_TOKEN")
    if source.startswith("profile:"):
        import configparser

        parser = configparser.RawConfigParser()
        path = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(os.path.expanduser("~"), ".aws", "credentials")
        parser.read(path)
        section = parser[source[len("profile:"):]]
        return section["aws_access_key_id"], section["aws_secret_access_key"], section.get("aws_session_token")
    raise ValueError(f"credentials from {source} are not read here")


# -- writing ----------------------------------------------------------------------------------------------------


def forget(project_dir: str, stage: str | None = None) -> None:
    """Remove the stage's receipts (every stage's with ``stage`` None): a command is about to change what
    they describe."""
    folder = os.path.join(project_dir, RECEIPTS)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(f"update-{stage}-" if stage else "update-"):
            try:
                os.remove(os.path.join(folder, name))
            except OSError:
                pass


def write_receipt(project_dir: str, stage: str, local: bool, remote: dict[str, Any], files: list[str],
                  read_since: float) -> bool:
    """Record that ``update STAGE`` (with ``--local`` when ``local``) would now change nothing. ``remote`` names
    the function (``function``, ``endpoint``, ``region``, ``credentials``); ``files`` are the files the update
    read beyond the project's own, from ``read_since`` (a ``time.time()``) on. A file changed since then may
    hold other bytes than the ones deployed with the same size and time (a clock tick is coarse): then there is
    no receipt. The function is read back here, through the very call the check makes, so a receipt exists only
    when that call works. Returns whether one was written."""
    args = ["update", stage] + (["--local"] if local else [])
    if not enabled() or _command_line[:1] not in (["update"], ["deploy"]) or _command_line[1:] != args[1:]:
        return False
    try:
        project = project_files(project_dir)
        watched = [[path, _stat(path)] for path in sorted(set(files))]
        newest = max([mtime for _name, _size, mtime in project]
                     + [stamp[1] for _path, stamp in watched if stamp is not None], default=0)
        if newest > (read_since - TICK_S) * 1e9:
            return False
        document = read_function(remote)
        receipt = {"key": inputs_key(args, project_dir), "project": project, "files": watched,
                   "remote": dict(remote, digest=function_digest(document))}
        target = receipt_path(project_dir, args)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        temporary = f"{target}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(receipt, handle)
        os.replace(temporary, target)
    except Exception:  # noqa: BLE001 - a receipt only saves time: without one, the next update checks everything
        return False
    return True


def loaded_sources() -> list[str]:
    """The Python files of zappa and its plugins loaded in this process (their change may change a command)."""
    files = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and name.partition(".")[0] in OWN_PACKAGES:
            files.append(path)
    return files


def only_own_plugins(pm: Any) -> bool:
    """Whether every registered plugin is one of zappa's own distributions."""
    for _name, plugin in pm.list_name_plugin():
        module = plugin.__name__ if isinstance(plugin, type(sys)) else type(plugin).__module__
        if module.partition(".")[0] not in OWN_PACKAGES:
            return False
    return True
