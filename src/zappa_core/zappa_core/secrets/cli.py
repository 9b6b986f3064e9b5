"""``zappa secrets set/get/list STAGE``: the stage's own secrets, where its settings say they live.

A variable of the ``secrets`` setting is its reference (a parameter, or a secret and perhaps one key of its
JSON object); any other variable name is a parameter under the stage's (first) ``secrets_path``. Values are
read from standard input or a prompt, never from the command line (where shell history and process lists
would keep them)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from zappa_core.errors import UsageError

app = typer.Typer(help="Set, read and list the stage's own secrets in Parameter Store.", no_args_is_help=True,
                  add_completion=False, rich_markup_mode=None)

Stage = Annotated[str, typer.Argument(help="Stage name from the settings file.")]
Name = Annotated[str, typer.Argument(help="The variable: a key of 'secrets', or a parameter under 'secrets_path'.")]
SettingsFile = Annotated[str | None, typer.Option("-s", "--settings_file", "--settings-file", help="Settings file to use.")]
Local = Annotated[bool, typer.Option("--local", envvar="ZAPPA_LOCAL", help="Use the local AWS started by 'zappa local start'.")]


def _context(stage: str, settings_file: str | None, local: bool, json_output: bool = False) -> tuple[Any, Any]:
    from zappa_core.context import CommandContext
    from zappa_core.plugins import get_plugin_manager

    ctx = CommandContext(pm=get_plugin_manager(), stage=stage, settings_file=settings_file, local=local, json=json_output)
    settings = ctx.stages()[0]
    return ctx, settings


def target(settings: Any, name: str) -> Any:
    """The reference ``name`` stands for in this stage (a :class:`~zappa_runtime.secret_refs.SecretRef`)."""
    from zappa_runtime.secret_refs import SSM, SecretRef, parse_reference, variable_problem
    from zappa_runtime.secrets import paths_of

    if name in (settings.secrets or {}):
        return parse_reference(settings.secrets[name])
    paths = paths_of({"secrets_path": settings.secrets_path})
    if not paths:
        raise UsageError(f"'{name}' is not one of stage '{settings.stage}''s secrets",
                         hint=f"add it to 'secrets' (\"{name}\": \"ssm:/{settings.project}/{settings.stage}/{name}\"), "
                              "or set 'secrets_path'")
    problem = variable_problem(name)
    if problem:
        raise UsageError(f"'{name}' cannot be a variable: {problem}")
    full = f"{paths[0]}/{name}"
    return SecretRef(SSM, full, f"ssm:{full}")


def read_value(name: str) -> str:
    """The value from standard input (one trailing newline dropped) or, on a terminal, a hidden prompt."""
    if sys.stdin.isatty():
        import getpass

        value = getpass.getpass(f"Value of {name}: ")
        if getpass.getpass("Again: ") != value:
            raise UsageError("the two values differ; nothing was set")
    else:
        value = sys.stdin.read()
        value = value[:-2] if value.endswith("\r\n") else value[:-1] if value.endswith("\n") else value
    if not value:
        raise UsageError(f"no value given for {name}; nothing was set",
                         hint=f"pipe it in (printf %s \"$VALUE\" | zappa secrets set STAGE {name}) or type it at the prompt")
    return value


@app.command("set", context_settings={"allow_extra_args": True})
def set_secret(context: typer.Context, stage: Stage, name: Name, settings_file: SettingsFile = None, local: Local = False,
               kind: Annotated[str, typer.Option("--type", help="Parameter type: SecureString or String.")] = "SecureString",
               kms_key: Annotated[str | None, typer.Option("--kms-key", help="KMS key of a SecureString (default: aws/ssm).")] = None) -> None:
    """Store the value of NAME, read from standard input or a prompt."""
    from zappa_core.secrets.store import write

    if context.args:
        raise UsageError("a value is never taken from the command line (shell history and process lists keep it)",
                         hint=f"pipe it in (printf %s \"$VALUE\" | zappa secrets set {stage} {name}) or type it at the prompt")
    if kind not in ("SecureString", "String"):
        raise UsageError(f"--type is SecureString or String, not {kind!r}")
    ctx, settings = _context(stage, settings_file, local)
    ref = target(settings, name)
    text = read_value(name)
    print(write(ctx.aws(settings), settings, ref, text, kind=kind, kms_key=kms_key))


@app.command("get")
def get_secret(stage: Stage, name: Name, settings_file: SettingsFile = None, local: Local = False) -> None:
    """Print the value of NAME."""
    from zappa_core.secrets.store import read

    ctx, settings = _context(stage, settings_file, local)
    print(read(ctx.aws(settings), target(settings, name)))


@app.command("list")
def list_secrets(stage: Stage, settings_file: SettingsFile = None, local: Local = False,
                 json_output: Annotated[bool, typer.Option("-j", "--json", help="Machine-readable JSON output.")] = False) -> None:
    """List the stage's secrets: variable, reference, whether it exists, type and last change (never a value)."""
    from zappa_core.secrets.store import inventory

    ctx, settings = _context(stage, settings_file, local, json_output)
    rows = inventory(ctx.aws(settings), settings)
    if json_output:
        print(json.dumps(rows, indent=2, sort_keys=True, default=str))
        return
    if not rows:
        print(f"stage '{stage}' has no secrets (see the 'secrets' and 'secrets_path' settings)")
        return
    width = max(len(r["variable"]) for r in rows)
    ref_width = max(len(r["reference"]) for r in rows)
    for r in rows:
        state = f"{r['type']}, changed {r['last_changed']}" if r["exists"] else "MISSING"
        print(f"{r['variable'].ljust(width)}  {r['reference'].ljust(ref_width)}  {state}")
