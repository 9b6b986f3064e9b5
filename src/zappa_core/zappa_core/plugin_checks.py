"""Every hook a registered plugin implements is declared by a specification (pluggy's ``check_pending``), checked
once the plugins are registered and have published their own hooks (``zappa_addhooks``).

As conda does: a third-party plugin with an unknown hook is warned about, naming the plugin and the hook, and
left out (it was written for another version, or the name is misspelled, and the hook would never be called);
one of the project's own plugins with an unknown hook is an error. A hook that a feature distribution
publishes (``FEATURE_HOOKS``) is not unknown when that feature is not installed or is disabled: a plugin
may implement it for when the feature is there, and it is simply not called. A test checks the table against
the features' hook specifications.
"""

from __future__ import annotations

import warnings

import pluggy

from zappa_core.errors import PluginError
from zappa_runtime import hookcalls

#: Hook name -> the extra of the feature distribution that publishes it through ``zappa_addhooks``.
FEATURE_HOOKS: dict[str, str] = {
    "zappa_event_sources": "events",
    "zappa_dns_challenge_ready": "certs",
    "zappa_dns_challenge_removed": "certs",
}


class UnknownHookWarning(UserWarning):
    """A third-party plugin implements a hook that no specification declares; it was left out."""


def check_hooks(pm: pluggy.PluginManager) -> None:
    """Leave out every third-party plugin that implements an undeclared hook, with an
    :class:`UnknownHookWarning` naming it and the hooks; raise :class:`PluginError` for one of the project's own."""

    def warn(message: str) -> None:
        warnings.warn(message, UnknownHookWarning, stacklevel=4)

    def error(message: str) -> Exception:
        return PluginError(message, hint="a built-in plugin is out of step with the hook specifications: report it")

    hookcalls.check_hooks(pm, warn=warn, error=error, allowed=FEATURE_HOOKS)
