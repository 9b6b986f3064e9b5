"""What ``callbacks`` functions receive: an object with the attributes of Zappa's ``ZappaCLI``.

Zappa calls ``callbacks.settings``, ``.zip`` and ``.post`` with its CLI object, and callbacks read its
attributes: ``zappa_settings`` (the settings file as read, every stage), ``api_stage``, ``stage_config``
(the stage with ``extends`` applied), ``lambda_name``, ``zip_path``, ``zappa.s3_client``... The same names
are here, so a Zappa callback runs unchanged; the only change a project makes is to name its own keys
``x_...`` (``zappa_settings[api_stage]["x_regex_excludes"]``).

A ``settings`` callback may change ``zappa_settings`` (Zappa reads some settings again afterwards): the
stage is then validated again from the changed values, and the rest of the command uses them.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from zappa_core.errors import UsageError

# Zappa's names of its boto3 clients that are not ``<service>_client``.
_CLIENT_NAMES = {"cf_client": "cloudformation", "cognito_client": "cognito-idp", "logs_client": "logs",
                 "cloudwatch": "cloudwatch", "cloudwatch_logs": "logs", "route53": "route53",
                 "elbv2_client": "elbv2", "acm_client": "acm", "acm_client_cert": "acm"}


class ZappaClients:
    """``cli.zappa``: the stage's AWS clients under Zappa's attribute names (``s3_client``,
    ``lambda_client``, ``boto_session``, ...), from the same factory as every other call of the stage."""

    def __init__(self, aws: Any) -> None:
        self._aws = aws

    @property
    def boto_session(self) -> Any:
        return self._aws.session

    @property
    def aws_region(self) -> str:
        return self._aws.resolve_region()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        service = _CLIENT_NAMES.get(name) or (name[: -len("_client")].replace("_", "-") if name.endswith("_client") else None)
        if service is None:
            raise AttributeError(f"no AWS client named {name!r} (Zappa's names end with '_client')")
        return self._aws.client(service)


class CallbackTarget:
    """The object passed to every callback (Zappa passes its ``ZappaCLI``).

    ``settings`` is the validated stage (every setting with its default) for callbacks written for this
    tool; the other attributes are Zappa's names, with Zappa's meaning.
    """

    def __init__(self, ctx: Any, settings: Any, command: str | None = None) -> None:
        self.command_context = ctx
        self.command = command
        self.settings = settings
        self.zip_path: str | None = None
        self.package: Any = None
        source = getattr(settings, "source", None)
        self.zappa_settings: dict[str, Any] = copy.deepcopy(source.data) if source is not None else {settings.stage: dict(settings.explicit)}
        self._as_read = copy.deepcopy(self.zappa_settings)
        self._bind(settings)

    def _bind(self, settings: Any) -> None:
        self.settings = settings
        self.api_stage = self.stage_env = settings.stage
        self.lambda_name = settings.function_name
        self.project_name = settings.project
        self.aws_region = settings.aws_region
        self.s3_bucket_name = settings.s3_bucket
        for name in ("app_function", "django_settings", "runtime", "memory_size", "timeout_seconds", "vpc_config",
                     "environment_variables", "aws_environment_variables", "tags", "log_level", "debug",
                     "profile_name", "domain", "base_path", "manage_roles", "lambda_handler", "exception_handler"):
            setattr(self, name, settings.get(name))
        self.vargs = {"command": self.command, "stage_env": settings.stage,
                      "settings_file": getattr(self.command_context, "settings_file", None)}

    @property
    def stage_config(self) -> dict[str, Any]:
        """The stage as written, with ``extends`` applied (Zappa's property of the same name)."""
        from zappa_core.settings.compose import resolve_extends

        merged, _, _ = resolve_extends(self.zappa_settings, self.api_stage)
        return merged

    @property
    def zappa(self) -> ZappaClients:
        ctx = self.command_context
        aws = ctx.aws(self.settings) if hasattr(ctx, "aws") else None
        if aws is None:
            from zappa_core.aws import AwsClients

            aws = AwsClients.for_settings(self.settings)
        return ZappaClients(aws)

    def __getattr__(self, name: str) -> Any:
        """Anything else the command's context knows (``quiet``, ``json``, ``local``, ...)."""
        if name.startswith("_") or "command_context" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.command_context, name)

    def settings_changed(self) -> bool:
        return self.zappa_settings != self._as_read


def run_callback(settings: Any, name: str, target: CallbackTarget) -> Any:
    """Run ``callbacks[name]`` with ``target``. After the ``settings`` callback, a stage whose values the
    callback changed is validated again; the returned settings are the ones to use from then on."""
    path = (settings.callbacks or {}).get(name)
    if not path:
        return settings
    from zappa_core.packaging.builder import import_function
    from zappa_core.packaging.context import PackagingError

    try:
        func = import_function(path, Path(settings.project_dir).resolve(), f"callback '{name}'")
    except PackagingError as exc:
        raise UsageError(str(exc)) from None
    func(target)
    if name == "settings" and target.settings_changed():
        from zappa_core.settings.compose import rebuild_stage

        target._bind(rebuild_stage(settings, target.zappa_settings))
        target._as_read = copy.deepcopy(target.zappa_settings)
    return target.settings
