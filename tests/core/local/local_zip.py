"""Real zips for the local AWS tests (a module of its own: test folders each have a ``conftest``, so
``from conftest import ...`` can resolve to another folder's when the whole suite runs in one process)."""

from __future__ import annotations

import io
import textwrap
import zipfile


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, textwrap.dedent(text))
    return buffer.getvalue()
