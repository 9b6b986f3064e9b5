"""The no-op update check's own SigV4 signing gives the signature AWS documents, and botocore's for the calls
the check makes."""

from __future__ import annotations

import calendar
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from zappa_core.sigv4 import signed_headers

EXAMPLE_KEYS = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def test_the_get_vanilla_case_of_the_aws_signature_v4_test_suite():
    headers = signed_headers("GET", "https://example.amazonaws.com/", "us-east-1", "service", *EXAMPLE_KEYS,
                             now=calendar.timegm((2015, 8, 30, 12, 36, 0)))
    assert headers["x-amz-date"] == "20150830T123600Z" and headers["host"] == "example.amazonaws.com"
    assert headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")


@pytest.mark.parametrize("url, token", [
    ("https://lambda.eu-west-3.amazonaws.com/2015-03-31/functions/shop-dev", None),
    ("https://lambda.eu-west-3.amazonaws.com/2015-03-31/functions/shop-dev/aliases/current", "FwoGZXIvYXdzEXAMPLE=="),
    ("http://127.0.0.1:4566/2015-03-31/functions/my_fn-2", None),
])
def test_the_signature_is_botocores(url, token):
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(*EXAMPLE_KEYS, token), "lambda", "eu-west-3").add_auth(request)
    when = calendar.timegm(time.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
    ours = signed_headers("GET", url, "eu-west-3", "lambda", *EXAMPLE_KEYS, token, now=when)
    assert ours["authorization"] == request.headers["Authorization"]
    assert ours.get("x-amz-security-token") == request.headers.get("X-Amz-Security-Token")
