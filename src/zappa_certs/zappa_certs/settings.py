"""Settings owned by the certificates plugin."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CertsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    certificate_arn: str | None = Field(None, description="An ACM certificate ARN for `domain`.")
    certificate: str | None = Field(None, description="Path of your own certificate (PEM), imported to ACM.")
    certificate_key: str | None = Field(None, description="Path of the certificate's private key.")
    certificate_chain: str | None = Field(None, description="Path of the certificate chain.")
    lets_encrypt_key: str | None = Field(None, description="Let's Encrypt account key: a local path or `s3://bucket/key`.")
    route53_enabled: bool = Field(True, description="Create the Route53 alias record for `domain`.")
