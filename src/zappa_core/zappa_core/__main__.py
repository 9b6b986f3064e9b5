"""Console entry point: ``zappa``.

``zappa --version`` and ``zappa --help`` are answered here without importing typer, pluggy or any plugin
when the help text cached by :mod:`zappa_core.clicache` is still valid, and so is an ``update`` with nothing
to do when its receipt (:mod:`zappa_core.receipts`) proves it; everything else goes to
:func:`zappa_core.cli.run`. A shell asking for completions (``_ZAPPA_COMPLETE`` set, no arguments) always
goes there too: it must not get the help text as its candidates.
"""

from __future__ import annotations

import os
import sys

COMPLETE_VAR = "_ZAPPA_COMPLETE"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get(COMPLETE_VAR):
        from zappa_core.cli import run

        return run(args)
    if args in (["--version"], ["-v"]):
        from zappa_core import __version__

        print(f"zappa {__version__}")
        return 0
    if not args or args in (["--help"], ["-h"]):
        from zappa_core.clicache import cached_help

        text = cached_help()
        if text is not None:
            sys.stdout.write(text)
            return 0
    if args[:1] == ["update"]:
        from zappa_core.receipts import answer_noop_update

        answered = answer_noop_update(args)
        if answered is not None:
            return answered
    from zappa_core.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
