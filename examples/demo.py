"""The README demo (first cut): load the example's settings and validate them.

The full demo (deploy to the local AWS, call over HTTP, fire the schedule, tail, undeploy) arrives with
the local AWS; until then this runs the part of the pipeline that exists and says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent / "hello"


def main() -> int:
    print("zappa demo: this first cut validates the example app's settings (the local deploy is not built yet).")
    env = dict(os.environ)
    result = subprocess.run(["zappa", "settings", "show", "dev"], cwd=HERE, env=env)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
