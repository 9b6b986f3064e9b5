"""Rules between the core's settings, and values that AWS would refuse (``zappa_validate_settings``).

The rules Zappa 0.63 enforces when it loads a stage are here too (``ephemeral_storage`` needs ``Size``,
EFS mounts under ``/mnt/``, ``additional_text_mimetypes`` needs ``binary_support``, the project name is a
valid function name), so a file fails here where it fails in Zappa, before anything runs.
"""

from __future__ import annotations

import re
from typing import Any

from zappa_core.records import SettingsProblem
from zappa_core.settings.aws_names import bucket_problem, lambda_name_problem, region_problem
from zappa_core.settings.messages import show

EFS_MOUNT_ROOT = "/mnt/"
LAMBDA_VARIABLE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")  # what Lambda takes in a function's configuration


def core_problems(settings: Any) -> list[SettingsProblem]:
    problems = (_function_problems(settings) + _vpc_problems(settings) + _efs_problems(settings)
                + _name_problems(settings))
    for key in settings.environment_variables:
        if not key.isascii():
            problems.append(SettingsProblem(f"environment variable names must be ASCII: {key!r}",
                                            key="environment_variables", path=(key,)))
    for key in settings.aws_environment_variables:
        if not LAMBDA_VARIABLE.match(key):
            problems.append(SettingsProblem(
                "Lambda takes only names of letters, digits and '_' that begin with a letter (2 characters or more); "
                "a variable under 'environment_variables' may have this name (the runtime sets it)",
                key="aws_environment_variables", path=(key,)))
    handler = settings.lambda_handler
    if "." not in handler.strip(".") or handler.endswith("."):
        problems.append(SettingsProblem(
            f"{show(handler)} is not a handler Lambda's Python runtime can load: write 'module.function' (it imports "
            f"the module and calls the function), such as '{handler.strip('.') or 'handler'}.lambda_handler'",
            key="lambda_handler"))
    if not settings.manage_roles and not (settings.role_name or settings.role_arn):
        problems.append(SettingsProblem("'manage_roles: false' needs 'role_name' or 'role_arn'", key="manage_roles"))
    if settings.additional_text_mimetypes and not settings.binary_support:
        problems.append(SettingsProblem("'additional_text_mimetypes' needs 'binary_support' (as in Zappa): without "
                                        "it every response is text already", key="additional_text_mimetypes"))
    return problems


def _function_problems(settings: Any) -> list[SettingsProblem]:
    problems = []
    storage = settings.ephemeral_storage
    if "Size" not in storage:
        problems.append(SettingsProblem("needs 'Size' (MB of /tmp, 512 to 10240), as in {\"Size\": 1024}",
                                        key="ephemeral_storage"))
    elif not 512 <= storage["Size"] <= 10240:
        problems.append(SettingsProblem(f"ephemeral storage Size must be 512 to 10240 MB, not {storage['Size']}",
                                        key="ephemeral_storage", path=("Size",)))
    provisioned, reserved = settings.provisioned_concurrency, settings.lambda_concurrency
    if provisioned and reserved is not None and provisioned > reserved:  # Lambda refuses it
        problems.append(SettingsProblem(f"{provisioned} is more than the function's reserved concurrency "
                                        f"(lambda_concurrency: {reserved})", key="provisioned_concurrency"))
    if provisioned and settings.snap_start == "PublishedVersions":
        problems.append(SettingsProblem("'snap_start' and 'provisioned_concurrency' cannot both be on: Lambda does "
                                        "not run SnapStart with provisioned concurrency", key="provisioned_concurrency"))
    return problems


VPC_KEYS = {"SubnetIds": list, "SecurityGroupIds": list, "Ipv6AllowedForDualStack": bool}
VPC_EXAMPLES = {"SubnetIds": '["subnet-0abc", "subnet-0def"]', "SecurityGroupIds": '["sg-0abc"]'}


def _vpc_problems(settings: Any) -> list[SettingsProblem]:
    """``vpc_config`` is Lambda's ``VpcConfig``: Lambda refuses other keys and ids that are not lists."""
    problems = []
    for key, value in settings.vpc_config.items():
        kind = VPC_KEYS.get(key)
        if kind is None:
            close = [k for k in VPC_KEYS if k.lower().startswith(key.lower().rstrip("s")[:6])]
            hint = f"did you mean '{close[0]}'?" if close else "expected one of: " + ", ".join(VPC_KEYS)
            problems.append(SettingsProblem(f"unknown key; {hint}", key="vpc_config", path=(key,)))
        elif kind is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(SettingsProblem(f"must be a list of ids, such as {VPC_EXAMPLES[key]}, not {show(value)}",
                                            key="vpc_config", path=(key,)))
        elif kind is bool and not isinstance(value, bool):
            problems.append(SettingsProblem(f"must be true or false, not {show(value)}", key="vpc_config", path=(key,)))
    return problems


def _efs_problems(settings: Any) -> list[SettingsProblem]:
    efs = settings.efs_config
    if not efs:
        return []
    problems = []
    if not settings.vpc_config:
        problems.append(SettingsProblem("'efs_config' needs 'vpc_config'", key="efs_config"))
    entries = [efs] if isinstance(efs, dict) or efs is True else efs if isinstance(efs, list) else None
    if entries is None:
        return [*problems, SettingsProblem("must be true, a mapping or a list of mappings", key="efs_config")]
    mounts: set[str] = set()
    for index, entry in enumerate(entries):
        path = (index,) if isinstance(efs, list) else ()
        if entry is not True and not isinstance(entry, dict):
            problems.append(SettingsProblem("must be a mapping with 'Arn' and 'LocalMountPath', not "
                                            f"{show(entry)}", key="efs_config", path=path))
            continue
        if entry is True or not (entry.get("Arn") or entry.get("arn")):
            problems.append(SettingsProblem(
                "a file system that zappa would create (an entry without 'Arn', or true) is not supported yet: "
                "create the EFS access point and give its 'Arn' (and 'LocalMountPath')", key="efs_config", path=path))
        if entry is True:
            continue
        mount = entry.get("LocalMountPath", entry.get("mount_point", entry.get("local_mount_path", "/mnt/efs")))
        if not isinstance(mount, str) or not mount.startswith(EFS_MOUNT_ROOT):
            problems.append(SettingsProblem(f"LocalMountPath must start with '{EFS_MOUNT_ROOT}' (Lambda's rule), "
                                            f"not {show(mount)}", key="efs_config", path=path))
        elif mount in mounts:
            problems.append(SettingsProblem(f"LocalMountPath {show(mount)} is used twice", key="efs_config", path=path))
        else:
            mounts.add(mount)
    return problems


def _name_problems(settings: Any) -> list[SettingsProblem]:
    problems = []
    if settings.aws_region:
        found = region_problem(settings.aws_region)
        if found:
            problems.append(SettingsProblem(found, key="aws_region"))
    if settings.s3_bucket:
        found = bucket_problem(settings.s3_bucket)
        if found:
            problems.append(SettingsProblem(found, key="s3_bucket"))
    project_name = settings.section("core").project_name
    if project_name is not None:
        found = lambda_name_problem(project_name)
        if found:
            problems.append(SettingsProblem(found, key="project_name"))
    return problems
