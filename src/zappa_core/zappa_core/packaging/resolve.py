"""Which distributions ship: the closure of the app's requirements over the installed distributions.

Two rules (the build says which one it used):

- **declared**: the project declares its dependencies (:mod:`zappa_core.packaging.declared`): exactly
  those and their dependency closure ship, at the installed versions. A requirement that is not installed
  (or whose installed version does not satisfy it) is left to pip, which resolves it for Lambda.
- **environment**: nothing is declared: every distribution of the active environment ships, except
  zappa's own (the distributions that register ``zappa`` plugins, ``zappa-ng-core``, ``zappa-ng-runtime``) and
  their dependency closure, what Lambda provides and the build tools. A distribution that the app needs
  ships even when zappa needs it too: the dependencies of every shipped distribution (Flask needs jinja2),
  and the distributions of the modules the project's own ``.py`` files import (``import flask``).

Markers are evaluated for the Lambda target, not for this machine. Lambda's own boto3 group and pip,
setuptools and wheel are never pulled in as somebody's dependency; they ship only when declared directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from zappa_core.packaging.declared import Declared
from zappa_core.packaging.importscan import parse_python

LAMBDA_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
BUILD_TOOLS = frozenset({"pip", "setuptools", "wheel", "distribute"})
ZAPPA_CORE_DISTS = frozenset({"zappa", "zappa-ng", "zappa-ng-core", "zappa-ng-runtime"})
DEV_EXTRAS = frozenset({"dev", "test", "tests", "testing", "docs", "lint", "typing"})
RUNTIME_DIST = "zappa-ng-runtime"


class InstalledDistributions(Mapping):
    """The distributions visible on ``sys.path``, by canonical name; the first one on the path wins, as for
    imports. Looked up by name on demand (reading every ``METADATA`` of a large environment costs more
    than building a small package)."""

    def __init__(self) -> None:
        self._found: dict[str, metadata.Distribution | None] = {}
        self._names: list[str] | None = None

    def __getitem__(self, name: str) -> metadata.Distribution:
        key = canonicalize_name(name)
        if key not in self._found:
            self._found[key] = next(iter(metadata.distributions(name=key.replace("-", "_"))), None)
        dist = self._found[key]
        if dist is None:
            raise KeyError(name)
        return dist

    def _all_names(self) -> list[str]:
        if self._names is None:
            names = []
            for dist in metadata.distributions():
                # the folder name is enough (no METADATA parse); fall back to it when it is unusual
                name = getattr(dist, "_normalized_name", None) or dist.metadata["Name"]
                if name:
                    key = canonicalize_name(name)
                    if key not in self._found:
                        self._found[key] = dist
                    names.append(key)
            self._names = sorted(set(names))
        return self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._all_names())

    def __len__(self) -> int:
        return len(self._all_names())


def installed_distributions() -> InstalledDistributions:
    return InstalledDistributions()


def requires(dist: metadata.Distribution) -> list[Requirement]:
    out = []
    for text in dist.requires or []:
        try:
            out.append(Requirement(text))
        except InvalidRequirement:
            continue
    return out


def applies(req: Requirement, env: dict[str, str], extras: Iterable[str] = ("",)) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**env, "extra": extra}) for extra in extras)


@dataclass
class Closure:
    found: dict[str, metadata.Distribution] = field(default_factory=dict)
    missing: dict[str, Requirement] = field(default_factory=dict)


def closure(roots: Iterable[Requirement], index: Mapping[str, metadata.Distribution], env: dict[str, str],
            prune: frozenset[str] = frozenset(), follow_extras=lambda name, extra: True) -> Closure:
    """Walk ``Requires-Dist`` from ``roots``. ``prune`` names distributions not to enter (unless a root);
    ``follow_extras(name, extra)`` may refuse optional extras (used to skip zappa's ``dev`` extra)."""
    result = Closure()
    done_extras: dict[str, set[str]] = {}
    queue: list[tuple[Requirement, bool]] = [(r, True) for r in roots]
    while queue:
        req, is_root = queue.pop(0)
        name = canonicalize_name(req.name)
        if not is_root and name in prune:
            continue
        dist = index.get(name)
        if dist is None or (req.specifier and not req.specifier.contains(dist.version, prereleases=True)):
            if name not in result.found:
                result.missing.setdefault(name, req)
            continue
        result.missing.pop(name, None)
        result.found[name] = dist
        wanted = {"", *(canonicalize_name(e) for e in req.extras)}
        new = wanted - done_extras.setdefault(name, set())
        if not new:
            continue
        done_extras[name] |= new
        for dep in requires(dist):
            via = [extra for extra in sorted(new) if applies(dep, env, [extra])]
            if not via or ("" not in via and not any(follow_extras(name, extra) for extra in via)):
                continue
            queue.append((dep, False))
    return result


@dataclass
class Resolution:
    rule: str  # "requirements.txt", "pyproject.toml" or "environment"
    dists: dict[str, metadata.Distribution]
    missing: list[Requirement]
    left_out: list[str]  # environment rule: distributions not shipped because they are zappa's

    def describe(self) -> str:
        count = len(self.dists) + len(self.missing)
        counted = f"{count} distribution{'' if count == 1 else 's'}"
        if self.rule == "environment":
            return (f"no requirements.txt or [project] dependencies: shipping the environment's "
                    f"distributions minus zappa's own ({counted})")
        return f"declared in {self.rule} ({counted})"


def _pruned_for(roots: Iterable[Requirement]) -> frozenset[str]:
    direct = {canonicalize_name(r.name) for r in roots}
    prune = set(BUILD_TOOLS) - direct | ZAPPA_CORE_DISTS
    if not direct & LAMBDA_PROVIDED:
        prune |= LAMBDA_PROVIDED
    return frozenset(prune)


def zappa_distributions(index: Mapping[str, metadata.Distribution]) -> set[str]:
    """zappa's own distributions: the core, the runtime and every distribution with zappa plugins."""
    own = {name for name in ZAPPA_CORE_DISTS if name in index}
    for name, dist in index.items():
        if any(ep.group in ("zappa", "zappa.runtime") for ep in dist.entry_points):
            own.add(name)
    return own


def runtime_requirements(index: Mapping[str, metadata.Distribution]) -> list[Requirement]:
    """What the runtime itself imports on Lambda (pluggy): shipped with every package."""
    dist = index.get(RUNTIME_DIST)
    return requires(dist) if dist is not None else [Requirement("pluggy")]


def _with_every_extra(dist: metadata.Distribution) -> Requirement:
    extras = dist.metadata.get_all("Provides-Extra") or []
    return Requirement(f"{dist.metadata['Name']}[{','.join(extras)}]" if extras else dist.metadata["Name"])


def imported_distributions(sources: Iterable[bytes], index: Mapping[str, metadata.Distribution]) -> set[str]:
    """Distributions whose top-level modules the given Python sources import (absolute imports only)."""
    import ast

    modules: set[str] = set()
    for source in sources:
        tree = parse_python(source)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    if not modules:
        return set()
    owners = metadata.packages_distributions()
    return {canonicalize_name(d) for m in modules for d in owners.get(m, ()) if canonicalize_name(d) in index}


def resolve(declared: Declared | None, index: Mapping[str, metadata.Distribution], env: dict[str, str],
            own_project: str | None = None, imported: Iterable[str] = ()) -> Resolution:
    runtime_roots = runtime_requirements(index)
    skip_own = {canonicalize_name(own_project)} if own_project else set()
    if declared is not None:
        roots = [r for r in declared.requirements if applies(r, env)]
        roots = [r for r in roots if canonicalize_name(r.name) not in skip_own]
        result = closure([*roots, *runtime_roots], index, env, prune=_pruned_for(roots))
        return Resolution(declared.source, result.found, list(result.missing.values()), [])

    own = zappa_distributions(index)
    zappa_roots = [_with_every_extra(index[name]) for name in sorted(own)]
    zappa_side = closure(zappa_roots, index, env, follow_extras=lambda name, extra: extra not in DEV_EXTRAS)
    excluded = set(zappa_side.found) - set(imported) | LAMBDA_PROVIDED | BUILD_TOOLS | skip_own | own
    roots = [Requirement(dist.metadata["Name"]) for name, dist in sorted(index.items()) if name not in excluded]
    result = closure([*roots, *runtime_roots], index, env, prune=_pruned_for(roots) | frozenset(own) | skip_own)
    left_out = sorted(set(zappa_side.found) - set(result.found))
    return Resolution("environment", result.found, list(result.missing.values()), left_out)
