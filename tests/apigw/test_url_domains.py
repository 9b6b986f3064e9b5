"""Function URL custom domains (``function_url_domains``): the CloudFront distribution's configuration, the
checks of ``function_url_cloudfront_config``, and the step against in-process moto.

moto gaps (see tests/moto_gaps.py): CloudFront's status goes InProgress -> Deployed on the next read, a
distribution is deleted whether it is disabled or not (the step always disables first, as AWS requires), and
ETags are not checked."""

from __future__ import annotations

import pytest
from zappa_core.plan import Action
from zappa_core.testing import run_step

pytestmark = pytest.mark.needs_plugins

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/"


@pytest.fixture(autouse=True)
def cloudfront_functions():
    """moto has no PublishFunction and drops function associations: the local AWS's work-around, here too."""
    from zappa_core.local import cloudfront_gaps

    cloudfront_gaps.install()
    yield
    cloudfront_gaps.uninstall()


def _url_settings(make_settings, **keys):
    return make_settings(function_url_enabled=True, apigateway_enabled=False, **keys)


def test_config_defaults_and_merge(make_settings):
    from zappa_aws_apigw.url_cloudfront import ALL_VIEWER_EXCEPT_HOST, CACHING_DISABLED, distribution_config

    settings = _url_settings(make_settings, function_url_domains=["app.example.com"], function_url_cloudfront_config={
        "PriceClass": "PriceClass_All", "DefaultCacheBehavior": {"CachePolicyId": "my-policy"},
        "ViewerCertificate": {"MinimumProtocolVersion": "TLSv1.2_2019"}})
    config = distribution_config(settings, "abc.lambda-url.us-east-1.on.aws", certificate=CERT + "x", aliases=["app.example.com"])
    [origin] = config["Origins"]["Items"]
    assert origin["DomainName"] == "abc.lambda-url.us-east-1.on.aws"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    behavior = config["DefaultCacheBehavior"]
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST  # a function URL refuses a foreign Host
    assert behavior["CachePolicyId"] == "my-policy" and behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["PriceClass"] == "PriceClass_All"
    assert config["Aliases"] == {"Quantity": 1, "Items": ["app.example.com"]}
    assert config["ViewerCertificate"] == {"ACMCertificateArn": CERT + "x", "SSLSupportMethod": "sni-only",
                                           "MinimumProtocolVersion": "TLSv1.2_2019"}
    plain = distribution_config(_url_settings(make_settings, function_url_domains=["app.example.com"]), "h", certificate=None,
                                aliases=["app.example.com"])
    assert plain["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_DISABLED
    assert plain["Aliases"] == {"Quantity": 0, "Items": []}  # no aliases without a certificate that covers them
    assert plain["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}


@pytest.mark.parametrize(("keys", "message"), [
    ({"function_url_domains": ["app.example.com"]}, "'function_url_domains': custom domains are put in front of the function URL: set \"function_url_enabled\": true"),
    ({"function_url_enabled": True, "function_url_domains": ["https://app.example.com/"]}, "'function_url_domains[0]': must be a host name"),
    ({"function_url_enabled": True, "function_url_domains": ["a.example.com", "A.example.com"]}, "'function_url_domains[1]': 'A.example.com' is listed twice"),
    ({"function_url_enabled": True, "function_url_domains": "app.example.com"}, "function_url_domains"),
    ({"function_url_enabled": True, "function_url_domains": ["a.example.com"], "function_url_config": {"authorizer": "AWS_IAM"}},
     "'function_url_domains': a function URL with \"authorizer\": \"AWS_IAM\" refuses the unsigned requests CloudFront sends it"),
    ({"function_url_enabled": True, "function_url_cloudfront_config": {"PriceClass": "PriceClass_All"}},
     "'function_url_cloudfront_config': configures the CloudFront distribution of 'function_url_domains', which is empty"),
    ({"function_url_enabled": True, "function_url_domains": ["a.example.com"], "function_url_cloudfront_config": {"PriceClas": "PriceClass_All"}},
     "'function_url_cloudfront_config.PriceClas': unknown CloudFront setting; did you mean 'PriceClass'?"),
    ({"function_url_enabled": True, "function_url_domains": ["a.example.com"], "function_url_cloudfront_config": {"PriceClass": "Cheap"}},
     "'function_url_cloudfront_config.PriceClass': must be one of PriceClass_100, PriceClass_200, PriceClass_All"),
    ({"function_url_enabled": True, "function_url_domains": ["a.example.com"], "function_url_cloudfront_config": {"Enabled": "yes"}},
     "'function_url_cloudfront_config.Enabled': must be of type bool, not str (yes)"),
    ({"function_url_enabled": True, "function_url_domains": ["a.example.com"],
      "function_url_cloudfront_config": {"DefaultCacheBehavior": {"CachePolicyId": 7, "Compres": False}}},
     "'function_url_cloudfront_config.DefaultCacheBehavior.Compres': unknown CloudFront setting; did you mean 'Compress'?"),
    ({"function_url_enabled": True, "function_url_domains": ["a.example.com"], "function_url_cloudfront_config": {"Aliases": {"Items": ["b.example.com"]}}},
     "'function_url_cloudfront_config.Aliases': is set by zappa (the aliases are 'function_url_domains'): remove it"),
    ({"function_url_enabled": True, "function_url_domains": ["a.example.com"],
      "function_url_cloudfront_config": {"Origins": {"Items": [{"Id": "mine", "DomainName": "example.org"}]}}},
     "'function_url_cloudfront_config.DefaultCacheBehavior.TargetOriginId': names no origin of the distribution: 'LambdaFunctionURL'"),
])
def test_settings_errors(make_settings, keys, message):
    from zappa_core.settings import SettingsError

    with pytest.raises(SettingsError) as info:
        make_settings(**keys)
    assert message in str(info.value), str(info.value)


def test_zappa_settings_load_unchanged(make_settings):
    """A Zappa stage with a function URL domain and the CloudFront keys Zappa users write loads as it is."""
    settings = make_settings(apigateway_enabled=False, function_url_enabled=True, function_url_domains=["app.example.com", "www.example.com"],
                             certificate_arn=CERT + "abc", domain="app.example.com",
                             function_url_cloudfront_config={"PriceClass": "PriceClass_All", "HttpVersion": "http2and3",
                                                             "Comment": "my app"})
    assert settings.function_url_domains == ["app.example.com", "www.example.com"]


def test_certify_gets_one_certificate_for_every_domain(make_settings):
    """zappa_stage_domains names the domains for certify: one us-east-1 certificate, the stage's domain first."""
    from zappa_core.plugins import get_plugin_manager

    settings = _url_settings(make_settings, function_url_domains=["www.example.com", "app.example.com"], domain="app.example.com")
    [found] = [d for records in get_plugin_manager().hook.zappa_stage_domains(settings=settings) for d in records or []]
    assert (found.name, found.certificate_region, found.alternative_names) == ("app.example.com", "us-east-1", ("www.example.com",))
    alone = _url_settings(make_settings, function_url_domains=["www.example.com", "app.example.com"], aws_region="eu-west-1")
    [found] = [d for records in get_plugin_manager().hook.zappa_stage_domains(settings=alone) for d in records or []]
    assert (found.name, found.certificate_region, found.alternative_names) == ("www.example.com", "us-east-1", ("app.example.com",))


def test_one_name_for_the_api_and_the_function_url_is_refused(make_settings):
    from zappa_core.settings import SettingsError

    with pytest.raises(SettingsError, match="one name cannot point at both"):
        make_settings(function_url_enabled=True, function_url_domains=["app.example.com"], domain="app.example.com")


def _cert(aws, *names):
    acm = aws.client("acm", "us-east-1")
    return acm.request_certificate(DomainName=names[0], SubjectAlternativeNames=list(names), ValidationMethod="DNS")["CertificateArn"]


def test_step_lifecycle(make_settings, ctx_for, moto_aws):
    from zappa_aws_apigw.function_url import FunctionUrlStep
    from zappa_aws_apigw.url_cloudfront import ALL_VIEWER_EXCEPT_HOST
    from zappa_aws_apigw.url_domains import FunctionUrlDomainsStep, bind

    settings = _url_settings(make_settings, function_url_domains=["app.example.com"])
    ctx = ctx_for(settings)
    run_step(ctx, FunctionUrlStep(settings))
    step = FunctionUrlDomainsStep(settings)
    plan = step.plan(ctx)
    assert plan.action is Action.CREATE
    assert "app.example.com: waits for a certificate that covers it (zappa certify dev)" in plan.details
    run_step(ctx, step)
    assert step.plan(ctx).action is Action.UNCHANGED, step.plan(ctx).details
    cf = moto_aws.client("cloudfront")
    [summary] = cf.list_distributions()["DistributionList"]["Items"]
    url_host = moto_aws.client("lambda").get_function_url_config(FunctionName="app-dev")["FunctionUrl"].split("/")[2]
    config = cf.get_distribution(Id=summary["Id"])["Distribution"]["DistributionConfig"]
    assert config["Origins"]["Items"][0]["DomainName"] == url_host
    assert config["DefaultCacheBehavior"]["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert config["Aliases"]["Quantity"] == 0
    [association] = config["DefaultCacheBehavior"]["FunctionAssociations"]["Items"]
    assert association["EventType"] == "viewer-request" and association["FunctionARN"].endswith(":function/app-dev-host")
    code = cf.get_function(Name="app-dev-host", Stage="LIVE")["FunctionCode"].read()
    assert b"x-forwarded-host" in code
    tags = {t["Key"]: t["Value"] for t in cf.list_tags_for_resource(Resource=summary["ARN"])["Tags"]["Items"]}
    assert tags["ZappaProject"] == "app-dev"

    # certify attaches a us-east-1 certificate and the aliases it covers
    with pytest.raises(Exception, match="only uses certificates from us-east-1"):
        bind(moto_aws, settings, "app.example.com", "arn:aws:acm:eu-west-1:123456789012:certificate/x")
    cert = _cert(moto_aws, "app.example.com", "www.example.com")
    bound = bind(moto_aws, settings, "app.example.com", cert)
    assert bound.target == summary["DomainName"] and bound.hosted_zone_id == "Z2FDTNDATAQYW2"
    config = cf.get_distribution(Id=summary["Id"])["Distribution"]["DistributionConfig"]
    assert config["Aliases"]["Items"] == ["app.example.com"] and config["ViewerCertificate"]["ACMCertificateArn"] == cert
    assert step.plan(ctx).action is Action.UNCHANGED, step.plan(ctx).details

    # a domain added that the certificate covers becomes an alias on update; one it does not cover waits
    more = _url_settings(make_settings, function_url_domains=["app.example.com", "www.example.com", "api.example.com"],
                         function_url_cloudfront_config={"PriceClass": "PriceClass_All"})
    step = FunctionUrlDomainsStep(more)
    plan = step.plan(ctx)
    assert plan.action is Action.UPDATE and "alias www.example.com added" in plan.details
    assert "api.example.com: waits for a certificate that covers it (zappa certify dev)" in plan.details
    run_step(ctx, step)
    config = cf.get_distribution(Id=summary["Id"])["Distribution"]["DistributionConfig"]
    assert sorted(config["Aliases"]["Items"]) == ["app.example.com", "www.example.com"]
    assert config["PriceClass"] == "PriceClass_All"
    assert step.plan(ctx).action is Action.UNCHANGED, step.plan(ctx).details

    # a removed domain leaves the aliases
    fewer = _url_settings(make_settings, function_url_domains=["www.example.com"])
    step = FunctionUrlDomainsStep(fewer)
    assert "alias app.example.com removed" in step.plan(ctx).details
    run_step(ctx, step)
    config = cf.get_distribution(Id=summary["Id"])["Distribution"]["DistributionConfig"]
    assert config["Aliases"]["Items"] == ["www.example.com"] and config["PriceClass"] == "PriceClass_100"

    # undeploy: disabled, then deleted
    change = step.plan_destroy(ctx)
    assert change.action is Action.DELETE and "disable, then delete" in change.details[0]
    assert "CloudFront Function app-dev-host" in change.details
    step.destroy(ctx, change)
    assert not cf.list_distributions()["DistributionList"].get("Items")
    assert not cf.list_functions()["FunctionList"].get("Items")
    assert step.plan_destroy(ctx).action is Action.UNCHANGED


@pytest.mark.parametrize("function_url_enabled", [False, True])
def test_a_stage_without_domains_reads_cloudfront_only_behind_a_function_url(make_settings, ctx_for, moto_aws,
                                                                             monkeypatch, function_url_enabled):
    """A stage that never used function_url_domains and has no function URL needs no CloudFront permission:
    its deploy and undeploy plans do not call CloudFront. Behind a function URL the plan still looks for a
    distribution left by function_url_domains removed from the settings."""
    from zappa_aws_apigw.function_url import FunctionUrlStep
    from zappa_aws_apigw.url_domains import FunctionUrlDomainsStep

    from zappa_aws_apigw import url_domains

    settings = make_settings(function_url_enabled=function_url_enabled, apigateway_enabled=False)
    ctx = ctx_for(settings)
    if function_url_enabled:
        run_step(ctx, FunctionUrlStep(settings))
    calls = []
    real = url_domains.cloudfront
    monkeypatch.setattr(url_domains, "cloudfront", lambda aws: calls.append("cloudfront") or real(aws))
    step = FunctionUrlDomainsStep(settings)
    assert step.plan(ctx).action is Action.UNCHANGED
    assert step.plan_destroy(ctx).action is Action.UNCHANGED
    assert bool(calls) is function_url_enabled
