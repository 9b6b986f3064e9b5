"""A small PKI for the certificate tests, made with ``cryptography``: CAs, leaves, files on disk."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.timezone.utc)


@dataclass
class Issued:
    cert: x509.Certificate
    key: Any

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption())


def new_key(kind: str = "ec"):
    return ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(public_exponent=65537, key_size=2048)


def issue(name: str, *, issuer: Issued | None = None, ca: bool = False, domains: list[str] | None = None,
          ips: list[str] | None = None, not_before: dt.datetime | None = None, days: int = 90, key=None) -> Issued:
    """A certificate for ``name`` signed by ``issuer`` (self-signed without one)."""
    key = key or new_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = not_before or NOW - dt.timedelta(days=1)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer.cert.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    names = [x509.DNSName(d) for d in domains or []] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips or []]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign((issuer.key if issuer else key), hashes.SHA256())
    return Issued(cert, key)


@dataclass
class Pki:
    root: Issued
    intermediate: Issued

    def leaf(self, domain: str = "shop.example.com", **kwargs: Any) -> Issued:
        return issue(domain, issuer=self.intermediate, domains=[domain], **kwargs)

    def write(self, folder: Path, leaf: Issued, *, chain: list[Issued] | None = None, prefix: str = "") -> dict[str, str]:
        """Write the files; returns the settings keys that name them (relative to ``folder``)."""
        chain = [self.intermediate] if chain is None else chain
        (folder / f"{prefix}cert.pem").write_bytes(leaf.cert_pem)
        (folder / f"{prefix}key.pem").write_bytes(leaf.key_pem)
        keys = {"certificate": f"{prefix}cert.pem", "certificate_key": f"{prefix}key.pem"}
        if chain:
            (folder / f"{prefix}chain.pem").write_bytes(b"".join(c.cert_pem for c in chain))
            keys["certificate_chain"] = f"{prefix}chain.pem"
        return keys
