"""Let's Encrypt end to end: ``zappa certify`` runs a real ACME client against Debian's ``pebble`` ACME
test server, answers DNS-01 through Route53 (moto), and imports the issued certificate into ACM (moto).

Test wiring, not product code:
- ``Mirror`` is a tiny plugin on the ``zappa_dns_challenge_ready``/``_removed`` hooks that copies the TXT
  record written to Route53 (moto, which serves no DNS) to ``pebble-challtestsrv``, the DNS server pebble
  asks. Without it pebble sees no record: that is the failed-challenge case.
- ``FrontDoor`` is a tiny plugin on ``zappa_bind_domain`` standing in for the stage's front door (the real
  ones are tested in tests/alb and tests/apigw); it records the certificate it is asked to bind.
- The rate-limit case uses a small local HTTPS stub in front of pebble (pebble has no rate limits).
"""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from certs_pki import NOW, issue
from cryptography import x509
from pebble_acme import missing_reason, rate_limited_front, run_pebble
from zappa_core.errors import ZappaError
from zappa_core.hookspecs import hookimpl

pytestmark = [pytest.mark.needs_plugins, pytest.mark.e2e]
if missing_reason() is not None:  # one line in the summary, not one per test
    pytest.skip(f"Let's Encrypt tests: {missing_reason()}", allow_module_level=True)

DOMAIN = "app.example.com"
CHALLENGE = f"_acme-challenge.{DOMAIN}."


@pytest.fixture(scope="module")
def pebble(tmp_path_factory):
    with run_pebble(tmp_path_factory.mktemp("pebble")) as server:
        yield server


@pytest.fixture
def acme_env(pebble, monkeypatch):
    monkeypatch.setenv("ZAPPA_ACME_DIRECTORY", pebble.directory)
    monkeypatch.setenv("ZAPPA_ACME_CA_BUNDLE", str(pebble.ca_bundle))
    return pebble


class Mirror:
    """Copies the challenge record to the test DNS server; records what it saw in Route53 at that moment."""

    def __init__(self, pebble, route53, mirror: bool = True) -> None:
        self.pebble, self.route53, self.mirror = pebble, route53, mirror
        self.ready: list[tuple[str, str, list[str]]] = []
        self.removed: list[str] = []

    @hookimpl
    def zappa_dns_challenge_ready(self, domain, name, value, zone_id):
        sets = self.route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        in_route53 = [r["ResourceRecords"][0]["Value"] for r in sets if r["Name"] == name + "." and r["Type"] == "TXT"]
        self.ready.append((name, value, in_route53))
        if self.mirror:
            self.pebble.set_txt(name, value)

    @hookimpl
    def zappa_dns_challenge_removed(self, domain, name, value, zone_id):
        self.removed.append(name)
        if self.mirror:
            self.pebble.clear_txt(name)


class FrontDoor:
    def __init__(self) -> None:
        self.bound: list[str] = []

    @hookimpl
    def zappa_bind_domain(self, settings, context, domain, certificate):
        from zappa_core.records import DomainBinding

        assert context.command == "certify" and context.aws.client("route53")  # the run's own clients
        self.bound.append(certificate)
        return DomainBinding(domain, "d111111abcdef8.cloudfront.net", "Z2FDTNDATAQYW2")


@pytest.fixture
def zone(moto_aws) -> str:
    return moto_aws.client("route53").create_hosted_zone(Name="example.com", CallerReference="le")["HostedZone"]["Id"].split("/")[-1]


@pytest.fixture
def certify(moto_aws, acme_env, zone, capsys):
    """``certify(*plugins, args=...)`` -> (exit code, stdout, stderr) of ``zappa certify dev --yes`` run with a
    plugin manager that also holds ``plugins``."""
    from zappa_core.cli import build_command
    from zappa_core.plugins import get_plugin_manager

    def run(*plugins, args=("certify", "dev", "--yes")):
        pm = get_plugin_manager(plugins=plugins)
        try:
            build_command(pm).main(args=list(args), prog_name="zappa", standalone_mode=False)
            code = 0
        except ZappaError as exc:
            print(f"Error: {exc}", file=os.sys.stderr)
            code = exc.exit_code
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def _txt_records(moto_aws, zone):
    sets = moto_aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    return [r for r in sets if r["Type"] == "TXT"]


def _acm(moto_aws):
    acm = moto_aws.client("acm")
    return [acm.describe_certificate(CertificateArn=c["CertificateArn"])["Certificate"]
            for c in acm.list_certificates()["CertificateSummaryList"]]


def test_certify_gets_a_certificate_from_the_acme_server_and_binds_it(moto_aws, acme_env, zone, stage, project, certify):
    stage(domain=DOMAIN, lets_encrypt_key="secrets/account.key")
    route53 = moto_aws.client("route53")
    mirror, door = Mirror(acme_env, route53), FrontDoor()
    code, out, err = certify(mirror, door)
    assert code == 0, err

    key_file = project / "secrets" / "account.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "Created a new ACME account key" in out
    # the record was in Route53 when the ACME server was asked to check it, and is gone now
    [(name, value, in_route53)] = mirror.ready
    assert name == CHALLENGE.rstrip(".") and in_route53 == [f'"{value}"']
    assert mirror.removed == [name] and _txt_records(moto_aws, zone) == []

    [cert] = _acm(moto_aws)
    assert door.bound == [cert["CertificateArn"]]
    assert cert["DomainName"] == DOMAIN and cert["Status"] == "ISSUED" and cert["Type"] == "IMPORTED"
    pem = moto_aws.client("acm").get_certificate(CertificateArn=cert["CertificateArn"])
    leaf = x509.load_pem_x509_certificate(pem["Certificate"].encode())
    chain = x509.load_pem_x509_certificates(pem["CertificateChain"].encode())
    root = x509.load_pem_x509_certificate(acme_env.root_pem())
    leaf.verify_directly_issued_by(chain[0])  # a real certificate from pebble's CA
    chain[0].verify_directly_issued_by(root)  # (ACM appends its own root to the chain, as AWS does)
    assert "Let's Encrypt issued a certificate for app.example.com" in out
    alias = [r for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] == "A"]
    assert alias[0]["AliasTarget"]["DNSName"].rstrip(".") == "d111111abcdef8.cloudfront.net"

    # again: still valid for years, so nothing is ordered
    code, out, _ = certify(Mirror(acme_env, route53), door)
    assert code == 0 and "is valid until" in out and "renewed when fewer than 30 days remain" in out
    assert len(_acm(moto_aws)) == 1 and door.bound[-1] == cert["CertificateArn"]


def test_certify_renews_when_fewer_than_30_days_remain(moto_aws, acme_env, zone, stage, project, certify, pki):
    """The certificate imported earlier (an old one, made here) expires in 10 days: certify orders a new one
    with the existing account key (the account already exists at the server) and re-imports it in place."""
    from acme import client, messages
    from zappa_certs.letsencrypt import _new_rsa_pem, parse_account_key

    key_pem = _new_rsa_pem(2048)
    (project / "account.key").write_bytes(key_pem)
    net = client.ClientNetwork(parse_account_key(key_pem, "account.key"), verify_ssl=str(acme_env.ca_bundle))
    client.ClientV2(client.ClientV2.get_directory(acme_env.directory, net), net).new_account(
        messages.NewRegistration.from_data(terms_of_service_agreed=True))

    old = issue(DOMAIN, issuer=pki.intermediate, domains=[DOMAIN], not_before=NOW - dt.timedelta(days=80), days=90)
    acm = moto_aws.client("acm")
    arn = acm.import_certificate(Certificate=old.cert_pem, PrivateKey=old.key_pem, CertificateChain=pki.intermediate.cert_pem,
                                 Tags=[{"Key": "ZappaProject", "Value": "shop-dev"}, {"Key": "ZappaDomain", "Value": DOMAIN},
                                       {"Key": "ZappaCertificateSource", "Value": "lets-encrypt"}])["CertificateArn"]
    stage(domain=DOMAIN, lets_encrypt_key="account.key")
    door = FrontDoor()
    code, out, err = certify(Mirror(acme_env, moto_aws.client("route53")), door)
    assert code == 0, err
    assert "expires on" in out and "renewing it" in out
    assert "Created a new ACME account key" not in out and (project / "account.key").read_bytes() == key_pem
    [cert] = _acm(moto_aws)
    assert cert["CertificateArn"] == arn == door.bound[0]  # re-imported under the same ARN
    assert cert["NotAfter"] > dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=300)
    assert _txt_records(moto_aws, zone) == []


def test_an_account_key_in_s3_is_created_once_and_reused(moto_aws, acme_env, zone, stage, certify):
    s3 = moto_aws.client("s3")
    s3.create_bucket(Bucket="shop-secrets")
    stage(domain=DOMAIN, lets_encrypt_key="s3://shop-secrets/letsencrypt/account.key")
    code, out, err = certify(Mirror(acme_env, moto_aws.client("route53")), FrontDoor())
    assert code == 0, err
    assert "Created a new ACME account key at s3://shop-secrets/letsencrypt/account.key" in out
    head = s3.head_object(Bucket="shop-secrets", Key="letsencrypt/account.key")
    assert head["ServerSideEncryption"] == "AES256"
    assert b"PRIVATE KEY" in s3.get_object(Bucket="shop-secrets", Key="letsencrypt/account.key")["Body"].read()


def _assert_nothing_left(moto_aws, zone, mirror):
    assert _txt_records(moto_aws, zone) == []
    assert _acm(moto_aws) == []
    assert len(mirror.removed) == len(mirror.ready)


@pytest.mark.parametrize("content,message", [
    (b"not a key\n", "is not a PEM private key"),
    ("rsa1024", "is an RSA key of 1024 bits; Let's Encrypt accepts 2048 to 4096 bits"),
    ("p521", "is an EC key on secp521r1"),
])
def test_bad_account_keys_are_clear_errors(moto_aws, acme_env, zone, stage, project, certify, content, message):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if content == "rsa1024":
        content = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    elif content == "p521":
        content = ec.generate_private_key(ec.SECP521R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (project / "account.key").write_bytes(content)
    stage(domain=DOMAIN, lets_encrypt_key="account.key")
    mirror = Mirror(acme_env, moto_aws.client("route53"))
    code, _, err = certify(mirror, FrontDoor())
    assert code == 1 and message in err
    assert (project / "account.key").read_bytes() == content  # the user's file is left as it was
    assert mirror.ready == []
    _assert_nothing_left(moto_aws, zone, mirror)


def test_a_deactivated_account_is_a_clear_error(moto_aws, acme_env, zone, stage, project, certify):
    from acme import client, messages
    from zappa_certs.letsencrypt import _new_rsa_pem, parse_account_key

    key_pem = _new_rsa_pem(2048)
    (project / "account.key").write_bytes(key_pem)
    net = client.ClientNetwork(parse_account_key(key_pem, "account.key"), verify_ssl=str(acme_env.ca_bundle))
    acme = client.ClientV2(client.ClientV2.get_directory(acme_env.directory, net), net)
    acme.deactivate_registration(acme.new_account(messages.NewRegistration.from_data(terms_of_service_agreed=True)))

    stage(domain=DOMAIN, lets_encrypt_key="account.key")
    mirror = Mirror(acme_env, moto_aws.client("route53"))
    code, _, err = certify(mirror, FrontDoor())
    assert code == 1
    assert "refused the account of this lets_encrypt_key (unauthorized)" in err and "deactivated" in err
    _assert_nothing_left(moto_aws, zone, mirror)


def test_a_rate_limit_answer_is_a_clear_error(moto_aws, acme_env, zone, stage, certify, monkeypatch):
    stage(domain=DOMAIN, lets_encrypt_key="account.key")
    mirror = Mirror(acme_env, moto_aws.client("route53"))
    with rate_limited_front(acme_env) as directory:
        monkeypatch.setenv("ZAPPA_ACME_DIRECTORY", directory)
        code, _, err = certify(mirror, FrontDoor())
    assert code == 1
    assert "rate limit reached: too many certificates already issued" in err and "rate-limits" in err
    _assert_nothing_left(moto_aws, zone, mirror)


def test_a_failed_challenge_is_a_clear_error_and_the_record_is_removed(moto_aws, acme_env, zone, stage, certify):
    stage(domain=DOMAIN, lets_encrypt_key="account.key")
    watcher = Mirror(acme_env, moto_aws.client("route53"), mirror=False)  # pebble's DNS never sees the record
    door = FrontDoor()
    code, _, err = certify(watcher, door)
    assert code == 1
    assert f"the DNS-01 challenge for {DOMAIN} failed" in err and "dns-01" in err
    assert len(watcher.ready) == 1 and watcher.ready[0][2]  # it was written to Route53 ...
    _assert_nothing_left(moto_aws, zone, watcher)  # ... and removed again
    assert door.bound == []


def test_one_order_covers_every_function_url_domain(moto_aws, acme_env, zone, stage, project, certify):
    """function_url_domains are served by one CloudFront distribution, so one certificate (in us-east-1, whatever
    the stage's region) covers them all: one order with a DNS-01 challenge per name, one binding, a record each."""
    domains = [DOMAIN, "www.example.com"]
    stage(domain=DOMAIN, lets_encrypt_key="secrets/account.key", aws_region="eu-west-1", apigateway_enabled=False,
          function_url_enabled=True, function_url_domains=domains)
    route53 = moto_aws.client("route53")
    mirror, door = Mirror(acme_env, route53), FrontDoor()
    code, out, err = certify(mirror, door)
    assert code == 0, err
    assert sorted(name for name, _, _ in mirror.ready) == [f"_acme-challenge.{d}" for d in domains]
    [cert] = _acm(moto_aws)
    assert cert["CertificateArn"].startswith("arn:aws:acm:us-east-1:") and door.bound == [cert["CertificateArn"]]
    assert sorted(cert["SubjectAlternativeNames"]) == domains
    assert "Let's Encrypt issued a certificate for app.example.com, www.example.com" in out
    aliases = {r["Name"].rstrip(".") for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
               if r["Type"] == "A"}
    assert aliases == set(domains)
