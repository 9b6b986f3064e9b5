"""botocore's service models, kept parsed in the user cache directory between runs.

Creating a client spends most of its time in botocore's data loader: listing every service directory of its
data folder (about 450, to check the service exists) and parsing JSON files (``endpoints.json`` alone is 1.2 MB).
Those files are botocore's own and change only with botocore, so each command after the first reads them back
from a :mod:`marshal` file instead.

What it relies on, and when it steps aside:

* only files under botocore's own data folder are cached; a model found elsewhere (``~/.aws/models``,
  ``AWS_DATA_PATH``) is read as botocore reads it, and the service list is cached only while no such folder
  exists (they can add or override services);
* a cached file is used only while its source has the same size and modification time, and the cache folder is
  named after botocore's version; anything unreadable is a miss, and failing to write it only costs speed;
* models come back as plain dicts (insertion-ordered, as botocore's ``OrderedDict``\\ s are) on a miss too, so a
  run behaves the same whether or not the cache was warm.

The folder: ``$ZAPPA_CACHE_DIR``, else ``$XDG_CACHE_HOME/zappa``, else ``~/.cache/zappa``, then
``botocore-<version>``; ``ZAPPA_NO_CACHE=1`` turns it off (as it does the help cache).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from typing import Any

from botocore import __version__
from botocore.loaders import JSONFileLoader, Loader, instance_cache

BUILTIN_DATA = Loader.BUILTIN_DATA_PATH
_FORMAT = 1  # bumped when what a cache file holds changes


def cache_folder() -> str | None:
    """Where this botocore's parsed models are kept (None: the cache is off)."""
    if os.environ.get("ZAPPA_NO_CACHE"):
        return None
    from zappa_core.clicache import cache_dir

    return os.path.join(cache_dir(), f"botocore-{__version__}")


def _read(path: str, stamp: list[Any]) -> Any:
    try:
        with open(path, "rb") as handle:
            saved = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(saved, tuple) or len(saved) != 2 or saved[0] != stamp:
        return None
    return saved[1]


def _write(path: str, stamp: list[Any], data: Any) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as handle:
            marshal.dump((stamp, data), handle)
        os.replace(tmp, path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _entry(folder: str, name: str) -> str:
    return os.path.join(folder, hashlib.sha256(name.encode()).hexdigest()[:32] + ".marshal")


class CachedJSONFileLoader(JSONFileLoader):
    """botocore's JSON file loader; files of botocore's own data folder come from the cache when it has them."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def _load_file(self, full_path: str, open_method: Any) -> Any:
        if not full_path.startswith(BUILTIN_DATA + os.sep):
            return super()._load_file(full_path, open_method)
        try:
            status = os.stat(full_path)
        except OSError:
            return None
        stamp = [_FORMAT, full_path, status.st_size, status.st_mtime_ns]
        entry = _entry(self.folder, full_path)
        data = _read(entry, stamp)
        if data is None:
            with open_method(full_path, "rb") as handle:
                data = json.loads(handle.read().decode("utf-8"))
            _write(entry, stamp, data)
        return data


class CachedLoader(Loader):
    """botocore's data loader with :class:`CachedJSONFileLoader` and a cached list of services."""

    def __init__(self, folder: str, **kwargs: Any) -> None:
        super().__init__(file_loader=CachedJSONFileLoader(folder), **kwargs)
        self.folder = folder

    @instance_cache
    def list_available_services(self, type_name: str) -> list[str]:
        locations = list(self._potential_locations())
        if locations != [BUILTIN_DATA]:  # another folder can add services: botocore's own walk
            return super().list_available_services(type_name)
        status = os.stat(BUILTIN_DATA)
        stamp = [_FORMAT, "services", type_name, BUILTIN_DATA, status.st_mtime_ns]
        entry = _entry(self.folder, f"services:{type_name}")
        services = _read(entry, stamp)
        if not isinstance(services, list):
            services = super().list_available_services(type_name)
            _write(entry, stamp, services)
        return services


def create_loader() -> Any:
    """A data loader as ``botocore.loaders.create_loader()`` makes it (``AWS_DATA_PATH`` included), cached
    when the cache is on."""
    from botocore.loaders import create_loader as botocore_loader

    folder = cache_folder()
    data_path = os.environ.get("AWS_DATA_PATH")
    if folder is None:
        return botocore_loader(data_path)
    if data_path is None:
        return CachedLoader(folder)
    paths = [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep)]
    return CachedLoader(folder, extra_search_paths=paths)
