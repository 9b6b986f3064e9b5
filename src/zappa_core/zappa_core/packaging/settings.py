"""The packaging settings section that the core's packaging plugin adds to the stage model."""

from __future__ import annotations

from pydantic import Field

from zappa_core.settings.core_models import Strict


class PackagingSettings(Strict):
    package_tests: bool = Field(False, description="Ship the project's top-level `tests`/`test` folders, which are left out by default.")
    compile_bytecode: bool = Field(False, description="Ship each module's bytecode (`__pycache__/*.pyc`, unchecked-hash) "
                                   "compiled at package time, so that a cold start does not compile the sources "
                                   "(the runtime's own modules ship compiled by default): needs the function's Python "
                                   "version to package (see docs/packaging.md).")
