"""zappa-ng-aws-apigw: API Gateway REST (v1) and HTTP (v2) APIs and function URLs.

Kept empty of imports: the runtime module of this package is bundled into Lambda packages.
"""
