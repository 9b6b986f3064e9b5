"""``core:secrets``: the execution role's read permissions for the stage's secrets, and the plan's check that
each referenced parameter and secret exists.

The check describes (DescribeParameters, DescribeSecret) and never reads a value. It also finds the KMS keys
that encrypt them: a customer-managed key gets ``kms:Decrypt`` in the role's policy; the keys AWS manages
(``aws/ssm``, ``aws/secretsmanager``) need no permission. Nothing is created: the step only fails the plan,
before anything is deployed, when a reference does not exist."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from zappa_core.awserrors import error_code, is_aws_error
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep

DESCRIBE_NAMES_LIMIT = 50  # values of one DescribeParameters filter


@dataclass
class Inventory:
    """What the describe calls found: the type of each parameter, the parameters under each path, the
    customer-managed KMS keys, the references that do not exist, and an AWS error that stopped the check."""

    types: dict[str, str] = field(default_factory=dict)
    under: dict[str, list[str]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)
    error: BaseException | None = None


def parameter_arn(ctx: DeployContext, name: str) -> str:
    return ctx.arn("ssm", "parameter/" + name.lstrip("/"))


def secret_arn(ctx: DeployContext, secret: str) -> str:
    """An ARN as written, or a name's ARN with the six characters Secrets Manager appends (``-??????``)."""
    return secret if secret.startswith("arn:") else ctx.arn("secretsmanager", f"secret:{secret}-??????")


class SecretsStep(ResourceStep):
    id = "core:secrets"
    follows_code = False
    depends_on = ()

    def __init__(self, settings: Any) -> None:
        from zappa_runtime.secret_refs import parse_reference
        from zappa_runtime.secrets import paths_of

        self.refs = {name: parse_reference(text) for name, text in (settings.secrets or {}).items()}
        self.paths = paths_of({"secrets_path": settings.secrets_path})
        self._lock = threading.Lock()
        self._inventory: Inventory | None = None

    @property
    def wanted(self) -> bool:
        return bool(self.refs or self.paths)

    def _by_service(self, service: str) -> dict[str, Any]:
        return {name: ref for name, ref in self.refs.items() if ref.service == service}

    # -- permissions --------------------------------------------------------------------------------------
    def iam_statements(self, ctx: DeployContext) -> list[dict]:
        if not self.wanted:
            return []
        statements = []
        parameters = sorted({parameter_arn(ctx, ref.name) for ref in self._by_service("ssm").values()})
        if parameters:
            statements.append({"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": parameters})
        if self.paths:
            resources = sorted({arn for path in self.paths for arn in (parameter_arn(ctx, path), parameter_arn(ctx, path) + "/*")})
            statements.append({"Effect": "Allow", "Action": ["ssm:GetParametersByPath"], "Resource": resources})
        secrets = sorted({secret_arn(ctx, ref.name) for ref in self._by_service("secretsmanager").values()})
        if secrets:
            statements.append({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": secrets})
        keys = sorted(self.inspect(ctx).keys)
        if keys:
            statements.append({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": keys})
        return statements

    # -- the check ----------------------------------------------------------------------------------------
    def inspect(self, ctx: DeployContext) -> Inventory:
        """Describe every reference once (the role step and this step's plan share the answer)."""
        with self._lock:
            if self._inventory is None:
                inventory = Inventory()
                try:
                    self._describe_parameters(ctx, inventory)
                    self._describe_paths(ctx, inventory)
                    self._describe_secrets(ctx, inventory)
                except Exception as exc:
                    if not is_aws_error(exc):
                        raise
                    inventory.error = exc
                self._inventory = inventory
            return self._inventory

    def _describe_parameters(self, ctx: DeployContext, inventory: Inventory) -> None:
        refs = self._by_service("ssm")
        names = sorted({ref.name for ref in refs.values()})
        ssm = ctx.aws.client("ssm")
        for start in range(0, len(names), DESCRIBE_NAMES_LIMIT):
            chunk = names[start:start + DESCRIBE_NAMES_LIMIT]
            for page in ssm.get_paginator("describe_parameters").paginate(
                    ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": chunk}]):
                for parameter in page.get("Parameters", []):
                    inventory.types[parameter["Name"]] = parameter.get("Type", "")
                    self._key(ctx, parameter.get("KeyId"), inventory)
        for variable, ref in sorted(refs.items()):
            if ref.name not in inventory.types:
                inventory.missing.append(f"{variable}: parameter {ref.text}")

    def _describe_paths(self, ctx: DeployContext, inventory: Inventory) -> None:
        from zappa_runtime.secret_refs import variable_of

        ssm = ctx.aws.client("ssm")
        for path in self.paths:
            names = []
            for page in ssm.get_paginator("describe_parameters").paginate(
                    ParameterFilters=[{"Key": "Path", "Option": "OneLevel", "Values": [path]}]):
                for parameter in page.get("Parameters", []):
                    names.append(variable_of(parameter["Name"]))
                    self._key(ctx, parameter.get("KeyId"), inventory)
            inventory.under[path] = sorted(names)

    def _describe_secrets(self, ctx: DeployContext, inventory: Inventory) -> None:
        refs = self._by_service("secretsmanager")
        client = ctx.aws.client("secretsmanager")
        for secret in sorted({ref.name for ref in refs.values()}):
            try:
                described = client.describe_secret(SecretId=secret)
            except Exception as exc:
                if error_code(exc) != "ResourceNotFoundException":
                    raise
                users = ", ".join(sorted(v for v, r in refs.items() if r.name == secret))
                inventory.missing.append(f"{users}: secret secretsmanager:{secret}")
                continue
            if described.get("DeletedDate"):
                inventory.missing.append(f"secretsmanager:{secret} (scheduled for deletion)")
            self._key(ctx, described.get("KmsKeyId"), inventory)

    def _key(self, ctx: DeployContext, key: str | None, inventory: Inventory) -> None:
        """Note a customer-managed KMS key by its ARN (an alias is resolved with DescribeKey)."""
        if not key or key.startswith("alias/aws/") or ":alias/aws/" in key:
            return
        if key.startswith("arn:") and ":key/" in key:
            inventory.keys.add(key)
        elif key.startswith("alias/") or ":alias/" in key:
            inventory.keys.add(ctx.aws.client("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"])
        else:
            inventory.keys.add(ctx.arn("kms", f"key/{key}"))

    def plan(self, ctx: DeployContext) -> Change:
        if not self.wanted:
            return Change(self.id, Action.UNCHANGED, "secrets", ["none"], empty=True)
        inventory = self.inspect(ctx)
        if inventory.error is not None:
            self._inventory = None  # asked again when the engine retries
            raise inventory.error
        stage = ctx.settings.stage
        if inventory.missing:
            raise AwsError(
                f"step '{self.id}': {len(inventory.missing)} secret reference(s) of stage '{stage}' do not exist: "
                + "; ".join(inventory.missing),
                hint=f"create them first (a parameter: zappa secrets set {stage} NAME"
                     + (" --local" if ctx.local else "") + "); nothing was deployed")
        details = []
        for variable, ref in sorted(self.refs.items()):
            kind = inventory.types.get(ref.name) or ("secret" + (f", key {ref.key}" if ref.key else ""))
            details.append(f"{variable} <- {ref.text} ({kind})")
        for path in self.paths:
            names = inventory.under.get(path) or []
            details.append(f"secrets_path {path}/: {len(names)} parameter(s)" + (f": {', '.join(names)}" if names else ""))
        if inventory.keys:
            details.append("kms:Decrypt on " + ", ".join(sorted(inventory.keys)))
        count = len(self.refs) + sum(len(inventory.under.get(p) or []) for p in self.paths)
        return Change(self.id, Action.UNCHANGED, f"{count} secret(s) read at cold start", details)

    def apply(self, ctx: DeployContext, change: Change) -> None:  # never called: the plan is always unchanged
        return None

    def plan_destroy(self, ctx: DeployContext) -> Change:
        """The parameters and secrets are the user's (other stages or tools may read them): left in place."""
        details = ["the parameters and secrets are left in place"] if self.wanted else ["none"]
        return Change(self.id, Action.UNCHANGED, "secrets", details, empty=not self.wanted)

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        return None

