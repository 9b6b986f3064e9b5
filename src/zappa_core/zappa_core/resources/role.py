"""``core:role``: the Lambda execution role and its least-privilege inline policy.

The policy is the union of the IAM statements that every enabled step declares (:meth:`ResourceStep.
iam_statements`), scoped to the stage's own resources, plus ``extra_permissions``. ``attach_policy`` (a JSON
file) replaces the generated statements; ``assume_policy`` (a JSON file) replaces the trust policy;
``manage_roles: false`` with ``role_name``/``role_arn`` uses an existing role untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zappa_core.awserrors import error_code, is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

POLICY_NAME = "zappa-permissions"
VERSION = "2012-10-17"


def default_role_name(settings: Any) -> str:
    return f"{settings.function_name}-ZappaLambdaExecutionRole"


def role_name_of(settings: Any) -> str:
    if settings.role_arn:
        return settings.role_arn.rsplit("/", 1)[-1]
    return settings.role_name or default_role_name(settings)


def read_policy_file(settings: Any, path: str) -> dict:
    """Read a JSON policy file, relative to the project folder. Errors are settings errors (exit 2)."""
    file = Path(path)
    if not file.is_absolute():
        file = Path(settings.project_dir) / file
    return json.loads(file.read_text())


def _dedupe(statements: list[dict]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for statement in statements:
        key = json.dumps(statement, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(statement)
    return out


def generated_statements(ctx: DeployContext) -> list[dict]:
    statements: list[dict] = []
    for step in ctx.steps:
        statements.extend(step.iam_statements(ctx) or [])
    return _dedupe(statements)


def policy_document(ctx: DeployContext) -> dict:
    """The execution role's inline policy for this stage (what ``zappa status --policy`` prints)."""
    settings = ctx.settings
    if settings.attach_policy:
        doc = read_policy_file(settings, settings.attach_policy)
        statements = list(doc.get("Statement", []))
        if isinstance(doc.get("Statement"), dict):
            statements = [doc["Statement"]]
    else:
        statements = generated_statements(ctx)
    statements += list(settings.extra_permissions or [])
    return {"Version": VERSION, "Statement": _dedupe(statements)}


def trust_document(ctx: DeployContext) -> dict:
    settings = ctx.settings
    if settings.assume_policy:
        return read_policy_file(settings, settings.assume_policy)
    services = {"lambda.amazonaws.com"}
    for step in ctx.steps:
        services.update(getattr(step, "trusted_services", lambda c: [])(ctx) or [])
    return {"Version": VERSION, "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": sorted(services) if len(services) > 1 else "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }]}


def _canonical(doc: Any) -> str:
    if isinstance(doc, str):
        from urllib.parse import unquote

        try:
            doc = json.loads(unquote(doc))
        except ValueError:
            return doc

    def norm(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: norm(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            items = [norm(v) for v in value]
            return items[0] if len(items) == 1 and not isinstance(items[0], dict) else items
        return value

    return json.dumps(norm(doc), sort_keys=True)


class RoleStep(ResourceStep):
    id = "core:role"
    follows_code = False
    depends_on = ()

    def role_arn(self, ctx: DeployContext, name: str) -> str:
        return f"arn:{ctx.partition}:iam::{ctx.account_id}:role/{name}"

    def plan(self, ctx: DeployContext) -> Change:
        settings = ctx.settings
        name = role_name_of(settings)
        iam = ctx.aws.client("iam")
        if settings.role_arn or not settings.manage_roles:
            arn = settings.role_arn
            if not arn:
                try:
                    arn = iam.get_role(RoleName=name)["Role"]["Arn"]
                except Exception as exc:
                    if is_not_found(exc):
                        raise AwsError(f"step 'core:role': role '{name}' does not exist",
                                       hint="create it, set 'role_arn', or remove 'manage_roles: false'") from exc
                    raise
            return Change(self.id, Action.UNCHANGED, f"IAM role {name}", ["not managed by zappa (manage_roles: false / role_arn)"],
                          outputs={"role_arn": arn, "role_name": name})
        policy = policy_document(ctx)
        trust = trust_document(ctx)
        outputs = {"role_arn": self.role_arn(ctx, name), "role_name": name}
        data = {"name": name, "policy": policy, "trust": trust, "tags": ctx.tags()}
        try:
            role = iam.get_role(RoleName=name)["Role"]
        except Exception as exc:
            if not is_not_found(exc):
                raise
            details = [f"trust: {', '.join(_principals(trust))}", f"policy {POLICY_NAME}: {len(policy['Statement'])} statement(s)"]
            return Change(self.id, Action.CREATE, f"IAM role {name}", details, data=dict(data, create=True), outputs=outputs)
        outputs["role_arn"] = role["Arn"]
        details = []
        data.update(create=False, update_trust=False, update_policy=False, tag=False)
        if _canonical(role.get("AssumeRolePolicyDocument", {})) != _canonical(trust):
            details.append("trust policy: changed")
            data["update_trust"] = True
        try:
            current = iam.get_role_policy(RoleName=name, PolicyName=POLICY_NAME)["PolicyDocument"]
        except Exception as exc:
            if not is_not_found(exc):
                raise
            current = None
        if current is None or _canonical(current) != _canonical(policy):
            details.append(f"policy {POLICY_NAME}: " + ("missing" if current is None else "changed") +
                           f" -> {len(policy['Statement'])} statement(s)")
            data["update_policy"] = True
        tags = {t["Key"]: t["Value"] for t in role.get("Tags", []) or []}
        if tags.get("ZappaProject") != ctx.project_tag:
            data["tag"] = True
            details.append(f"tag ZappaProject={ctx.project_tag}")
        action = Action.UPDATE if details else Action.UNCHANGED
        return Change(self.id, action, f"IAM role {name}", details, data=data, outputs=outputs)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        iam = ctx.aws.client("iam")
        data = change.data
        name = data["name"]
        if data["create"]:
            arn = self._create(ctx, iam, name, data)
            iam.put_role_policy(RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(data["policy"]))
        else:
            arn = change.outputs["role_arn"]
            if data.get("update_trust"):
                iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(data["trust"]))
            if data.get("update_policy"):
                iam.put_role_policy(RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(data["policy"]))
            if data.get("tag"):
                iam.tag_role(RoleName=name, Tags=[{"Key": k, "Value": v} for k, v in data["tags"].items()])
        ctx.outputs.setdefault(self.id, {}).update({"role_arn": arn, "role_name": name})

    def _create(self, ctx: DeployContext, iam: Any, name: str, data: dict) -> str:
        """Create the role; when it exists already and carries this stage's tag, it is the stage's own (a
        create whose answer was lost, retried) and is adopted. Another owner's role of that name is an error."""
        try:
            return iam.create_role(
                RoleName=name, AssumeRolePolicyDocument=json.dumps(data["trust"]),
                Description=f"Zappa execution role of {ctx.function_name}",
                Tags=[{"Key": k, "Value": v} for k, v in data["tags"].items()],
            )["Role"]["Arn"]
        except Exception as exc:
            if error_code(exc) != "EntityAlreadyExists":
                raise
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name).get("Tags", [])}
        if tags.get("ZappaProject") != ctx.project_tag:
            raise AwsError(f"step 'core:role': role '{name}' exists and is not this stage's "
                           f"(it is not tagged ZappaProject={ctx.project_tag})",
                           hint="set 'role_name' to another name, or tag the role if it is this stage's")
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(data["trust"]))
        return iam.get_role(RoleName=name)["Role"]["Arn"]

    def plan_destroy(self, ctx: DeployContext) -> Change:
        settings = ctx.settings
        name = role_name_of(settings)
        if settings.role_arn or not settings.manage_roles:
            return Change(self.id, Action.UNCHANGED, f"IAM role {name}", ["not managed by zappa: left in place"])
        iam = ctx.aws.client("iam")
        try:
            role = iam.get_role(RoleName=name)["Role"]
        except Exception as exc:
            if is_not_found(exc):
                return Change(self.id, Action.UNCHANGED, f"IAM role {name}", ["does not exist"])
            raise
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name).get("Tags", [])}
        if tags.get("ZappaProject") != ctx.project_tag:
            return Change(self.id, Action.UNCHANGED, f"IAM role {name}",
                          [f"not tagged ZappaProject={ctx.project_tag}: left in place"])
        policies = iam.list_role_policies(RoleName=name).get("PolicyNames", [])
        attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", [])]
        details = [f"inline policy {p}" for p in policies] + [f"detach {a}" for a in attached]
        return Change(self.id, Action.DELETE, f"IAM role {name}", details,
                      data={"name": name, "policies": policies, "attached": attached, "arn": role["Arn"]})

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        iam = ctx.aws.client("iam")
        name = change.data["name"]
        for policy in change.data["policies"]:
            _ignore_missing(lambda p=policy: iam.delete_role_policy(RoleName=name, PolicyName=p))
        for arn in change.data["attached"]:
            _ignore_missing(lambda a=arn: iam.detach_role_policy(RoleName=name, PolicyArn=a))
        _ignore_missing(lambda: iam.delete_role(RoleName=name))


def _principals(trust: dict) -> list[str]:
    out: list[str] = []
    for statement in trust.get("Statement", []):
        service = (statement.get("Principal") or {}).get("Service", [])
        out.extend([service] if isinstance(service, str) else service)
    return out or ["custom"]


def _ignore_missing(fn: Any) -> None:
    try:
        fn()
    except Exception as exc:
        if not is_not_found(exc):
            raise
