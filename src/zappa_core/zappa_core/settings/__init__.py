"""Stage settings: loading, composing plugin sections, validation."""

from zappa_core.settings.compose import (
    SettingsError,
    StageSettings,
    load_stage,
    load_stages,
    settings_sections,
    slugify,
    stage_names,
)

__all__ = ["SettingsError", "StageSettings", "load_stage", "load_stages", "settings_sections", "slugify", "stage_names"]
