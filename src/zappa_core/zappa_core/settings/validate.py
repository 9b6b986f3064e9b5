"""Checking one stage completely, so that one round of fixes is enough.

A value that fails its section's model is reported and then left out, so the section still validates with
its default and the rules between settings (``zappa_validate_settings``) run on everything else. A rule's
problem about a value that is itself wrong would only repeat that problem in other words, so it is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from zappa_core.records import SettingsSection
from zappa_core.settings.messages import explain_error


@dataclass
class SectionOutcome:
    """The validated section models, the problems found (``(key, path, message)``) and the keys that failed."""

    models: dict[str, BaseModel] = field(default_factory=dict)
    problems: list[tuple[str | None, tuple, str]] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)


def validate_sections(sections: list[SettingsSection], values: dict[str, dict[str, Any]]) -> SectionOutcome:
    """Validate each section's values; a value that fails is reported and the section validated without it."""
    outcome = SectionOutcome()
    for section in sections:
        data = dict(values.get(section.name, {}))
        for _ in range(len(data) + 1):
            try:
                outcome.models[section.name] = section.model.model_validate(data)
                break
            except ValidationError as exc:
                for path, message in explain_error(section.model, exc):
                    item = (str(path[0]) if path else None, tuple(path[1:]), message)
                    if item not in outcome.problems:
                        outcome.problems.append(item)
                bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]} & set(data)
                if not bad:  # an error of the whole section: nothing left to leave out
                    outcome.models[section.name] = section.model.model_construct(**data)
                    break
                outcome.failed |= bad
                data = {key: value for key, value in data.items() if key not in bad}
    return outcome


def about_failed_value(message: str, key: str | None, failed: set[str]) -> bool:
    """Whether a rule's problem is about a value that already failed (its key, or a key it quotes)."""
    return key in failed or any(f"'{name}'" in message for name in failed)
