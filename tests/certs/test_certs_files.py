"""Your own certificate files: checked first (key, chain order, expiry, domain), then imported to ACM and
re-imported in place only when they changed. Against in-process moto."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from certs_pki import NOW, issue
from cryptography.hazmat.primitives import serialization
from zappa_certs.pem import CertificateError

pytestmark = pytest.mark.needs_plugins


def _acm_certs(moto_aws, region="us-east-1"):
    return moto_aws.client("acm", region=region).list_certificates()["CertificateSummaryList"]


def test_valid_files_are_imported_into_acm_with_their_chain_and_tags(moto_aws, pki, project, stage, certify_ctx, get_provider):
    leaf = pki.leaf()
    settings = stage(domain="shop.example.com", **pki.write(project, leaf))
    provider = get_provider("files")
    assert provider.applies(settings)
    ctx = certify_ctx(settings)
    arn = provider.obtain(ctx)

    assert arn.startswith("arn:aws:acm:us-east-1:")  # an edge-optimized REST API (the default) needs us-east-1
    acm = moto_aws.client("acm")
    got = acm.get_certificate(CertificateArn=arn)
    assert got["Certificate"].strip() == leaf.cert_pem.decode().strip()
    assert pki.intermediate.cert_pem.decode().strip() in got["CertificateChain"]
    tags = {t["Key"]: t["Value"] for t in acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]}
    assert tags == {"ZappaProject": "shop-dev", "ZappaCertificateSource": "files", "ZappaDomain": "shop.example.com"}
    assert any("Imported certificate cert.pem" in line for line in ctx.lines)


def test_unchanged_files_are_not_imported_again_and_changed_ones_are_reimported_in_place(
        moto_aws, pki, project, stage, certify_ctx, get_provider):
    settings = stage(domain="shop.example.com", **pki.write(project, pki.leaf()))
    first = get_provider("files").obtain(certify_ctx(settings))
    ctx = certify_ctx(settings)
    assert get_provider("files").obtain(ctx) == first
    assert "already in ACM" in ctx.lines[0]
    assert len(_acm_certs(moto_aws)) == 1

    renewed = pki.leaf()
    pki.write(project, renewed)
    ctx = certify_ctx(settings)
    assert get_provider("files").obtain(ctx) == first  # same ARN: bindings keep working
    assert "Re-imported the changed certificate" in ctx.lines[0]
    pem = moto_aws.client("acm").get_certificate(CertificateArn=first)["Certificate"]
    assert pem.strip() == renewed.cert_pem.decode().strip()
    assert len(_acm_certs(moto_aws)) == 1


def test_a_full_chain_in_the_certificate_file_is_split(moto_aws, pki, project, stage, certify_ctx, get_provider):
    leaf = pki.leaf()
    (project / "fullchain.pem").write_bytes(leaf.cert_pem + pki.intermediate.cert_pem)
    (project / "key.pem").write_bytes(leaf.key_pem)
    settings = stage(domain="shop.example.com", certificate="fullchain.pem", certificate_key="key.pem")
    arn = get_provider("files").obtain(certify_ctx(settings))
    got = moto_aws.client("acm").get_certificate(CertificateArn=arn)
    assert got["Certificate"].strip() == leaf.cert_pem.decode().strip()
    assert pki.intermediate.cert_pem.decode().strip() in got["CertificateChain"]


def _expect_error(moto_aws, settings, certify_ctx, get_provider, match: str) -> CertificateError:
    with pytest.raises(CertificateError, match=match) as info:
        get_provider("files").obtain(certify_ctx(settings))
    assert info.value.exit_code == 2
    assert _acm_certs(moto_aws) == []  # nothing half-imported
    return info.value


def test_a_key_of_another_certificate_is_refused(moto_aws, pki, project, stage, certify_ctx, get_provider):
    keys = pki.write(project, pki.leaf())
    (project / "other.pem").write_bytes(pki.leaf().key_pem)
    settings = stage(domain="shop.example.com", **dict(keys, certificate_key="other.pem"))
    err = _expect_error(moto_aws, settings, certify_ctx, get_provider, "does not match certificate")
    assert "other.pem" in str(err) and "private key the certificate was issued for" in str(err)


def test_an_expired_certificate_is_refused(moto_aws, pki, project, stage, certify_ctx, get_provider):
    old = pki.leaf(not_before=NOW - dt.timedelta(days=100), days=90)
    settings = stage(domain="shop.example.com", **pki.write(project, old))
    expired_on = (NOW - dt.timedelta(days=10)).strftime("%Y-%m-%d")
    _expect_error(moto_aws, settings, certify_ctx, get_provider, f"expired on {expired_on}")


def test_a_not_yet_valid_certificate_is_refused(moto_aws, pki, project, stage, certify_ctx, get_provider):
    settings = stage(domain="shop.example.com", **pki.write(project, pki.leaf(not_before=NOW + dt.timedelta(days=2))))
    _expect_error(moto_aws, settings, certify_ctx, get_provider, "is not valid before")


def test_a_chain_in_the_wrong_order_is_refused(moto_aws, pki, project, stage, certify_ctx, get_provider):
    settings = stage(domain="shop.example.com", **pki.write(project, pki.leaf(), chain=[pki.root, pki.intermediate]))
    err = _expect_error(moto_aws, settings, certify_ctx, get_provider, "is in the wrong order")
    assert "reverse the order" in str(err)


def test_a_chain_of_another_ca_is_refused(moto_aws, pki, project, stage, certify_ctx, get_provider):
    other = issue("Other CA", ca=True)
    settings = stage(domain="shop.example.com", **pki.write(project, pki.leaf(), chain=[other]))
    _expect_error(moto_aws, settings, certify_ctx, get_provider, "is not issued by the next certificate 'Other CA'")


def test_an_expired_intermediate_is_refused(moto_aws, pki, project, stage, certify_ctx, get_provider):
    old_ca = issue("Old Intermediate", issuer=pki.root, ca=True, not_before=NOW - dt.timedelta(days=40), days=30)
    leaf = issue("shop.example.com", issuer=old_ca, domains=["shop.example.com"])
    settings = stage(domain="shop.example.com", **pki.write(project, leaf, chain=[old_ca]))
    _expect_error(moto_aws, settings, certify_ctx, get_provider, "'Old Intermediate'.*expired on")


def test_a_certificate_for_another_domain_is_refused(moto_aws, pki, project, stage, certify_ctx, get_provider):
    settings = stage(domain="shop.example.com", **pki.write(project, pki.leaf("blog.example.com")))
    _expect_error(moto_aws, settings, certify_ctx, get_provider, "is for blog.example.com, not for the stage's domain")


def test_a_wildcard_certificate_covers_a_subdomain(moto_aws, pki, project, stage, certify_ctx, get_provider):
    wild = issue("*.example.com", issuer=pki.intermediate, domains=["*.example.com"])
    settings = stage(domain="shop.example.com", **pki.write(project, wild))
    assert get_provider("files").obtain(certify_ctx(settings)).startswith("arn:aws:acm:")


@pytest.mark.parametrize("setting,content,match", [
    ("certificate", None, "certificate: file not found"),
    ("certificate", b"hello", "holds no PEM certificate"),
    ("certificate_key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "is not a PEM private key"),
])
def test_unreadable_files_are_clear_errors(moto_aws, pki, project, stage, certify_ctx, get_provider, setting, content, match):
    keys = pki.write(project, pki.leaf())
    target = project / keys[setting]
    if content is None:
        target.unlink()
    else:
        target.write_bytes(content)
    _expect_error(moto_aws, stage(domain="shop.example.com", **keys), certify_ctx, get_provider, match)


def test_an_encrypted_key_is_refused_with_the_command_to_decrypt_it(moto_aws, pki, project, stage, certify_ctx, get_provider):
    leaf = pki.leaf()
    keys = pki.write(project, leaf)
    (project / "key.pem").write_bytes(leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"secret")))
    err = _expect_error(moto_aws, stage(domain="shop.example.com", **keys), certify_ctx, get_provider, "encrypted")
    assert "openssl pkey" in str(err)


def test_a_certificate_without_its_key_is_a_settings_error(pki, project, stage):
    from zappa_core.settings import SettingsError

    with pytest.raises(SettingsError, match="'certificate' needs 'certificate_key'"):
        stage(domain="shop.example.com", certificate="cert.pem")
    with pytest.raises(SettingsError, match="not an ACM certificate ARN"):
        stage(domain="shop.example.com", certificate_arn="arn:aws:iam::123:server-certificate/x")


def test_a_certificate_for_several_names_must_cover_each(moto_aws, pki, project, stage, certify_ctx, get_provider):
    """A function URL's distribution serves all of function_url_domains with one certificate, in us-east-1."""
    domains = ["app.example.com", "www.example.com"]
    both = issue(domains[0], issuer=pki.intermediate, domains=domains)
    settings = stage(domain=domains[0], apigateway_enabled=False, function_url_enabled=True, function_url_domains=domains,
                     aws_region="eu-west-1", **pki.write(project, both))
    arn = get_provider("files").obtain(certify_ctx(settings, names=tuple(domains)))
    assert arn.startswith("arn:aws:acm:us-east-1:")  # CloudFront's region, not the stage's

    pki.write(project, issue(domains[0], issuer=pki.intermediate, domains=domains[:1]))
    with pytest.raises(CertificateError, match=re.escape("is for app.example.com, not for the stage's domain 'www.example.com'")):
        get_provider("files").obtain(certify_ctx(settings, names=tuple(domains)))
