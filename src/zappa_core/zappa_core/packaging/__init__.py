"""Building the Lambda package: a small, deterministic, Lambda-correct zip.

Entry point for other commands: ``pm.hook.zappa_build_package(settings=settings, context=PackageContext(...))``
returns a :class:`~zappa_core.records.BuiltPackage`. See ``docs/packaging.md``.
"""

from zappa_core.packaging.context import PackageContext, PackagingError

__all__ = ["PackageContext", "PackagingError"]
