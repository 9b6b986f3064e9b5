"""Custom domains of a function URL (``function_url_domains``): the CloudFront distribution in front of it.

- ``deploy``/``update`` (the step ``apigw:function-url-domains``) create the distribution, keep it in step with
  the settings (domains added or removed, ``function_url_cloudfront_config`` changed) and keep the certificate
  ``zappa certify`` attached; a domain the certificate does not cover waits for ``certify``.
- ``zappa certify`` (:func:`bind`) attaches the us-east-1 certificate and the aliases; certify then writes the
  Route53 alias records (A and AAAA) of each domain to the distribution.
- ``undeploy`` disables the distribution, waits until CloudFront has deployed that, deletes it and removes
  the alias records that point at it.

The distribution is found by its comment (``Lambda FunctionURL <function>``, as Zappa writes it) or by its
origin, the function URL's host, and is tagged ``ZappaProject`` like everything else of the stage.
"""

from __future__ import annotations

import re
import time
from typing import Any

from zappa_core.arns import arn_region
from zappa_core.awserrors import is_not_found
from zappa_core.errors import AwsError, UsageError
from zappa_core.plan import Action, Change, DeployContext, ResourceStep
from zappa_core.records import DomainBinding, SettingsProblem, StageDomain
from zappa_core.route53 import CLOUDFRONT_HOSTED_ZONE_ID, name_matches

from zappa_aws_apigw import common, url_host_function
from zappa_aws_apigw.url_cloudfront import comment_of, config_problems, distribution_config, fingerprint

STEP_ID = "apigw:function-url-domains"
CERTIFICATE_REGION = "us-east-1"
FINGERPRINT_TAG = "ZappaCloudFrontConfig"
HOSTNAME = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", re.IGNORECASE)


def domains_of(settings: Any) -> list[str]:
    """The stage's function URL domains (lower case, in the order written), or ``[]`` without a function URL."""
    if not settings.function_url_enabled:
        return []
    return list(dict.fromkeys(d.lower().rstrip(".") for d in settings.function_url_domains or []))


def validate(settings: Any) -> list[SettingsProblem]:
    """Host names, no duplicates, a function URL to put them in front of, and a CloudFront configuration the
    API accepts."""
    problems = []
    domains = settings.function_url_domains or []
    if domains and not settings.function_url_enabled:
        problems.append(SettingsProblem("custom domains are put in front of the function URL: set \"function_url_enabled\": true",
                                        key="function_url_domains"))
    elif domains:
        from zappa_aws_apigw.function_url import boto_url_config

        if boto_url_config(settings)["AuthType"] != "NONE":
            problems.append(SettingsProblem(
                "a function URL with \"authorizer\": \"AWS_IAM\" refuses the unsigned requests CloudFront sends it, so its "
                "domains would answer 403: use \"authorizer\": \"NONE\" in function_url_config with function_url_domains",
                key="function_url_domains"))
    seen: set[str] = set()
    for i, name in enumerate(domains):
        if not HOSTNAME.match(name.rstrip(".")):
            problems.append(SettingsProblem(f"must be a host name such as 'app.example.com' (no scheme, path or port), not {name!r}",
                                            key="function_url_domains", path=(i,)))
        elif name.lower() in seen:
            problems.append(SettingsProblem(f"{name!r} is listed twice", key="function_url_domains", path=(i,)))
        seen.add(name.lower())
    domain = str(settings.get("domain") or "").lower()
    if domain and settings.function_url_enabled and common.apigw_enabled(settings) and domain in [d.lower() for d in domains]:
        problems.append(SettingsProblem(
            f"'{domain}' is the stage's 'domain', which its API Gateway API serves, and one of 'function_url_domains': "
            "one name cannot point at both; give the function URL a name of its own, or set \"apigateway_enabled\": false",
            key="function_url_domains"))
    if settings.function_url_cloudfront_config and not domains:
        problems.append(SettingsProblem("configures the CloudFront distribution of 'function_url_domains', which is empty",
                                        key="function_url_cloudfront_config"))
    elif settings.function_url_cloudfront_config:
        problems += [SettingsProblem(message, key="function_url_cloudfront_config", path=path)
                     for path, message in config_problems(settings)]
    return problems


# -- reading AWS ------------------------------------------------------------------------------------------


def cloudfront(aws: Any) -> Any:
    return aws.client("cloudfront", CERTIFICATE_REGION)


def origin_host(aws: Any, settings: Any) -> str | None:
    """The host name of the stage's function URL (``None`` while it does not exist)."""
    from zappa_aws_apigw.function_url import read_url_config

    config = read_url_config(aws.client("lambda"), settings.function_name)
    if not config:
        return None
    return str(config["FunctionUrl"]).split("://", 1)[-1].strip("/")


def find_distributions(cf: Any, settings: Any, host: str | None) -> list[dict[str, Any]]:
    """The stage's distributions (summaries): by comment, or by the function URL as origin."""
    found = []
    try:
        for page in cf.get_paginator("list_distributions").paginate():
            for item in (page.get("DistributionList") or {}).get("Items") or []:
                origins = [o.get("DomainName") for o in (item.get("Origins") or {}).get("Items") or []]
                if item.get("Comment") == comment_of(settings.function_name) or (host and host in origins):
                    found.append(item)
    except Exception as exc:  # noqa: BLE001 - any failure is raised as this step's AwsError
        raise AwsError(f"{STEP_ID}: could not list the CloudFront distributions: {exc}") from None
    return found


def read_distribution(cf: Any, distribution_id: str) -> tuple[dict[str, Any], str, dict[str, str]] | None:
    """``(distribution, etag, tags)`` or ``None`` when it is gone."""
    try:
        got = cf.get_distribution(Id=distribution_id)
        tags = cf.list_tags_for_resource(Resource=got["Distribution"]["ARN"]).get("Tags", {}).get("Items") or []
    except Exception as exc:  # noqa: BLE001 - not found means gone; any other failure is raised as AwsError
        if is_not_found(exc) or "NoSuchDistribution" in str(exc):
            return None
        raise AwsError(f"{STEP_ID}: could not read CloudFront distribution {distribution_id}: {exc}") from None
    return got["Distribution"], got["ETag"], {t["Key"]: t["Value"] for t in tags}


def live_certificate(distribution: dict[str, Any] | None) -> str | None:
    viewer = ((distribution or {}).get("DistributionConfig") or {}).get("ViewerCertificate") or {}
    return viewer.get("ACMCertificateArn") or None


def live_aliases(distribution: dict[str, Any] | None) -> list[str]:
    return list(((distribution or {}).get("DistributionConfig") or {}).get("Aliases", {}).get("Items") or [])


def covered(aws: Any, certificate: str, domains: list[str]) -> list[str]:
    """The domains the ACM certificate covers (its names, wildcards included)."""
    try:
        cert = aws.client("acm", CERTIFICATE_REGION).describe_certificate(CertificateArn=certificate)["Certificate"]
    except Exception as exc:  # noqa: BLE001 - not found means it covers nothing; any other failure is raised as AwsError
        if is_not_found(exc):
            return []
        raise AwsError(f"{STEP_ID}: could not read the certificate {certificate}: {exc}") from None
    names = cert.get("SubjectAlternativeNames") or [cert.get("DomainName")]
    return [d for d in domains if any(name_matches(n, d) for n in names if n)]


def wanted_certificate(settings: Any, distribution: dict[str, Any] | None) -> str | None:
    """The certificate the distribution should carry: the one certify attached, else ``certificate_arn``
    when it is in us-east-1 (CloudFront uses no other region)."""
    attached = live_certificate(distribution)
    if attached:
        return attached
    arn = settings.get("certificate_arn")
    return arn if arn and arn_region(arn) == CERTIFICATE_REGION else None


# -- the resource step ------------------------------------------------------------------------------------


class FunctionUrlDomainsStep(ResourceStep):
    """The CloudFront distribution in front of the function URL."""

    id = STEP_ID
    follows_code = False
    depends_on = ("apigw:function-url",)

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def _live(self, ctx: DeployContext, host: str | None) -> tuple[dict[str, Any], str, dict[str, str]] | None:
        cf = cloudfront(ctx.aws)
        for item in find_distributions(cf, self.settings, host):
            found = read_distribution(cf, item["Id"])
            if found is not None:
                return found
        return None

    def _want(self, ctx: DeployContext, host: str, live: Any, host_function: str | None) -> tuple[dict[str, Any], list[str]]:
        """The configuration to send, and the domains waiting for a certificate that covers them."""
        domains = domains_of(self.settings)
        certificate = wanted_certificate(self.settings, live[0] if live else None)
        aliases = covered(ctx.aws, certificate, domains) if certificate else []
        config = distribution_config(self.settings, host, certificate=certificate, aliases=aliases, host_function=host_function)
        return config, [d for d in domains if d not in aliases]

    def plan(self, ctx: DeployContext) -> Change:
        domains = domains_of(self.settings)
        if not domains:
            return self.plan_destroy(ctx)
        resource = f"CloudFront distribution for {', '.join(domains)}"
        host = origin_host(ctx.aws, self.settings)
        live = self._live(ctx, host)
        if host is None:
            return Change(self.id, Action.CREATE if live is None else Action.UPDATE, resource, ["origin: the new function URL"])
        host_function = url_host_function.live_arn(cloudfront(ctx.aws), self.settings)
        config, waiting = self._want(ctx, host, live, host_function)
        details = [f"{d}: waits for a certificate that covers it (zappa certify {self.settings.stage})" for d in waiting]
        if live is None:
            return Change(self.id, Action.CREATE, resource, [f"origin {host}", *details])
        distribution, _, tags = live
        live_config = distribution.get("DistributionConfig") or {}
        changes = []
        for name in sorted(set(config["Aliases"]["Items"]) - set(live_aliases(distribution))):
            changes.append(f"alias {name} added")
        for name in sorted(set(live_aliases(distribution)) - set(config["Aliases"]["Items"])):
            changes.append(f"alias {name} removed")
        if not live_config.get("Enabled"):
            changes.append("enable")
        if host_function is None:
            changes.append(f"CloudFront Function {url_host_function.function_name(self.settings)} (passes the client's Host on): create")
        if tags.get(FINGERPRINT_TAG) != fingerprint(config) and not changes:
            changes.append("configuration (function_url_cloudfront_config, origin or certificate)")
        action = Action.UPDATE if changes else Action.UNCHANGED
        return Change(self.id, action, f"{resource} ({distribution['DomainName']})", changes + details)

    def apply(self, ctx: DeployContext, change: Change) -> None:
        if not domains_of(self.settings):
            return self.destroy(ctx, change)
        host = origin_host(ctx.aws, self.settings)
        if host is None:
            raise AwsError(f"{self.id}: the function URL of {self.settings.function_name} does not exist",
                           hint="set \"function_url_enabled\": true and deploy again")
        cf = cloudfront(ctx.aws)
        live = self._live(ctx, host)
        config, waiting = self._want(ctx, host, live, url_host_function.ensure(cf, self.settings))
        tags = {**common.tags_of(self.settings), FINGERPRINT_TAG: fingerprint(config)}
        try:
            if live is None:
                made = cf.create_distribution_with_tags(DistributionConfigWithTags={
                    "DistributionConfig": config, "Tags": {"Items": [{"Key": k, "Value": v} for k, v in tags.items()]}})
                distribution = made["Distribution"]
            else:
                distribution, etag, _ = live
                removed = set(live_aliases(distribution)) - set(config["Aliases"]["Items"])
                sent = {**(distribution.get("DistributionConfig") or {}), **config,
                        "CallerReference": distribution["DistributionConfig"]["CallerReference"]}
                distribution = cf.update_distribution(Id=distribution["Id"], IfMatch=etag, DistributionConfig=sent)["Distribution"]
                cf.tag_resource(Resource=distribution["ARN"], Tags={"Items": [{"Key": k, "Value": v} for k, v in tags.items()]})
                remove_alias_records(ctx.aws, sorted(removed), distribution["DomainName"])
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure is raised as this step's AwsError
            raise AwsError(f"{self.id}: could not {'create' if live is None else 'update'} the CloudFront distribution "
                           f"for {', '.join(domains_of(self.settings))}: {exc}") from None
        ctx.outputs[self.id] = {"id": distribution["Id"], "domain_name": distribution["DomainName"],
                                "aliases": config["Aliases"]["Items"], "waiting": waiting}
        if waiting:
            ctx.echo(f"CloudFront distribution {distribution['DomainName']}: {', '.join(waiting)} "
                     f"{'waits' if len(waiting) == 1 else 'wait'} for a certificate: run zappa certify {self.settings.stage}")

    def plan_destroy(self, ctx: DeployContext) -> Change:
        host = origin_host(ctx.aws, self.settings)
        if host is None and not domains_of(self.settings):
            # No function URL and no domains: nothing for a distribution to stand in front of, so a stage that
            # never used function_url_domains makes no CloudFront call and needs no CloudFront permission.
            return Change(self.id, Action.UNCHANGED, "CloudFront distribution of the function URL", [], empty=True)
        cf = cloudfront(ctx.aws)
        found = find_distributions(cf, self.settings, host)
        details = [f"CloudFront distribution {d.get('DomainName')} ({d['Id']}): disable, then delete" for d in found]
        if url_host_function.exists(cf, self.settings):
            details.append(f"CloudFront Function {url_host_function.function_name(self.settings)}")
        return Change(self.id, Action.DELETE if details else Action.UNCHANGED, "CloudFront distribution of the function URL",
                      details, empty=not details)

    def destroy(self, ctx: DeployContext, change: Change) -> None:
        cf = cloudfront(ctx.aws)
        for item in find_distributions(cf, self.settings, origin_host(ctx.aws, self.settings)):
            delete_distribution(ctx, cf, item["Id"])
        url_host_function.delete(cf, self.settings)


def remove_alias_records(aws: Any, domains: list[str], target: str) -> None:
    """Remove the Route53 alias records of ``domains`` that point at the distribution ``target`` (certify wrote
    them; records pointing elsewhere are left alone)."""
    from zappa_core.route53 import delete_alias

    route53 = aws.client("route53")
    for domain in domains:
        delete_alias(route53, domain, target=target)


def delete_distribution(ctx: DeployContext, cf: Any, distribution_id: str, *, timeout: float = 1800.0) -> None:
    """Disable the distribution, wait until CloudFront has deployed that (minutes on AWS), delete it, and
    remove the alias records pointing at it."""
    found = read_distribution(cf, distribution_id)
    if found is None:
        return
    distribution, etag, _ = found
    config = distribution["DistributionConfig"]
    try:
        if config.get("Enabled"):
            etag = cf.update_distribution(Id=distribution_id, IfMatch=etag, DistributionConfig={**config, "Enabled": False})["ETag"]
        deadline = time.monotonic() + timeout
        interval = 0.2 if ctx.local else 15.0
        told = False
        while True:
            got = cf.get_distribution(Id=distribution_id)
            if got["Distribution"].get("Status") == "Deployed":
                etag = got["ETag"]
                break
            if time.monotonic() > deadline:
                raise AwsError(f"{STEP_ID}: CloudFront distribution {distribution_id} is still being disabled after "
                               f"{int(timeout)} s", hint="run zappa undeploy again later: it continues where it stopped")
            if not told:
                ctx.echo(f"Waiting for CloudFront to disable distribution {distribution_id} (about 5 to 15 minutes on AWS)...")
                told = True
            time.sleep(interval)
        cf.delete_distribution(Id=distribution_id, IfMatch=etag)
    except AwsError:
        raise
    except Exception as exc:  # noqa: BLE001 - not found means gone; any other failure is raised as AwsError
        if is_not_found(exc) or "NoSuchDistribution" in str(exc):
            return
        raise AwsError(f"{STEP_ID}: could not delete CloudFront distribution {distribution_id}: {exc}") from None
    remove_alias_records(ctx.aws, live_aliases(distribution), distribution["DomainName"])


# -- zappa certify ----------------------------------------------------------------------------------------


def bind(aws: Any, settings: Any, domain: str, certificate: str) -> DomainBinding:
    """Attach ``certificate`` (us-east-1) to the stage's distribution with every function URL domain it covers
    as an alias; the binding points ``domain`` at the distribution (A and AAAA)."""
    if arn_region(certificate) != CERTIFICATE_REGION:
        raise UsageError(f"the certificate of {domain} is in {arn_region(certificate)}, but CloudFront (which serves "
                         f"function_url_domains) only uses certificates from {CERTIFICATE_REGION}",
                         hint=f"request or import the certificate in {CERTIFICATE_REGION}")
    cf = cloudfront(aws)
    host = origin_host(aws, settings)
    found = next((read_distribution(cf, d["Id"]) for d in find_distributions(cf, settings, host)), None)
    if found is None or host is None:
        raise UsageError(f"no CloudFront distribution of the function URL of {settings.function_name} to bind {domain} to",
                         hint=f"deploy the stage first: zappa deploy {settings.stage}")
    distribution, etag, _ = found
    domains = domains_of(settings)
    aliases = covered(aws, certificate, domains)
    if domain not in aliases:
        raise UsageError(f"the certificate {certificate} does not cover {domain}",
                         hint="use a certificate whose names include every domain of function_url_domains")
    config = distribution_config(settings, host, certificate=certificate, aliases=aliases,
                                 host_function=url_host_function.ensure(cf, settings))
    live_config = distribution.get("DistributionConfig") or {}
    if live_certificate(distribution) != certificate or sorted(live_aliases(distribution)) != sorted(aliases):
        try:
            sent = {**live_config, **config, "CallerReference": live_config["CallerReference"]}
            distribution = cf.update_distribution(Id=distribution["Id"], IfMatch=etag, DistributionConfig=sent)["Distribution"]
            cf.tag_resource(Resource=distribution["ARN"], Tags={"Items": [{"Key": FINGERPRINT_TAG, "Value": fingerprint(config)}]})
        except Exception as exc:  # noqa: BLE001 - any failure of the binding is reported as this step's AwsError
            raise AwsError(f"apigw: could not attach {certificate} to CloudFront distribution {distribution['Id']}: {exc}") from None
    return DomainBinding(domain, distribution["DomainName"], CLOUDFRONT_HOSTED_ZONE_ID,
                         {"distribution_id": distribution["Id"], "aliases": aliases}, record_types=("A", "AAAA"))


def stage_domains(settings: Any) -> list[StageDomain]:
    """``function_url_domains`` for ``zappa certify``: one certificate in us-east-1 for all of them, bound once
    (the stage's ``domain`` first when it is one of them)."""
    domains = domains_of(settings)
    if not domains:
        return []
    domain = str(settings.get("domain") or "").lower()
    first = domain if domain in domains else domains[0]
    return [StageDomain(first, certificate_region=CERTIFICATE_REGION, alternative_names=tuple(d for d in domains if d != first))]


# -- zappa status -----------------------------------------------------------------------------------------


def status(aws: Any, settings: Any) -> dict[str, Any] | None:
    """``{"id", "domain_name", "status", "aliases", "urls"}`` of the distribution, or ``None``."""
    cf = cloudfront(aws)
    found = next((read_distribution(cf, d["Id"]) for d in find_distributions(cf, settings, origin_host(aws, settings))), None)
    if found is None:
        return None
    distribution = found[0]
    aliases = live_aliases(distribution)
    return {"id": distribution["Id"], "domain_name": distribution["DomainName"], "status": distribution.get("Status"),
            "aliases": aliases, "urls": [f"https://{a}" for a in aliases],
            "waiting": [d for d in domains_of(settings) if d not in aliases]}
