"""The ``zappa`` command line, built by :func:`make_app` (never at import time).

Each command parses its flags (Zappa's names) and hands a :class:`~zappa_core.context.CommandContext` to
the function that implements it in :mod:`zappa_core.commands`; those modules are imported only when the
command runs, so ``zappa --help`` stays fast.
"""

import importlib
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from zappa_core import __version__
from zappa_core.cli_options import (  # noqa: F401 - click and the option types are taken from here by plugins
    MARKUP,
    AllStages,
    AppFunction,
    ColorMode,
    DisableProgress,
    Json,
    Local,
    NoVenv,
    Quiet,
    SettingsFile,
    Stage,
    click,
    complete_stage,
)
from zappa_core.context import CommandContext
from zappa_core.errors import ZappaError

BUILTIN_COMMANDS = (
    "deploy", "update", "promote", "rollback", "undeploy", "package", "template", "status",
    "tail", "invoke", "manage", "certify", "init", "settings", "plan", "plugins", "local", "serve", "shell",
    "save-python-settings-file",
)
HELP_ARGS = (["--help"], ["-h"])


def _dispatch(module: str, function: str, ctx: CommandContext, *, validate: bool = False, **options: Any) -> None:
    """Import ``zappa_core.commands.<module>`` and run ``function(ctx, **options)``.

    With ``validate``, the stage settings are loaded and validated first (every problem printed at once,
    exit 2, before the command's module is even imported, so before any AWS call); the command gets them
    again, cached, from ``ctx.stages()``.
    """
    if validate:
        ctx.stages()
    impl: Callable[..., Any] = getattr(importlib.import_module(f"zappa_core.commands.{module}"), function)
    code = impl(ctx, **options)
    if code:
        raise typer.Exit(code)


def _ctx(pm: Any, stage: str | None, all_stages: bool = False, settings_file: str | None = None,
         quiet: bool = False, json: bool = False, local: bool = False, **options: Any) -> CommandContext:
    return CommandContext(pm=pm, stage=stage, all_stages=all_stages, settings_file=settings_file,
                          quiet=quiet, json=json, local=local, options=options)


def _version_callback(value: bool) -> None:
    if value:
        print(f"zappa {__version__}")
        raise typer.Exit()


def make_app(pm: Any, only: set[str] | None = None) -> typer.Typer:
    """Build the typer application of the built-in commands for plugin manager ``pm``.

    ``only`` limits it to those command names: typer prepares every parameter of every command it builds,
    so a run of ``zappa deploy`` builds just ``deploy``."""
    app = typer.Typer(
        name="zappa",
        help="Serverless Python web apps and functions on AWS Lambda.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=MARKUP,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def command(*names: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            name = names[0] if names else function.__name__
            if only is None or name in only:
                return app.command(*names, **kwargs)(function)
            return function

        return register

    @app.callback()
    def main(
        version: Annotated[bool | None, typer.Option("-v", "--version", callback=_version_callback, is_eager=True, help="Print the version and exit.")] = None,
        color: Annotated[ColorMode, typer.Option("--color", help="Colour the output: auto (on a terminal, unless NO_COLOR is set), always or never.")] = ColorMode.auto,
    ) -> None:
        """Serverless Python web apps and functions on AWS Lambda."""
        from zappa_core import color as colors

        colors.set_mode(ColorMode(color).value)

    @command()
    def deploy(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
               json: Json = False, local: Local = False, app_function: AppFunction = None,
               zip: Annotated[str | None, typer.Option("-z", "--zip", help="Deploy this prebuilt zip (local path or s3://).")] = None,
               docker_image_uri: Annotated[str | None, typer.Option("-d", "--docker-image-uri", help="Deploy a container image instead of a zip.")] = None,
               disable_progress: DisableProgress = False, no_venv: NoVenv = False) -> None:
        """Package the app and create the stage's function, roles, front door and events."""
        _dispatch("deploy", "deploy", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local, app_function=app_function,
                  disable_progress=disable_progress), zip=zip, docker_image_uri=docker_image_uri)

    @command()
    def update(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
               json: Json = False, local: Local = False, app_function: AppFunction = None,
               zip: Annotated[str | None, typer.Option("-z", "--zip", help="Use this prebuilt zip (local path or s3://).")] = None,
               no_upload: Annotated[bool, typer.Option("-n", "--no-upload", "--no_upload", help="Build the package but do not upload it.")] = False,
               docker_image_uri: Annotated[str | None, typer.Option("-d", "--docker-image-uri")] = None,
               refresh: Annotated[bool, typer.Option("--refresh", help="Read every resource even when the package and settings are those of the last update.")] = False,
               canary: Annotated[float | None, typer.Option("--canary", metavar="PERCENT", help="Send PERCENT of the traffic to the new version first, watch it, then promote or roll back.")] = None,
               interval: Annotated[str | None, typer.Option("--interval", metavar="DURATION", help="How long each step of the rollout is watched: 30s, 5m, 1h.")] = None,
               disable_progress: DisableProgress = False, no_venv: NoVenv = False) -> None:
        """Update the code and configuration of a deployed stage (skips the upload when nothing changed)."""
        _dispatch("deploy", "update", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local, app_function=app_function,
                  disable_progress=disable_progress), zip=zip, no_upload=no_upload, docker_image_uri=docker_image_uri, refresh=refresh,
                  canary=canary, interval=interval)

    @command()
    def promote(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
                json: Json = False, local: Local = False) -> None:
        """End a rollout in progress now: the new version takes all the traffic."""
        _dispatch("promote", "promote", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local))

    @command()
    def rollback(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
                 json: Json = False, local: Local = False,
                 num_rollback: Annotated[int, typer.Option("-n", "--num-rollback", "--num_rollback", min=1, help="How many versions back.")] = 1) -> None:
        """Make an earlier version of the function live again (during a rollout: the version before it)."""
        _dispatch("rollback", "rollback", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local), num_rollback=num_rollback)

    @command()
    def undeploy(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
                 json: Json = False, local: Local = False,
                 remove_logs: Annotated[bool, typer.Option("--remove-logs", "--remove_logs", help="Also delete the CloudWatch log groups.")] = False,
                 yes: Annotated[bool, typer.Option("-y", "--yes", help="Do not ask for confirmation.")] = False) -> None:
        """Remove everything the stage owns (found in AWS by name and tags)."""
        _dispatch("undeploy", "undeploy", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local), remove_logs=remove_logs, yes=yes)

    @command()
    def package(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
                json: Json = False, app_function: AppFunction = None,
                output: Annotated[str | None, typer.Option("-o", "--output", help="Write the zip to this path.")] = None,
                disable_progress: DisableProgress = False, no_venv: NoVenv = False) -> None:
        """Build the Lambda package without deploying it."""
        _dispatch("package", "package", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, False, app_function=app_function,
                  disable_progress=disable_progress), output=output)

    @command()
    def template(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
                 json: Json = False,
                 lambda_arn: Annotated[str, typer.Option("-l", "--lambda-arn", "--lambda_arn", help="ARN of the function the API invokes.")] = ...,
                 role_arn: Annotated[str, typer.Option("-r", "--role-arn", "--role_arn", help="ARN of the role API Gateway uses.")] = ...,
                 output: Annotated[str | None, typer.Option("-o", "--output", help="Write the template to this file.")] = None) -> None:
        """Print the CloudFormation template of the stage's API."""
        _dispatch("template", "template", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, False), lambda_arn=lambda_arn,
                  role_arn=role_arn, output=output)

    @command()
    def status(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
               json: Json = False, local: Local = False,
               policy: Annotated[bool, typer.Option("--policy", help="Also print the execution role's policy.")] = False) -> None:
        """Show the deployed function, its versions, URLs, events and recent invocations."""
        _dispatch("status", "status", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local), policy=policy)

    @command()
    def tail(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
             json: Json = False, local: Local = False,
             no_color: Annotated[bool, typer.Option("--no-color", "--no_color", help="Plain output.")] = False,
             force_color: Annotated[bool, typer.Option("--force-color", "--force_color", help="Colour even when piping.")] = False,
             http: Annotated[bool, typer.Option("--http", help="Only HTTP request lines.")] = False,
             non_http: Annotated[bool, typer.Option("--non-http", "--non_http", help="Everything but HTTP request lines.")] = False,
             since: Annotated[str, typer.Option("--since", help="How far back: 30s, 4h, 1m (minutes), 1mm (months), 2d.")] = "100000s",
             filter: Annotated[str | None, typer.Option("--filter", help="CloudWatch Logs filter pattern.")] = None,
             disable_keep_open: Annotated[bool, typer.Option("--disable-keep-open", "--disable_keep_open", help="Print what is there and exit.")] = False) -> None:
        """Follow the function's logs."""
        _dispatch("logs", "tail", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local),
                  color_flag=True if force_color else (False if no_color else None),
                  http=http, non_http=non_http, since=since, filter=filter, disable_keep_open=disable_keep_open)

    @command()
    def invoke(stage: Stage = None,
               function_path: Annotated[str | None, typer.Argument(help="Dotted function to run (or Python source with --raw).", show_default=False)] = None,
               all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False, json: Json = False, local: Local = False,
               raw: Annotated[bool, typer.Option("--raw", help="FUNCTION_PATH is Python source to execute.")] = False,
               no_color: Annotated[bool, typer.Option("--no-color", "--no_color")] = False,
               client_context: Annotated[str | None, typer.Option("--client-context", "--client_context")] = None,
               qualifier: Annotated[str | None, typer.Option("--qualifier", help="Version or alias to invoke.")] = None,
               payload: Annotated[str | None, typer.Option("--payload", help="JSON event to send as-is.")] = None) -> None:
        """Run a function (or raw Python) inside the deployed Lambda and print its output and result."""
        _dispatch("invoke", "invoke", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local), function_path=function_path,
                  raw=raw, no_color=no_color, client_context=client_context, qualifier=qualifier, payload=payload)

    @command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def manage(stage: Annotated[str, typer.Argument(help="Stage name.", autocompletion=complete_stage)],
               command_rest: Annotated[list[str] | None, typer.Argument(help="Django management command and its arguments.", show_default=False)] = None,
               all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False, local: Local = False,
               no_color: Annotated[bool, typer.Option("--no-color", "--no_color")] = False,
               client_context: Annotated[str | None, typer.Option("--client-context", "--client_context")] = None,
               qualifier: Annotated[str | None, typer.Option("--qualifier")] = None) -> None:
        """Run a Django management command inside the deployed Lambda."""
        _dispatch("invoke", "manage", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, False, local),
                  command_rest=command_rest or [], no_color=no_color, client_context=client_context, qualifier=qualifier)

    @command()
    def certify(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
                json: Json = False, local: Local = False,
                yes: Annotated[bool, typer.Option("-y", "--yes", help="Do not ask for confirmation.")] = False,
                manual: Annotated[bool, typer.Option("--manual", help="Print the DNS records instead of writing them.")] = False) -> None:
        """Obtain or import the certificate for 'domain' and bind the domain to the stage."""
        _dispatch("certify", "certify", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local), yes=yes, manual=manual)

    @command()
    def plan(stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
             json: Json = False, local: Local = False,
             destroy: Annotated[bool, typer.Option("--destroy", help="Plan an undeploy instead.")] = False,
             docker_image_uri: Annotated[str | None, typer.Option("-d", "--docker-image-uri", help="Plan a deploy/update of this container image.")] = None) -> None:
        """Show what deploy/update would create, change or delete, without changing anything."""
        _dispatch("plan", "plan", validate=True, ctx=_ctx(pm, stage, all_stages, settings_file, quiet, json, local),
                  destroy=destroy, docker_image_uri=docker_image_uri)

    @command()
    def serve(stage: Stage = None, settings_file: SettingsFile = None, quiet: Quiet = False,
              port: Annotated[int, typer.Option("--port", "-p", help="Port on 127.0.0.1.")] = 8000,
              reload: Annotated[bool, typer.Option("--reload/--no-reload", help="Restart on code changes.")] = True) -> None:
        """Serve the app from the source folder through the Lambda runtime, without packaging or AWS."""
        _dispatch("serve", "serve", validate=True, ctx=_ctx(pm, stage, False, settings_file, quiet), port=port, reload=reload)

    @command()
    def init(
        yes: Annotated[bool, typer.Option("-y", "--yes", help="Accept the detected defaults; ask nothing.")] = False,
        stage: Annotated[str, typer.Option("--stage", help="Name of the first stage.")] = "dev",
        app_function: AppFunction = None,
        django_settings: Annotated[str | None, typer.Option("--django-settings", help="Django settings module.")] = None,
        s3_bucket: Annotated[str | None, typer.Option("--s3-bucket", help="Bucket for code uploads.")] = None,
        profile_name: Annotated[str | None, typer.Option("--profile", help="AWS profile.")] = None,
        aws_region: Annotated[str | None, typer.Option("--region", help="AWS region.")] = None,
        format: Annotated[str, typer.Option("--format", help="json, yaml or toml.")] = "json",
        global_deployment: Annotated[str | None, typer.Option("--global", help="Deploy globally: 'primary' or 'all' regions.")] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing settings file.")] = False,
    ) -> None:
        """Create a zappa_settings file for the app in this folder."""
        _dispatch("init", "init", _ctx(pm, None), yes=yes, stage=stage, app_function=app_function,
                  django_settings=django_settings, s3_bucket=s3_bucket, profile_name=profile_name, aws_region=aws_region,
                  format=format, global_deployment=global_deployment, force=force)

    @command()
    def shell(stage: Stage = None, settings_file: SettingsFile = None, quiet: Quiet = False, local: Local = False) -> None:
        """Open a Python shell with the stage's settings and AWS clients ready (--local: the local AWS)."""
        _dispatch("shell", "shell", validate=True, ctx=_ctx(pm, stage, False, settings_file, quiet, False, local))

    @command("save-python-settings-file")
    def save_python_settings_file(
        stage: Stage = None, all_stages: AllStages = False, settings_file: SettingsFile = None, quiet: Quiet = False,
        output_path: Annotated[str | None, typer.Option("-o", "--output_path", "--output-path", help="Where to write the settings module.")] = None,
    ) -> None:
        """Write the stage's settings as a Python module, for container-image deployments."""
        _dispatch("compat", "save_python_settings_file", validate=True,
                  ctx=_ctx(pm, stage, all_stages, settings_file, quiet), output_path=output_path)

    settings_app = typer.Typer(help="Show, generate and describe settings.", no_args_is_help=False, invoke_without_command=True,
                               rich_markup_mode=MARKUP)

    @settings_app.callback()
    def settings_main(
        typer_ctx: typer.Context,
        config: Annotated[list[str] | None, typer.Option("--config", help="key=value (JSON values allowed), repeatable.")] = None,
        stage: Annotated[str, typer.Option("--stage", help="Stage to write.")] = "dev",
        settings_file: SettingsFile = None,
    ) -> None:
        """Generate settings from --config key=value pairs (as Zappa's 'settings'), or use a subcommand."""
        if typer_ctx.invoked_subcommand is None:
            _dispatch("settings", "generate", _ctx(pm, stage, False, settings_file), config=config or [])

    @settings_app.command("schema")
    def settings_schema() -> None:
        """Print the JSON Schema of a stage (for editors)."""
        _dispatch("settings", "schema", _ctx(pm, None))

    @settings_app.command("check")
    def settings_check(stage: Stage = None, settings_file: SettingsFile = None, json: Json = False) -> None:
        """Check every stage of the settings file (or STAGE): all problems at once, exit 2 if any."""
        _dispatch("settings", "check", _ctx(pm, stage, False, settings_file, json=json))

    @settings_app.command("show")
    def settings_show(stage: Stage = None, settings_file: SettingsFile = None) -> None:
        """Print a stage's validated settings, defaults included, as JSON."""
        _dispatch("settings", "show", validate=True, ctx=_ctx(pm, stage, False, settings_file))

    if only is None or "settings" in only:
        app.add_typer(settings_app, name="settings")

    @command()
    def plugins(json: Json = False) -> None:
        """List installed plugins: name, distribution, version and hooks."""
        _dispatch("plugins", "plugins", _ctx(pm, None, json=json))

    local_app = typer.Typer(help="The embedded local AWS: start, stop, status, logs.", no_args_is_help=True,
                            rich_markup_mode=MARKUP)

    @local_app.command("start")
    def local_start(port: Annotated[int, typer.Option("--port", "-p", help="Port of the local AWS API (0: any free port).")] = 0,
                    gateway_port: Annotated[int | None, typer.Option("--gateway-port", help="Port of the HTTP gateway (default: --port + 1, or any free port).")] = None,
                    concurrency: Annotated[int | None, typer.Option("--concurrency", min=1, help="The local account's Lambda concurrency: invocations past it are throttled (default 10, or ZAPPA_LOCAL_CONCURRENCY).")] = None,
                    quiet: Quiet = False, json: Json = False) -> None:
        """Start the local AWS in the background and print its endpoints."""
        _dispatch("local", "start", _ctx(pm, None, quiet=quiet, json=json), port=port, gateway_port=gateway_port,
                  concurrency=concurrency)

    @local_app.command("stop")
    def local_stop(quiet: Quiet = False) -> None:
        """Stop the local AWS of this project."""
        _dispatch("local", "stop", _ctx(pm, None, quiet=quiet))

    @local_app.command("status")
    def local_status(json: Json = False) -> None:
        """Is the local AWS running, and where."""
        _dispatch("local", "status", _ctx(pm, None, json=json))

    @local_app.command("logs")
    def local_logs(follow: Annotated[bool, typer.Option("-f", "--follow")] = False) -> None:
        """Print the local AWS's own log."""
        _dispatch("local", "logs", _ctx(pm, None), follow=follow)

    if only is None or "local" in only:
        app.add_typer(local_app, name="local")

    return app


def build_command(pm: Any, only: set[str] | None = None) -> Any:
    """The click command of the CLI: the built-in commands (or ``only`` those) and every plugin's."""
    from zappa_core.cli_plugins import add_plugin_commands

    group = typer.main.get_command(make_app(pm, only))
    add_plugin_commands(group, pm)
    return group


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 AWS/runtime failure, 2 settings/usage)."""
    from zappa_core.plugins import get_plugin_manager

    args = list(sys.argv[1:] if argv is None else argv)
    if not args and not os.environ.get("_ZAPPA_COMPLETE"):  # completion requests come without arguments
        args = ["--help"]
    from zappa_core.color import hoist_color_option

    args = hoist_color_option(args)
    from zappa_core import receipts

    receipts.remember_command_line(args)
    if args and args[0] not in receipts.LEAVES_STAGES_AS_THEY_ARE:
        receipts.forget(".")
    try:
        import warnings

        from zappa_core.environment import check_original_zappa_absent

        check_original_zappa_absent()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pm = get_plugin_manager()
        for warning in caught:
            print(f"Warning: {warning.message}", file=sys.stderr)
        command = build_command(pm, {args[0]} if args and args[0] in BUILTIN_COMMANDS else None)
        if args in HELP_ARGS:
            from zappa_core import clicache

            with command.make_context("zappa", [], resilient_parsing=True) as ctx:
                text = ctx.get_help() + "\n"
            sys.stdout.write(text)
            clicache.store_help(text, clicache.help_sources(pm))
            return 0
        command.main(args=args, prog_name="zappa", standalone_mode=True, obj=pm)  # obj: for plugins' stage commands
        return 0
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except ZappaError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
