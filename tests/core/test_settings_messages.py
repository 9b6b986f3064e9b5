"""No setting of any installed plugin answers a wrong value in pydantic's words: every field of every
section is given values of every JSON type, and every problem must read in the project's style."""

from __future__ import annotations

import json

import pytest
from zappa_core.plugins import get_plugin_manager
from zappa_core.settings import SettingsError, load_stages
from zappa_core.settings.compose import settings_sections

pytestmark = pytest.mark.needs_plugins

WRONG_VALUES = {"mapping": {"bogus": {"deeper": 1}}, "list": [{"bogus": 1}], "text": "text", "number": -12345,
                "boolean": True, "null": None, "fraction": 0.5}
RAW_PYDANTIC = ("Input should", "Extra inputs", "Field required", "Value error", "validation error", "type=")


def test_every_field_given_every_kind_of_wrong_value_reads_in_one_style(tmp_path):
    pm = get_plugin_manager()
    stages = {}
    for section in settings_sections(pm):
        for field in section.model.model_fields:
            if field in ("extends",):
                continue
            for kind, value in WRONG_VALUES.items():
                stages[f"{field}__{kind}"] = {"s3_bucket": "code-bucket", field: value}
    (tmp_path / "zappa_settings.json").write_text(json.dumps(stages, indent=1))
    with pytest.raises(SettingsError) as caught:
        load_stages(None, pm=pm, project_dir=tmp_path)
    problems = caught.value.problems
    assert len({p.stage for p in problems}) > len(stages) / 3  # most of these values are wrong somewhere
    for problem in problems:
        assert not any(raw in problem.message for raw in RAW_PYDANTIC), str(problem)
        assert problem.line is not None, str(problem)
