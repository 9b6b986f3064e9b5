"""The core's default plugins. Each module is registered like a third-party plugin (see CORE_PLUGINS)."""
