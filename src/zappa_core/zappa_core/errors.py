"""Exceptions that the CLI turns into exit codes and readable messages.

Exit codes: 0 success, 1 an AWS or runtime failure, 2 bad settings or usage.
"""

from __future__ import annotations


class ZappaError(Exception):
    """Base class: a failure that is shown to the user without a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UsageError(ZappaError):
    """The command line or its combination with the settings makes no sense (exit 2)."""

    exit_code = 2


class PluginError(ZappaError):
    """A plugin could not be loaded or two plugins claim the same name (exit 2)."""

    exit_code = 2


class AwsError(ZappaError):
    """An AWS call failed; the message names the step, the resource and the AWS error (exit 1)."""

    exit_code = 1


class NotImplementedYet(ZappaError):
    """A command whose capability is not built yet. Never a fake success (exit 1)."""

    exit_code = 1

    def __init__(self, command: str) -> None:
        super().__init__(f"not implemented yet: {command}")
