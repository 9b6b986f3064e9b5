"""`zappa serve`'s change detection: inotify where the kernel has it, polling elsewhere; both report a saved
``.py`` file or settings file, in folders made after the watch began too, and nothing else."""

from __future__ import annotations

import os
import sys
import time

import pytest
from zappa_core.local.reloader import InotifyWatcher, PollingWatcher, make_watcher

WATCHERS = [PollingWatcher] + ([InotifyWatcher] if sys.platform.startswith("linux") else [])


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / "zappa_settings.json").write_text("{}")
    (tmp_path / ".venv").mkdir()
    return tmp_path


def touch(path, text):
    time.sleep(0.02)  # a new modification time for the polling watcher, whatever the file system's resolution
    path.write_text(text)
    os.utime(path, (time.time() + 5, time.time() + 5))


@pytest.mark.parametrize("kind", WATCHERS, ids=lambda k: k.kind)
def test_a_saved_module_or_settings_file_is_reported(project, kind):
    watcher = kind(project, project / "zappa_settings.json")
    try:
        assert watcher.wait(0.2) is None
        touch(project / "notes.txt", "not code")
        touch(project / ".venv" / "site.py", "a virtualenv's file")
        assert watcher.wait(0.7) is None
        touch(project / "app.py", "x = 2\n")
        assert watcher.wait(2) == str(project / "app.py")
        touch(project / "zappa_settings.json", '{"dev": {}}')
        assert watcher.wait(2) == str(project / "zappa_settings.json")
    finally:
        watcher.close()


@pytest.mark.parametrize("kind", WATCHERS, ids=lambda k: k.kind)
def test_a_module_in_a_folder_made_after_the_start_is_watched(project, kind):
    watcher = kind(project, None)
    try:
        (project / "pkg" / "sub").mkdir(parents=True)
        watcher.wait(0.7)  # the new folder is seen (and watched)
        touch(project / "pkg" / "sub" / "views.py", "y = 1\n")
        assert watcher.wait(2) == str(project / "pkg" / "sub" / "views.py")
    finally:
        watcher.close()


def test_linux_gets_kernel_notifications(project):
    watcher = make_watcher(project, None)
    try:
        assert watcher.kind == ("inotify" if sys.platform.startswith("linux") else "polling")
    finally:
        watcher.close()
