"""The CloudFormation stack that holds the REST API: created, updated, recreated when failed or when its API
was deleted by hand, adopted when a retried create meets the stage's own, and deleted."""

from __future__ import annotations

import json
from typing import Any

from zappa_core.awserrors import error_code
from zappa_core.errors import AwsError
from zappa_core.plan import DeployContext

from zappa_aws_apigw import common
from zappa_aws_apigw.rest.model import Desired, aws_error

STACK_DONE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}
STACK_BROKEN = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED"}


def stack_name(settings: Any) -> str:
    """The stage's stack is named after its function."""
    return settings.function_name


def normalise(template: Any) -> Any:
    if isinstance(template, str):
        template = json.loads(template)
    return json.loads(json.dumps(template, sort_keys=True))


def _wait(cfn: Any, waiter: str, name: str) -> None:
    cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 3, "MaxAttempts": 200})


def _stack_failure(cfn: Any, name: str) -> str:
    try:
        events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    except Exception:  # noqa: BLE001 - only adds detail to an error being raised
        return ""
    reasons = [f"  {e.get('LogicalResourceId')}: {e.get('ResourceStatusReason')}" for e in events
               if "FAILED" in str(e.get("ResourceStatus")) and e.get("ResourceStatusReason")]
    return "\n".join(reasons[:5])


def adopted_stack(cfn: Any, name: str, settings: Any) -> bool:
    """Whether the stack of this name that already exists is this stage's own (a create whose answer was lost
    and was retried, or a run beside this one): it carries the stage's tag. Another owner's stack of that
    name is an error."""
    try:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    except Exception as exc:
        if "does not exist" in str(exc):
            return False
        raise
    if stack.get("StackStatus") == "DELETE_COMPLETE":
        return False
    tags = {t.get("Key"): t.get("Value") for t in stack.get("Tags") or []}
    if tags.get(common.TAG_KEY) != settings.zappa_project_tag:
        raise AwsError(f"apigw:rest-api: a CloudFormation stack named {name} exists and is not this stage's "
                       f"(not tagged {common.TAG_KEY}={settings.zappa_project_tag})",
                       hint="delete or rename that stack; zappa names the stack after the function")
    return True


def delete_stack(cfn: Any, name: str) -> None:
    try:
        cfn.delete_stack(StackName=name)
        _wait(cfn, "stack_delete_complete", name)
    except Exception as exc:  # noqa: BLE001 - a missing stack is already deleted; any other failure is raised as AwsError
        if "does not exist" not in str(exc):
            raise aws_error("delete the CloudFormation stack", name, exc, _stack_failure(cfn, name)) from None


def template_details(old: Any, new: dict[str, Any]) -> list[str]:
    old_resources = (old or {}).get("Resources", {}) if isinstance(old, dict) else {}
    lines = []
    for logical, body in new.get("Resources", {}).items():
        if logical not in old_resources:
            lines.append(f"stack: add {logical}")
        elif old_resources[logical] != body:
            lines.append(f"stack: change {logical}")
    lines.extend(f"stack: remove {logical}" for logical in old_resources if logical not in new.get("Resources", {}))
    return lines or ["stack: template changed"]


def api_id_from_stack(cfn: Any, name: str) -> str | None:
    try:
        summaries = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    except Exception:  # noqa: BLE001 - no stack resources: the API is then looked up by name
        return None
    for summary in summaries:
        # moto lists resources it ignored with no logical id: use .get
        if summary.get("LogicalResourceId") == "Api" and summary.get("PhysicalResourceId"):
            return summary["PhysicalResourceId"]
    return None

def apply_stack(ctx: DeployContext, settings: Any, how: str, want: Desired) -> None:
    """Create, update or (``recreate``) delete and create the stage's stack from ``want``'s template."""
    cfn = ctx.aws.client("cloudformation")
    name = stack_name(settings)
    body = json.dumps(want.template, sort_keys=True)
    tags = [{"Key": k, "Value": v} for k, v in sorted(common.tags_of(settings).items())]
    if how == "recreate":
        ctx.echo(f"  stack {name} is failed or lost its REST API: deleting it and creating it again")
        delete_stack(cfn, name)
        how = "create"
    try:
        if how == "create":
            try:
                cfn.create_stack(StackName=name, TemplateBody=body, Tags=tags)
            except Exception as exc:
                if error_code(exc) != "AlreadyExistsException" or not adopted_stack(cfn, name, settings):
                    raise
            _wait(cfn, "stack_create_complete", name)
        else:
            try:
                cfn.update_stack(StackName=name, TemplateBody=body, Tags=tags)
            except Exception as exc:
                if "No updates are to be performed" not in str(exc):
                    raise
                return
            _wait(cfn, "stack_update_complete", name)
    except AwsError:
        raise
    except Exception as exc:  # noqa: BLE001 - any other failure is raised as this step's AwsError
        raise aws_error(f"{how} the CloudFormation stack", name, exc, _stack_failure(cfn, name)) from None
