"""The ``secrets`` and ``secrets_path`` settings, resolved at cold start into ``os.environ``.

Before the app is imported, the runtime reads every referenced value with one batched call per service:
GetParameters (``WithDecryption``, ten names a call), GetParametersByPath (paginated) for each
``secrets_path`` and GetSecretValue once per secret (however many of its JSON keys are used). A reference
that does not exist fails the cold start with an error that names it (and never a value). Afterwards, every
``secrets_refresh_seconds`` (0: never), the next invocation reads them again; a failed refresh keeps the
values it has and logs why.

Values never reach a log line through the ``logging`` module: a filter on the root logger's handlers masks
them (values shorter than :data:`MASK_MIN_LENGTH` are left alone, so that ``1`` or ``on`` do not garble logs).

boto3 is imported here only when a stage has references (Lambda provides it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

from zappa_runtime.secret_refs import SECRETS_MANAGER, SSM, SecretRef, parse_path, parse_reference, variable_of

log = logging.getLogger("zappa.runtime")

GET_PARAMETERS_LIMIT = 10
MASK = "****"
MASK_MIN_LENGTH = 4
SDK_LOGGERS = ("botocore", "boto3", "urllib3")


class SecretsError(RuntimeError):
    """A referenced parameter or secret could not be read (raised at cold start)."""


def wanted(settings: dict[str, Any]) -> bool:
    return bool(settings.get("secrets") or settings.get("secrets_path"))


def paths_of(settings: dict[str, Any]) -> list[str]:
    value = settings.get("secrets_path")
    values = value if isinstance(value, list) else [value] if value else []
    return [parse_path(path) for path in values]


class SecretsLoader:
    """Reads the stage's references and puts their values into ``environ``."""

    def __init__(self, settings: dict[str, Any], environ: Any = None, clients: Any = None, clock: Any = time.monotonic) -> None:
        self.settings = settings
        self.environ = os.environ if environ is None else environ
        self.refs = {name: parse_reference(text) for name, text in (settings.get("secrets") or {}).items()}
        self.paths = paths_of(settings)
        self.refresh_seconds = float(settings.get("secrets_refresh_seconds") or 0)
        self._clients = clients or {}
        self._clock = clock
        self.loaded_at: float | None = None
        self.values: dict[str, str] = {}
        #: variables the function gets from elsewhere, which a parameter under ``secrets_path`` does not replace
        self.kept = set(settings.get("environment_variables") or ()) | set(settings.get("function_environment") or ())

    # -- reading ------------------------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        client = self._clients.get(service)
        if client is None:
            import boto3

            endpoint = (self.settings.get("aws_endpoint_urls") or {}).get(service)
            client = boto3.client(service, **({"endpoint_url": endpoint} if endpoint else {}))
            self._clients[service] = client
        return client

    def read(self) -> dict[str, str]:
        """Every variable's value. Raises :class:`SecretsError` naming each reference that failed."""
        values: dict[str, str] = {}
        problems: list[str] = []
        for path in self.paths:
            found = self._read_path(path, problems)
            values.update({name: value for name, value in found.items() if name not in self.kept})
        ssm_refs = {name: ref for name, ref in self.refs.items() if ref.service == SSM}
        secret_refs = {name: ref for name, ref in self.refs.items() if ref.service == SECRETS_MANAGER}
        values.update(self._read_parameters(ssm_refs, problems))
        values.update(self._read_secrets(secret_refs, problems))
        if problems:
            raise SecretsError("cannot read the stage's secrets: " + "; ".join(problems))
        return values

    def _read_parameters(self, refs: dict[str, SecretRef], problems: list[str]) -> dict[str, str]:
        names = sorted({ref.request_name for ref in refs.values()})
        found: dict[str, str] = {}
        failed: set[str] = set()
        for start in range(0, len(names), GET_PARAMETERS_LIMIT):
            chunk = names[start:start + GET_PARAMETERS_LIMIT]
            try:
                answer = self.client(SSM).get_parameters(Names=chunk, WithDecryption=True)
            except Exception as exc:  # noqa: BLE001 - named with the references it was for
                problems.append(f"{', '.join('ssm:' + n for n in chunk)}: {_aws_error(exc)}")
                failed.update(chunk)
                continue
            for parameter in answer.get("Parameters", []):
                found[parameter["Name"] + (parameter.get("Selector") or "")] = parameter["Value"]
                if not parameter.get("Selector"):  # an answer without it (the local AWS) names the version
                    found.setdefault(f"{parameter['Name']}:{parameter.get('Version')}", parameter["Value"])
        values = {}
        for variable, ref in refs.items():
            if ref.request_name in found:
                values[variable] = found[ref.request_name]
            elif ref.request_name not in failed:
                problems.append(f"{variable}: parameter {ref.text} does not exist")
        return values

    def _read_path(self, path: str, problems: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        kwargs: dict[str, Any] = {"Path": path, "WithDecryption": True, "Recursive": False,
                                  "MaxResults": GET_PARAMETERS_LIMIT}
        try:
            while True:
                answer = self.client("ssm").get_parameters_by_path(**kwargs)
                for parameter in answer.get("Parameters", []):
                    found[variable_of(parameter["Name"])] = parameter["Value"]
                token = answer.get("NextToken")
                if not token:
                    break
                kwargs["NextToken"] = token
        except Exception as exc:  # noqa: BLE001
            problems.append(f"secrets_path {path}: {_aws_error(exc)}")
        if not found:
            log.warning("secrets_path %s holds no parameters", path)
        return found

    def _read_secrets(self, refs: dict[str, SecretRef], problems: list[str]) -> dict[str, str]:
        texts: dict[str, str | None] = {}
        for secret in sorted({ref.name for ref in refs.values()}):
            try:
                answer = self.client(SECRETS_MANAGER).get_secret_value(SecretId=secret)
            except Exception as exc:  # noqa: BLE001
                missing = _error_code(exc) == "ResourceNotFoundException"
                problems.append(f"secret secretsmanager:{secret} " + ("does not exist" if missing else _aws_error(exc))
                                + f" (for {', '.join(sorted(v for v, r in refs.items() if r.name == secret))})")
                texts[secret] = None
                continue
            text = answer.get("SecretString")
            if text is None and answer.get("SecretBinary") is not None:
                try:
                    text = bytes(answer["SecretBinary"]).decode("utf-8")
                except UnicodeDecodeError:
                    problems.append(f"secret secretsmanager:{secret} holds binary data, not text")
                    texts[secret] = None
                    continue
            texts[secret] = text
        values = {}
        for variable, ref in refs.items():
            text = texts.get(ref.name)
            if text is None:
                continue
            if ref.key is None:
                values[variable] = text
                continue
            value = _json_key(text, ref, variable, problems)
            if value is not None:
                values[variable] = value
        return values

    # -- applying -----------------------------------------------------------------------------------------
    def load(self) -> None:
        """Read every value and put it into the environment (cold start: failures raise)."""
        with quiet_sdk_logs():
            values = self.read()
        for name, value in values.items():
            self.environ[name] = value
        for name in set(self.values) - set(values):  # a parameter removed from the path since the last read
            self.environ.pop(name, None)
        self.values = values
        self.loaded_at = self._clock()
        install_mask(self.values.values())

    def refresh_due(self) -> bool:
        return bool(self.refresh_seconds and self.loaded_at is not None
                    and self._clock() - self.loaded_at >= self.refresh_seconds)

    def refresh(self) -> None:
        """Read again when the interval has passed; a failure keeps the values and is retried next time."""
        if not self.refresh_due():
            return
        try:
            self.load()
        except Exception as exc:  # noqa: BLE001 - keep serving with the values the container has
            self.loaded_at = self._clock()
            log.error("refreshing the stage's secrets failed, the earlier values stay: %s", exc)


def _json_key(text: str, ref: SecretRef, variable: str, problems: list[str]) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        problems.append(f"{variable}: secret secretsmanager:{ref.name} is not a JSON object, so it has no key {ref.key!r}")
        return None
    if not isinstance(data, dict) or ref.key not in data:
        keys = ", ".join(sorted(map(str, data))) if isinstance(data, dict) else "none: it is not a JSON object"
        problems.append(f"{variable}: secret secretsmanager:{ref.name} has no key {ref.key!r} (its keys: {keys})")
        return None
    value = data[ref.key]
    return value if isinstance(value, str) else json.dumps(value)


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str((response.get("Error") or {}).get("Code") or "")


def _aws_error(exc: BaseException) -> str:
    code = _error_code(exc)
    return f"{code}: {getattr(exc, 'response', {}).get('Error', {}).get('Message', '')}" if code else f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def quiet_sdk_logs() -> Iterator[None]:
    """The AWS SDK logs whole response bodies at DEBUG (Zappa's default ``log_level``): not while it reads secrets."""
    loggers = [logging.getLogger(name) for name in SDK_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logging.INFO, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# -- masking ----------------------------------------------------------------------------------------------
class MaskingFilter(logging.Filter):
    """Replaces secret values in a record's message and traceback by ``****``."""

    def __init__(self) -> None:
        super().__init__("zappa.secrets")
        self.values: list[str] = []

    def set_values(self, values: Any) -> None:
        self.values = sorted({v for v in values if isinstance(v, str) and len(v) >= MASK_MIN_LENGTH}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.values:
            return True
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


_FILTER = MaskingFilter()


def install_mask(values: Any) -> MaskingFilter:
    """Mask ``values`` in every record the root logger's handlers emit (the handlers Lambda installs included)."""
    _FILTER.set_values(values)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    return _FILTER
