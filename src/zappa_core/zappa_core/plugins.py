"""The deploy-side plugin manager.

A fresh manager per call (no global state, so tests need no reloads): the core's default plugins first,
registered exactly like third-party ones, then every module of the ``zappa`` entry-point group.
``ZAPPA_DISABLE_PLUGINS=a,b`` blocks plugins by name. A third-party plugin that fails to import, or that
implements a hook no specification declares (:mod:`zappa_core.plugin_checks`), is warned about and skipped; two
distributions registering the same plugin name is an error.

Hooks are always called through the manager (``pm.hook``, or :func:`~zappa_runtime.hookcalls.call_one` when each
plugin's answer is needed on its own), so hook wrappers and tracing see every call.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any

import pluggy
from zappa_runtime.hookcalls import call_one, implementations

from zappa_core import hookspecs
from zappa_core.errors import PluginError
from zappa_core.plugin_checks import check_hooks

PROJECT = "zappa"
ENTRY_POINT_GROUP = "zappa"

# The core's own default plugins, registered through the same manager as third-party plugins.
CORE_PLUGINS: tuple[tuple[str, str], ...] = (
    ("core.settings", "zappa_core.builtin.settings"),
    ("core.packaging", "zappa_core.builtin.packaging"),
    ("core.resources", "zappa_core.builtin.resources"),
    ("core.secrets", "zappa_core.builtin.secrets"),
)


class PluginLoadWarning(UserWarning):
    """A third-party plugin could not be loaded and was skipped."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    distribution: str
    version: str
    module: str
    hooks: tuple[str, ...]


def disabled_plugins() -> set[str]:
    raw = os.environ.get("ZAPPA_DISABLE_PLUGINS", "")
    return {name.strip() for name in raw.split(",") if name.strip()}


def _entry_points(group: str) -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=group), key=lambda ep: ep.name)


def _check_unique(eps: Iterable[metadata.EntryPoint]) -> None:
    seen: dict[str, metadata.EntryPoint] = {}
    for ep in eps:
        if ep.name in seen and seen[ep.name].value != ep.value:
            first, second = seen[ep.name], ep
            raise PluginError(
                f"two plugins are named '{ep.name}': {_dist_name(first)} ({first.value}) and "
                f"{_dist_name(second)} ({second.value})",
                hint=f"uninstall one of them, or set ZAPPA_DISABLE_PLUGINS={ep.name}",
            )
        seen[ep.name] = ep


def _dist_name(ep: metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else "?"


def get_plugin_manager(*, load_entry_points: bool = True, plugins: Iterable[Any] = ()) -> pluggy.PluginManager:
    """Return a new manager with the core's plugins, the installed plugins and ``plugins`` registered.

    ``plugins`` holds plugin objects or ``(name, object)`` pairs (tests and embedding code)."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    blocked = disabled_plugins()
    for name in blocked:
        pm.set_blocked(name)
    for name, module_name in CORE_PLUGINS:
        if name not in blocked:
            pm.register(importlib.import_module(module_name), name=name)
    if load_entry_points:
        eps = _entry_points(ENTRY_POINT_GROUP)
        _check_unique(eps)
        for ep in eps:
            if ep.name in blocked or pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # noqa: BLE001 - a broken third-party plugin must not break the tool
                warnings.warn(
                    f"plugin '{ep.name}' from {_dist_name(ep)} failed to load and was skipped: "
                    f"{type(exc).__name__}: {exc}",
                    PluginLoadWarning,
                    stacklevel=2,
                )
                continue
            pm.register(plugin, name=ep.name)
    for plugin in plugins:  # objects, or (name, object) pairs so that messages can name them
        if isinstance(plugin, tuple):
            pm.register(plugin[1], name=plugin[0])
        else:
            pm.register(plugin)
    pm.hook.zappa_addhooks.call_historic(kwargs={"pluginmanager": pm})
    check_hooks(pm)  # after zappa_addhooks: the features' own hooks are declared by then
    return pm


def plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Name, distribution, version and implemented hooks of every registered plugin."""
    dists = {ep.name: ep for ep in _entry_points(ENTRY_POINT_GROUP)}
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = tuple(sorted(c.name for c in pm.get_hookcallers(plugin) or ()))
        ep = dists.get(name)
        if ep is not None:
            dist = _dist_name(ep)
            version = ep.dist.version if ep.dist is not None else "?"
        elif name.startswith("core."):
            dist, version = "zappa-ng-core", _version("zappa-ng-core")
        else:
            dist, version = "(registered in code)", ""
        infos.append(PluginInfo(name, dist, version, getattr(plugin, "__name__", type(plugin).__name__), hooks))
    return sorted(infos, key=lambda i: i.name)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def call_each(pm: pluggy.PluginManager, hook_name: str, *, registration_order: bool = False,
              **kwargs: Any) -> list[tuple[str, Any]]:
    """Call a collect hook and return ``(plugin_name, item)`` pairs, flattening list results, in pluggy's order
    (the last registered plugin first) or, with ``registration_order``, the core's plugins first.

    Knowing which plugin returned which record is what lets the core name both sides of a clash.
    """
    impls = implementations(pm, hook_name)
    pairs: list[tuple[str, Any]] = []
    for impl in impls if registration_order else reversed(impls):
        result = call_one(pm, hook_name, impl, kwargs, impls)
        if result is None:
            continue
        items = result if isinstance(result, (list, tuple)) else [result]
        pairs.extend((impl.plugin_name, item) for item in items if item is not None)
    return pairs


def collect_records(pm: pluggy.PluginManager, hook_name: str, key: str, **kwargs: Any) -> list[Any]:
    """Call a collect hook whose items are records with a ``plugin`` field and a unique ``key``.

    Each record is stamped with the plugin that returned it; a duplicate ``key`` raises
    :class:`PluginError` naming both plugins.
    """
    seen: dict[str, Any] = {}
    records = []
    for plugin_name, record in call_each(pm, hook_name, **kwargs):
        if hasattr(record, "plugin") and not record.plugin:
            record = replace(record, plugin=plugin_name)
        value = getattr(record, key)
        if value in seen:
            raise PluginError(
                f"{hook_name}: '{value}' is provided by both plugin '{seen[value].plugin}' "
                f"and plugin '{record.plugin}'",
                hint="uninstall or disable one of them (ZAPPA_DISABLE_PLUGINS=name)",
            )
        seen[value] = record
        records.append(record)
    return records
