"""Settings owned by the events plugin: ``events``, keep-warm, Lex, Cognito and async tasks."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class EventsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[dict[str, Any]] = Field(default_factory=list, description="Scheduled functions and event sources (S3, SNS, SQS, DynamoDB, Kinesis, ...).")
    keep_warm: bool = Field(True, description="Ping the function on a schedule to keep it warm.")
    keep_warm_expression: str = Field("rate(4 minutes)", description="Schedule of the keep-warm ping.")
    bot_events: list[dict[str, Any]] = Field(default_factory=list, description="Amazon Lex intents: `{function, intent, invocation_source}`.")
    cognito: Optional[dict[str, Any]] = Field(None, description="`{user_pool, triggers: [{source, function}]}` Cognito user pool triggers.")
    async_source: Optional[Literal["lambda", "sns"]] = Field(None, description="Default service for `@task`: `lambda` or `sns`.")
    async_resources: bool = Field(True, description="Create the SNS topic and DynamoDB table that async tasks use.")
    async_response_table: str = Field("", description="DynamoDB table for `capture_response=True` task results.")
    async_response_table_read_capacity: int = Field(1, ge=1, description="Read capacity of the response table.")
    async_response_table_write_capacity: int = Field(1, ge=1, description="Write capacity of the response table.")
