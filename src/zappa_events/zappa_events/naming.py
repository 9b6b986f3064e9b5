"""Names of the AWS objects the events plugin creates, shared by the deploy side and the Lambda runtime.

Both sides compute the same names from the same settings, so the runtime knows which user function a rule,
an S3 notification or the async topic belongs to without any lookup. Rule names follow Zappa's scheme
(``<function>-[<index>-][<name>-]<module.function>``), so rules made by Zappa are adopted, not duplicated.

Standard library only: this module is bundled into Lambda packages.
"""

from __future__ import annotations

import hashlib

RULE_NAME_LIMIT = 64
KEEP_WARM_NAME = "zappa-keep-warm"
KEEP_WARM_FUNCTION = "handler.keep_warm_callback"
KEEP_WARM_SUFFIX = f"{KEEP_WARM_NAME}-{KEEP_WARM_FUNCTION}"
ASYNC_TOPIC_SUFFIX = "-zappa-async"
PERMISSION_PREFIX = "zappa-events-"


def rule_name(lambda_name: str, function: str, name: str | None = None, index: int = 0) -> str:
    """The EventBridge rule name of one expression of a scheduled function.

    ``name`` is the entry's optional ``name``; ``index`` numbers the second and later expressions. A name
    longer than AWS's 64 characters keeps its end (the function) and replaces the middle with a digest.
    """
    postfix = function if not name or name == function else f"{name}-{function}"
    if index:
        postfix = f"{index}-{postfix}"
    full = f"{lambda_name}-{postfix}"
    if len(full) <= RULE_NAME_LIMIT:
        return full
    digest = hashlib.sha1(full.encode()).hexdigest()[:10]
    tail = function[-(RULE_NAME_LIMIT - len(digest) - 2 - 16):]
    head = lambda_name[: RULE_NAME_LIMIT - len(digest) - len(tail) - 2]
    return f"{head}-{digest}-{tail}"[:RULE_NAME_LIMIT]


def keep_warm_rule_name(lambda_name: str) -> str:
    return rule_name(lambda_name, KEEP_WARM_FUNCTION, KEEP_WARM_NAME)


def is_keep_warm_rule(rule: str) -> bool:
    return rule.endswith((KEEP_WARM_SUFFIX, "-zappa-keep-warm-handler"))


def rule_from_arn(arn: str) -> str:
    """``arn:aws:events:us-east-1:123:rule/name`` (or ``rule/bus/name``) -> ``name``."""
    return arn.rsplit("/", 1)[-1]


def s3_notification_id(lambda_name: str, function: str, index: int = 0) -> str:
    """The ``Id`` of an S3 notification: Zappa's runtime convention, the user function after the last ``:``."""
    prefix = lambda_name if not index else f"{lambda_name}-{index}"
    return f"{prefix}:{function}"


def function_from_notification_id(configuration_id: str) -> str | None:
    if ":" not in configuration_id:
        return None
    return configuration_id.rsplit(":", 1)[-1] or None


def log_group_name(arn: str) -> str:
    """``arn:aws:logs:r:a:log-group:/aws/x:*`` -> ``/aws/x``."""
    name = arn.split(":log-group:", 1)[-1]
    return name.removesuffix(":*")


def async_topic_name(lambda_name: str) -> str:
    return f"{lambda_name}{ASYNC_TOPIC_SUFFIX}"


def permission_id(lambda_name: str, principal: str, source_arn: str) -> str:
    """Statement id of the Lambda permission that lets ``principal`` invoke the function for ``source_arn``."""
    digest = hashlib.sha1(f"{lambda_name}|{principal}|{source_arn}".encode()).hexdigest()[:16]
    return f"{PERMISSION_PREFIX}{principal.split('.')[0]}-{digest}"


# Cognito LambdaConfig keys, and the triggerSource prefixes that differ from them.
COGNITO_CONFIG_KEYS = (
    "PreSignUp", "CustomMessage", "PostConfirmation", "PreAuthentication", "PostAuthentication",
    "DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse", "PreTokenGeneration",
    "UserMigration",
)
COGNITO_SOURCE_ALIASES = {"TokenGeneration": "PreTokenGeneration"}


def cognito_config_key(source: str) -> str:
    """``PreSignUp_SignUp`` -> ``PreSignUp``; ``TokenGeneration_HostedAuth`` -> ``PreTokenGeneration``."""
    prefix = source.split("_", 1)[0]
    return COGNITO_SOURCE_ALIASES.get(prefix, prefix)
