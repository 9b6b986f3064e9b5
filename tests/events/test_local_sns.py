"""End to end on the local AWS: ``zappa deploy dev --local`` of an app whose ``events`` subscribe functions
to an SNS topic, a DynamoDB stream and a Kinesis stream; a publish, a put_item and a put_record each run the
real function from the deployed package, and the SNS event names the topic and subscription it came from
(the events runtime routes SNS messages by topic)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from local_evidence import evidence as wait_for_evidence

pytestmark = pytest.mark.e2e

APP = Path(__file__).parent / "apps" / "local_streams_app"


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The local AWS in this process, the topic, table and stream the settings name, and the app deployed."""
    from zappa_core.cli import run
    from zappa_core.testing import local_aws

    cache = tmp_path_factory.mktemp("local-cache")
    with local_aws(cache, for_cli=True) as aws, pytest.MonkeyPatch.context() as mp:
        clients = aws.state.aws
        clients.client("s3").create_bucket(Bucket="evidence")
        topic = clients.client("sns").create_topic(Name="evstreams-notices")["TopicArn"]
        table = clients.client("dynamodb").create_table(
            TableName="evstreams-orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
        kinesis = clients.client("kinesis")
        kinesis.create_stream(StreamName="evstreams-clicks", ShardCount=1)
        clicks = kinesis.describe_stream(StreamName="evstreams-clicks")["StreamDescription"]["StreamARN"]

        project = tmp_path_factory.mktemp("evstreams") / "project"
        shutil.copytree(APP, project)
        (project / "zappa_settings.json").write_text(json.dumps({"dev": {
            "project_name": "evstreams", "app_function": "app.app", "s3_bucket": "evstreams-deploy",
            "aws_region": "us-east-1", "touch": False, "keep_warm": False,
            "events": [
                {"function": "app.on_notice", "event_source": {"arn": topic}},
                {"function": "app.on_order", "event_source": {"arn": table["LatestStreamArn"],
                                                              "starting_position": "LATEST", "batch_size": 1}},
                {"function": "app.on_click", "event_source": {"arn": clicks, "starting_position": "LATEST",
                                                              "batch_size": 1}},
            ]}}))
        mp.chdir(project)
        assert run(["deploy", "dev", "--local"]) == 0
        aws.wired = {"topic": topic, "stream": table["LatestStreamArn"], "clicks": clicks}
        yield aws


def evidence(aws, key: str, timeout: float = 30) -> dict:
    return wait_for_evidence(aws, "evstreams-dev", key, timeout)


def test_sns_publish_runs_the_subscribed_function(local):
    sns = local.state.aws.client("sns")
    [subscription] = sns.list_subscriptions_by_topic(TopicArn=local.wired["topic"])["Subscriptions"]
    assert subscription["Protocol"] == "lambda" and subscription["Endpoint"].endswith(":function:evstreams-dev")
    sns.publish(TopicArn=local.wired["topic"], Message="notice-1")
    seen = evidence(local, "sns/notice-1")
    assert seen["pid"] > 0
    assert (seen["topic"], seen["subscription"]) == (local.wired["topic"], subscription["SubscriptionArn"])


def test_an_sns_message_of_an_unsubscribed_topic_reaches_no_function(local):
    """The runtime routes by topic: the same function subscribed by hand to another topic is not run for it."""
    sns = local.state.aws.client("sns")
    other = sns.create_topic(Name="evstreams-other")["TopicArn"]
    sns.subscribe(TopicArn=other, Protocol="lambda",
                  Endpoint="arn:aws:lambda:us-east-1:123456789012:function:evstreams-dev")
    sns.publish(TopicArn=other, Message="stray")
    sns.publish(TopicArn=local.wired["topic"], Message="after-stray")
    evidence(local, "sns/after-stray")
    listed = local.state.aws.client("s3").list_objects_v2(Bucket="evidence", Prefix="sns/")["Contents"]
    assert "sns/stray" not in {o["Key"] for o in listed}


def test_dynamodb_stream_runs_the_function(local):
    local.state.aws.client("dynamodb").put_item(TableName="evstreams-orders", Item={"id": {"S": "order-1"}})
    seen = evidence(local, "dynamodb/order-1")
    assert seen["pid"] > 0 and seen["source"] == local.wired["stream"]


def test_kinesis_record_runs_the_function(local):
    local.state.aws.client("kinesis").put_record(StreamName="evstreams-clicks", Data=b"click-1", PartitionKey="p")
    seen = evidence(local, "kinesis/click-1")
    assert seen["pid"] > 0 and seen["source"] == local.wired["clicks"]


def test_a_second_mapping_of_a_stream_is_refused_as_lambda_refuses_it(local):
    lam = local.state.aws.client("lambda")
    [mapping] = lam.list_event_source_mappings(EventSourceArn=local.wired["clicks"])["EventSourceMappings"]
    with pytest.raises(lam.exceptions.ResourceConflictException) as refused:
        lam.create_event_source_mapping(EventSourceArn=local.wired["clicks"], FunctionName="evstreams-dev",
                                        StartingPosition="LATEST")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert str(refused.value).endswith(
        f'The event source arn (" {local.wired["clicks"]} ") and function (" evstreams-dev ") provided mapping '
        f'already exists. Please update or delete the existing mapping with UUID {mapping["UUID"]}')
    assert len(lam.list_event_source_mappings(EventSourceArn=local.wired["clicks"])["EventSourceMappings"]) == 1
