"""``zappa serve``'s reload: which files changed, told by the kernel, and a restart that costs only the app.

Changes come from inotify on Linux (read through ``ctypes``: no dependency), so a saved file is seen at once;
elsewhere, or when inotify cannot be had (no watches left), the folder is polled twice a second. The server
runs in a child forked from this process, which has already imported the tool, the settings models and the
runtime, and holds the listening socket: a restart re-reads the settings, imports the app and serves, and
connections made meanwhile wait in the socket's queue instead of being refused. Where ``fork`` does not exist
the server is started as a new ``zappa serve --no-reload`` process instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import signal
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

WATCH_SKIP = {".git", ".zappa", ".venv", "venv", "node_modules", "__pycache__", ".nox", ".tox", "build", "dist"}
POLL_INTERVAL = 0.5
SETTLE = 0.03  # an editor's save is often several writes (truncate, write, rename): they restart once

# inotify(7)
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO = 0x2, 0x4, 0x8, 0x40, 0x80
IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_ISDIR, IN_NONBLOCK = 0x100, 0x200, 0x400, 0x40000000, 0o4000
MASK = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF
EVENT = struct.Struct("iIII")


def flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def ended_by_sigterm(*_: object) -> None:
    """The forked server's SIGTERM: its output written, it ends at once (its threads are daemons)."""
    flush()
    os._exit(0)


def watched(name: str, settings_file: Path | None) -> bool:
    return name.endswith(".py") or (settings_file is not None and name == settings_file.name)


def folders(project: Path):
    for folder, dirs, _ in os.walk(project):
        dirs[:] = [d for d in dirs if d not in WATCH_SKIP and not d.startswith(".")]
        yield folder


class PollingWatcher:
    """Modification times of the watched files, compared every :data:`POLL_INTERVAL`."""

    kind = "polling"

    def __init__(self, project: Path, settings_file: Path | None) -> None:
        self.project, self.settings_file = project, settings_file
        self.seen = self.snapshot()

    def snapshot(self) -> dict[str, float]:
        times: dict[str, float] = {}
        for folder in folders(self.project):
            for name in os.listdir(folder):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    try:
                        times[path] = os.stat(path).st_mtime
                    except OSError:
                        pass
        if self.settings_file is not None and self.settings_file.exists():
            times[str(self.settings_file)] = self.settings_file.stat().st_mtime
        return times

    def wait(self, timeout: float) -> str | None:
        """The first changed file seen within ``timeout`` seconds, or None."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.snapshot()
            if now != self.seen:
                changed = sorted(set(now.items()) ^ set(self.seen.items()))
                self.seen = now
                return changed[0][0]
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(POLL_INTERVAL, left))

    def close(self) -> None:
        pass


class InotifyWatcher:
    """One inotify watch per folder of the project (and the settings file's folder); new folders get theirs."""

    kind = "inotify"

    def __init__(self, project: Path, settings_file: Path | None) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self._add = libc.inotify_add_watch
        self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self.fd = libc.inotify_init1(IN_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.settings_file = settings_file
        self.folders: dict[int, str] = {}
        for folder in folders(project):
            self.add(folder)
        if settings_file is not None and str(settings_file.parent) not in self.folders.values():
            self.add(str(settings_file.parent))

    def add(self, folder: str) -> None:
        wd = self._add(self.fd, os.fsencode(folder), MASK)
        if wd < 0:
            raise OSError(ctypes.get_errno(), f"inotify_add_watch {folder}")
        self.folders[wd] = folder

    def _read(self) -> str | None:
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return None
        changed = None
        offset = 0
        while offset < len(data):
            wd, mask, _, length = EVENT.unpack_from(data, offset)
            name = data[offset + EVENT.size: offset + EVENT.size + length].rstrip(b"\0").decode(errors="replace")
            offset += EVENT.size + length
            folder = self.folders.get(wd)
            if folder is None or not name:
                continue
            path = os.path.join(folder, name)
            if mask & IN_ISDIR:
                if mask & (IN_CREATE | IN_MOVED_TO) and name not in WATCH_SKIP and not name.startswith("."):
                    for sub in folders(Path(path)):
                        self.add(sub)
                continue
            if watched(name, self.settings_file) and changed is None:
                changed = path
        return changed

    def wait(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            changed = self._read()
            if changed is not None:
                time.sleep(SETTLE)
                self._read()  # the rest of the same save
                return changed

    def close(self) -> None:
        os.close(self.fd)


def make_watcher(project: Path, settings_file: Path | None):
    """inotify where the kernel offers it, else polling."""
    if hasattr(select, "select") and os.uname().sysname == "Linux":
        try:
            return InotifyWatcher(project, settings_file)
        except OSError:
            pass
    return PollingWatcher(project, settings_file)


class ForkedServer:
    """The server in a child of this process: ``serve()`` runs in the child and never returns.

    The child tells this process which modules it imported from outside the project (the app's framework and
    libraries, which editing the project does not change); this process imports them while it waits, so that
    the next child starts with them loaded and a restart costs only the project's own modules."""

    def __init__(self, serve: Callable[[], None]) -> None:
        self.serve = serve
        self.pid = 0
        self._imports = -1  # the read end of the pipe the child reports its imports on
        self._report = -1
        self._received = b""

    def start(self) -> None:
        flush()  # else the child would write this process's pending output a second time
        self._close_pipe()
        self._imports, self._report = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(self._imports)
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                self.serve()
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            except BaseException:  # noqa: BLE001 - reported, then the child ends; the parent waits for a change
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                flush()
                os._exit(code)
        self.pid = pid
        os.close(self._report)
        self._report = -1

    def report_imports(self, project: Path) -> None:
        """In the child, once the app is loaded: the modules from outside ``project`` imported since the fork."""
        inside = str(project) + os.sep
        names = [name for name, module in list(sys.modules.items())
                 if not str(getattr(module, "__file__", None) or inside).startswith(inside)]
        try:
            os.write(self._report, "\n".join(names).encode())
        finally:
            os.close(self._report)

    def warm(self) -> None:
        """In this process: import what the child reported (each module once; one that fails is skipped)."""
        if self._imports < 0 or not select.select([self._imports], [], [], 0)[0]:
            return
        chunk = os.read(self._imports, 1 << 16)
        if chunk:
            self._received += chunk
            return
        names, self._received = self._received.decode().split("\n"), b""
        self._close_pipe()
        import importlib

        for name in names:
            if name and name not in sys.modules and not name.startswith("__"):
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 - a module that needs the app's setup is left to the child
                    continue

    def _close_pipe(self) -> None:
        for fd in (self._imports, self._report):
            if fd >= 0:
                os.close(fd)
        self._imports = self._report = -1
        self._received = b""

    def exited(self) -> int | None:
        """The exit code when the child has ended, else None."""
        if not self.pid:
            return 0
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return None
        self.pid = 0
        return os.waitstatus_to_exitcode(status)

    def stop(self) -> None:
        if not self.pid:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 5
        while self.exited() is None:
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                self.pid = 0
                return
            time.sleep(0.005)


def run_with_reload(server, watcher, project: Path, echo: Callable[[str], None], stop) -> int:
    """Start ``server`` and restart it at each change the ``watcher`` reports, until ``stop`` is set, Ctrl-C or
    SIGTERM (which stop the server too)."""
    try:  # Ctrl-C stops it even where SIGINT was inherited as ignored (a job started in the background)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    except ValueError:  # not the main thread: the caller stops it through ``stop``
        pass
    server.start()
    try:
        while not stop.is_set():
            changed = watcher.wait(0.25)
            if changed is not None:
                echo(f"change detected in {os.path.relpath(changed, project)}: restarting")
                server.stop()
                server.start()
                continue
            getattr(server, "warm", lambda: None)()
            code = server.exited()
            if code == -signal.SIGINT:  # Ctrl-C reached the server's process group first
                break
            if code not in (None, 0):
                echo(f"the server exited with {code}; waiting for a change to restart it")
                while not stop.is_set():
                    if watcher.wait(0.25) is not None:
                        server.start()
                        break
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        watcher.close()
    return 0


class ChildProcessServer:
    """The server as a new process running ``command`` (where ``fork`` does not exist)."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.command, self.cwd = command, cwd
        self.child = None

    def start(self) -> None:
        import subprocess

        self.child = subprocess.Popen(self.command, cwd=self.cwd)

    def exited(self) -> int | None:
        return 0 if self.child is None else self.child.poll()

    def stop(self) -> None:
        import subprocess

        if self.child is None or self.child.poll() is not None:
            return
        self.child.terminate()
        try:
            self.child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
