"""S3 notifications, SNS subscriptions, event-source mappings, log subscriptions, Cognito and async
resources made by the events plugin, against in-process moto: created, changed and removed."""

from __future__ import annotations

import json

import pytest

QUEUE = "arn:aws:sqs:us-east-1:123456789012:jobs"


def lambda_configs(aws, bucket):
    return aws.client("s3").get_bucket_notification_configuration(Bucket=bucket).get("LambdaFunctionConfigurations", [])


def test_s3_notification_with_events_and_key_filters_keeps_other_notifications(driver, load_settings, moto_aws, function):
    s3 = moto_aws.client("s3")
    s3.create_bucket(Bucket="photos")
    queue_arn = moto_aws.client("sqs").get_queue_attributes(
        QueueUrl=moto_aws.client("sqs").create_queue(QueueName="audit")["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
        "QueueConfigurations": [{"Id": "audit", "QueueArn": queue_arn, "Events": ["s3:ObjectRemoved:*"]}]})
    settings = load_settings(keep_warm=False, events=[{"function": "app.thumbnail", "event_source": {
        "arn": "arn:aws:s3:::photos", "events": ["s3:ObjectCreated:*"],
        "key_filters": [{"type": "prefix", "value": "uploads/"}, {"type": "suffix", "value": ".jpg"}]}}])
    driver.apply(settings)

    [config] = lambda_configs(moto_aws, "photos")
    assert config["Id"] == "demo-dev:app.thumbnail"
    assert config["LambdaFunctionArn"] == function.arn and config["Events"] == ["s3:ObjectCreated:*"]
    rules = {r["Name"].lower(): r["Value"] for r in config["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": "uploads/", "suffix": ".jpg"}
    assert s3.get_bucket_notification_configuration(Bucket="photos")["QueueConfigurations"][0]["Id"] == "audit"
    assert driver.plan(settings)["events:s3"].action.value == "unchanged"

    changed = load_settings(keep_warm=False, events=[{"function": "app.thumbnail", "event_source": {
        "arn": "arn:aws:s3:::photos", "events": ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"]}}])
    assert driver.plan(changed)["events:s3"].action.value == "update"
    driver.apply(changed)
    [config] = lambda_configs(moto_aws, "photos")
    assert sorted(config["Events"]) == ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"] and "Filter" not in config

    driver.apply(load_settings(keep_warm=False))  # the entry is gone from the settings
    assert lambda_configs(moto_aws, "photos") == []
    assert s3.get_bucket_notification_configuration(Bucket="photos")["QueueConfigurations"][0]["Id"] == "audit"
    with pytest.raises(Exception, match="ResourceNotFound"):  # the permission went with it
        moto_aws.client("lambda").get_policy(FunctionName="demo-dev")


def test_zappas_prefix_and_suffix_are_the_same_notification_as_key_filters(driver, load_settings, moto_aws, function):
    """Zappa 0.63 reads ``prefix``/``suffix`` in ``event_source``; a stage switching to ``key_filters`` (or
    back) has nothing to change."""
    moto_aws.client("s3").create_bucket(Bucket="photos")
    zappa_form = load_settings(keep_warm=False, events=[{"function": "app.thumbnail", "event_source": {
        "arn": "arn:aws:s3:::photos", "prefix": "uploads/", "suffix": ".jpg"}}])
    driver.apply(zappa_form)
    [config] = lambda_configs(moto_aws, "photos")
    assert sorted((r["Name"].lower(), r["Value"]) for r in config["Filter"]["Key"]["FilterRules"]) == [
        ("prefix", "uploads/"), ("suffix", ".jpg")]
    filters_form = load_settings(keep_warm=False, events=[{"function": "app.thumbnail", "event_source": {
        "arn": "arn:aws:s3:::photos", "key_filters": [{"type": "suffix", "value": ".jpg"}], "prefix": "uploads/"}}])
    assert driver.plan(filters_form)["events:s3"].action.value == "unchanged"


def test_lex_gets_permission_for_the_intent_in_the_region_and_account_of_its_arn(driver, load_settings, moto_aws,
                                                                                 function):
    bot = {"function": "app.lex", "event_source": {"intent": "OrderFlowers", "invocation_source": "FulfillmentCodeHook"}}
    driver.apply(load_settings(keep_warm=False, bot_events=[bot]))
    [statement] = json.loads(moto_aws.client("lambda").get_policy(FunctionName="demo-dev")["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "lex.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == "arn:aws:lex:us-east-1:123456789012:intent:OrderFlowers:*"

    with_arn = {**bot, "event_source": {**bot["event_source"],
                                        "arn": "arn:aws:lex:us-west-2:210987654321:intent:OrderFlowers:$LATEST"}}
    driver.apply(load_settings(keep_warm=False, bot_events=[with_arn]))
    [statement] = json.loads(moto_aws.client("lambda").get_policy(FunctionName="demo-dev")["Policy"])["Statement"]
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == "arn:aws:lex:us-west-2:210987654321:intent:OrderFlowers:*"


def test_sns_subscription_with_filter_policy_changed_and_removed(driver, load_settings, moto_aws, function):
    sns = moto_aws.client("sns")
    topic = sns.create_topic(Name="orders")["TopicArn"]
    settings = load_settings(keep_warm=False, events=[{"function": "app.on_order", "event_source": {
        "arn": topic, "filters": {"kind": ["paid"]}}}])
    driver.apply(settings)
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sub["Protocol"] == "lambda" and sub["Endpoint"] == function.arn
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"kind": ["paid"]}
    assert driver.plan(settings)["events:sns"].action.value == "unchanged"

    driver.apply(load_settings(keep_warm=False, events=[{"function": "app.on_order", "event_source": {
        "arn": topic, "filters": {"kind": ["refunded"]}}}]))
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"kind": ["refunded"]}

    driver.apply(load_settings(keep_warm=False))
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def mappings(aws):
    # every mapping of the account (moto filters FunctionName by the exact string given at creation)
    return {m["EventSourceArn"]: m for m in aws.client("lambda").list_event_source_mappings()["EventSourceMappings"]}


def test_sqs_dynamodb_and_kinesis_mappings_created_changed_and_removed(driver, load_settings, moto_aws, function):
    queue_url = moto_aws.client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    queue = moto_aws.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    table = moto_aws.client("dynamodb").create_table(
        TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    stream = table["LatestStreamArn"]
    kinesis = moto_aws.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    clicks = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]

    settings = load_settings(keep_warm=False, events=[
        {"function": "app.job", "event_source": {"arn": queue, "batch_size": 5, "report_batch_item_failures": True}},
        {"function": "app.order", "event_source": {"arn": stream, "starting_position": "LATEST", "batch_size": 50}},
        {"function": "app.click", "event_source": {"arn": clicks, "enabled": False}},
    ])
    plan = driver.plan(settings)
    assert {plan[k].action.value for k in ("events:sqs", "events:dynamodb", "events:kinesis")} == {"create"}
    driver.apply(settings)
    found = mappings(moto_aws)
    assert found[queue]["BatchSize"] == 5 and found[queue]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert found[stream]["BatchSize"] == 50 and found[stream]["StartingPosition"] == "LATEST"
    assert found[clicks]["BatchSize"] == 100 and found[clicks]["StartingPosition"] == "TRIM_HORIZON"
    assert found[clicks]["State"] == "Disabled"
    assert all(c.action.value == "unchanged" for c in driver.plan(settings).values())

    changed = load_settings(keep_warm=False, events=[
        {"function": "app.job", "event_source": {"arn": queue, "batch_size": 10, "enabled": False}},
        {"function": "app.click", "event_source": {"arn": clicks}},
    ])
    plan = driver.plan(changed)
    assert plan["events:sqs"].action.value == "update" and plan["events:dynamodb"].action.value == "delete"
    driver.apply(changed)
    found = mappings(moto_aws)
    assert set(found) == {queue, clicks}
    assert found[queue]["BatchSize"] == 10 and found[queue]["State"] == "Disabled"
    assert found[clicks]["State"] == "Enabled"

    driver.destroy(changed)
    assert mappings(moto_aws) == {}


def test_sources_need_exactly_their_read_permissions(driver, load_settings):
    stream = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
    settings = load_settings(events=[{"function": "app.job", "event_source": {"arn": QUEUE}},
                                     {"function": "app.click", "event_source": {"arn": stream}}])
    ctx = driver.context(settings)
    statements = {s.id: s.iam_statements(ctx) for s in driver.steps(settings)}
    assert statements["events:sqs"] == [{"Effect": "Allow", "Action": [
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Resource": [QUEUE]}]
    assert statements["events:kinesis"][0]["Resource"] == [stream]
    assert "kinesis:GetRecords" in statements["events:kinesis"][0]["Action"]
    assert statements["events:dynamodb"] == [] and statements["events:s3"] == []
    [invoke] = statements["events:async"]
    assert invoke["Action"] == ["lambda:InvokeFunction"]
    assert invoke["Resource"] == ["arn:aws:lambda:us-east-1:123456789012:function:demo-dev"]


def test_log_group_subscription(driver, load_settings, moto_aws, function):
    logs = moto_aws.client("logs")
    logs.create_log_group(logGroupName="/app/audit")
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/app/audit"
    driver.apply(load_settings(keep_warm=False, events=[
        {"function": "app.on_log", "event_source": {"arn": arn, "filter_pattern": "ERROR"}}]))
    [found] = logs.describe_subscription_filters(logGroupName="/app/audit")["subscriptionFilters"]
    assert found["destinationArn"] == function.arn and found["filterPattern"] == "ERROR"
    driver.apply(load_settings(keep_warm=False))
    assert logs.describe_subscription_filters(logGroupName="/app/audit")["subscriptionFilters"] == []


def test_cognito_triggers_keep_the_pools_other_settings(driver, load_settings, moto_aws, function):
    idp = moto_aws.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="users", AutoVerifiedAttributes=["email"],
                                LambdaConfig={"CustomMessage": "arn:aws:lambda:us-east-1:123456789012:function:other"})["UserPool"]
    settings = load_settings(keep_warm=False, cognito={"user_pool": pool["Id"], "triggers": [
        {"source": "PreSignUp_SignUp", "function": "app.pre_signup"},
        {"source": "PostConfirmation_ConfirmSignUp", "function": "app.welcome"}]})
    driver.apply(settings)
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["LambdaConfig"] == {"PreSignUp": function.arn, "PostConfirmation": function.arn,
                                         "CustomMessage": "arn:aws:lambda:us-east-1:123456789012:function:other"}
    assert described["AutoVerifiedAttributes"] == ["email"]
    assert driver.plan(settings)["events:cognito"].action.value == "unchanged"

    driver.apply(load_settings(keep_warm=False))  # cognito removed from the settings
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["LambdaConfig"] == {"CustomMessage": "arn:aws:lambda:us-east-1:123456789012:function:other"}


def test_async_resources_topic_and_response_table(driver, load_settings, moto_aws, function):
    settings = load_settings(keep_warm=False, async_source="sns", async_response_table="demo-tasks",
                             async_response_table_read_capacity=2)
    driver.apply(settings)
    sns = moto_aws.client("sns")
    topic = "arn:aws:sns:us-east-1:123456789012:demo-dev-zappa-async"
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sub["Endpoint"] == function.arn
    dynamodb = moto_aws.client("dynamodb")
    table = dynamodb.describe_table(TableName="demo-tasks")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    assert dynamodb.describe_time_to_live(TableName="demo-tasks")["TimeToLiveDescription"]["AttributeName"] == "ttl"
    plan = driver.plan(settings)
    assert plan["events:async"].action.value == "unchanged"
    assert plan["events:sns"].action.value == "unchanged"  # the async topic is not an 'events' subscription

    statements = [s for step in driver.steps(settings) if step.id == "events:async" for s in step.iam_statements(driver.context(settings))]
    assert {a for s in statements for a in s["Action"]} >= {"sns:Publish", "dynamodb:PutItem", "dynamodb:GetItem"}

    driver.destroy(settings)
    assert topic not in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert "demo-tasks" not in dynamodb.list_tables()["TableNames"]


def test_a_users_own_response_table_is_used_never_deleted(driver, load_settings, moto_aws):
    dynamodb = moto_aws.client("dynamodb")
    dynamodb.create_table(TableName="mine", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    settings = load_settings(keep_warm=False, async_response_table="mine")
    assert driver.plan(settings)["events:async"].action.value == "unchanged"
    driver.destroy(settings)
    assert "mine" in dynamodb.list_tables()["TableNames"]


def test_wiring_before_the_function_exists_is_a_clear_error(moto_aws, load_settings):
    from zappa_core.errors import AwsError
    from zappa_core.plan import DeployContext
    from zappa_events.plugin import event_steps

    settings = load_settings()
    ctx = DeployContext(settings=settings, aws=moto_aws)
    [step] = [s for s in event_steps(settings, None) if s.id == "events:schedule"]
    change = step.plan(ctx)
    assert change.action.value == "create"  # planned against nothing: a first deploy
    with pytest.raises(AwsError, match="the function 'demo-dev' does not exist"):
        step.apply(ctx, change)


def test_a_duplicate_mapping_is_seen_by_plan_and_status_and_removed(driver, load_settings, moto_aws, function):
    """A second mapping of the same queue (left by a create whose answer was lost and that a retry made
    again; AWS itself refuses a duplicate with 409, in-process moto does not, which makes one here)."""
    from zappa_events.plugin import zappa_stage_status

    queue_url = moto_aws.client("sqs").create_queue(QueueName="dupes")["QueueUrl"]
    queue = moto_aws.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    settings = load_settings(keep_warm=False, events=[{"function": "app.job", "event_source": {"arn": queue, "batch_size": 5}}])
    driver.apply(settings)
    lam = moto_aws.client("lambda")
    extra = lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=function.arn, BatchSize=5)["UUID"]
    assert len(lam.list_event_source_mappings(FunctionName=function.arn)["EventSourceMappings"]) == 2

    plan = driver.plan(settings)["events:sqs"]
    assert plan.action.value == "update"
    assert plan.details == [f"- mapping {queue} (duplicate {extra}) (batch 5 -> app.job)"]
    status = zappa_stage_status(settings, driver.context(settings))
    assert status["events"]["sqs"] == sorted([queue, f"{queue} (duplicate {extra})"])

    driver.apply(settings)
    left = lam.list_event_source_mappings(FunctionName=function.arn)["EventSourceMappings"]
    assert [m["EventSourceArn"] for m in left] == [queue] and left[0]["UUID"] != extra
    lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=function.arn, BatchSize=5)
    driver.destroy(settings)  # undeploy removes every mapping of the function, duplicates included
    assert lam.list_event_source_mappings(FunctionName=function.arn)["EventSourceMappings"] == []
