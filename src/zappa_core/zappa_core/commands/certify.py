"""``zappa certify [STAGE] [--yes] [--manual]``: get or import the certificate of the stage's ``domain``,
bind the domain to the stage's front door and point DNS at it.

1. The first :class:`~zappa_core.records.CertificateProvider` (``zappa_certificate_providers``) whose
   ``applies(settings)`` is true returns an ACM certificate ARN from ``obtain(ctx)`` (with zappa-ng-certs:
   ``certificate_arn``, your own files, or Let's Encrypt; each renews or re-imports only when needed).
2. ``zappa_bind_domain(settings, context, domain, certificate)`` lets the front door that serves the stage
   (API Gateway, the load balancer) bind it with the clients of ``context`` (a deploy context: the stage's
   AWS, or the local AWS with ``--local``); it returns a :class:`~zappa_core.records.DomainBinding`.
3. With ``route53_enabled`` (the default) the domain becomes a Route53 alias of the binding's ``target``;
   with ``--manual`` the records are printed instead of written. certify is the one writer of this record.

The stage's ``domain`` goes first, then the other custom domains its front doors name
(``zappa_stage_domains``: a WebSocket API's ``websocket_domain``, for example), each through the same steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zappa_core.errors import PluginError, UsageError, ZappaError


@dataclass
class CertifyContext:
    """What a certificate provider's ``obtain(ctx)`` receives."""

    settings: Any
    aws: Any
    pm: Any
    domain: str
    echo: Callable[[str], None] = print
    manual: bool = False
    yes: bool = False
    local: bool = False
    confirm: Callable[[str], Any] | None = None
    #: The region the certificate must be in (``None``: the region the front door of the stage's ``domain`` needs).
    certificate_region: str | None = None
    #: Every name the certificate must cover: ``domain`` first, then the names served with it (empty: ``domain``).
    names: tuple[str, ...] = ()


def _confirm(message: str) -> None:
    """Ask yes/no; anything but yes aborts (exit 1). No terminal: abort rather than hang."""
    import typer

    if not typer.confirm(message, default=False):
        raise typer.Abort()


def choose_provider(pm: Any, settings: Any) -> Any:
    from zappa_core.plugins import collect_records

    providers = collect_records(pm, "zappa_certificate_providers", key="name")
    if not providers:
        raise UsageError("no certificate provider is installed", hint='pip install "zappa-ng[certs]"')
    for provider in providers:
        if provider.applies(settings):
            return provider
    raise UsageError(
        f"stage '{settings.stage}' names no certificate for '{settings.get('domain') or 'its custom domains'}'",
        hint="set one of: \"certificate_arn\" (an ACM certificate), \"certificate\" + \"certificate_key\" "
             "(+ \"certificate_chain\") (your own files), or \"lets_encrypt_key\" (Let's Encrypt; a new "
             "account key is created at that path when it does not exist)")


def stage_domains(pm: Any, settings: Any) -> tuple[Any, list[Any]]:
    """What a front door says about the stage's ``domain`` (a :class:`~zappa_core.records.StageDomain` of that
    name, or ``None``), and the stage's other custom domains (``zappa_stage_domains``)."""
    from zappa_core.plugins import collect_records

    found = collect_records(pm, "zappa_stage_domains", key="name", settings=settings)
    own = next((d for d in found if d.name == settings.get("domain")), None)
    return own, [d for d in found if d.name != settings.get("domain")]


def certify_stage(ctx: Any, settings: Any, *, yes: bool = False, manual: bool = False,
                  confirm: Callable[[str], Any] | None = None) -> list[dict[str, Any]]:
    """Certify every custom domain of one stage; one ``{"domain", "certificate_arn", "provider", "target",
    "dns", "url"}`` per domain, the stage's ``domain`` first."""
    domain = settings.get("domain")
    own, extras = stage_domains(ctx.pm, settings)
    if not domain and not extras:
        raise UsageError(f"stage '{settings.stage}' has no 'domain'", hint='add "domain": "api.example.com" to the stage')
    provider = choose_provider(ctx.pm, settings)
    confirm = confirm or _confirm
    names = ([domain, *own.alternative_names] if own else [domain]) if domain else []
    names += [n for d in extras for n in (d.name, *d.alternative_names)]
    if not yes:
        confirm(f"Certify {' and '.join(names)} for stage '{settings.stage}' ({provider.name}) and point "
                f"{'them' if len(names) > 1 else 'it'} at the stage?")
    aws = ctx.aws(settings)
    run = _DomainRun(ctx, settings, aws, provider, manual=manual, yes=yes, confirm=confirm)
    wanted = []
    if domain:
        base = settings.base_path.strip("/") if settings.get("base_path") else ""
        wanted.append((domain, own.certificate_region if own else None, f"https://{domain}" + (f"/{base}" if base else ""),
                       own.alternative_names if own else ()))
    wanted += [(d.name, d.certificate_region or aws.resolve_region(), f"{d.scheme}://{d.name}", d.alternative_names)
               for d in extras]
    # every certificate before any binding
    certificates = [run.obtain(name, region, others) for name, region, _, others in wanted]
    return [result for (name, _, url, others), arn in zip(wanted, certificates, strict=True)
            for result in run.bind(name, arn, url, others)]


@dataclass
class _DomainRun:
    """Certify the domains of a stage: obtain each one's certificate, then bind it and point DNS at the front door."""

    ctx: Any
    settings: Any
    aws: Any
    provider: Any
    manual: bool
    yes: bool
    confirm: Callable[[str], Any]

    def obtain(self, domain: str, certificate_region: str | None, others: tuple[str, ...] = ()) -> str:
        cctx = CertifyContext(settings=self.settings, aws=self.aws, pm=self.ctx.pm, domain=domain, echo=self.ctx.echo,
                              manual=self.manual, yes=self.yes, local=self.ctx.local, confirm=self.confirm,
                              certificate_region=certificate_region, names=(domain, *others))
        return self.provider.obtain(cctx)

    def bind(self, domain: str, arn: str, url: str, others: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Bind ``domain`` (with the ``others`` its front door serves under the same certificate) and point DNS
        at the front door, one result per name."""
        ctx, settings = self.ctx, self.settings
        bound = bind(ctx, settings, self.aws, domain, arn)
        target, url = bound.target, bound.url or url
        results = []
        for name, name_url in [(domain, url), *((o, f"{url.split('://', 1)[0]}://{o}") for o in others)]:
            result = {"domain": name, "certificate_arn": arn, "provider": self.provider.name, "target": target,
                      "dns": "skipped", "url": name_url}
            if not target:
                ctx.echo(f"The front door gave no DNS name to point {name} at; DNS is left alone.")
            elif self.manual:
                ctx.echo(f"Create this DNS record yourself:\n  {name}. CNAME {target}.   (or an alias "
                         f"{' and '.join(bound.record_types)} record to {target})")
                result["dns"] = "manual"
            elif settings.get("route53_enabled", True):
                result["dns"] = _write_alias(self.aws, name, target, bound.hosted_zone_id, bound.record_types)
                ctx.echo(f"Route53: {name} -> {target} ({result['dns']}).")
            ctx.echo(f"{name_url} is bound to stage '{settings.stage}' with {arn}. DNS changes may take a few minutes to reach everyone.")
            results.append(result)
        return results


def bind(ctx: Any, settings: Any, aws: Any, domain: str, certificate: str) -> Any:
    """The front door's :class:`~zappa_core.records.DomainBinding` of ``domain`` (``zappa_bind_domain``)."""
    from zappa_core.plan import DeployContext
    from zappa_core.records import DomainBinding

    context = DeployContext(settings=settings, aws=aws, pm=ctx.pm, command="certify", local=ctx.local, echo=ctx.echo)
    bound = ctx.pm.hook.zappa_bind_domain(settings=settings, context=context, domain=domain, certificate=certificate)
    if bound is None:
        raise ZappaError(
            f"no front door of stage '{settings.stage}' can bind '{domain}' (the certificate {certificate} is ready)",
            hint="enable API Gateway (\"apigateway_enabled\") or the load balancer (\"alb_enabled\"), run "
                 "'zappa deploy' first, then certify again")
    if not isinstance(bound, DomainBinding):
        raise PluginError(f"zappa_bind_domain returned {bound!r}, not a DomainBinding",
                          hint="a front door returns zappa_core.records.DomainBinding(domain, target, hosted_zone_id)")
    return bound


def _write_alias(aws: Any, domain: str, target: str, zone_id: str | None, record_types: tuple[str, ...] = ("A",)) -> str:
    from zappa_core.route53 import CLOUDFRONT_HOSTED_ZONE_ID, upsert_alias

    if not zone_id:
        if not target.rstrip(".").endswith(".cloudfront.net"):
            raise ZappaError(f"the front door gave no hosted zone id for {target}; cannot create the alias record")
        zone_id = CLOUDFRONT_HOSTED_ZONE_ID
    return upsert_alias(aws.client("route53"), domain, target, zone_id, record_types=record_types)


def certify(ctx: Any, *, yes: bool = False, manual: bool = False) -> int:
    results = [result for settings in ctx.stages() for result in certify_stage(ctx, settings, yes=yes, manual=manual)]
    if ctx.json:
        ctx.emit_json(results if len(results) != 1 else results[0])
    return 0
