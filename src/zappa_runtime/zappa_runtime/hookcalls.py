"""Hooks called one plugin at a time, and hooks implemented without a specification: shared by the deploy side's
plugin manager (``zappa_core.plugins``) and the runtime's.

Some calls need each plugin's answer on its own: to name the plugin that returned a record, to pass one
plugin's result to the next (``zappa_runtime_wrap_app``), or to skip one plugin that fails. Those calls still go
through the plugin manager (:func:`call_one`), so hook wrappers wrap them and ``pm.trace`` and
``add_hookcall_monitoring`` see them, exactly as they see ``pm.hook.<name>(...)``.

A hook implementation whose name no specification declares is a typo or a plugin written for another version,
and pluggy would never call it. :func:`check_hooks` is ``pm.check_pending()`` applied plugin by plugin (pluggy's
stops at the first unknown hook with an exception), with conda's policy: a third-party plugin is warned about,
naming it and the hooks, and left out; one of this project's own is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pluggy
    from pluggy import HookImpl

#: The top-level packages of this project's own distributions: a plugin from one of them is built in, and a hook
#: it gets wrong is a bug to fail on, not a third-party plugin to skip.
FIRST_PARTY = ("zappa_runtime", "zappa_core", "zappa_aws_apigw", "zappa_aws_alb", "zappa_events", "zappa_certs")


def implementations(pm: pluggy.PluginManager, hook_name: str) -> list[HookImpl]:
    """The plugins' own implementations of ``hook_name`` (wrappers left out), in pluggy's order of registration
    (pluggy calls them last first)."""
    caller = getattr(pm.hook, hook_name)
    return [impl for impl in caller.get_hookimpls() if not (impl.hookwrapper or impl.wrapper)]


def call_one(pm: pluggy.PluginManager, hook_name: str, impl: HookImpl, kwargs: Mapping[str, Any],
             impls: Collection[HookImpl] | None = None) -> Any:
    """What ``impl`` returns for ``kwargs``, called through the plugin manager with every other plugin's own
    implementation left out (the wrappers still run). ``impls``: :func:`implementations` of the hook, when the
    caller has them already."""
    others = [other.plugin for other in (implementations(pm, hook_name) if impls is None else impls)
              if other is not impl]
    caller = pm.subset_hook_caller(hook_name, others)
    result = caller(**kwargs)
    if caller.spec is not None and caller.spec.opts.get("firstresult"):
        return result
    return result[0] if result else None


def unknown_hooks(pm: pluggy.PluginManager) -> dict[str, list[str]]:
    """Plugin name -> the hooks it implements that no specification declares (``optionalhook`` ones left out)."""
    found: dict[str, list[str]] = {}
    for hook_name in sorted(vars(pm.hook)):
        if hook_name.startswith("_"):
            continue
        caller = getattr(pm.hook, hook_name)
        if caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if not impl.optionalhook:
                found.setdefault(impl.plugin_name, []).append(hook_name)
    return found


def is_first_party(plugin: object) -> bool:
    """Whether ``plugin`` (a module, a class or an instance registered as a plugin) comes from this project."""
    module = plugin.__name__ if isinstance(plugin, ModuleType) else getattr(plugin, "__module__", None)
    return str(module or type(plugin).__module__).split(".")[0] in FIRST_PARTY


def check_hooks(pm: pluggy.PluginManager, *, warn: Callable[[str], None], error: Callable[[str], Exception],
                allowed: Collection[str] = ()) -> None:
    """Unregister each third-party plugin that implements a hook no specification declares, after ``warn`` with
    a message naming it and the hooks; raise ``error(message)`` for a first-party one. ``allowed``: hook names
    that may lack a specification (published by a distribution that is not there)."""
    for plugin_name, hooks in unknown_hooks(pm).items():
        hooks = [hook for hook in hooks if hook not in allowed]
        if not hooks:
            continue
        names = ", ".join(f"'{hook}'" for hook in hooks)
        message = f"plugin '{plugin_name}' implements {names}, which no hook specification declares"
        if is_first_party(pm.get_plugin(plugin_name)):
            raise error(message)
        warn(f"{message} (misspelled, or written for another version of zappa-ng): the plugin was skipped")
        pm.unregister(name=plugin_name)
