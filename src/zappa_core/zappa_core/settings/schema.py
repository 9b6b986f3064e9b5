"""The JSON Schema of one stage, composed from every installed plugin's section (for editors)."""

from __future__ import annotations

from typing import Any


def stage_schema(pm: Any) -> dict[str, Any]:
    from zappa_core.settings.compose import settings_sections

    properties: dict[str, Any] = {}
    defs: dict[str, Any] = {}
    for section in settings_sections(pm):
        schema = section.model.model_json_schema()
        defs.update(schema.pop("$defs", {}))
        for key, prop in schema.get("properties", {}).items():
            prop = dict(prop)
            prop["x-zappa-plugin"] = section.plugin
            properties[key] = prop
    stage = {"type": "object", "properties": properties, "additionalProperties": False,
             "patternProperties": {"^x_": {"description": "Your own value: kept, never checked, visible to callbacks."}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "zappa_settings",
        "description": "A mapping of stage names to stage settings.",
        "type": "object",
        "propertyNames": {"pattern": "^[a-zA-Z0-9_]+$"},
        "additionalProperties": {"$ref": "#/$defs/Stage"},
        "$defs": {**defs, "Stage": stage},
    }
