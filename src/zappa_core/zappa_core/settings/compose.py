"""Composing one stage's settings from the sections of every installed plugin, and validating them.

Zappa's format is flat (all keys of a stage side by side), so each key is routed to the section of the
plugin that owns it and validated by that section's model. Every problem of every stage is collected and
reported at once, with the file, the line, the stage and a "did you mean".
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from zappa_core.errors import ZappaError
from zappa_core.records import SettingsProblem, SettingsSection
from zappa_core.settings.catalog import KNOWN_KEYS
from zappa_core.settings.files import LoadedFile, SettingsFileError, find_settings_file

STAGE_NAME = re.compile(r"^[a-zA-Z0-9_]+$")
# Keys beginning with this are the user's own: kept, never validated, visible to callbacks.
USER_PREFIX = "x_"


class SettingsError(ZappaError):
    """One or more settings problems; the CLI prints them all and exits 2."""

    exit_code = 2

    def __init__(self, problems: list[SettingsProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} settings problem(s):\n{lines}")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class StageSettings:
    """The validated settings of one stage: attribute access across every plugin's section.

    ``settings.memory_size`` reads the core's section, ``settings.apigateway_version`` the API Gateway
    plugin's. ``explicit`` holds the keys the user wrote (after ``extends``); ``user`` the user's own
    ``x_`` keys, never validated (``settings.x_regex_excludes`` reads one). ``pm`` is the plugin manager
    whose plugins loaded and validated them, so that a hook given only the settings reaches the same
    plugins without building another manager.
    """

    def __init__(
        self,
        stage: str,
        sections: dict[str, BaseModel],
        owners: dict[str, str],
        explicit: dict[str, Any],
        project_dir: Path,
        source: LoadedFile | None = None,
        pm: Any = None,
        user: dict[str, Any] | None = None,
    ) -> None:
        self.stage = stage
        self.user = dict(user or {})
        self.pm = pm
        self._sections = sections
        self._owners = owners
        self.explicit = explicit
        self.project_dir = project_dir
        self.source = source

    def __getattr__(self, name: str) -> Any:
        owners = self.__dict__.get("_owners", {})
        if name in owners:
            return getattr(self._sections[owners[name]], name)
        user = self.__dict__.get("user", {})
        if name in user:
            return user[name]
        raise AttributeError(f"no setting named '{name}' (is the plugin that owns it installed?)")

    def get(self, name: str, default: Any = None) -> Any:
        if name in self._owners:
            return getattr(self, name)
        return self.user.get(name, default)

    def section(self, name: str) -> BaseModel | None:
        return self._sections.get(name)

    @property
    def sections(self) -> dict[str, BaseModel]:
        return dict(self._sections)

    @property
    def project(self) -> str:
        return self._sections["core"].project_name or slugify(self.project_dir.resolve().name)

    @property
    def function_name(self) -> str:
        """The Lambda function's name, as Zappa derives it: ``slug(project_name-stage)``."""
        return slugify(f"{self.project}-{self.stage}")

    @property
    def zappa_project_tag(self) -> str:
        """Value of the ``ZappaProject`` tag on everything this stage owns."""
        return self.function_name

    def to_dict(self) -> dict[str, Any]:
        """Every setting, defaults included, and the user's ``x_`` keys, as JSON-compatible data (for the
        package manifest and ``zappa settings show``)."""
        out: dict[str, Any] = {}
        for model in self._sections.values():
            out.update(model.model_dump(mode="json"))
        out["project_name"] = self.project
        out.update(json.loads(json.dumps(self.user, default=str)))  # YAML/TOML dates become text
        return out

    def __repr__(self) -> str:
        return f"<StageSettings {self.stage!r} of {self.project!r}>"


def settings_sections(pm: Any) -> list[SettingsSection]:
    from zappa_core.plugins import collect_records

    return collect_records(pm, "zappa_settings_sections", key="name")


def field_keys(name: str, field: Any) -> set[str]:
    """The keys a user may write for one model field: its name, its alias and its validation aliases."""
    keys = {name}
    if field.alias:
        keys.add(field.alias)
    validation_alias = getattr(field, "validation_alias", None)
    if isinstance(validation_alias, str):
        keys.add(validation_alias)
    elif validation_alias is not None and hasattr(validation_alias, "choices"):
        keys.update(c for c in validation_alias.choices if isinstance(c, str))
    return keys


def key_owners(sections: Iterable[SettingsSection]) -> dict[str, SettingsSection]:
    """Map every top-level key to the section that owns it; a key in two sections is a plugin error."""
    from zappa_core.errors import PluginError

    owners: dict[str, SettingsSection] = {}
    for section in sections:
        for field_name, field in section.model.model_fields.items():
            for key in field_keys(field_name, field):
                if key in owners and owners[key].name != section.name:
                    raise PluginError(
                        f"setting '{key}' is declared by plugin '{owners[key].plugin}' (section "
                        f"'{owners[key].name}') and by plugin '{section.plugin}' (section '{section.name}')",
                        hint="uninstall or disable one of them (ZAPPA_DISABLE_PLUGINS=name)",
                    )
                owners[key] = section
    return owners


def resolve_extends(data: dict[str, Any], stage: str) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """Merge ``stage`` over the stages it extends. Returns the merged dict, the stage each key came from,
    and errors (unknown parent, cycles)."""
    chain: list[str] = []
    current: Any = stage
    while current is not None:
        if not isinstance(current, str):
            from zappa_core.settings.messages import show

            return {}, {}, [f"'extends' must be the name of a stage, not {show(current)}"]
        if current in chain:
            return {}, {}, [f"circular 'extends': {' -> '.join(chain + [current])}"]
        if current not in data:
            close = difflib.get_close_matches(current, list(data), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"stages: {', '.join(data)}"
            return {}, {}, [f"no stage named '{current}'; {hint}"]
        chain.append(current)
        current = data[current].get("extends")
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for name in reversed(chain):
        for key, value in data[name].items():
            if key == "extends":
                continue
            merged[key] = value
            origin[key] = name
    return merged, origin, []


class _Loader:
    def __init__(self, pm: Any, project_dir: Path, settings_file: Path | None, loaded: LoadedFile | None = None) -> None:
        self.pm = pm
        self.project_dir = project_dir
        self.path = loaded.path if loaded is not None else settings_file or find_settings_file(project_dir)
        if self.path is None:
            raise SettingsError([SettingsProblem(
                f"no zappa_settings.json|yml|yaml|toml in {project_dir}; run 'zappa init' or pass -s FILE")])
        self.loaded = loaded if loaded is not None else self._read(self.path)
        self.sections = settings_sections(pm)
        self.owners = key_owners(self.sections)

    def _read(self, path: Path) -> LoadedFile:
        if not path.is_file():
            raise SettingsError([SettingsProblem(f"settings file not found: {path}")])
        try:
            loaded = self.pm.hook.zappa_load_settings_file(path=path)
        except SettingsFileError as exc:
            raise SettingsError([SettingsProblem(exc.detail, file=str(path), line=exc.line)]) from None
        if loaded is None:
            raise SettingsError([SettingsProblem(f"no plugin reads settings files like {path.name}", file=str(path))])
        return loaded

    @property
    def stages(self) -> list[str]:
        return list(self.loaded.data)

    def problem(self, message: str, stage: str, key: str | None = None, origin: dict[str, str] | None = None,
                path: tuple = ()) -> SettingsProblem:
        """A problem located where it was written: a value inherited through ``extends`` is reported in the
        stage (and at the line) that sets it, naming the stage that inherited it."""
        where = (origin or {}).get(key or "", stage)
        line = self.loaded.line_at((where, key, *path)) if key else self.loaded.line_of(stage)
        return SettingsProblem(message, key=key, stage=where, file=str(self.loaded.path), line=line, path=tuple(path),
                               inherited_by=(stage,) if where != stage else ())

    def build(self, stage: str) -> tuple[StageSettings | None, list[SettingsProblem]]:
        from zappa_core.settings.validate import about_failed_value, validate_sections

        problems: list[SettingsProblem] = []
        if stage not in self.loaded.data:
            close = difflib.get_close_matches(stage, self.stages, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; stages: {', '.join(self.stages) or '(none)'}"
            return None, [SettingsProblem(f"no stage named '{stage}' in the settings{hint}", stage=stage, file=str(self.loaded.path))]
        if not STAGE_NAME.match(stage):
            problems.append(self.problem(
                "stage names may contain only letters, digits and '_' (as in Zappa: ^[a-zA-Z0-9_]+$)", stage))
        merged, origin, errors = resolve_extends(self.loaded.data, stage)
        for error in errors:
            problems.append(self.problem(error, stage, "extends"))
        if errors:
            return None, problems
        per_section: dict[str, dict[str, Any]] = {s.name: {} for s in self.sections}
        user: dict[str, Any] = {}
        for key, value in merged.items():
            section = self.owners.get(key)
            if section is not None:
                per_section[section.name][key] = value
            elif key.startswith(USER_PREFIX):
                user[key] = value
            elif key in KNOWN_KEYS and _asks_nothing(value):
                continue  # ``apigateway_enabled: false`` without the apigw plugin: the feature is off either way
            else:
                problems.append(self.problem(self.unknown_key_message(key, value), stage, key, origin))
        outcome = validate_sections(self.sections, per_section)
        for key, path, message in outcome.problems:
            problems.append(self.problem(message, stage, key, origin, path))
        owners = {key: section.name for key, section in self.owners.items()}
        settings = StageSettings(stage, outcome.models, owners, merged, self.project_dir, self.loaded, pm=self.pm,
                                 user=user)
        try:
            results = self.pm.hook.zappa_validate_settings(settings=settings)
        except Exception:  # a rule may not expect a value left at its default; the values' own problems are reported
            if not outcome.failed:
                raise
            results = []
        for plugin_problems in results:
            for p in plugin_problems or ():
                if about_failed_value(p.message, p.key, outcome.failed):
                    continue
                if p.line is None and p.file is None:
                    problems.append(self.problem(p.message, stage, p.key, origin, p.path))
                else:
                    problems.append(p)
        return (None if problems else settings), problems

    def unknown_key_message(self, key: str, value: Any = None) -> str:
        from zappa_core.settings.advice import unknown_setting

        extra = KNOWN_KEYS.get(key)
        if extra is not None:
            from zappa_core.plugins import disabled_plugins

            state = ("which is disabled (ZAPPA_DISABLE_PLUGINS)" if extra in disabled_plugins()
                     else "which is not installed")
            return (f"this setting belongs to the '{extra}' plugin, {state}: "
                    f"pip install \"zappa-ng[{extra}]\"")
        return unknown_setting(key, value, list(self.owners) + list(KNOWN_KEYS), self.loaded.format)


def _asks_nothing(value: Any) -> bool:
    """True for the values that switch a feature off or leave it empty (``false``, ``null``, ``""``, ``[]``,
    ``{}``): a feature plugin's key with such a value needs no plugin (Zappa files often say
    ``"apigateway_enabled": false`` or ``"keep_warm": false`` for a function without a web front or schedule)."""
    return value is None or value is False or (isinstance(value, (str, list, dict)) and not value)


def _dedupe(problems: list[SettingsProblem]) -> list[SettingsProblem]:
    """A value inherited by several stages is one problem, reported once where it is written, naming
    the stages that inherit it."""
    merged: dict[tuple, SettingsProblem] = {}
    for p in problems:
        ident = (p.file, p.line, p.stage, p.key, p.path, p.message)
        if ident in merged:
            seen = merged[ident]
            extra = tuple(s for s in p.inherited_by if s not in seen.inherited_by)
            merged[ident] = replace(seen, inherited_by=seen.inherited_by + extra)
        else:
            merged[ident] = p
    return sorted(merged.values(), key=lambda p: (p.file or "", p.line or 0))  # top to bottom of the file


def load_stages(
    stages: Iterable[str] | None = None,
    *,
    pm: Any = None,
    settings_file: str | Path | None = None,
    project_dir: str | Path | None = None,
) -> dict[str, StageSettings]:
    """Load and validate ``stages`` (all stages when ``None``); raise :class:`SettingsError` with every
    problem of every requested stage."""
    if pm is None:
        from zappa_core.plugins import get_plugin_manager

        pm = get_plugin_manager()
    project = Path(project_dir or Path.cwd())
    path = Path(settings_file) if settings_file else None
    if path is not None and not path.is_absolute():
        path = (project / path) if not path.exists() else path.resolve()
    loader = _Loader(pm, project, path)
    if stages is None and not loader.stages:
        raise SettingsError([SettingsProblem(
            "the file holds no stages: write at least one, such as {\"dev\": {\"app_function\": \"app.app\", "
            "\"s3_bucket\": \"my-code-bucket\"}}", file=str(loader.loaded.path), line=1)])
    names = list(stages) if stages is not None else loader.stages
    result: dict[str, StageSettings] = {}
    problems: list[SettingsProblem] = []
    for name in names:
        settings, found = loader.build(name)
        problems.extend(found)
        if settings is not None:
            result[name] = settings
    if problems:
        raise SettingsError(_dedupe(problems))
    return result


def rebuild_stage(settings: StageSettings, data: dict[str, Any]) -> StageSettings:
    """``settings``' stage validated again from ``data`` (the file's stages, as a ``settings`` callback
    changed them); problems point at the lines of the file as it was read."""
    source = settings.source
    if source is None:
        raise SettingsError([SettingsProblem("the stage was not loaded from a settings file", stage=settings.stage)])
    changed = LoadedFile(source.path, data, source.lines, source.format)
    rebuilt, problems = _Loader(settings.pm, settings.project_dir, None, loaded=changed).build(settings.stage)
    if rebuilt is None:
        raise SettingsError(_dedupe([replace(p, message=f"{p.message} (after the 'settings' callback)")
                                     for p in problems]))
    return rebuilt


def load_stage(stage: str, **kwargs: Any) -> StageSettings:
    """Load and validate one stage. See :func:`load_stages`."""
    return load_stages([stage], **kwargs)[stage]


def stage_names(*, pm: Any = None, settings_file: str | Path | None = None, project_dir: str | Path | None = None) -> list[str]:
    if pm is None:
        from zappa_core.plugins import get_plugin_manager

        pm = get_plugin_manager()
    project = Path(project_dir or Path.cwd())
    return _Loader(pm, project, Path(settings_file) if settings_file else None).stages
