"""Self-signed certificates for the tests that import a certificate into ACM or write the project's own
certificate files (the certificate tests have their own small PKI in tests/certs/certs_pki.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(*names: str) -> tuple[bytes, bytes]:
    """A fresh self-signed certificate for ``names`` (the first is its subject) and its key, both PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def import_self_signed(acm: Any, *names: str) -> str:
    """Import a fresh self-signed certificate for ``names`` into ACM (ISSUED at once); returns its ARN."""
    cert, key = self_signed(*names)
    return acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
