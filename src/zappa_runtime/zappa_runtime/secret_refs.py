"""The references of the ``secrets`` and ``secrets_path`` settings, parsed and checked.

``ssm:/myapp/prod/db_password`` names a Parameter Store parameter (``ssm:name:3`` or ``ssm:name:label`` a
version or label of it); ``secretsmanager:prod/stripe`` a Secrets Manager secret (by name or ARN) and
``secretsmanager:prod/stripe#api_key`` one key of a secret that holds a JSON object. ``secrets_path``
names a Parameter Store path whose direct children become variables named after their last segment.

Standard library only: the runtime resolves the references at cold start, and the deploy side checks the
settings and builds the execution role's policy from the same parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SSM = "ssm"
SECRETS_MANAGER = "secretsmanager"
SCHEMES = (SSM, SECRETS_MANAGER)

VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PARAMETER_NAME = re.compile(r"^[A-Za-z0-9_.\-/]+$")
SELECTOR = re.compile(r"^[A-Za-z0-9_.\-]+$")
SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@\-]+$")
SECRET_ARN = re.compile(r"^arn:aws[a-z\-]*:secretsmanager:[a-z0-9\-]+:\d{12}:secret:[A-Za-z0-9/_+=.@\-]+$")
PARAMETER_NAME_LIMIT = 1011
PARAMETER_LEVELS = 15
SECRET_NAME_LIMIT = 512
#: Variables Lambda provides itself (and refuses in a function's configuration); a secret must not replace them,
#: the credentials above all.
RESERVED_VARIABLES = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})
CLOSE_SCHEMES = {"ssm": SSM, "parameter": SSM, "parameterstore": SSM, "param": SSM, "secretmanager": SECRETS_MANAGER,
                 "secrets": SECRETS_MANAGER, "secret": SECRETS_MANAGER, "sm": SECRETS_MANAGER,
                 "secrets-manager": SECRETS_MANAGER, "secrets_manager": SECRETS_MANAGER, "asm": SECRETS_MANAGER}


@dataclass(frozen=True)
class SecretRef:
    """One reference: ``service`` (``ssm`` or ``secretsmanager``), the parameter name or secret id ``name``,
    the parameter's ``selector`` (``:3``, ``:label``) and the secret's JSON ``key``, as written in ``text``."""

    service: str
    name: str
    text: str
    selector: str = ""
    key: str | None = None

    @property
    def request_name(self) -> str:
        """What GetParameters is asked for (the name with its version or label)."""
        return self.name + self.selector


def parse_reference(text: object) -> SecretRef:
    """The reference ``text``; ``ValueError`` says what is wrong and what was meant."""
    if not isinstance(text, str):
        raise ValueError(f"a reference is text such as \"ssm:/app/prod/db_password\", not {text!r}")
    scheme, colon, rest = text.partition(":")
    if not colon or scheme not in SCHEMES:
        meant = CLOSE_SCHEMES.get(scheme.lower().replace(" ", "")) if colon else None
        hint = (f"did you mean \"{meant}:{rest.lstrip('/') if meant == SECRETS_MANAGER else rest}\"?" if meant
                else "write \"ssm:/parameter/name\", \"secretsmanager:secret-name\" or \"secretsmanager:secret-name#key\"")
        raise ValueError(f"{text!r} is not a reference: {hint}")
    if scheme == SSM:
        return _parameter(text, rest)
    return _secret(text, rest)


def _parameter(text: str, rest: str) -> SecretRef:
    if rest.startswith("//"):
        raise ValueError(f"{text!r}: write ssm:/name (one slash): a parameter name is not a URL")
    if rest.startswith("arn:"):
        raise ValueError(f"{text!r}: name the parameter by its name (ssm:/app/prod/key), not its ARN")
    name, _, selector = rest.partition(":")
    problem = parameter_name_problem(name)
    if problem:
        raise ValueError(f"{text!r}: {problem}")
    if selector and not SELECTOR.match(selector):
        raise ValueError(f"{text!r}: after ':' comes a version number or a label (ssm:{name}:3)")
    return SecretRef(SSM, name, text, selector=f":{selector}" if selector else "")


def parameter_name_problem(name: str) -> str | None:
    if not name:
        return "the parameter name is empty"
    if not PARAMETER_NAME.match(name):
        return "a parameter name holds only letters, digits and . _ - /"
    if len(name) > PARAMETER_NAME_LIMIT:
        return f"a parameter name is at most {PARAMETER_NAME_LIMIT} characters"
    if "//" in name or name.endswith("/"):
        return "a parameter name has no empty path segment (no '//' and no '/' at the end)"
    if "/" in name and not name.startswith("/"):
        return f"a parameter name with a path begins with '/': /{name}"
    if name.count("/") > PARAMETER_LEVELS:
        return f"a parameter name has at most {PARAMETER_LEVELS} levels"
    return None


def _secret(text: str, rest: str) -> SecretRef:
    secret, hashed, key = rest.partition("#")
    if hashed and not key:
        raise ValueError(f"{text!r}: after '#' comes the key of the secret's JSON object (secretsmanager:{secret}#api_key)")
    if not secret:
        raise ValueError(f"{text!r}: the secret's name is empty")
    if secret.startswith("arn:"):
        if not SECRET_ARN.match(secret):
            raise ValueError(f"{text!r}: not a Secrets Manager secret ARN "
                             "(arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX)")
    elif not SECRET_NAME.match(secret) or len(secret) > SECRET_NAME_LIMIT:
        raise ValueError(f"{text!r}: a secret name holds 1 to {SECRET_NAME_LIMIT} letters, digits and / _ + = . @ -")
    return SecretRef(SECRETS_MANAGER, secret, text, key=key or None)


def parse_path(text: object) -> str:
    """A ``secrets_path``: ``/myapp/prod/`` → ``/myapp/prod``. ``ValueError`` when it is not a path."""
    if not isinstance(text, str) or not text.startswith("/"):
        raise ValueError(f"a Parameter Store path begins with '/', such as \"/myapp/prod/\", not {text!r}")
    path = text.rstrip("/")
    if not path:
        raise ValueError("'/' would load every parameter of the account: name the stage's own path, such as \"/myapp/prod/\"")
    problem = parameter_name_problem(path)
    if problem:
        raise ValueError(f"{text!r}: {problem}")
    return path


def variable_problem(name: object) -> str | None:
    """Why ``name`` cannot be the variable a secret is put in (``None`` when it can)."""
    if not isinstance(name, str) or not VARIABLE.match(name):
        return "a variable name holds letters, digits and '_' and does not begin with a digit"
    if name in RESERVED_VARIABLES:
        return f"{name} is set by Lambda itself (replacing it would break the function)"
    return None


def variable_of(parameter_name: str) -> str:
    """The variable a parameter under ``secrets_path`` becomes: the last segment of its name."""
    return parameter_name.rsplit("/", 1)[-1]
