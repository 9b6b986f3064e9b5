"""The fault sweep of ``nox -s faults``: a failure injected at every AWS call of deploy, update and undeploy.

For each command, a clean run on the local AWS (through the fault-injecting proxy of :mod:`faultproxy`,
unarmed) lists the AWS calls the command makes and the state it leaves. Then, for every one of those calls
and every fault (``error``: a hard AWS error; ``throttle``: throttled; ``lost``: carried out
by AWS, its answer lost), a fresh local AWS is brought to the command's starting point, the call is made to
fail, and the command runs. When it fails, the command its hint names is run once (the user's next step).
The trial *converged* when the stage then matches the clean run's (same resources, the app answering over
HTTP, or nothing left for undeploy). Finally the stage is undeployed and anything of it still in the local
AWS is an *orphan*.

Run: ``python tests/fault_sweep.py [--commands deploy,update,undeploy] [--faults error,throttle,lost]
[--only OPERATION] [--limit N] [--json FILE]``. Exit 0 when every trial converged with no orphan.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shlex
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faultproxy import FAULTS, Call, FaultProxy

COMMANDS = ("deploy", "update", "undeploy")
ACCOUNT = "123456789012"
QUEUE = "sweep-jobs"
APP = '''
VERSION = "{version}"


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("sweep " + VERSION).encode()]


def job(event, context):
    return len(event["Records"])


def tick(event, context):
    return VERSION
'''
HINT = re.compile(r"run '(zappa [^']+)' again")


def stage(**changes: Any) -> dict[str, Any]:
    """A stage that uses the core, a REST API with its stack, a schedule and an SQS mapping."""
    settings = {
        "project_name": "sweep", "app_function": "app.app", "s3_bucket": "sweep-code", "aws_region": "us-east-1",
        "runtime": "python3.11", "keep_warm": False, "touch": True, "memory_size": 512,
        "environment_variables": {"MODE": "sweep"},
        "events": [{"function": "app.tick", "expression": "rate(1 hour)"},
                   {"function": "app.job", "event_source": {"arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{QUEUE}",
                                                            "batch_size": 5}}],
    }
    settings.update(changes)
    return settings


@dataclass
class Outcome:
    command: str
    call: str
    fault: str
    reached: bool = True
    first_exit: int = 0
    rerun: str | None = None
    rerun_exit: int | None = None
    converged: bool = False
    orphans: dict[str, list[str]] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0


class World:
    """One fresh local AWS with the proxy in front of it and the sweep's project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = root / "project"
        self.project.mkdir(parents=True, exist_ok=True)
        (self.project / "requirements.txt").write_text("")
        self._stack: contextlib.ExitStack | None = None

    def __enter__(self) -> World:
        from zappa_core import testing

        self._stack = contextlib.ExitStack()
        self.aws = self._stack.enter_context(testing.local_aws(self.root / "local-cache", for_cli=True))
        self.proxy = self._stack.enter_context(FaultProxy(self.aws.aws_endpoint))
        os.environ["ZAPPA_LOCAL_ENDPOINT"] = self.proxy.url
        os.environ["ZAPPA_LOCAL_GATEWAY"] = self.aws.gateway_endpoint
        self.aws.state.aws.client("sqs").create_queue(QueueName=QUEUE)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stack is not None
        self._stack.close()

    def write(self, version: str, **changes: Any) -> None:
        (self.project / "app.py").write_text(APP.format(version=version))
        (self.project / "zappa_settings.json").write_text(json.dumps({"dev": stage(**changes)}))

    def zappa(self, *args: str) -> tuple[int, str, str]:
        from zappa_core.cli import run

        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        os.chdir(self.project)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = run(list(args))
                except Exception as exc:  # noqa: BLE001 - an escaped exception is a finding: exit 1, its traceback
                    import traceback

                    code = 1
                    err.write(f"UNCAUGHT {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        finally:
            os.chdir(cwd)
        return code, out.getvalue(), err.getvalue()

    def command(self, name: str) -> tuple[int, str, str]:
        extra = ("--yes", "--remove-logs") if name == "undeploy" else ()
        return self.zappa(name, "dev", "--local", *extra)

    # -- what exists ----------------------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        return self.aws.state.aws.client(service)

    def snapshot(self) -> dict[str, Any]:
        """The stage as it is, without ids, timestamps or version numbers (compared between runs)."""
        lam, function = self.client("lambda"), "sweep-dev"
        state: dict[str, Any] = {}
        try:
            conf = lam.get_function(FunctionName=function)["Configuration"]
        except lam.exceptions.ResourceNotFoundException:
            conf = None
        if conf:
            state["function"] = {k: conf.get(k) for k in ("Handler", "MemorySize", "CodeSha256", "Environment")}
            live = lam.get_alias(FunctionName=function, Name="current")["FunctionVersion"]
            state["live_code"] = lam.get_function_configuration(FunctionName=function, Qualifier=live)["CodeSha256"]
            try:
                state["permissions"] = len(json.loads(lam.get_policy(FunctionName=function)["Policy"])["Statement"])
            except lam.exceptions.ResourceNotFoundException:
                state["permissions"] = 0
        state["mappings"] = sorted((m["EventSourceArn"], m["BatchSize"]) for m in lam.list_event_source_mappings(
            EventSourceArn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:{QUEUE}")["EventSourceMappings"])
        iam = self.client("iam")
        state["roles"] = {r["RoleName"]: sorted(iam.list_role_policies(RoleName=r["RoleName"])["PolicyNames"])
                          for r in iam.list_roles()["Roles"]}
        state["stacks"] = sorted((s["StackName"], s["StackStatus"]) for s in
                                 self.client("cloudformation").list_stacks()["StackSummaries"]
                                 if s["StackStatus"] != "DELETE_COMPLETE")
        apigw = self.client("apigateway")
        state["rest_apis"] = sorted((a["name"], tuple(sorted(s["stageName"] for s in apigw.get_stages(restApiId=a["id"])["item"])))
                                    for a in apigw.get_rest_apis()["items"])
        state["usage_plans"] = sorted(p["name"] for p in apigw.get_usage_plans()["items"])
        events = self.client("events")
        state["rules"] = sorted((r["Name"], len(events.list_targets_by_rule(Rule=r["Name"])["Targets"]))
                                for r in events.list_rules()["Rules"])
        state["log_groups"] = sorted(g["logGroupName"] for g in self.client("logs").describe_log_groups()["logGroups"])
        s3 = self.client("s3")
        buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        state["objects"] = sorted(o["Key"] for b in buckets for o in s3.list_objects_v2(Bucket=b).get("Contents", []))
        return state

    def leftovers(self) -> dict[str, list[str]]:
        """What of the stage is still there after undeploy (its code bucket is shared and kept, empty)."""
        state = self.snapshot()
        found = {"function": ["sweep-dev"] if "function" in state else [],
                 "mappings": [arn for arn, _ in state["mappings"]], "roles": list(state["roles"]),
                 "stacks": [name for name, _ in state["stacks"]], "rest_apis": [name for name, _ in state["rest_apis"]],
                 "usage_plans": state["usage_plans"], "rules": [name for name, _ in state["rules"]],
                 "log_groups": state["log_groups"], "objects": state["objects"]}
        return {kind: items for kind, items in found.items() if items}

    def answers(self, version: str) -> bool:
        code, out, _ = self.zappa("status", "dev", "--local", "--json")
        if code:
            return False
        url = json.loads(out).get("url")
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.status == 200 and response.read().decode() == f"sweep {version}"
        except (urllib.error.URLError, OSError, TypeError, ValueError):
            return False


def start(world: World, command: str) -> None:
    """Bring a fresh world to the command's starting point."""
    world.write("1")
    if command in ("update", "undeploy"):
        code, out, err = world.command("deploy")
        if code:
            raise RuntimeError(f"the starting deploy failed:\n{out}\n{err}")
    if command == "update":
        world.write("2", memory_size=1024, environment_variables={"MODE": "sweep", "EXTRA": "2"})


def expected_version(command: str) -> str | None:
    return {"deploy": "1", "update": "2"}.get(command)


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [f"{key}: {after.get(key)!r} (clean run: {before.get(key)!r})" for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)]


def clean_run(root: Path, command: str) -> tuple[list[Call], dict[str, Any]]:
    with World(root) as world:
        start(world, command)
        world.proxy.reset()
        code, out, err = world.command(command)
        if code:
            raise RuntimeError(f"the clean {command} failed:\n{out}\n{err}")
        calls = list(world.proxy.calls)
        return calls, world.snapshot()


def trial(root: Path, command: str, call: Call, fault: str, clean: dict[str, Any]) -> Outcome:
    outcome = Outcome(command, str(call), fault)
    started = time.perf_counter()
    with World(root) as world:
        start(world, command)
        world.proxy.reset()
        world.proxy.arm(fault, call.operation, service=call.service, nth=call.nth, times=1)
        code, _out, err = world.command(command)
        fired = world.proxy.fired
        world.proxy.disarm()
        outcome.first_exit, outcome.reached = code, bool(fired)
        if code:
            outcome.message = err.strip().splitlines()[0][:300] if err.strip() else ""
            hinted = HINT.search(err)
            rerun = shlex.split(hinted.group(1))[1:] if hinted else [command, "dev", "--local"]
            if command == "undeploy" and "--yes" not in rerun:
                rerun += ["--yes", "--remove-logs"]
            outcome.rerun = " ".join(["zappa", *rerun])
            outcome.rerun_exit, _, rerr = world.zappa(*rerun)
            if outcome.rerun_exit:
                outcome.message += " | re-run: " + (rerr.strip().splitlines() or [""])[0][:300]
        version = expected_version(command)
        finished = (outcome.first_exit if outcome.rerun_exit is None else outcome.rerun_exit) == 0
        if command == "undeploy":
            outcome.orphans = world.leftovers()
            outcome.converged = finished and not outcome.orphans
        else:
            outcome.differences = compare(clean, world.snapshot())
            outcome.converged = finished and not outcome.differences and world.answers(version)
            world.command("undeploy")
            outcome.orphans = world.leftovers()
    outcome.seconds = round(time.perf_counter() - started, 2)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--only", default="", help="only calls of these operations (comma-separated)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many calls per command")
    parser.add_argument("--json", default="", help="write every outcome to this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("ZAPPA_CACHE_DIR", str(Path(tempfile.gettempdir()) / "zappa-fault-sweep-cache"))
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="zappa-faults-") as folder:
        root = Path(folder)
        for command in args.commands.split(","):
            calls, clean = clean_run(root, command)
            chosen = [c for c in calls if not args.only or c.operation in args.only.split(",")]
            chosen = chosen[:args.limit] if args.limit else chosen
            print(f"{command}: {len(calls)} AWS calls in a clean run; injecting at {len(chosen)} of them", flush=True)
            for call in chosen:
                for fault in args.faults.split(","):
                    outcome = trial(root, command, call, fault, clean)
                    outcomes.append(outcome)
                    mark = "ok" if outcome.converged and not outcome.orphans else "FAILED"
                    if not outcome.reached:
                        mark = "not reached"
                    print(f"  {mark:<11} {command} {fault:<8} at {outcome.call:<42} {outcome.seconds:5.1f}s"
                          + ("" if mark == "ok" else f"  {outcome.message} {outcome.differences} {outcome.orphans}"),
                          flush=True)
    return report(outcomes, args.json)


def report(outcomes: list[Outcome], json_path: str) -> int:
    tried = [o for o in outcomes if o.reached]
    converged = [o for o in tried if o.converged]
    first_time = [o for o in converged if o.first_exit == 0]
    orphans = sum(len(items) for o in outcomes for items in o.orphans.values())
    print(f"\ntried {len(tried)}, converged {len(converged)} ({len(first_time)} without a re-run), "
          f"orphans left after undeploy {orphans}; not reached {len(outcomes) - len(tried)}")
    for command in COMMANDS:
        for fault in FAULTS:
            group = [o for o in tried if o.command == command and o.fault == fault]
            if group:
                print(f"  {command:<9} {fault:<8} tried {len(group):3}  converged {sum(o.converged for o in group):3}  "
                      f"on the same run {sum(o.converged and o.first_exit == 0 for o in group):3}  "
                      f"orphans {sum(len(i) for o in group for i in o.orphans.values())}")
    if json_path:
        Path(json_path).write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    return 0 if len(converged) == len(tried) and orphans == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
