"""Zappa's ``LambdaHandler(settings_name)`` on this project's runtime.

Zappa's generated settings module (``APP_MODULE``, ``API_STAGE``, ``AWS_EVENT_MAPPING``, ...) becomes the stage
settings this project writes into its manifest, read when the first event arrives (Zappa's tests change
``handler.settings`` after construction); the runtime is then cold-started from them and handles every event.
"""

from __future__ import annotations

import importlib
from typing import Any

from zappa_peer_runtime import runtime_for
from zappa_runtime.runtime import Runtime

RENAMED = {
    "API_STAGE": "stage", "PROJECT_NAME": "project_name", "BINARY_SUPPORT": "binary_support",
    "CONTEXT_HEADER_MAPPINGS": "context_header_mappings", "DJANGO_SETTINGS": "django_settings", "DOMAIN": "domain",
    "BASE_PATH": "base_path", "ENVIRONMENT_VARIABLES": "environment_variables", "LOG_LEVEL": "log_level",
    "EXCEPTION_HANDLER": "exception_handler", "ADDITIONAL_TEXT_MIMETYPES": "additional_text_mimetypes",
    "APP_TYPE": "app_type",
}


def stage_settings(module: Any) -> dict[str, Any]:
    """The stage settings that Zappa's settings module stands for."""
    settings: dict[str, Any] = {}
    for old, new in RENAMED.items():
        value = getattr(module, old, None)
        if value is not None:
            settings[new] = value
    settings["debug"] = str(getattr(module, "DEBUG", "True")) == "True"
    if getattr(module, "APP_MODULE", None):
        settings["app_function"] = f"{module.APP_MODULE}.{module.APP_FUNCTION}"
    events = []
    for arn, functions in (getattr(module, "AWS_EVENT_MAPPING", None) or {}).items():
        for function in [functions] if isinstance(functions, str) else functions:
            events.append({"function": function, "event_source": {"arn": arn}})
    settings["events"] = events
    settings["bot_events"] = [
        {"function": function, "event_source": {"intent": key.split(":")[0], "invocation_source": key.split(":")[1]}}
        for key, function in (getattr(module, "AWS_BOT_EVENT_MAPPING", None) or {}).items()
    ]
    triggers = getattr(module, "COGNITO_TRIGGER_MAPPING", None) or {}
    settings["cognito"] = {"triggers": [{"source": s, "function": f} for s, f in triggers.items()]}
    return settings


class LambdaHandler:
    __instance = None
    settings: Any = None
    settings_name: str | None = None

    def __new__(cls, settings_name: str = "zappa_settings", session: Any = None) -> LambdaHandler:
        if cls.__instance is None:
            cls.__instance = object.__new__(cls)
        return cls.__instance

    def __init__(self, settings_name: str = "zappa_settings", session: Any = None) -> None:
        if LambdaHandler.settings is None:
            LambdaHandler.settings = importlib.import_module(settings_name)
            LambdaHandler.settings_name = settings_name
            self.runtime = None

    @staticmethod
    def run_function(app_function: Any, event: Any, context: Any) -> Any:
        return Runtime().run_function(app_function, event, context)

    @classmethod
    def lambda_handler(cls, event: Any, context: Any) -> Any:
        return cls().handler(event, context)

    def handler(self, event: Any, context: Any) -> Any:
        if getattr(self, "runtime", None) is None:
            self.runtime = runtime_for(None, **stage_settings(self.settings))
        return self.runtime.invoke(event, context)
