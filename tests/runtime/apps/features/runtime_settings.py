"""The stage's `settings_file`: executed at cold start, before the app is imported."""

import os

LOADED_AS = __name__
os.environ["SETTINGS_FILE_RAN"] = "yes"
