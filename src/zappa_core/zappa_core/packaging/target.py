"""The Lambda platform a package is built for: Python version, architecture, glibc, wheel tags.

Lambda's Python runtimes up to 3.11 run on Amazon Linux 2 (glibc 2.26); 3.12 and later on Amazon Linux
2023 (glibc 2.34). A wheel runs there when one of its tags is in :attr:`LambdaTarget.supported_tags`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from packaging.tags import Tag, compatible_tags, cpython_tags

RUNTIME = re.compile(r"^python(3)\.(\d+)$")
MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}
# The legacy manylinux names and the glibc they stand for (manylinux1/2010 exist only for x86).
LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}


def parse_runtime(runtime: str) -> tuple[int, int]:
    match = RUNTIME.match(runtime or "")
    if not match:
        raise ValueError(f"runtime must look like 'python3.12', not {runtime!r}")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class LambdaTarget:
    python: tuple[int, int]
    architecture: str  # "x86_64" or "arm64", as the setting says

    @classmethod
    def for_settings(cls, settings) -> LambdaTarget:
        return cls(parse_runtime(settings.runtime), settings.architecture)

    @property
    def machine(self) -> str:
        return MACHINES[self.architecture]

    @property
    def glibc(self) -> tuple[int, int]:
        return (2, 26) if self.python <= (3, 11) else (2, 34)

    @property
    def python_tag(self) -> str:
        return f"cp{self.python[0]}{self.python[1]}"

    @property
    def key(self) -> str:
        """A short name for caches: ``cp312-aarch64-glibc2.34``."""
        return f"{self.python_tag}-{self.machine}-glibc{self.glibc[0]}.{self.glibc[1]}"

    def describe(self) -> str:
        return f"python{self.python[0]}.{self.python[1]} {self.architecture} (manylinux, glibc <= {self.glibc[0]}.{self.glibc[1]})"

    @cached_property
    def platforms(self) -> list[str]:
        """Every manylinux platform tag Lambda can run, newest glibc first."""
        major, minor = self.glibc
        names = [f"manylinux_{major}_{m}_{self.machine}" for m in range(minor, 4, -1)]
        for glibc, legacy in LEGACY_MANYLINUX.items():
            if glibc <= self.glibc and (self.machine == "x86_64" or legacy == "manylinux2014"):
                names.append(f"{legacy}_{self.machine}")
        return names

    @cached_property
    def supported_tags(self) -> frozenset[Tag]:
        tags = set(cpython_tags(self.python, abis=[self.python_tag], platforms=self.platforms))
        tags.update(compatible_tags(self.python, interpreter=self.python_tag, platforms=self.platforms))
        return frozenset(tags)

    def marker_environment(self) -> dict[str, str]:
        """Values of PEP 508 environment markers on Lambda."""
        version = f"{self.python[0]}.{self.python[1]}"
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{version}.0",
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": f"{version}.0",
            "python_version": version,
            "sys_platform": "linux",
            "extra": "",
        }

    def pip_download_args(self) -> list[str]:
        """``pip download`` options that select wheels for this target and nothing else."""
        args = ["--only-binary=:all:", "--implementation", "cp",
                "--python-version", f"{self.python[0]}.{self.python[1]}",
                "--abi", self.python_tag, "--abi", "abi3", "--abi", "none"]
        for platform in self.platforms:
            args += ["--platform", platform]
        return args
