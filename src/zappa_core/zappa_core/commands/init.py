"""``zappa init``: detect the app in this folder and write a settings file from a jinja2 template.

Interactive by default (each answer has a detected default); ``--yes`` accepts every default. Never
overwrites an existing settings file without ``--force`` or a yes to the question.
"""

from __future__ import annotations

import os
import re
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zappa_core.errors import UsageError

FORMATS = {"json": "zappa_settings.json", "yaml": "zappa_settings.yml", "yml": "zappa_settings.yml",
           "toml": "zappa_settings.toml"}
SKIP_DIRS = {"node_modules", "site-packages", "__pycache__", "build", "dist", "tests", "test"}

_FLASK = re.compile(r"^(\w+)\s*=\s*(?:flask\.)?Flask\(", re.M)
_ASGI = re.compile(r"^(\w+)\s*=\s*(?:fastapi\.|starlette\.applications\.)?(FastAPI|Starlette)\(", re.M)
_WSGI = re.compile(r"^def\s+(\w+)\s*\(\s*environ\s*,\s*start_response\s*\)", re.M)
_DJANGO_SETTINGS = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]""")


@dataclass(frozen=True)
class DetectedApp:
    """An app found in the project folder: ``kind`` is flask, fastapi, starlette, wsgi or django."""

    kind: str
    app_function: str | None = None
    django_settings: str | None = None

    @property
    def description(self) -> str:
        target = self.django_settings or self.app_function
        return f"{self.kind} app {target}"


def _python_files(folder: Path, depth: int = 2) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS
                         and not (Path(root) / d / "pyvenv.cfg").exists() and len(rel.parts) < depth)
        found.extend(Path(root) / f for f in sorted(files) if f.endswith(".py"))
    return found


def _module(folder: Path, path: Path) -> str:
    return ".".join(path.relative_to(folder).with_suffix("").parts)


def detect_apps(folder: Path) -> list[DetectedApp]:
    """Every app found, best first: Django (``manage.py`` and its settings module), then Flask, FastAPI or
    Starlette (ASGI) apps and plain WSGI callables (``def app(environ, start_response)``)."""
    apps: list[DetectedApp] = []
    manage = folder / "manage.py"
    if manage.is_file():
        m = _DJANGO_SETTINGS.search(manage.read_text(encoding="utf-8", errors="replace"))
        settings = m.group(1) if m else None
        if settings is None:
            candidates = [p for p in _python_files(folder) if p.name == "settings.py"]
            settings = _module(folder, candidates[0]) if candidates else None
        if settings:
            apps.append(DetectedApp("django", django_settings=settings))
    others: list[DetectedApp] = []
    for path in _python_files(folder):
        if path.name in ("manage.py", "setup.py", "conftest.py"):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        module = _module(folder, path)
        for m in _FLASK.finditer(text):
            others.append(DetectedApp("flask", app_function=f"{module}.{m.group(1)}"))
        for m in _ASGI.finditer(text):
            others.append(DetectedApp(m.group(2).lower(), app_function=f"{module}.{m.group(1)}"))
        for m in _WSGI.finditer(text):
            others.append(DetectedApp("wsgi", app_function=f"{module}.{m.group(1)}"))
    order = {"flask": 0, "fastapi": 1, "starlette": 2, "wsgi": 3}
    # shallow modules first (app.py before pkg/sub.py), then by framework
    others.sort(key=lambda a: (a.app_function.count("."), order[a.kind]))
    return apps + others


def random_bucket() -> str:
    """``zappa-`` and 9 random lowercase letters and digits, as Zappa names its default bucket."""
    alphabet = string.ascii_lowercase + string.digits
    return "zappa-" + "".join(secrets.choice(alphabet) for _ in range(9))


# Regions enabled in every account. AWS made every region launched since March 2019 opt-in, so this set is
# closed: any other region must be enabled in the account before anything can be deployed there.
DEFAULT_ENABLED_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "eu-central-1", "eu-north-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-southeast-1", "ap-southeast-2",
})
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def lambda_regions() -> list[str]:
    """The commercial regions where Lambda runs (from botocore's bundled endpoint data, no AWS call)."""
    import botocore.session

    return sorted(botocore.session.get_session().get_available_regions("lambda"))


def global_regions(which: str) -> list[str]:
    """``primary``: the regions ending in ``-1`` that every account has enabled; ``all``: every Lambda
    region, opt-in ones included (they must be enabled in the account)."""
    regions = lambda_regions()
    if which == "primary":
        return [r for r in regions if r.endswith("-1") and r in DEFAULT_ENABLED_REGIONS]
    if which == "all":
        return regions
    raise UsageError(f"--global takes 'primary' or 'all', not {which!r}")


def regional_bucket(bucket: str, region: str) -> str:
    """The code bucket of one region's stage: bucket names are global, so each region gets its own."""
    name = f"{bucket}-{region}"
    if not BUCKET_NAME.match(name) or ".." in name:
        raise UsageError(f"bucket '{bucket}' cannot be used for a global deployment: '{name}' is not a valid S3 "
                         "bucket name (3 to 63 lowercase letters, digits, '.' and '-')",
                         hint=f"choose a bucket name of at most {62 - len(region)} characters")
    return name


def project_slug(folder: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    return slug or "app"


def build_stages(*, stage: str, app: DetectedApp | None, bucket: str, region: str | None, profile: str | None,
                 project_name: str, runtime: str, global_deployment: str | None) -> list[dict[str, Any]]:
    """The stages to write, as ``{"name", "settings": [(key, value), ...], "comment"}``."""
    settings: list[tuple[str, Any]] = [("project_name", project_name), ("runtime", runtime)]
    if app is not None and app.django_settings:
        settings.append(("django_settings", app.django_settings))
    elif app is not None and app.app_function:
        settings.append(("app_function", app.app_function))
    if profile:
        settings.append(("profile_name", profile))
    if not global_deployment:
        if region:
            settings.append(("aws_region", region))
        settings.append(("s3_bucket", bucket))
        return [{"name": stage, "settings": settings, "comment": None}]
    stages = [{"name": stage, "settings": settings, "comment": "settings shared by every region's stage"}]
    for r in global_regions(global_deployment):
        stages.append({
            "name": f"{stage}_{r.replace('-', '_')}",
            "settings": [("extends", stage), ("aws_region", r), ("s3_bucket", regional_bucket(bucket, r))],
            "comment": None,
        })
    return stages


def render(stages: list[dict[str, Any]], fmt: str) -> str:
    import json
    from importlib import resources

    import jinja2

    from zappa_core.settings.writers import toml_value

    name = {"json": "zappa_settings.json.j2", "toml": "zappa_settings.toml.j2"}.get(fmt, "zappa_settings.yml.j2")
    source = resources.files("zappa_core.templates").joinpath(name).read_text(encoding="utf-8")
    env = jinja2.Environment(keep_trailing_newline=True, autoescape=False, undefined=jinja2.StrictUndefined)
    env.filters["toml"] = toml_value
    env.policies["json.dumps_function"] = lambda value, **kw: json.dumps(value, ensure_ascii=False)
    return env.from_string(source).render(stages=stages).rstrip("\n") + "\n"


def init(ctx, *, yes: bool, stage: str, app_function: str | None, django_settings: str | None, s3_bucket: str | None,
         profile_name: str | None, aws_region: str | None, format: str, global_deployment: str | None, force: bool,
         **options: Any) -> int:
    import sys

    import typer

    from zappa_core.settings.compose import STAGE_NAME
    from zappa_core.settings.core_models import default_runtime
    from zappa_core.settings.files import find_settings_file

    fmt = format.lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format takes json, yaml or toml, not {format!r}")
    folder = Path.cwd()
    interactive = not yes
    echo = ctx.echo

    existing = find_settings_file(folder)
    target = folder / FORMATS[fmt]
    if existing is not None and not force:
        if not interactive:
            raise UsageError(f"{existing.name} already exists; use --force to overwrite it")
        if not typer.confirm(f"{existing.name} already exists. Overwrite it?", default=False):
            echo("Nothing written.")
            return 1

    detected = detect_apps(folder)
    app: DetectedApp | None = None
    if django_settings:
        app = DetectedApp("django", django_settings=django_settings)
    elif app_function:
        app = DetectedApp("given", app_function=app_function)
    elif detected:
        app = detected[0]

    if app is None and not interactive:
        raise UsageError("no app found in this folder (no Flask, FastAPI, Django or other WSGI/ASGI app in its .py "
                         "files), so --yes has nothing to write a stage for",
                         hint="name it: zappa init --yes --app-function module.app (or --django-settings "
                              "project.settings); run this in the app's folder; or run zappa init without --yes")
    region = aws_region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    bucket = s3_bucket or random_bucket()
    profile = profile_name

    if interactive:
        echo("Welcome to zappa. This writes a settings file for the app in this folder.\n")
        if detected:
            echo("Found: " + "; ".join(a.description for a in detected[:5]))
        stage = typer.prompt("Name of the first stage", default=stage)
        profile = typer.prompt("AWS profile (empty: the default credentials)", default=profile or "",
                               show_default=False) or None
        region = typer.prompt("AWS region", default=region)
        bucket = typer.prompt("S3 bucket for code uploads (created when missing)", default=bucket)
        if app is None or app.django_settings is None:
            function = typer.prompt("Your app (module.variable), empty for a functions-only project",
                                    default=(app.app_function if app else "") or "", show_default=bool(app))
            app = DetectedApp("given", app_function=function) if function else None
        if global_deployment is None and typer.confirm("Deploy to every region (global)?", default=False):
            global_deployment = typer.prompt("Which regions: primary or all", default="primary")

    if not STAGE_NAME.match(stage):
        raise UsageError(f"stage names may contain only letters, digits and '_': {stage!r}")
    stages = build_stages(stage=stage, app=app, bucket=bucket, region=region, profile=profile,
                          project_name=project_slug(folder), runtime=default_runtime(),
                          global_deployment=global_deployment)
    text = render(stages, fmt)

    if interactive:
        echo(f"\n{target.name}:\n\n{text}")
        if not typer.confirm("Write it?", default=True):
            echo("Nothing written.")
            return 1
    if existing is not None and existing != target:
        existing.unlink()
    target.write_text(text, encoding="utf-8")
    if global_deployment:
        echo(f"Wrote {target.name}: stage '{stage}' holds the common settings, {len(stages) - 1} stages extend it "
             f"(one per region). Next: zappa deploy --all")
    else:
        echo(f"Wrote {target.name}. Next: zappa deploy {stage}")
    sys.stdout.flush()
    return 0
