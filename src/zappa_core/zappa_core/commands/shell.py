"""``zappa shell STAGE``: an interactive Python with the stage's settings and AWS clients ready, as Zappa's.

The names in the shell: ``settings`` (the validated stage), ``aws`` (the client factory every command
uses: the stage's profile, region and endpoints, or the local AWS with ``--local``), ``client(service)``,
``resource(service)``, ``function_name`` and, on AWS, ``session`` (a boto3 session with the same credentials
and region; with ``--local`` there is none, as a session knows nothing of the local endpoint). IPython is used
when it is installed, else the standard library's console; input may also be piped in (no prompts then).
"""

from __future__ import annotations

import code
import sys
from typing import Any

from zappa_core.errors import UsageError


def namespace(ctx: Any, settings: Any) -> dict[str, Any]:
    aws = ctx.aws(settings)
    names = {"settings": settings, "aws": aws, "client": aws.client, "resource": aws.resource,
             "function_name": settings.function_name, "stage": settings.stage}
    if not aws.local:
        names["session"] = aws.session
    return names


def banner(ctx: Any, settings: Any, aws: Any) -> str:
    where = f"the local AWS at {aws.local_endpoint}" if aws.local else f"{aws.resolve_region()}"
    profile = f", profile {aws.profile}" if aws.profile else ""
    return (f"zappa shell: stage '{settings.stage}' ({settings.function_name}) in {where}{profile}\n"
            f"  settings, aws, client(service), resource(service), function_name{'' if aws.local else ', session'}"
            "; e.g. client('lambda').get_function(FunctionName=function_name)\n"
            "  Ctrl-D to leave")


def shell(ctx: Any, **_: Any) -> int:
    stages = ctx.stages()
    if len(stages) != 1:
        raise UsageError("shell opens one stage at a time")
    settings = stages[0]
    names = namespace(ctx, settings)
    text = banner(ctx, settings, names["aws"])
    if sys.stdin.isatty():
        try:
            from IPython import start_ipython
        except ImportError:
            pass
        else:
            print(text)
            start_ipython(argv=["--no-banner"], user_ns=names)
            return 0
    if sys.stdin.isatty():
        code.interact(banner=text, local=names, exitmsg="")
    else:
        PipedConsole(locals=names).interact(banner="", exitmsg="")
    return 0


class PipedConsole(code.InteractiveConsole):
    """The standard console reading piped input: the same evaluation, no prompts in the output."""

    def raw_input(self, prompt: str = "") -> str:
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")
