"""``certificate_arn``: the certificate must exist, be ISSUED, cover the domain, and live in the region the
front door needs (us-east-1 for an edge-optimized API). Against in-process moto."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from zappa_certs.acm import certificate_region, front_door
from zappa_certs.pem import CertificateError

pytestmark = pytest.mark.needs_plugins


def _imported(moto_aws, pki, region="us-east-1", domain="shop.example.com", **kwargs) -> str:
    leaf = pki.leaf(domain, **kwargs)
    return moto_aws.client("acm", region=region).import_certificate(
        Certificate=leaf.cert_pem, PrivateKey=leaf.key_pem, CertificateChain=pki.intermediate.cert_pem)["CertificateArn"]


def test_an_issued_certificate_in_us_east_1_is_used_for_an_edge_api(moto_aws, pki, stage, certify_ctx, get_provider):
    arn = _imported(moto_aws, pki)
    settings = stage(domain="shop.example.com", certificate_arn=arn)
    assert front_door(settings) == "edge"
    ctx = certify_ctx(settings)
    assert get_provider("acm").obtain(ctx) == arn
    assert "valid until" in ctx.lines[0]


def test_a_certificate_outside_us_east_1_is_refused_for_an_edge_domain(moto_aws, pki, stage, certify_ctx, get_provider):
    arn = _imported(moto_aws, pki, region="eu-west-1")
    settings = stage(domain="shop.example.com", certificate_arn=arn)
    with pytest.raises(CertificateError, match="in eu-west-1, but the stage's API is edge-optimized") as info:
        get_provider("acm").obtain(certify_ctx(settings))
    assert "us-east-1" in info.value.hint and "REGIONAL" in info.value.hint


def test_a_regional_api_takes_a_certificate_of_its_own_region(moto_aws, pki, stage, certify_ctx, get_provider):
    arn = _imported(moto_aws, pki, region="eu-west-1")
    settings = stage(domain="shop.example.com", certificate_arn=arn, aws_region="eu-west-1",
                     endpoint_configuration=["REGIONAL"])
    assert certificate_region(settings, certify_ctx(settings).aws) == "eu-west-1"
    assert get_provider("acm").obtain(certify_ctx(settings)) == arn
    wrong = stage(domain="shop.example.com", certificate_arn=_imported(moto_aws, pki), aws_region="eu-west-1",
                  apigateway_version="v2")
    with pytest.raises(CertificateError, match="is in us-east-1, but the stage's regional API is in eu-west-1"):
        get_provider("acm").obtain(certify_ctx(wrong))


def test_a_certificate_pending_validation_is_refused(moto_aws, stage, certify_ctx, get_provider):
    arn = moto_aws.client("acm").request_certificate(DomainName="shop.example.com")["CertificateArn"]
    settings = stage(domain="shop.example.com", certificate_arn=arn)
    with pytest.raises(CertificateError, match="is PENDING_VALIDATION, not ISSUED") as info:
        get_provider("acm").obtain(certify_ctx(settings))
    assert "validation" in info.value.hint


def test_a_missing_certificate_is_refused(moto_aws, stage, certify_ctx, get_provider):
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    with pytest.raises(CertificateError, match="does not exist in ACM"):
        get_provider("acm").obtain(certify_ctx(stage(domain="shop.example.com", certificate_arn=arn)))


def test_a_certificate_for_another_domain_is_refused(moto_aws, pki, stage, certify_ctx, get_provider):
    arn = _imported(moto_aws, pki, domain="blog.example.com")
    with pytest.raises(CertificateError, match=re.escape("is for blog.example.com, not for 'shop.example.com'")):
        get_provider("acm").obtain(certify_ctx(stage(domain="shop.example.com", certificate_arn=arn)))


def test_an_imported_certificate_close_to_expiry_is_flagged(moto_aws, pki, stage, certify_ctx, get_provider):
    arn = _imported(moto_aws, pki, not_before=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=80), days=90)
    ctx = certify_ctx(stage(domain="shop.example.com", certificate_arn=arn))
    assert get_provider("acm").obtain(ctx) == arn
    assert "Warning" in ctx.lines[0] and "re-import a renewed certificate" in ctx.lines[0]


def test_the_load_balancer_takes_a_certificate_of_its_own_region(moto_aws, pki, stage, certify_ctx, get_provider):
    arn = _imported(moto_aws, pki, region="us-east-1")
    settings = stage(domain="shop.example.com", certificate_arn=arn, aws_region="eu-west-1", apigateway_enabled=False,
                     alb_enabled=True, alb_vpc_config={"SubnetIds": ["subnet-1", "subnet-2"]})
    assert front_door(settings) == "alb"
    with pytest.raises(CertificateError, match="stage's load balancer is in eu-west-1"):
        get_provider("acm").obtain(certify_ctx(settings))
