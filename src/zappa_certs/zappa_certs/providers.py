"""The three certificate providers of ``zappa certify``, in Zappa's order of precedence:
``certificate_arn`` (ACM), then your own files (``certificate`` + ``certificate_key`` [+ ``certificate_chain``]),
then Let's Encrypt (``lets_encrypt_key``).

Each ``obtain(ctx)`` returns the ACM ARN to bind. ``ctx`` is the
:class:`zappa_core.commands.certify.CertifyContext` (settings, aws, pm, domain, echo, manual, confirm).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zappa_core.records import CertificateProvider

from zappa_certs import acm, pem

SOURCE_FILES = "files"
SOURCE_LETS_ENCRYPT = "lets-encrypt"


def _tags(ctx: Any, source: str) -> dict[str, str]:
    tags = dict(ctx.settings.get("tags") or {})
    tags.update({"ZappaProject": ctx.settings.zappa_project_tag, acm.TAG_SOURCE: source, acm.TAG_DOMAIN: ctx.domain})
    return tags


def _path(settings: Any, value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(settings.project_dir) / path


def _region(ctx: Any) -> str:
    """Where the certificate must be: the region the front door of ``ctx.domain`` asked for, else the stage's rule."""
    return getattr(ctx, "certificate_region", None) or acm.certificate_region(ctx.settings, ctx.aws)


def _names(ctx: Any) -> tuple[str, ...]:
    """Every name the certificate must cover: the domain, then the others served with it (``ctx.names``)."""
    return tuple(getattr(ctx, "names", None) or (ctx.domain,))


def _valid_until(cert: dict) -> str:
    end = cert.get("NotAfter")
    return f"{end:%Y-%m-%d}" if end is not None else "(unknown)"


# -- ACM ------------------------------------------------------------------------------------------------


def acm_applies(settings: Any) -> bool:
    return bool(settings.get("certificate_arn"))


def acm_obtain(ctx: Any) -> str:
    arn = ctx.settings.certificate_arn
    cert = acm.check_existing(ctx.aws, ctx.settings, arn, ctx.domain, region=getattr(ctx, "certificate_region", None))
    for name in _names(ctx)[1:]:
        if not acm.covers(cert, name):
            raise pem.CertificateError(f"certificate_arn '{arn}' does not cover '{name}', which is served with '{ctx.domain}'",
                                       hint="use a certificate whose names include every one of them")
    days = acm.days_left(cert)
    if days is not None and days < acm.RENEW_DAYS:
        managed = cert.get("Type") == "AMAZON_ISSUED"
        ctx.echo(f"Warning: {arn} expires on {_valid_until(cert)} ({int(days)} days). "
                 + ("ACM renews the certificates it issued once their DNS validation records are in place."
                    if managed else "It was imported: re-import a renewed certificate under the same ARN."))
    else:
        ctx.echo(f"Using ACM certificate {arn}, valid until {_valid_until(cert)}.")
    return arn


# -- your own files -------------------------------------------------------------------------------------


def files_applies(settings: Any) -> bool:
    return bool(settings.get("certificate"))


def files_obtain(ctx: Any) -> str:
    s = ctx.settings
    bundle = pem.load_bundle(_path(s, s.certificate), _path(s, s.certificate_key), _path(s, s.certificate_chain),
                             domain=ctx.domain)
    for name in _names(ctx)[1:]:
        pem.check_domain(bundle.certificate, name, what=f"certificate {s.certificate}")
    region = _region(ctx)
    client = acm.client(ctx.aws, region)
    existing = acm.find_managed(client, ctx.domain, SOURCE_FILES, s.zappa_project_tag)
    if existing is not None:
        arn = existing["CertificateArn"]
        if acm.current_fingerprint(client, arn) == bundle.fingerprint:
            ctx.echo(f"Certificate {s.certificate} is already in ACM as {arn} (valid until {bundle.not_after:%Y-%m-%d}).")
            return arn
        arn = acm.import_bundle(client, bundle, arn=arn)
        ctx.echo(f"Re-imported the changed certificate {s.certificate} into ACM ({region}) as {arn}, "
                 f"valid until {bundle.not_after:%Y-%m-%d}.")
        return arn
    arn = acm.import_bundle(client, bundle, tags=_tags(ctx, SOURCE_FILES))
    ctx.echo(f"Imported certificate {s.certificate} into ACM ({region}) as {arn}, valid until {bundle.not_after:%Y-%m-%d}.")
    return arn


# -- Let's Encrypt --------------------------------------------------------------------------------------


def lets_encrypt_applies(settings: Any) -> bool:
    return bool(settings.get("lets_encrypt_key"))


def lets_encrypt_obtain(ctx: Any) -> str:
    from zappa_certs import letsencrypt

    s = ctx.settings
    region = _region(ctx)
    client = acm.client(ctx.aws, region)
    existing = acm.find_managed(client, ctx.domain, SOURCE_LETS_ENCRYPT, s.zappa_project_tag)
    names = _names(ctx)
    if existing is not None and not all(acm.covers(existing, n) for n in names):
        ctx.echo(f"The Let's Encrypt certificate for {ctx.domain} does not cover {', '.join(names)}: ordering a new one.")
    elif existing is not None and existing.get("Status") == "ISSUED":
        days = acm.days_left(existing)
        if days is not None and days >= acm.RENEW_DAYS:
            ctx.echo(f"The Let's Encrypt certificate for {ctx.domain} is valid until {_valid_until(existing)} "
                     f"({int(days)} days left); it is renewed when fewer than {acm.RENEW_DAYS} days remain.")
            return existing["CertificateArn"]
        ctx.echo(f"The Let's Encrypt certificate for {ctx.domain} expires on {_valid_until(existing)}: renewing it.")
    account_key = letsencrypt.load_account_key(s.lets_encrypt_key, project_dir=s.project_dir, aws=ctx.aws, echo=ctx.echo)
    dns = letsencrypt.Dns01Route53(route53=ctx.aws.client("route53"), pm=ctx.pm, echo=ctx.echo, manual=ctx.manual,
                                   confirm=ctx.confirm)
    fullchain, key_pem = letsencrypt.obtain_certificate(ctx.domain, account_key, dns, echo=ctx.echo, names=names)
    bundle = pem.bundle_from_pem(fullchain, key_pem)
    if existing is not None:
        arn = acm.import_bundle(client, bundle, arn=existing["CertificateArn"])
    else:
        arn = acm.import_bundle(client, bundle, tags=_tags(ctx, SOURCE_LETS_ENCRYPT))
    ctx.echo(f"Let's Encrypt issued a certificate for {', '.join(names)}, valid until {bundle.not_after:%Y-%m-%d}; "
             f"imported into ACM ({region}) as {arn}.")
    return arn


PROVIDERS = [
    CertificateProvider(name="acm", applies=acm_applies, obtain=acm_obtain),
    CertificateProvider(name="files", applies=files_applies, obtain=files_obtain),
    CertificateProvider(name="lets-encrypt", applies=lets_encrypt_applies, obtain=lets_encrypt_obtain),
]
