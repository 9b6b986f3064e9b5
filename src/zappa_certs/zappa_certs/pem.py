"""Reading and checking certificates, keys and chains in PEM form (``cryptography`` only).

Everything ACM would reject, or would accept and then serve broken (a key of another certificate, a chain
in the wrong order, an expired certificate), is caught here first with a message that names the file and
says what to do.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from zappa_core.errors import ZappaError
from zappa_core.route53 import name_matches

PEM_CERT_BEGIN = b"-----BEGIN CERTIFICATE-----"


class CertificateError(ZappaError):
    """A certificate, key or chain that cannot be used (exit 2: the user's files or settings are wrong)."""

    exit_code = 2


@dataclass
class CertificateBundle:
    """A leaf certificate, its private key and its chain (leaf's issuer first), all checked."""

    certificate: x509.Certificate
    key_pem: bytes
    chain: list[x509.Certificate] = field(default_factory=list)

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def chain_pem(self) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.chain)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def not_after(self) -> _dt.datetime:
        return not_after(self.certificate)


def now_utc() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def not_after(cert: x509.Certificate) -> _dt.datetime:
    return cert.not_valid_after_utc


def not_before(cert: x509.Certificate) -> _dt.datetime:
    return cert.not_valid_before_utc


def describe(cert: x509.Certificate) -> str:
    """A short human name of a certificate: its common name, or its subject."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string() or "(no subject)"


def parse_certificates(data: bytes, *, what: str) -> list[x509.Certificate]:
    """Every certificate in a PEM file, in file order."""
    if PEM_CERT_BEGIN not in data:
        raise CertificateError(f"{what} holds no PEM certificate (expected '-----BEGIN CERTIFICATE-----')")
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise CertificateError(f"{what} is not a valid PEM certificate: {exc}") from None


def parse_private_key(data: bytes, *, what: str):
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise CertificateError(f"{what} is encrypted with a passphrase",
                               hint="ACM needs an unencrypted key: openssl pkey -in KEY -out KEY.plain") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CertificateError(f"{what} is not a PEM private key ({type(exc).__name__})") from None
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise CertificateError(f"{what} is a {type(key).__name__}; ACM accepts RSA and EC keys only")
    return key


def public_key_bytes(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer`` signed ``cert`` (names match and the signature verifies)."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def check_validity(cert: x509.Certificate, *, what: str, now: _dt.datetime | None = None) -> None:
    now = now or now_utc()
    if not_after(cert) <= now:
        raise CertificateError(
            f"{what} ({describe(cert)}) expired on {not_after(cert):%Y-%m-%d %H:%M} UTC",
            hint="renew it, or let 'zappa certify' get one from Let's Encrypt (lets_encrypt_key)")
    if not_before(cert) > now:
        raise CertificateError(f"{what} ({describe(cert)}) is not valid before {not_before(cert):%Y-%m-%d %H:%M} UTC")


def check_chain(leaf: x509.Certificate, chain: list[x509.Certificate], *, what: str) -> None:
    """The chain must start with the leaf's issuer, and each certificate must be issued by the next."""
    if not chain:
        return
    path = [leaf, *chain]
    for child, parent in itertools.pairwise(path):
        if issued_by(child, parent):
            continue
        reversed_order = len(chain) > 1 and issued_by(leaf, chain[-1])
        if reversed_order:
            raise CertificateError(
                f"{what} is in the wrong order: it must start with the certificate that issued "
                f"'{describe(leaf)}' ({describe(chain[-1])}) and end nearest the root",
                hint="reverse the order of the certificates in the chain file")
        raise CertificateError(
            f"{what}: '{describe(child)}' is not issued by the next certificate '{describe(parent)}' "
            f"(expected its issuer '{child.issuer.rfc4514_string()}')",
            hint="the chain must list the leaf's issuer first, then each issuer's issuer, in order")


domain_matches = name_matches


def certificate_names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = san.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    return names or [describe(cert)]


def check_domain(cert: x509.Certificate, domain: str, *, what: str) -> None:
    names = certificate_names(cert)
    if not any(domain_matches(name, domain) for name in names):
        raise CertificateError(f"{what} is for {', '.join(names)}, not for the stage's domain '{domain}'",
                               hint="use a certificate whose names include the domain, or change 'domain'")


def load_bundle(certificate: str | Path, key: str | Path, chain: str | Path | None = None, *,
                domain: str | None = None, now: _dt.datetime | None = None) -> CertificateBundle:
    """Read and check the files of the ``certificate``, ``certificate_key`` and ``certificate_chain``
    settings. A certificate file that holds a full chain (leaf first) is accepted: the rest becomes the
    chain when no chain file is given."""
    cert_data = _read(certificate, "certificate")
    key_data = _read(key, "certificate_key")
    certs = parse_certificates(cert_data, what=f"certificate {certificate}")
    leaf, extra = certs[0], certs[1:]
    if chain:
        chain_certs = parse_certificates(_read(chain, "certificate_chain"), what=f"certificate_chain {chain}")
        chain_what = f"certificate_chain {chain}"
    else:
        chain_certs, chain_what = extra, f"the chain in certificate {certificate}"
    private_key = parse_private_key(key_data, what=f"certificate_key {key}")
    if public_key_bytes(private_key.public_key()) != public_key_bytes(leaf.public_key()):
        raise CertificateError(
            f"certificate_key {key} does not match certificate {certificate} ({describe(leaf)}): "
            "it is the key of another certificate",
            hint="give the private key the certificate was issued for")
    check_validity(leaf, what=f"certificate {certificate}", now=now)
    check_chain(leaf, chain_certs, what=chain_what)
    for cert in chain_certs:
        check_validity(cert, what=f"{chain_what}: '{describe(cert)}'", now=now)
    if domain:
        check_domain(leaf, domain, what=f"certificate {certificate}")
    key_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    return CertificateBundle(certificate=leaf, key_pem=key_pem, chain=list(chain_certs))


def bundle_from_pem(fullchain_pem: bytes, key_pem: bytes) -> CertificateBundle:
    """A bundle from an ACME ``fullchain_pem`` (leaf first) and the key it was issued for."""
    certs = parse_certificates(fullchain_pem, what="the issued certificate")
    return CertificateBundle(certificate=certs[0], key_pem=key_pem, chain=certs[1:])


def _read(path: str | Path, setting: str) -> bytes:
    p = Path(path).expanduser()
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise CertificateError(f"{setting}: file not found: {p}") from None
    except IsADirectoryError:
        raise CertificateError(f"{setting}: {p} is a folder, not a PEM file") from None
    except OSError as exc:
        raise CertificateError(f"{setting}: cannot read {p}: {exc.strerror}") from None
