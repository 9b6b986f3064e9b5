"""Cognito user pool triggers (``cognito``) and Lex intents (``bot_events``).

Cognito: the pool's ``LambdaConfig`` gets the stage function for each trigger; ``update_user_pool`` resets
whatever it is not given, so every other setting of the pool is read first and passed back unchanged.
Triggers that point at the function but are no longer listed are removed; pools wired earlier are found
from the function's policy.

Lex: the bot calls the function when an intent's code hook is set to it in Lex; the step grants Lex the
permission to invoke the function for the listed intents.
"""

from __future__ import annotations

from typing import Any

from zappa_core.arns import build_arn
from zappa_core.awserrors import is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import DeployContext

from zappa_events import permissions
from zappa_events.awsutil import account, function_arn, same_function
from zappa_events.diffstep import DiffStep
from zappa_events.naming import cognito_config_key

COGNITO = "cognito-idp.amazonaws.com"
LEX = "lex.amazonaws.com"


def pool_arn(ctx: DeployContext, pool_id: str) -> str:
    region = pool_id.split("_", 1)[0] if "_" in pool_id else ctx.aws.region
    return build_arn("cognito-idp", region, account(ctx), f"userpool/{pool_id}")


class CognitoStep(DiffStep):
    """Keys are ``<pool id>/<LambdaConfig key>``; the spec is the user function (for the plan)."""

    id = "events:cognito"
    follows_code = False
    kind = "trigger"

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def describe(self, spec: Any) -> str:
        return str(spec)

    def comparable(self, spec: Any) -> Any:
        return True  # a trigger either points at the function or it does not

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        cognito = self.settings.cognito
        if cognito is None:
            return {}
        return {f"{cognito.user_pool}/{cognito_config_key(t.source)}": t.function for t in cognito.triggers}

    def _pools(self, ctx: DeployContext) -> set[str]:
        pools = {arn.rsplit("/", 1)[-1] for arn in permissions.granted(ctx, COGNITO).values() if arn}
        if self.settings.cognito is not None:
            pools.add(self.settings.cognito.user_pool)
        return pools

    def _describe_pool(self, ctx: DeployContext, pool_id: str) -> dict[str, Any] | None:
        try:
            return ctx.aws.client("cognito-idp").describe_user_pool(UserPoolId=pool_id)["UserPool"]
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise

    def existing(self, ctx: DeployContext) -> dict[str, Any]:
        arn = function_arn(ctx)
        if arn is None:
            return {}
        found: dict[str, Any] = {}
        for pool_id in sorted(self._pools(ctx)):
            pool = self._describe_pool(ctx, pool_id)
            for key, value in ((pool or {}).get("LambdaConfig") or {}).items():
                if isinstance(value, str) and same_function(value, arn):
                    found[f"{pool_id}/{key}"] = "(this function)"
        return found

    def apply(self, ctx: DeployContext, change: Any) -> None:
        self._rewrite(ctx, change)

    def destroy(self, ctx: DeployContext, change: Any) -> None:
        self._rewrite(ctx, change)

    def _rewrite(self, ctx: DeployContext, change: Any) -> None:
        """One ``update_user_pool`` per pool with every trigger change of that pool."""
        by_pool: dict[str, list[Any]] = {}
        for op in change.data or ():
            by_pool.setdefault(op.key.split("/", 1)[0], []).append(op)
        for pool_id, ops in by_pool.items():
            pool = self._describe_pool(ctx, pool_id)
            if pool is None:
                if any(op.verb != "delete" for op in ops):
                    raise AwsError(f"the Cognito user pool '{pool_id}' does not exist",
                                   hint="check 'cognito.user_pool' (a pool id such as us-east-1_AbC123)")
                continue
            target = function_arn(ctx, required=any(op.verb != "delete" for op in ops))
            config = dict(pool.get("LambdaConfig") or {})
            for op in ops:
                key = op.key.split("/", 1)[1]
                if op.verb == "delete":
                    config.pop(key, None)
                else:
                    config[key] = target
            if any(op.verb != "delete" for op in ops):
                permissions.grant(ctx, target, COGNITO, pool.get("Arn") or pool_arn(ctx, pool_id))
            self._update_pool(ctx, pool, config)
            if not any(isinstance(v, str) and same_function(v, target) for v in config.values()):
                permissions.revoke(ctx, COGNITO, pool.get("Arn") or pool_arn(ctx, pool_id))

    def _update_pool(self, ctx: DeployContext, pool: dict[str, Any], lambda_config: dict[str, Any]) -> None:
        client = ctx.aws.client("cognito-idp")
        accepted = client.meta.service_model.operation_model("UpdateUserPool").input_shape.members
        kwargs = {key: value for key, value in pool.items() if key in accepted and key not in ("UserPoolId", "LambdaConfig")}
        admin = dict(kwargs.get("AdminCreateUserConfig") or {})
        if "UnusedAccountValidityDays" in admin and "TemporaryPasswordValidityDays" in (kwargs.get("Policies") or {}).get("PasswordPolicy", {}):
            admin.pop("UnusedAccountValidityDays")  # deprecated twin that AWS refuses alongside the new one
            kwargs["AdminCreateUserConfig"] = admin
        client.update_user_pool(UserPoolId=pool["Id"], LambdaConfig=lambda_config, **kwargs)


class LexStep(DiffStep):
    """Lambda permissions for the Lex intents of ``bot_events`` (key: the intent name)."""

    id = "events:lex"
    follows_code = False
    kind = "intent permission"

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def _intent_arn(self, ctx: DeployContext, source: Any) -> str:
        """The source ARN Lex calls the function with: the intent's, in the region and account of the
        entry's ``arn`` when it has one (else the stage's), any version."""
        region, owner = source.lex_scope() or (ctx.aws.region, account(ctx))
        return build_arn("lex", region, owner, f"intent:{source.intent}:*")

    def desired(self, ctx: DeployContext) -> dict[str, Any]:
        return {b.event_source.intent: self._intent_arn(ctx, b.event_source) for b in self.settings.bot_events}

    def existing(self, ctx: DeployContext) -> dict[str, Any]:
        return {arn.split(":intent:", 1)[1].split(":", 1)[0]: arn
                for arn in permissions.granted(ctx, LEX).values() if ":intent:" in arn}

    def create(self, ctx: DeployContext, key: str, spec: Any) -> None:
        permissions.grant(ctx, function_arn(ctx, required=True), LEX, spec)

    def delete(self, ctx: DeployContext, key: str, spec: Any) -> None:
        permissions.revoke(ctx, LEX, spec)
