"""Where moto's Lambda control plane differs from Lambda's, the local AWS corrects it (moto seams, next to
the executor's in :mod:`zappa_core.local.moto_seam`; checked by ``tests/core/local/test_local_moto_hook.py``):

- **Version numbers are never reused.** moto numbers a new version ``len(versions) + 1``, so after old
  versions are deleted (``num_retained_versions``) it hands out a number again. Lambda counts up forever
  per function; so does ``LambdaStorage.publish_version`` here.
- **Configuration moto drops is kept**: ``DeadLetterConfig``, ``SnapStart``, ``KMSKeyArn`` and
  ``FileSystemConfigs`` given to ``create_function`` / ``update_function_configuration`` come back from
  ``get_function_configuration``, so a deploy does not plan them again forever.
- **Alias routing weights** (``RoutingConfig.AdditionalVersionWeights``) choose the version that runs an
  invocation of the alias (:func:`weighted_version`).
"""

from __future__ import annotations

import copy
import random
from typing import Any

STORAGE_CLASS = "moto.awslambda.models.LambdaStorage"
KEPT_CONFIG = ("DeadLetterConfig", "SnapStart", "KMSKeyArn", "FileSystemConfigs")
LAST_VERSION_KEY = "zappa_last_version"

_originals: dict[str, Any] = {}


def install() -> None:
    from moto.awslambda import models

    if _originals:
        return
    _originals["publish_version"] = models.LambdaStorage.publish_version
    _originals["__init__"] = models.LambdaFunction.__init__
    _originals["update_configuration"] = models.LambdaFunction.update_configuration
    _originals["get_configuration"] = models.LambdaFunction.get_configuration
    models.LambdaStorage.publish_version = _publish_version
    models.LambdaFunction.__init__ = _function_init
    models.LambdaFunction.update_configuration = _update_configuration
    models.LambdaFunction.get_configuration = _get_configuration


def uninstall() -> None:
    from moto.awslambda import models

    if not _originals:
        return
    models.LambdaStorage.publish_version = _originals.pop("publish_version")
    models.LambdaFunction.__init__ = _originals.pop("__init__")
    models.LambdaFunction.update_configuration = _originals.pop("update_configuration")
    models.LambdaFunction.get_configuration = _originals.pop("get_configuration")


def _publish_version(self: Any, name_or_arn: str, description: str = "") -> Any:
    """``LambdaStorage.publish_version`` numbering from the highest version ever published, not the count."""
    function = self.get_function_by_name_or_arn_forbid_qualifier(name_or_arn)
    name = function.function_name
    entry = self._functions.get(name)
    if not entry or not entry["latest"]:
        return None
    published = entry["versions"]
    if published:
        if not function.code_or_config_updated:  # nothing changed since the last version: Lambda publishes none
            return published[-1]
        function.code_or_config_updated = False
    last = max([entry.get(LAST_VERSION_KEY, 0), *(int(v.version) for v in published)])
    entry[LAST_VERSION_KEY] = last + 1
    fn = copy.copy(entry["latest"])
    fn.set_version(last + 1)
    if description:
        fn.description = description
    published.append(fn)
    self._arns[fn.function_arn] = fn
    return fn


def _function_init(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
    _originals["__init__"](self, account_id, spec, *args, **kwargs)
    self.zappa_kept_config = {}
    _keep(self, spec)


def _update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
    result = _originals["update_configuration"](self, config_updates)
    if any(key in config_updates for key in KEPT_CONFIG):
        self.zappa_kept_config = dict(getattr(self, "zappa_kept_config", {}))  # versions keep their own copy
        _keep(self, config_updates)
        return self.get_configuration()
    return result


def _keep(fn: Any, values: dict[str, Any]) -> None:
    """Note each kept key's value, ``None`` when it was removed (an empty value removes it, as on Lambda)."""
    kept = fn.zappa_kept_config
    for key in KEPT_CONFIG:
        if key not in values:
            continue
        value = values[key]
        empty = (not value or (key == "DeadLetterConfig" and not value.get("TargetArn"))
                 or (key == "SnapStart" and value.get("ApplyOn", "None") == "None"))
        kept[key] = None if empty else copy.deepcopy(value)


def _get_configuration(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    config = _originals["get_configuration"](self, *args, **kwargs)
    for key, value in getattr(self, "zappa_kept_config", {}).items():
        if key == "SnapStart":
            on = value is not None and str(self.version) != "$LATEST"
            config[key] = {"ApplyOn": value.get("ApplyOn") if value else "None", "OptimizationStatus": "On" if on else "Off"}
        elif value is None:
            config.pop(key, None)
        else:
            config[key] = copy.deepcopy(value)
    return config


def weighted_version(fn: Any, invoked_arn: str | None, *, pick: Any = random.random) -> Any:
    """The version that runs an invocation of ``invoked_arn``: for an alias with additional version weights,
    another version with its weight's probability, else ``fn`` (the alias's own version)."""
    if not invoked_arn or invoked_arn.count(":") < 7:
        return fn
    qualifier = invoked_arn.split(":")[7]
    if qualifier.isdigit() or qualifier == "$LATEST":
        return fn
    from moto.awslambda.models import get_backend

    backend = get_backend(fn.account_id, fn.region)
    try:
        alias = backend.get_alias(qualifier, fn.function_name)
    except Exception:  # noqa: BLE001 - not an alias after all: the function as resolved
        return fn
    weights = ((alias.routing_config or {}).get("AdditionalVersionWeights") or {}) if isinstance(alias.routing_config, dict) else {}
    draw = pick()
    for version, weight in sorted(weights.items()):
        draw -= float(weight)
        if draw < 0:
            try:
                return backend.get_function(fn.function_name, str(version))
            except Exception:  # noqa: BLE001 - a weighted version deleted meanwhile: the primary runs
                return fn
    return fn
