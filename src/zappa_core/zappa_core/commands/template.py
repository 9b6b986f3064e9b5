"""``zappa template STAGE -l LAMBDA_ARN -r ROLE_ARN [--json] [--output FILE]``: the CloudFormation template of
the stage's front door, from the plugin that serves it (``zappa_cloudformation_template``)."""

from __future__ import annotations

import json
from pathlib import Path

from zappa_core.errors import UsageError


def template(ctx, *, lambda_arn: str, role_arn: str, output: str | None = None) -> int:
    for settings in ctx.stages():
        if not lambda_arn.startswith("arn:") or ":lambda:" not in lambda_arn:
            raise UsageError(f"--lambda-arn must be a Lambda function ARN, not {lambda_arn!r}")
        if not role_arn.startswith("arn:") or ":iam:" not in role_arn:
            raise UsageError(f"--role-arn must be an IAM role ARN, not {role_arn!r}")
        body = ctx.pm.hook.zappa_cloudformation_template(settings=settings, lambda_arn=lambda_arn, role_arn=role_arn)
        if body is None:
            raise UsageError(f"stage '{settings.stage}' has no front door that makes a CloudFormation template",
                             hint="install zappa-ng[apigw] and keep 'apigateway_enabled' on")
        text = json.dumps(body, indent=2) + "\n"
        if output:
            Path(output).write_text(text)
            ctx.echo(f"Template of stage '{settings.stage}' written to {output}")
        else:
            print(text, end="")
    return 0
