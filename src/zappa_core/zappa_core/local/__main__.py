"""``python -m zappa_core.local serve``: the background process that ``zappa local start`` runs."""

from __future__ import annotations

import sys

from zappa_core.local.process import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
