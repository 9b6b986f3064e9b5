"""Deploy-side hook specifications of the ``zappa`` plugin project.

Hooks are grouped by lifecycle: settings, packaging, provisioning, certificates and domains, command line,
local AWS, and extension (a feature publishes the hooks that only it calls through ``zappa_addhooks``, as
the events plugin does with ``zappa_event_sources``). Every docstring states what the hook returns and how
the results of several plugins are combined ("collect": a list of every non-None result; "firstresult": the first
non-None result wins, the core's default implementation runs last).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    from zappa_core.local.state import LocalState
    from zappa_core.packaging.context import PackageContext
    from zappa_core.plan import Change, DeployContext, ResourceStep
    from zappa_core.records import (
        BuiltPackage,
        CertificateProvider,
        CliCommand,
        DomainBinding,
        LocalFrontDoor,
        LocalRoute,
        PackageInclude,
        SettingsProblem,
        SettingsSection,
        StageDomain,
    )
    from zappa_core.settings import StageSettings
    from zappa_core.settings.files import LoadedFile

hookspec = pluggy.HookspecMarker("zappa")
hookimpl = pluggy.HookimplMarker("zappa")


# -- settings -------------------------------------------------------------------------------------------


@hookspec
def zappa_settings_sections() -> SettingsSection | list[SettingsSection] | None:
    """Return the :class:`~zappa_core.records.SettingsSection` (or a list of them) this plugin owns.

    Collect: the core composes one stage model from every section; a key declared by two sections is a
    :class:`~zappa_core.errors.PluginError` naming both plugins.
    """


@hookspec(firstresult=True)
def zappa_load_settings_file(path: Path) -> LoadedFile | None:
    """Parse the settings file at ``path`` (a :class:`pathlib.Path`).

    Firstresult: return a :class:`zappa_core.settings.files.LoadedFile` (the stages as plain data plus
    the line of every key) when this plugin reads this kind of file, else ``None``. The core reads
    JSON, YAML and TOML.
    """


@hookspec
def zappa_validate_settings(settings: StageSettings) -> list[SettingsProblem] | None:
    """Check cross-field rules of one loaded stage (a :class:`zappa_core.settings.StageSettings`).

    Collect: return a list of :class:`~zappa_core.records.SettingsProblem` (or ``None``). The core prints
    every problem of every plugin at once, exits 2 and makes no AWS call.
    """


# -- packaging ------------------------------------------------------------------------------------------


@hookspec
def zappa_package_include(settings: StageSettings, context: PackageContext) -> list[PackageInclude] | None:
    """Return extra files for the Lambda package: a list of :class:`~zappa_core.records.PackageInclude`.

    Collect. ``context`` is the packaging context (the project folder, the build folder, the manifest
    being assembled). The runtime, ``handler.py``, the manifest and ``package_info.json`` arrive this way.
    """


@hookspec
def zappa_package_exclude(settings: StageSettings) -> list[str] | None:
    """Return glob patterns (relative to the zip root) of files to leave out of the package.

    Collect: the union of all patterns is applied after the user's ``exclude`` and ``exclude_glob``.
    """


@hookspec(firstresult=True)
def zappa_build_package(settings: StageSettings, context: PackageContext) -> BuiltPackage | None:
    """Build the Lambda package and return a :class:`~zappa_core.records.BuiltPackage`.

    Firstresult: the core's builder is the ``trylast`` default; a plugin replaces it by returning a result.
    """


# -- provisioning ---------------------------------------------------------------------------------------


@hookspec
def zappa_plan_resources(settings: StageSettings, context: DeployContext) -> list[ResourceStep] | None:
    """Return the :class:`~zappa_core.plan.ResourceStep` objects (a list) this plugin owns for the stage.

    Collect. ``context`` is the :class:`~zappa_core.plan.DeployContext`. Return an empty list when the
    plugin's feature is off in these settings; step ids must be unique across plugins.
    """


@hookspec
def zappa_stage_status(settings: StageSettings, context: DeployContext) -> dict[str, Any] | None:
    """Return this plugin's part of ``zappa status`` for a deployed stage: a dict, merged into the status
    output. Public URLs go under ``"urls"`` (``{"api": "https://..."}``), so ``status --json`` lists every
    front door's URL. Collect; ``None`` when the plugin has nothing deployed for this stage.
    """


@hookspec
def zappa_before_apply(plan: list[Change]) -> None:
    """Called with the list of :class:`~zappa_core.plan.Change` about to be applied. Return value ignored."""


@hookspec
def zappa_after_apply(plan: list[Change], outcome: str | BaseException) -> None:
    """Called after apply with the plan and its outcome (``"ok"`` or the exception). Return value ignored."""


@hookspec(firstresult=True)
def zappa_cloudformation_template(settings: StageSettings, lambda_arn: str, role_arn: str) -> dict[str, Any] | None:
    """Return the CloudFormation template (a dict) of the stage's front door, for ``zappa template``.

    Firstresult: the front-door plugin that serves this stage returns it; ``None`` otherwise.
    """


# -- certificates and domains ---------------------------------------------------------------------------


@hookspec
def zappa_certificate_providers() -> list[CertificateProvider] | None:
    """Return the :class:`~zappa_core.records.CertificateProvider` records (a list) this plugin provides.

    Collect: ``zappa certify`` uses the first provider whose ``applies(settings)`` is true.
    """


@hookspec(firstresult=True)
def zappa_bind_domain(settings: StageSettings, context: DeployContext, domain: str, certificate: str) -> DomainBinding | None:
    """Bind ``domain`` with the ACM certificate ARN ``certificate`` to the stage's front door.

    ``context`` is the :class:`~zappa_core.plan.DeployContext` of the ``certify`` run: ``context.aws`` holds
    the clients of the stage's account and region (of the local AWS with ``--local``), ``context.local`` and
    ``context.echo`` the rest. Firstresult: the front door that serves the stage (API Gateway, the load
    balancer) binds it and returns a :class:`~zappa_core.records.DomainBinding`; others return ``None``.
    The DNS record is the core's to write (a Route53 alias of ``target``, or printed with ``--manual``).
    ``domain`` is the stage's ``domain`` or one of the :class:`~zappa_core.records.StageDomain` names of
    ``zappa_stage_domains``: a front door binds only the names it serves.
    """


@hookspec
def zappa_stage_domains(settings: StageSettings) -> list[StageDomain] | None:
    """Return the stage's custom domains besides ``domain`` that this plugin's front doors serve
    (:class:`~zappa_core.records.StageDomain` records, a list), read from the plugin's own settings.

    Collect: ``zappa certify`` gets a certificate for each (in its ``certificate_region``, covering its
    ``alternative_names``) and binds it through ``zappa_bind_domain``, after the stage's ``domain``, then points
    every name at the front door. A record named like the stage's ``domain`` describes that domain (its region and
    alternative names). No AWS call: the settings alone say what they are.
    """


# -- command line ---------------------------------------------------------------------------------------


@hookspec
def zappa_cli_commands() -> list[CliCommand] | None:
    """Return extra :class:`~zappa_core.records.CliCommand` records (a list).

    Collect: a name that clashes with a built-in command or with another plugin's is an error.
    """


# -- local AWS ------------------------------------------------------------------------------------------


@hookspec
def zappa_local_routes(settings: StageSettings | None, state: LocalState) -> list[LocalRoute] | None:
    """Return :class:`~zappa_core.records.LocalRoute` records (a list) for the local gateway.

    Collect. ``settings`` is the stage (or ``None`` when the gateway discovers every deployed front door);
    ``state`` is a :class:`zappa_core.local.state.LocalState`: ``state.aws`` (an
    :class:`~zappa_core.aws.AwsClients` pointed at the local AWS), ``state.aws_endpoint``,
    ``state.gateway_endpoint``, ``state.region`` and ``state.invoke(function, event, qualifier=None) ->
    (payload, function_error)`` (payload: the handler's decoded JSON result; function_error: ``None`` or
    ``"Unhandled"`` with the error document as payload). Each route's ``handle(LocalRequest) ->
    LocalResponse`` (:mod:`zappa_core.local.http`) runs in the gateway's threads and gets the path after
    the key. Routes are discovered again after any change to API Gateway, Lambda, ELB or CloudFormation
    resources, so a route may cache what it read from ``state.aws``. A plugin whose hook raises is skipped.
    """


@hookspec(firstresult=True)
def zappa_local_front_door(settings: StageSettings) -> LocalFrontDoor | None:
    """Return the :class:`~zappa_core.records.LocalFrontDoor` through which ``zappa serve`` calls the app.

    Firstresult: the plugin of the front door that serves the stage (API Gateway, a function URL, the load
    balancer) returns it; others return ``None``. No AWS is involved: the request goes to the runtime
    in-process, and the events name the local account (:data:`zappa_core.local.http.LOCAL_ACCOUNT`).
    """


# -- extension ------------------------------------------------------------------------------------------


@hookspec(historic=True)
def zappa_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """Called once per plugin manager so a plugin can add hook specifications of its own
    (``pluginmanager.add_hookspecs(module)``). Historic: plugins registered later are called too."""
