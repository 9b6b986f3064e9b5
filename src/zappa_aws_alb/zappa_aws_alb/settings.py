"""Settings owned by the ALB plugin."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AlbVpcConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    CertificateArn: str | None = None
    SubnetIds: list[str] = Field(default_factory=list)
    SecurityGroupIds: list[str] = Field(default_factory=list)


class AlbSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alb_enabled: bool = Field(False, description="Put an Application Load Balancer in front of the function.")
    alb_vpc_config: AlbVpcConfig = Field(default_factory=AlbVpcConfig, description="`{CertificateArn, SubnetIds, SecurityGroupIds}` of the load balancer.")
