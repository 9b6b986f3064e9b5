"""Checks of the Python environment zappa runs in, made before any command."""

from __future__ import annotations

from zappa_core.errors import PluginError


def check_original_zappa_absent() -> None:
    """The original Zappa (distribution ``zappa``) and zappa-ng both install a ``zappa`` import package and a
    ``zappa`` command, so in one environment each overwrites files of the other: which ``zappa.asynchronous``
    an app imports, and which files a package ships, depend on the order they were installed in. Say so,
    with the fix, instead of failing in some later, stranger way."""
    from importlib import metadata

    try:
        version = metadata.version("zappa")
    except metadata.PackageNotFoundError:
        return
    raise PluginError(
        f"the original Zappa (zappa {version}) is installed in this environment too: it and zappa-ng both "
        "install a 'zappa' import package and a 'zappa' command, and overwrite each other's files",
        hint="pip uninstall zappa, then pip install --force-reinstall --no-deps zappa-ng-events zappa-ng-aws-apigw zappa-ng-core "
             "(which restores zappa.asynchronous, zappa.websocket and the command); or keep each in its own virtualenv")
