"""The REST API (v1) of a stage: :class:`~zappa_aws_apigw.rest.step.RestApiStep` and the parts it is made of
(the desired and live models, the CloudFormation stack, the convergence pass, keys and Lambda permissions)."""

from zappa_aws_apigw.rest.step import RestApiStep

__all__ = ["RestApiStep"]
