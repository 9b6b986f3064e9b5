"""``core:function``: the Lambda function: code, configuration, tags, a published version when (and only
when) code or configuration changed, the managed alias ``current``, old versions pruned
(``num_retained_versions``), reserved and provisioned concurrency."""

from __future__ import annotations

from dataclasses import replace

from zappa_core.arns import function_arn
from zappa_core.awserrors import error_code, is_not_found
from zappa_core.errors import AwsError
from zappa_core.plan import Action, Change, DeployContext, FunctionOutputs, ResourceStep
from zappa_core.resources import environment
from zappa_core.resources.archive import stale_keys
from zappa_core.resources.code import delete_objects, remote_function
from zappa_core.resources.function_change import FunctionCreate, FunctionDelete, FunctionUpdate, SetConcurrency
from zappa_core.resources.function_config import (
    current_values,
    describe_diff,
    desired_values,
    diff_values,
    efs_configs,
    show_value,
    to_params,
)
from zappa_core.resources.image import code_argument, code_update, image_of, image_uri
from zappa_core.resources.layer import function_layers, prune_layers
from zappa_core.resources.util import (
    ALIAS,
    INCOMPLETE_TAG,
    b64_to_hex,
    code_prefix,
    hex_to_b64,
    short,
    wait_function_ready,
)
from zappa_core.resources.versions import (
    get_alias,
    get_provisioned_concurrency,
    list_versions,
    point_alias,
    published,
)
from zappa_core.retry import retry

# On the function while zappa manages provisioned concurrency on its alias (so removing the setting removes it).
PROVISIONED_TAG = "ZappaProvisionedConcurrency"

def function_tags(ctx: DeployContext) -> dict[str, str]:
    """The stage's tags, and the mark of provisioned concurrency that zappa manages."""
    tags = ctx.tags()
    if ctx.settings.provisioned_concurrency:
        tags[PROVISIONED_TAG] = "true"
    tags.update(environment.names_tags(ctx.settings))
    return tags


class FunctionStep(ResourceStep):
    id = "core:function"
    depends_on = ("core:role", "core:code", "core:log-group", "core:dependencies-layer")

    # -- IAM ----------------------------------------------------------------------------------------------

    def iam_statements(self, ctx: DeployContext) -> list[dict]:
        s = ctx.settings
        statements: list[dict] = []
        if s.xray_tracing:
            statements.append({"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"})
        if s.vpc_config and s.vpc_config.get("SubnetIds"):
            statements.append({"Effect": "Allow", "Action": [
                "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"], "Resource": "*"})
        if s.dead_letter_arn:
            action = "sns:Publish" if ":sns:" in s.dead_letter_arn else "sqs:SendMessage"
            statements.append({"Effect": "Allow", "Action": [action], "Resource": s.dead_letter_arn})
        if s.aws_kms_key_arn:
            statements.append({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": s.aws_kms_key_arn})
        efs = efs_configs(s)
        if efs:
            statements.append({"Effect": "Allow", "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                               "Resource": [c["Arn"] for c in efs]})
        return statements

    # -- plan ---------------------------------------------------------------------------------------------

    def _code_source(self, ctx: DeployContext) -> tuple[str | None, str | None, str | None]:
        """(bucket, key, sha256 hex) of the package to deploy; key None when no code is to be deployed."""
        code = ctx.outputs.get("core:code") or {}
        return code.get("bucket"), code.get("s3_key"), code.get("sha256")

    def plan(self, ctx: DeployContext) -> Change:
        s = ctx.settings
        name = ctx.function_name
        arn = function_arn(ctx.region, ctx.account_id, name)
        outputs = FunctionOutputs(function_name=name, function_arn=arn, alias=ALIAS, qualified_arn=f"{arn}:{ALIAS}")
        bucket, key, sha = self._code_source(ctx)
        remote = remote_function(ctx)
        if remote is None:
            details = [f"runtime {s.runtime}, {s.memory_size} MB, timeout {s.timeout_seconds}s, {s.architecture}",
                       f"handler {s.lambda_handler}", f"code s3://{bucket}/{key}" if key else "code: (none)",
                       f"alias {ALIAS} -> first version"]
            if image_uri(ctx):
                details[:3] = [f"container image {image_uri(ctx)}, {s.memory_size} MB, timeout {s.timeout_seconds}s, "
                               f"{s.architecture}"]
            if s.lambda_concurrency is not None:
                details.append(f"lambda_concurrency: {s.lambda_concurrency}")
            if s.provisioned_concurrency:
                details.append(f"provisioned_concurrency: {s.provisioned_concurrency}")
            return Change(self.id, Action.CREATE, f"Lambda function {name}", details, data=FunctionCreate(),
                          outputs=replace(outputs, incomplete=True).as_outputs())
        conf = remote["Configuration"]
        arn = conf.get("FunctionArn", arn).split(":" + ALIAS)[0]
        outputs = replace(outputs, function_arn=arn, qualified_arn=f"{arn}:{ALIAS}")
        current = current_values(conf)
        tags = remote.get("Tags") or {}
        data = FunctionUpdate(arn=arn, desired=desired_values(ctx, current["Environment"], tags),
                              ready=conf.get("State", "Active") == "Active" and conf.get("LastUpdateStatus", "Successful") == "Successful")
        desired = data.desired
        details: list[str] = []
        # code
        s3_zip = ctx.options.get("s3_zip")
        latest_sha = conf.get("CodeSha256")
        same_arch = (conf.get("Architectures") or ["x86_64"])[0] == s.architecture
        update_code = False
        if s3_zip:
            update_code = True
            details.append(f"code: from s3://{bucket}/{key}")
        elif image_uri(ctx):
            update_code = image_of(remote) != image_uri(ctx) or not same_arch
            if update_code:
                details.append(f"image: {image_of(remote)} -> {image_uri(ctx)}")
        elif key and sha and (latest_sha != hex_to_b64(sha) or not same_arch):
            update_code = True
            details.append(f"code: {short(b64_to_hex(latest_sha))} -> {short(sha)}")
            if not same_arch:
                details.append(f"architecture: {(conf.get('Architectures') or ['x86_64'])[0]} -> {s.architecture}")
        data.code = update_code
        target_sha = hex_to_b64(sha) if (update_code and sha) else (None if s3_zip else latest_sha)
        # configuration
        config_keys = data.config_keys = diff_values(current, desired)
        details.extend(describe_diff(current, desired, config_keys))
        # the live version (alias): converges after a failure between an update and its publish
        alias = get_alias(ctx)
        data.alias_exists = alias is not None
        publish = update_code or bool(config_keys)
        if alias is None:
            publish = True
            details.append(f"alias {ALIAS}: missing -> new version")
        else:
            outputs = replace(outputs, version=alias.get("FunctionVersion"))
            if not publish:
                version = alias.get("FunctionVersion")
                if version == "$LATEST":
                    publish = True
                    details.append(f"alias {ALIAS}: $LATEST -> a published version")
                else:
                    vconf = ctx.aws.client("lambda").get_function_configuration(FunctionName=name, Qualifier=version)
                    drift = diff_values(current_values(vconf), desired)
                    if drift or (target_sha and vconf.get("CodeSha256") != target_sha):
                        publish = True
                        details.append(f"alias {ALIAS}: version {version} differs from the settings -> new version")
        data.publish = publish
        if publish and (update_code or config_keys):
            details.append("publish a new version" + (f", then {s.deployment.strategy} rollout through alias {ALIAS}"
                                                      if s.deployment.gradual and alias is not None else ""))
        # tags
        wanted_tags = function_tags(ctx)
        want_tags = data.tags = {k: v for k, v in wanted_tags.items() if tags.get(k) != v}
        data.untag = sorted(k for k in tags if environment.is_names_tag(k) and k not in wanted_tags)
        if want_tags:
            details.append("tags: " + ", ".join(f"{k}={v}" for k, v in sorted(want_tags.items())))
        if data.untag:
            details.append("tags: remove " + ", ".join(data.untag))
        if INCOMPLETE_TAG in tags:
            outputs = replace(outputs, incomplete=True)
        # concurrency
        reserved = (remote.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
        if s.lambda_concurrency != reserved:
            data.reserved = SetConcurrency(s.lambda_concurrency)  # None: remove it
            details.append(f"lambda_concurrency: {show_value(reserved)} -> {show_value(s.lambda_concurrency)}")
        # provisioned concurrency: read when the settings want it or zappa put it (its tag says so), so that
        # removing the setting removes it; one configured by hand, the setting never used, is left alone
        wanted_pc = s.provisioned_concurrency or None
        data.provisioned_tagged = PROVISIONED_TAG in tags
        current_pc = None
        if alias is not None and (wanted_pc or data.provisioned_tagged):
            current_pc = get_provisioned_concurrency(ctx)
        if current_pc != wanted_pc:
            data.provisioned = SetConcurrency(wanted_pc)
            details.append(f"provisioned_concurrency: {show_value(current_pc)} -> {show_value(wanted_pc)}")
        elif data.provisioned_tagged and not wanted_pc:  # removed by hand as well: only the mark is left
            data.provisioned = SetConcurrency(None)
            details.append(f"tags: remove {PROVISIONED_TAG}")
        doomed, stale = self.prune_plan(ctx, extra_sha=sha if key else None)
        data.prune = bool(doomed or stale)
        if doomed:
            details.append(f"num_retained_versions: delete version(s) {', '.join(doomed)}")
        if stale:
            details.append(f"delete_s3_zip: delete {len(stale)} S3 object(s) (packages, project archives) no retained version runs")
        if not data.ready:
            details.append("waiting for a previous update to finish")
        if not data.changes_something:
            return Change(self.id, Action.UNCHANGED, f"Lambda function {name}",
                          [f"version {outputs.version} (alias {ALIAS})"], data=data, outputs=outputs.as_outputs())
        return Change(self.id, Action.UPDATE, f"Lambda function {name}", details, data=data,
                      outputs=outputs.as_outputs())

    # -- apply --------------------------------------------------------------------------------------------

    def apply(self, ctx: DeployContext, change: Change) -> None:
        if isinstance(change.data, FunctionCreate):
            self._create(ctx)
        else:
            self._update(ctx, change.data, FunctionOutputs.from_outputs(change.outputs))

    def _create(self, ctx: DeployContext) -> None:
        s = ctx.settings
        lam = ctx.aws.client("lambda")
        bucket, key, _sha = self._code_source(ctx)
        if not key and not image_uri(ctx):
            raise AwsError(f"step 'core:function': cannot create {ctx.function_name} without uploading its code",
                           hint="run without --no-upload")
        desired = desired_values(ctx, {})
        keys = ["Role", "Handler", "Runtime", "Description", "Timeout", "MemorySize", "EphemeralStorage", "TracingConfig"]
        keys = [k for k in keys if k in desired]
        if desired.get("Layers"):
            keys.append("Layers")
        if desired["VpcConfig"][0]:
            keys.append("VpcConfig")
        if desired["DeadLetterConfig"]:
            keys.append("DeadLetterConfig")
        if desired["KMSKeyArn"]:
            keys.append("KMSKeyArn")
        if desired["Environment"]:
            keys.append("Environment")
        if desired.get("SnapStart", "None") != "None":
            keys.append("SnapStart")
        if desired["FileSystemConfigs"]:
            keys.append("FileSystemConfigs")
        params = to_params(desired, keys)
        tags = dict(function_tags(ctx), **{INCOMPLETE_TAG: "true"})

        def create() -> dict:
            return lam.create_function(FunctionName=ctx.function_name, **code_argument(ctx, bucket, key),
                                       Publish=True, Architectures=[s.architecture], Tags=tags, **params)

        # A new role takes a few seconds before Lambda may assume it: retried with backoff.
        created = retry(create, attempts=6, base=1.0, cap=5.0,
                        when=lambda e: error_code(e) == "InvalidParameterValueException" and "assume" in str(e))
        arn = created["FunctionArn"]
        wait_function_ready(ctx, ctx.function_name)
        version = created.get("Version")
        if not version or version == "$LATEST":
            version = lam.publish_version(FunctionName=ctx.function_name)["Version"]
        point_alias(ctx, version, exists=False)
        ctx.publish_function(FunctionOutputs(function_name=ctx.function_name, function_arn=arn, version=version,
                                             alias=ALIAS, qualified_arn=f"{arn}:{ALIAS}", incomplete=True))
        self._concurrency(ctx, SetConcurrency(s.lambda_concurrency) if s.lambda_concurrency is not None else None,
                          SetConcurrency(s.provisioned_concurrency) if s.provisioned_concurrency else None)

    def _update(self, ctx: DeployContext, data: FunctionUpdate, function: FunctionOutputs) -> None:
        """Apply ``data``; ``function`` is what the plan published, completed here with the new version."""
        s = ctx.settings
        lam = ctx.aws.client("lambda")
        name = ctx.function_name
        arn = data.arn
        if not data.ready:
            wait_function_ready(ctx, name)
        if data.code:
            bucket, key, _sha = self._code_source(ctx)
            lam.update_function_code(FunctionName=name, **code_update(ctx, bucket, key), Architectures=[s.architecture],
                                     Publish=False)
            wait_function_ready(ctx, name)
        if "Layers" in data.config_keys:
            data.desired["Layers"] = function_layers(ctx)  # a layer version published since the plan
        if data.config_keys:
            lam.update_function_configuration(FunctionName=name, **to_params(data.desired, data.config_keys))
            wait_function_ready(ctx, name)
        if data.tags:
            lam.tag_resource(Resource=arn, Tags=data.tags)
        if data.untag:
            lam.untag_resource(Resource=arn, TagKeys=data.untag)
        ctx.publish_function(function)
        if data.publish:
            version = lam.publish_version(FunctionName=name)["Version"]
            live = function.version
            if ctx.settings.deployment.gradual and data.alias_exists and live not in (None, "$LATEST", version):
                # the alias stays; the rollout moves it
                ctx.publish_function(replace(function, rollout_from=live, rollout_to=version))
            else:
                point_alias(ctx, version, exists=data.alias_exists)
                ctx.publish_function(replace(function, version=version))
        self._concurrency(ctx, data.reserved, data.provisioned, tagged_arn=arn if data.provisioned_tagged else None)
        if data.publish or data.prune:
            self.prune(ctx)

    def _concurrency(self, ctx: DeployContext, reserved: SetConcurrency | None, provisioned: SetConcurrency | None,
                     tagged_arn: str | None = None) -> None:
        """``tagged_arn``: the function's ARN when it carries ``PROVISIONED_TAG`` (removed with the configuration)."""
        lam = ctx.aws.client("lambda")
        name = ctx.function_name
        if reserved is not None:
            if reserved.value is not None:
                lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved.value)
            else:
                try:
                    lam.delete_function_concurrency(FunctionName=name)
                except Exception as exc:
                    if not is_not_found(exc):
                        raise
        if provisioned is not None:
            if provisioned.value is not None:
                lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=ALIAS,
                                                       ProvisionedConcurrentExecutions=provisioned.value)
            else:
                try:
                    lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=ALIAS)
                except Exception as exc:
                    if not is_not_found(exc):
                        raise
                if tagged_arn:
                    lam.untag_resource(Resource=tagged_arn, TagKeys=[PROVISIONED_TAG])

    def prune_plan(self, ctx: DeployContext, extra_sha: str | None = None) -> tuple[list[str], list[str]]:
        """(versions, S3 keys) to delete: published versions beyond ``num_retained_versions`` (never the live
        one) and, with ``delete_s3_zip``, the zips that no remaining version runs (rollback needs the others)
        and the project archives that no remaining zip loads."""
        s = ctx.settings
        versions = list_versions(ctx)
        alias = get_alias(ctx)
        live = alias.get("FunctionVersion") if alias else None
        numbered = published(versions)
        doomed: list[str] = []
        if s.num_retained_versions:
            doomed = [v["Version"] for v in numbered[:-s.num_retained_versions] if v["Version"] != live]
        stale: list[str] = []
        if s.delete_s3_zip and s.s3_bucket and not ctx.options.get("s3_zip"):
            used = {b64_to_hex(v.get("CodeSha256")) for v in versions if v.get("Version") not in doomed}
            if extra_sha:
                used.add(extra_sha)
            prefix = code_prefix(ctx.function_name)
            keys: list[str] = []
            try:
                for page in ctx.aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket=s.s3_bucket, Prefix=prefix):
                    keys.extend(obj["Key"] for obj in page.get("Contents", []) or [])
            except Exception as exc:
                if not is_not_found(exc):
                    raise
            stale = stale_keys(ctx, s.s3_bucket, prefix, keys, used)
        return doomed, stale

    def prune(self, ctx: DeployContext) -> None:
        doomed, stale = self.prune_plan(ctx)
        lam = ctx.aws.client("lambda")
        for version in doomed:
            try:
                lam.delete_function(FunctionName=ctx.function_name, Qualifier=version)
            except Exception as exc:
                if not is_not_found(exc):
                    raise
        if stale:
            delete_objects(ctx, ctx.settings.s3_bucket, stale)
        prune_layers(ctx, list_versions(ctx))

    # -- destroy ------------------------------------------------------------------------------------------

    def plan_destroy(self, ctx: DeployContext) -> Change:
        name = ctx.function_name
        remote = remote_function(ctx)
        if remote is None:
            return Change(self.id, Action.UNCHANGED, f"Lambda function {name}", ["does not exist"])
        versions = published(list_versions(ctx))
        return Change(self.id, Action.DELETE, f"Lambda function {name}",
                      [f"{len(versions)} published version(s), alias {ALIAS}"], data=FunctionDelete(name))

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        try:
            ctx.aws.client("lambda").delete_function(FunctionName=change.data.name)
        except Exception as exc:
            if not is_not_found(exc):
                raise
