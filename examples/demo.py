"""The README demo: deploy the example app to the local AWS, use it, and clean up.

Run it with ``nox -s demo`` (or ``python examples/demo.py`` where zappa is installed with the ``local`` and
``apigw``/``events`` extras). Every step is a real ``zappa`` command; the demo stops at the first failure
and exits 1, after stopping the local AWS.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent / "hello"
ZAPPA = [sys.executable, "-m", "zappa_core"]
STEPS = 9


class StepFailed(Exception):
    pass


class Demo:
    def __init__(self, project: Path) -> None:
        self.project = project
        self.step = 0

    def say(self, title: str, explanation: str) -> None:
        self.step += 1
        print(f"\n[{self.step}/{STEPS}] {title}")
        print(textwrap.indent(textwrap.fill(explanation, 96), "      "))

    def zappa(self, *args: str, show: bool = True) -> str:
        print(f"      $ zappa {' '.join(args)}", flush=True)
        result = subprocess.run([*ZAPPA, *args], cwd=self.project, capture_output=True, text=True, timeout=300, check=False)
        if show:
            for line in (result.stdout + result.stderr).rstrip().splitlines():
                print(f"        {line}")
        if result.returncode != 0:
            if not show:
                print(textwrap.indent((result.stdout + result.stderr).rstrip(), "        "))
            raise StepFailed(f"'zappa {' '.join(args)}' exited with {result.returncode}")
        return result.stdout

    def http(self, method: str, url: str, body: bytes | None = None, content_type: str | None = None) -> bytes:
        print(f"      {method} {url}" + (f"  ({len(body)} bytes of {content_type})" if body else ""), flush=True)
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                data = response.read()
                print(f"        -> {response.status} in {(time.perf_counter() - started) * 1000:.0f} ms")
                return data
        except Exception as exc:
            raise StepFailed(f"{method} {url} failed: {exc}") from exc


def run(demo: Demo) -> None:
    demo.say("Start the local AWS",
             "One background process on 127.0.0.1 plays AWS: the AWS API (IAM, S3, Lambda, API Gateway, "
             "EventBridge, CloudWatch Logs...), a Lambda executor that really runs your code, an HTTP gateway "
             "in front of the deployed APIs, and a scheduler. No AWS account is needed; nothing leaves this machine.")
    demo.zappa("local", "start")

    demo.say("Deploy the example app (a small Flask app, examples/hello)",
             "Exactly what 'zappa deploy dev' does on AWS: build the Lambda package with the app and its "
             "dependencies, upload it to S3, create the IAM role, the Lambda function, the API Gateway API "
             "and the schedule from zappa_settings.json - here against the local AWS, thanks to --local.")
    demo.zappa("deploy", "dev", "--local")

    demo.say("Ask where it is deployed",
             "'zappa status' reads the deployment back from (local) AWS. The public URL is under \"urls\"; "
             "locally it points at the gateway.")
    status = json.loads(demo.zappa("status", "dev", "--local", "--json", show=False))
    urls = status.get("urls") or {}
    if not urls:
        raise StepFailed(f"status has no URL: {json.dumps(status)[:400]}")
    url = next(iter(urls.values()))
    for name, value in urls.items():
        print(f"        {name}: {value}")

    demo.say("Call the app over HTTP",
             "A real HTTP request: the gateway turns it into an API Gateway event, the Lambda function runs "
             "the Flask app in a warm worker process, and the answer comes back as HTTP.")
    body = demo.http("GET", url)
    print(f"        {body.decode()}")
    if b"Hello from zappa" not in body:
        raise StepFailed("the app did not say hello")
    payload = bytes(range(256)) * 4
    echoed = demo.http("POST", url.rstrip("/") + "/echo", payload, "application/octet-stream")
    if echoed != payload:
        raise StepFailed("the binary body did not come back unchanged")
    print("        the 1024 binary bytes came back unchanged")

    demo.say("Fire the scheduled function",
             "zappa_settings.json runs app.tick every minute (an EventBridge rule). The local scheduler fires "
             "such rules on time; here we ask it to fire this one right away instead of waiting a minute.")
    rule = _schedule_rule(demo, status)
    fired = _fire(demo, rule)
    print(f"        fired {rule}: {fired}")

    demo.say("Run a function inside the deployed Lambda",
             "'zappa invoke' runs any function of your app inside the deployed function and prints its result.")
    demo.zappa("invoke", "dev", "app.tick", "--local")

    demo.say("Read the function's logs",
             "Everything the function printed (and the request lines) is in CloudWatch Logs; 'zappa tail' "
             "shows it. Look for the 'tick' lines of the scheduled run and of the invoke.")
    logs = demo.zappa("tail", "dev", "--local", "--disable-keep-open", show=False)
    lines = logs.rstrip().splitlines()
    for line in lines[-12:]:
        print(f"        {line}")
    if not any("tick" in line for line in lines):
        raise StepFailed("no 'tick' line in the logs")

    demo.say("Undeploy",
             "'zappa undeploy' removes everything the stage created: function, role, API, schedule.")
    demo.zappa("undeploy", "dev", "--local", "--yes")

    demo.say("Stop the local AWS", "The background process ends; nothing is left running.")
    demo.zappa("local", "stop")


def _schedule_rule(demo: Demo, status: dict) -> str:
    schedules = (status.get("events") or {}).get("schedule") or []
    if schedules:
        return schedules[0]
    details = _control(demo, "status")
    rules = [s["rule"].rsplit("/", 1)[-1] for s in details.get("schedules", [])]
    if not rules:
        raise StepFailed("the deploy created no schedule")
    return rules[0]


def _fire(demo: Demo, rule: str) -> list:
    fired = _control(demo, f"fire/{rule}").get("fired", [])
    if not fired:
        raise StepFailed(f"the schedule {rule} has no Lambda target")
    failed = [f for f in fired if f.get("function_error")]
    if failed:
        raise StepFailed(f"the scheduled run failed: {failed}")
    return [f["target"].rsplit(":", 1)[-1] for f in fired]


def _control(demo: Demo, path: str) -> dict:
    state = json.loads((demo.project / ".zappa" / "local.json").read_text())
    with urllib.request.urlopen(f"{state['gateway_endpoint']}/__zappa__/{path}", timeout=60) as response:
        return json.loads(response.read())


def main() -> int:
    print("zappa demo: deploy a Flask app to a local AWS on this machine, use it, and clean up.")
    scratch = Path(tempfile.mkdtemp(prefix="zappa-demo-"))
    project = scratch / "hello"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".zappa", "__pycache__"))
    print(f"The example app is copied to {project}, so the demo leaves the checkout untouched.")
    demo = Demo(project)
    started = time.perf_counter()
    try:
        run(demo)
    except (StepFailed, subprocess.TimeoutExpired) as exc:
        print(f"\nThe demo FAILED at step {demo.step}: {exc}")
        subprocess.run([*ZAPPA, "local", "stop"], cwd=project, capture_output=True, timeout=60, check=False)
        print(f"The local AWS log is in {project / '.zappa' / 'local.log'}")
        return 1
    print(f"\nDone in {time.perf_counter() - started:.0f} s: deployed, called over HTTP, scheduled, invoked, logged, "
          "undeployed - all on this machine.")
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
