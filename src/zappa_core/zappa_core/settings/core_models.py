"""Settings owned by the core: the Lambda function, IAM, packaging, environment, callbacks, AWS access.

Every key of Zappa's README that belongs here, with Zappa's default. The field description is the
settings reference (``docs/settings.md`` is generated from it).
"""

from __future__ import annotations

import datetime
import sys
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from zappa_core.rollout.settings import DeploymentSettings


def default_runtime() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _environment_text(value: Any) -> Any:
    """Environment variables hold text: a YAML ``true`` or a number is refused with the quoted form."""
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime.date, datetime.time)):  # YAML and TOML read unquoted dates and times
        raise ValueError(f"{value.isoformat()} is read as a {type(value).__name__}, not a string; environment variables "
                         "hold text, so quote the value as you wrote it")
    if value is None:  # ``NAME:`` with nothing after it (or only a comment) in YAML
        raise ValueError("has no value (null); environment variables hold text: write it in quotes, \"\" for an "
                         "empty one")
    if isinstance(value, (bool, int, float)):
        written = str(value).lower() if isinstance(value, bool) else str(value)
        raise ValueError(f"{written} is not a string; environment variables hold text, so quote it: \"{written}\"")
    raise ValueError(f"a {type(value).__name__} is not a string; environment variables hold text only")


# Every name Python's logging accepts, in any case (``warn``, ``FATAL``).
LogLevel = Annotated[Literal["CRITICAL", "FATAL", "ERROR", "WARNING", "WARN", "INFO", "DEBUG", "NOTSET"],
                     BeforeValidator(_upper)]
EnvironmentValue = Annotated[str, BeforeValidator(_environment_text)]


class Strict(BaseModel):
    """Base of every settings section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_default=False)


class CoreSettings(Strict):
    # -- project and application ------------------------------------------------------------------------
    project_name: str | None = Field(None, description="Project name; the Lambda is named `<project_name>-<stage>`. Default: the project folder's name.")
    app_function: str | None = Field(None, description="The WSGI/ASGI app (`module.app`) or, for a function-only project, left out.")
    app_type: Literal["wsgi", "asgi"] | None = Field(None, description="Force `asgi` or `wsgi`; by default ASGI apps are detected.")
    django_settings: str | None = Field(None, description="Dotted path of the Django settings module (instead of `app_function`).")
    extends: str | None = Field(None, description="Name of a stage whose settings this stage inherits and overrides.")
    # -- AWS access --------------------------------------------------------------------------------------
    aws_region: str | None = Field(None, description="AWS region. Default: the region of the AWS profile/environment.")
    profile_name: str | None = Field(None, description="AWS credentials profile.")
    aws_endpoint_urls: dict[str, str] = Field(default_factory=dict, description="Endpoint URL per boto3 service name (`lambda`, `s3`, `apigatewayv2`, ...), honoured by every client.")
    s3_bucket: str | None = Field(None, description="Bucket for code uploads; created (encrypted, public access blocked) when missing. Default: `zappa-<random>` written back by `init`.")
    # -- Lambda function ---------------------------------------------------------------------------------
    runtime: str = Field(default_factory=default_runtime, description="Lambda runtime, `python3.9` .. `python3.14`. Default: the current interpreter's version.")
    architecture: Literal["x86_64", "arm64"] = Field("x86_64", description="Lambda instruction set; also selects the manylinux wheels.")
    memory_size: int = Field(512, ge=128, le=10240, description="Memory in MB.")
    ephemeral_storage: dict[str, int] = Field(default_factory=lambda: {"Size": 512}, description="`{\"Size\": MB}` of /tmp, 512 to 10240.")
    timeout_seconds: int = Field(30, ge=1, le=900, description="Maximum run time of one invocation.")
    lambda_handler: str = Field("handler.lambda_handler", description="The Lambda entry point inside the package.")
    lambda_description: str = Field("Zappa Deployment", description="Description of the Lambda function.")
    lambda_concurrency: int | None = Field(None, ge=0, description="Reserved concurrency.")
    provisioned_concurrency: int | None = Field(None, ge=0, description="Provisioned concurrency on the managed alias `current`, at most `lambda_concurrency` when that is set. Removing the setting (or 0) removes what zappa provisioned; a configuration made by hand is left alone.")
    snap_start: Literal["None", "PublishedVersions"] | None = Field("None", validation_alias=AliasChoices("snap_start", "snapstart"), description="`PublishedVersions` enables Lambda SnapStart; `None` (the string, as in Zappa) leaves it off. Also read as `snapstart`.")
    num_retained_versions: int | None = Field(5, ge=1, description="Versions kept after an update; older ones are deleted. `null` keeps all.")
    layers: list[str] | None = Field(None, description="Lambda layer ARNs to attach.")
    vpc_config: dict[str, Any] = Field(default_factory=dict, description="`{\"SubnetIds\": [...], \"SecurityGroupIds\": [...]}`.")
    efs_config: Any = Field(None, description="EFS mount(s); requires `vpc_config`.")
    dead_letter_arn: str = Field("", description="SNS topic or SQS queue ARN for failed asynchronous invocations.")
    aws_kms_key_arn: str = Field("", description="KMS key for the function's environment variables.")
    xray_tracing: bool = Field(False, description="Enable AWS X-Ray active tracing.")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags on the function and the resources the stage creates.")
    # -- environment -------------------------------------------------------------------------------------
    environment_variables: dict[str, EnvironmentValue] = Field(default_factory=dict, description="Variables of the function (set in its configuration, never written into the package); they win over aws_environment_variables and remote_env.")
    aws_environment_variables: dict[str, EnvironmentValue] = Field(default_factory=dict, description="Real Lambda environment variables; values set outside zappa are kept unless overwritten.")
    remote_env: str | None = Field(None, description="`s3://bucket/key.json` of variables loaded at cold start.")
    remote_env_bucket: str | None = Field(None, description="Deprecated: use `remote_env`.")
    remote_env_file: str | None = Field(None, description="Deprecated: use `remote_env`.")
    settings_file: str | None = Field(None, description="A Python settings file imported at cold start.")
    debug: bool = Field(True, description="With `log_level: DEBUG`, log every event that is not an HTTP request. Tracebacks of failed requests always go to the logs; see `expose_tracebacks`.")
    expose_tracebacks: bool = Field(False, description="Put the traceback of an exception that escapes the app into the body of its 500 response. Off by default: the client gets a generic message and the traceback goes to the logs (`zappa tail`). Zappa sent it whenever `debug` was on.")
    log_level: LogLevel = Field("DEBUG", description="Log level of the runtime and the root logger: a name Python's `logging` knows, in any case (`WARN`, `warning`, `FATAL`).")
    asgi_startup_timeout: float = Field(5.0, gt=0, le=900, description="Seconds an ASGI app's lifespan startup may take at cold start before the cold start fails (Lambda's whole init phase is 10 s).")
    exception_handler: str | None = Field(None, description="Dotted path of `f(exception, event, context)`; a truthy return swallows the exception.")
    binary_support: bool = Field(True, description="Return non-text responses base64-encoded (and, for REST APIs, `binaryMediaTypes` `*/*`).")
    additional_text_mimetypes: list[str] | None = Field(None, description="MIME types to treat as text although they are not `text/*`.")
    context_header_mappings: dict[str, str] = Field(default_factory=dict, description="Request headers filled from the request context, `{\"Header\": \"path.in.requestContext\"}`.")
    domain: str | None = Field(None, description="Custom domain of the stage (see `zappa certify`).")
    base_path: str | None = Field(None, description="Base path mapping of the custom domain; stripped into `SCRIPT_NAME`.")
    # -- IAM ---------------------------------------------------------------------------------------------
    manage_roles: bool = Field(True, description="Create and update the execution role. `false` uses `role_name`/`role_arn` as given.")
    role_name: str | None = Field(None, description="Execution role name. Default: `<function>-ZappaLambdaExecutionRole`.")
    role_arn: str | None = Field(None, description="Use this existing role instead of managing one.")
    assume_policy: str | None = Field(None, description="Path of a JSON trust policy for the role.")
    attach_policy: str | None = Field(None, description="Path of a JSON policy that replaces the generated least-privilege policy.")
    extra_permissions: list[dict[str, Any]] | None = Field(None, description="IAM statements added to the execution role's policy.")
    # -- packaging ---------------------------------------------------------------------------------------
    exclude: list[str] = Field(default_factory=list, description="Shell-style patterns of file and folder names to leave out.")
    exclude_glob: list[str] = Field(default_factory=list, description="Globs relative to the project folder (`**` allowed) to leave out.")
    include: list[str] = Field(default_factory=list, description="Files shipped even when excluded or secret-looking; shared libraries (`.so`) among them are loaded at cold start.")
    slim_handler: bool = Field(False, description="Upload the project as a tarball to S3, loaded at cold start, for packages over Lambda's limit.")
    use_precompiled_packages: bool = Field(True, description="Use manylinux wheels for compiled dependencies.")
    dependencies_layer: bool = Field(False, description="Put the dependencies in a Lambda layer, so an app-only change uploads kilobytes.")
    prebuild_script: str | None = Field(None, description="Dotted path of a function run before packaging.")
    delete_local_zip: bool = Field(True, description="Delete the local zip after uploading it.")
    delete_zip: bool | None = Field(None, description="Deprecated: use `delete_local_zip`.")
    delete_s3_zip: bool = Field(True, description="Delete the uploaded zip from S3 after the function is updated.")
    # -- lifecycle ---------------------------------------------------------------------------------------
    callbacks: dict[str, str] = Field(default_factory=dict, description="Dotted functions called with the CLI object at `settings`, `zip` and `post`.")
    touch: bool = Field(True, description="Request the public URL after deploy/update to warm the function; a 5xx fails the deploy.")
    touch_path: str = Field("/", description="Path requested by `touch`.")
    deployment: DeploymentSettings = Field(default_factory=DeploymentSettings, description="How `update` moves traffic to a new version: `{\"strategy\": \"canary\" | \"linear\" | \"all-at-once\", \"percent\": 10, \"interval\": \"5m\", \"alarms\": [...], \"max_error_rate\": 1}`; see [Gradual deploys](deployments.md).")
