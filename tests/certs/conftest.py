"""Fixtures of the certificate tests: a small PKI made with ``cryptography``, stages, a certify context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from certs_pki import Pki, issue


@pytest.fixture(scope="session")
def pki() -> Pki:
    root = issue("Test Root CA", ca=True, days=3650)
    return Pki(root=root, intermediate=issue("Test Intermediate CA", issuer=root, ca=True, days=1825))


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def stage(project: Path, zappa_pm):
    """``stage(**keys)`` -> the validated settings of stage 'dev' of project 'shop' (in us-east-1)."""
    from zappa_core.settings import load_stage

    def make(**keys: Any):
        data = {"dev": {"project_name": "shop", "app_function": "app.app", "s3_bucket": "shop-code",
                        "aws_region": "us-east-1", **keys}}
        (project / "zappa_settings.json").write_text(json.dumps(data))
        return load_stage("dev", pm=zappa_pm, project_dir=project)

    return make


@pytest.fixture
def certify_ctx(moto_aws, zappa_pm):
    """``certify_ctx(settings)`` -> the context a provider's ``obtain`` receives; ``.lines`` collects output."""
    from zappa_core.aws import AwsClients
    from zappa_core.commands.certify import CertifyContext

    def make(settings, **kwargs: Any) -> CertifyContext:
        lines: list[str] = []
        ctx = CertifyContext(settings=settings, aws=AwsClients.for_settings(settings), pm=zappa_pm, domain=settings.domain,
                             echo=lines.append, **kwargs)
        ctx.lines = lines  # what the provider printed
        return ctx

    return make


def provider(pm, name: str):
    from zappa_core.plugins import collect_records

    return next(p for p in collect_records(pm, "zappa_certificate_providers", key="name") if p.name == name)


@pytest.fixture
def get_provider(zappa_pm):
    return lambda name: provider(zappa_pm, name)
