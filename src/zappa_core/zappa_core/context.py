"""What every command receives: the plugin manager, the stages asked for and the global flags."""

from __future__ import annotations

import json as _json
import sys
from dataclasses import dataclass, field
from typing import Any

from zappa_core.errors import UsageError


@dataclass
class CommandContext:
    pm: Any
    stage: str | None = None
    all_stages: bool = False
    settings_file: str | None = None
    quiet: bool = False
    json: bool = False
    local: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    _stages: list[Any] | None = field(default=None, repr=False)

    def stages(self, *, require: bool = True) -> list[Any]:
        """The validated settings of the stage(s) the command was asked for (``STAGE`` or ``--all``).

        Raises :class:`~zappa_core.settings.SettingsError` (exit 2) before any AWS call. Loaded once per
        command: the CLI validates before it dispatches, and the command gets the same objects."""
        if self._stages is None or (not self._stages and require):
            self._stages = self._load_stages(require)
        return list(self._stages)

    def _load_stages(self, require: bool) -> list[Any]:
        from zappa_core.settings import load_stages

        if self.all_stages and self.stage:
            raise UsageError("give a stage or --all, not both")
        if self.all_stages:
            return self._without_common_stages(list(load_stages(None, pm=self.pm, settings_file=self.settings_file).values()))
        if self.stage is None:
            from zappa_core.settings import stage_names

            names = stage_names(pm=self.pm, settings_file=self.settings_file)
            if len(names) == 1:
                self.stage = names[0]
            elif require:
                raise UsageError(f"which stage? This settings file has: {', '.join(names)} (or use --all)")
            else:
                return []
        return [load_stages([self.stage], pm=self.pm, settings_file=self.settings_file)[self.stage]]

    def _without_common_stages(self, stages: list[Any]) -> list[Any]:
        """``--all`` leaves out a stage that only holds settings shared by others: one that other stages
        ``extends`` and that has no ``s3_bucket`` (so it cannot be deployed), as the common stage of a
        global deployment written by ``zappa init --global``."""
        data = stages[0].source.data if stages and stages[0].source is not None else {}
        extended = {value.get("extends") for value in data.values() if isinstance(value, dict)}
        common = [s for s in stages if s.stage in extended and not s.s3_bucket]
        if not common or len(common) == len(stages):
            return stages
        for s in common:
            self.echo(f"--all: leaving out stage '{s.stage}': other stages extend it and it has no s3_bucket",
                      err=True)
        return [s for s in stages if s not in common]

    def aws(self, settings: Any) -> Any:
        """The client factory for ``settings``; in local mode every client points at the local AWS."""
        from zappa_core.aws import AwsClients

        endpoint = None
        if self.local:
            from zappa_core.local_state import local_endpoint

            endpoint = local_endpoint(settings.project_dir)
        clients = AwsClients.for_settings(settings, local_endpoint=endpoint)
        clients.require_credentials()
        return clients

    def echo(self, message: str = "", *, err: bool = False) -> None:
        """Print unless ``-q``; errors always print (to stderr)."""
        if err:
            print(message, file=sys.stderr)
        elif not self.quiet and not self.json:
            print(message)

    def emit_json(self, data: Any) -> None:
        print(_json.dumps(data, indent=2, sort_keys=True, default=str))
