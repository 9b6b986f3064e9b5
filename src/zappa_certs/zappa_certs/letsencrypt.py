"""Let's Encrypt (any ACME v2 server) with the DNS-01 challenge through Route53.

The account key comes from ``lets_encrypt_key`` (a local path or ``s3://bucket/key``); when it does not
exist yet a new RSA key is created there (mode 0600 on disk, encrypted at rest in S3). The TXT record
``_acme-challenge.<domain>`` is written to the domain's hosted zone, waited on until Route53 is in sync,
and always removed afterwards, also when the order fails.

``ZAPPA_ACME_DIRECTORY`` selects another ACME server (for example Let's Encrypt's staging directory) and
``ZAPPA_ACME_CA_BUNDLE`` a CA bundle to trust for it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zappa_core.errors import ZappaError
from zappa_core.route53 import find_hosted_zone

from zappa_certs import txt_records

DEFAULT_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory"
STAGING_DIRECTORY = "https://acme-staging-v02.api.letsencrypt.org/directory"
ACCOUNT_KEY_BITS = 2048
CERT_KEY_BITS = 2048
USER_AGENT = "zappa-ng-certs"
RATE_LIMITS_URL = "https://letsencrypt.org/docs/rate-limits/"


class LetsEncryptError(ZappaError):
    """The ACME server refused, or the challenge failed (exit 1)."""


@dataclass
class AcmeConfig:
    directory: str = DEFAULT_DIRECTORY
    verify: bool | str = True
    timeout: float = 180.0

    @classmethod
    def from_env(cls) -> AcmeConfig:
        bundle = os.environ.get("ZAPPA_ACME_CA_BUNDLE")
        return cls(directory=os.environ.get("ZAPPA_ACME_DIRECTORY") or DEFAULT_DIRECTORY, verify=bundle or True)


# -- the account key ------------------------------------------------------------------------------------


def _new_rsa_pem(bits: int) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def parse_account_key(data: bytes, where: str) -> Any:
    """A ``josepy`` JWK from a PEM private key (RSA of 2048-4096 bits, or EC P-256/P-384, as Let's Encrypt
    accepts)."""
    import josepy as jose
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    hint = f"give the key of your ACME account, or remove {where} to have a new account key created"
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise LetsEncryptError(f"lets_encrypt_key {where} is encrypted with a passphrase", hint="give an unencrypted key") from None
    except (ValueError, UnsupportedAlgorithm):
        raise LetsEncryptError(f"lets_encrypt_key {where} is not a PEM private key", hint=hint) from None
    if isinstance(key, rsa.RSAPrivateKey):
        if not 2048 <= key.key_size <= 4096:
            raise LetsEncryptError(f"lets_encrypt_key {where} is an RSA key of {key.key_size} bits; Let's Encrypt "
                                   "accepts 2048 to 4096 bits", hint=hint)
        return jose.JWKRSA(key=key)
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in ("secp256r1", "secp384r1"):
        return jose.JWKEC(key=key)
    kind = f"an EC key on {key.curve.name}" if isinstance(key, ec.EllipticCurvePrivateKey) else f"a {type(key).__name__.lstrip('_')}"
    raise LetsEncryptError(f"lets_encrypt_key {where} is {kind}; ACME accounts use RSA (2048-4096 bits) or EC "
                           "(P-256, P-384) keys", hint=hint)


def signing_alg(jwk: Any) -> Any:
    import josepy as jose

    if isinstance(jwk, jose.JWKEC):
        return {"secp256r1": jose.ES256, "secp384r1": jose.ES384}[jwk.key.curve.name]
    return jose.RS256


def _split_s3(ref: str) -> tuple[str, str]:
    bucket, _, key = ref[len("s3://"):].partition("/")
    if not bucket or not key:
        raise LetsEncryptError(f"lets_encrypt_key '{ref}' is not an s3://bucket/key URL")
    return bucket, key


def write_private_file(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 from the start (never readable by others, not even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def load_account_key(ref: str, *, project_dir: Path, aws: Any, echo: Callable[[str], None] = print) -> Any:
    """Read the account key at ``ref`` (a path, relative to the project folder, or ``s3://``); create it
    when it does not exist."""
    if ref.startswith("s3://"):
        bucket, key = _split_s3(ref)
        from botocore.exceptions import ClientError

        s3 = aws.client("s3")
        try:
            data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code not in ("NoSuchKey", "404"):
                raise LetsEncryptError(f"lets_encrypt_key: cannot read {ref}: {exc}") from None
            data = _new_rsa_pem(ACCOUNT_KEY_BITS)
            s3.put_object(Bucket=bucket, Key=key, Body=data, ServerSideEncryption="AES256")
            echo(f"Created a new ACME account key at {ref}.")
        return parse_account_key(data, ref)
    path = Path(ref).expanduser()
    if not path.is_absolute():
        path = Path(project_dir) / path
    if not path.exists():
        write_private_file(path, _new_rsa_pem(ACCOUNT_KEY_BITS))
        echo(f"Created a new ACME account key at {path} (mode 0600); keep it, it is your Let's Encrypt account.")
    elif path.is_dir():
        raise LetsEncryptError(f"lets_encrypt_key {path} is a folder, not a key file")
    return parse_account_key(path.read_bytes(), str(path))


# -- the DNS-01 challenge -------------------------------------------------------------------------------


@dataclass
class Dns01Route53:
    """Writes, waits on and removes ``_acme-challenge`` TXT records in Route53.

    ``pm`` (optional) receives ``zappa_dns_challenge_ready`` / ``zappa_dns_challenge_removed``. In
    ``manual`` mode nothing is written: the record is printed and ``confirm`` waits for the user.
    """

    route53: Any
    pm: Any = None
    echo: Callable[[str], None] = print
    manual: bool = False
    confirm: Callable[[str], Any] | None = None
    hosted_zone_id: str | None = None
    written: list[tuple[str, str, str, Any]] = field(default_factory=list)

    def _hook(self, hook: str, **kwargs: Any) -> None:
        if self.pm is not None and hasattr(self.pm.hook, hook):
            getattr(self.pm.hook, hook)(**kwargs)

    def present(self, domain: str, name: str, value: str) -> None:
        if self.manual:
            self.echo(f"Create this DNS record, then continue:\n  {name}. 60 IN TXT {txt_records.quote_txt(value)}")
            self.written.append((domain, name, value, None))
            if self.confirm is not None:
                self.confirm(f"Is the TXT record {name} in place?")
            self._hook("zappa_dns_challenge_ready", domain=domain, name=name, value=value, zone_id=None)
            return
        zone_id = self.hosted_zone_id or find_hosted_zone(self.route53, domain)["Id"]
        self.written.append((domain, name, value, zone_id))
        self.echo(f"Writing TXT record {name} in hosted zone {zone_id} and waiting for Route53 to sync...")
        txt_records.upsert_txt(self.route53, zone_id, name, [value], wait=True)
        self._hook("zappa_dns_challenge_ready", domain=domain, name=name, value=value, zone_id=zone_id)

    def cleanup(self) -> list[str]:
        """Remove every record written; returns the problems met (cleanup never raises)."""
        problems = []
        while self.written:
            domain, name, value, zone_id = self.written.pop()
            try:
                if zone_id is not None:
                    txt_records.delete_txt(self.route53, zone_id, name)
                elif self.manual:
                    self.echo(f"You may now delete the TXT record {name}.")
            except Exception as exc:  # noqa: BLE001 - keep going: every record must get its chance
                problems.append(f"could not remove TXT record {name}: {exc}")
            try:
                self._hook("zappa_dns_challenge_removed", domain=domain, name=name, value=value, zone_id=zone_id)
            except Exception as exc:  # noqa: BLE001 - a plugin's failure must not stop the cleanup
                problems.append(f"zappa_dns_challenge_removed for {name}: {exc}")
        return problems

    @contextlib.contextmanager
    def session(self) -> Iterator[Dns01Route53]:
        try:
            yield self
        finally:
            problems = self.cleanup()
            for problem in problems:
                self.echo(f"Warning: {problem}")


# -- the ACME order -------------------------------------------------------------------------------------


def _new_cert_key_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=CERT_KEY_BITS)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _problem_message(err: Any, doing: str, directory: str) -> LetsEncryptError:
    code = getattr(err, "code", None) or "error"
    detail = getattr(err, "detail", None) or getattr(err, "description", None) or str(err)
    if code == "rateLimited":
        return LetsEncryptError(f"the ACME server refused {doing}: rate limit reached: {detail}",
                                hint=f"wait before trying again ({RATE_LIMITS_URL}); test against the staging "
                                     f"directory with ZAPPA_ACME_DIRECTORY={STAGING_DIRECTORY}")
    if code in ("badPublicKey", "badSignatureAlgorithm"):
        return LetsEncryptError(f"the ACME server refused the account key ({code}): {detail}",
                                hint="use an RSA (2048-4096 bits) or EC P-256/P-384 key as lets_encrypt_key, or "
                                     "remove the key file to have a new one created")
    if doing == "the account" and code in ("unauthorized", "malformed"):
        return LetsEncryptError(f"the ACME server refused the account of this lets_encrypt_key ({code}): {detail}",
                                hint="give the key of an active account, or remove the key file to have a new "
                                     "account created")
    if code == "accountDoesNotExist":
        return LetsEncryptError(f"no ACME account for this key at {directory}: {detail}")
    return LetsEncryptError(f"the ACME server ({directory}) refused {doing} ({code}): {detail}")


def _validation_message(exc: Any, domain: str) -> LetsEncryptError:
    details = []
    for authzr in getattr(exc, "failed_authzrs", []) or []:
        for chall in authzr.body.challenges:
            if chall.error is not None:
                details.append(f"{chall.chall.typ}: {chall.error.detail or chall.error.description} ({chall.error.code})")
    text = "; ".join(details) or str(exc)
    return LetsEncryptError(f"the DNS-01 challenge for {domain} failed: {text}",
                            hint="check that Route53 is authoritative for the domain (its NS records at the registrar) "
                                 "and that no other TXT record for _acme-challenge conflicts")


def obtain_certificate(domain: str, account_key: Any, dns: Dns01Route53, *, config: AcmeConfig | None = None,
                       echo: Callable[[str], None] = print, email: str | None = None,
                       names: tuple[str, ...] = ()) -> tuple[bytes, bytes]:
    """Run one ACME order for ``domain`` (and the other ``names`` the certificate must cover, one DNS-01
    challenge each) and return ``(fullchain_pem, private_key_pem)``."""
    import requests
    from acme import challenges, client, crypto_util, errors, messages

    config = config or AcmeConfig.from_env()
    doing = "the directory request"
    try:
        net = client.ClientNetwork(account_key, alg=signing_alg(account_key), verify_ssl=config.verify,
                                   user_agent=USER_AGENT)
        directory = client.ClientV2.get_directory(config.directory, net)
        acme = client.ClientV2(directory, net=net)
        doing = "the account"
        registration = messages.NewRegistration.from_data(email=email, terms_of_service_agreed=True)
        try:
            acme.new_account(registration)
        except errors.ConflictError as exc:  # the key already has an account: use it
            acme.query_registration(messages.RegistrationResource(uri=exc.location, body=messages.Registration()))
        doing = f"the order for {domain}"
        key_pem = _new_cert_key_pem()
        order = acme.new_order(crypto_util.make_csr(key_pem, list(dict.fromkeys((domain, *names)))))
        with dns.session():
            answers = []
            for authz in order.authorizations:
                name = authz.body.identifier.value
                challb = next((c for c in authz.body.challenges if isinstance(c.chall, challenges.DNS01)), None)
                if challb is None:
                    raise LetsEncryptError(f"the ACME server offers no dns-01 challenge for {name}")
                if authz.body.status == messages.STATUS_VALID:
                    continue
                response, validation = challb.response_and_validation(account_key)
                dns.present(name, challb.chall.validation_domain_name(name), validation)
                answers.append((challb, response))
            doing = f"the challenge for {domain}"
            for challb, response in answers:
                acme.answer_challenge(challb, response)
            echo(f"Waiting for the ACME server to validate {domain}...")
            deadline = _dt.datetime.now() + _dt.timedelta(seconds=config.timeout)
            doing = f"the certificate for {domain}"
            order = acme.poll_and_finalize(order, deadline)
        return order.fullchain_pem.encode(), key_pem
    except LetsEncryptError:
        raise
    except errors.ValidationError as exc:
        raise _validation_message(exc, domain) from None
    except errors.TimeoutError:
        raise LetsEncryptError(f"the ACME server did not finish {doing} within {int(config.timeout)} s") from None
    except messages.Error as exc:
        raise _problem_message(exc, doing, config.directory) from None
    except requests.exceptions.SSLError as exc:
        raise LetsEncryptError(f"TLS error talking to the ACME server {config.directory}: {exc}",
                               hint="set ZAPPA_ACME_CA_BUNDLE to the CA that signs the server's certificate") from None
    except requests.exceptions.RequestException as exc:
        raise LetsEncryptError(f"cannot reach the ACME server {config.directory}: {type(exc).__name__}: {exc}") from None
    except errors.Error as exc:
        raise LetsEncryptError(f"ACME error during {doing}: {type(exc).__name__}: {exc}") from None
