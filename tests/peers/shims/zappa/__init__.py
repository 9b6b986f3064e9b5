"""Zappa's ``zappa.handler`` entry point for Zappa's handler tests; the project's own ``zappa`` package (async
tasks) stays importable beside it."""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
