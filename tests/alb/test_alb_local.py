"""The load balancer through the whole tool on the local AWS: ``zappa deploy --local`` packages a WSGI app,
creates the function and the load balancer; HTTP requests to the local gateway's ALB route reach the app as
ALB events (multi-value headers on) and come back as HTTP; ``update`` changes nothing; ``undeploy`` removes it.

The local AWS (moto server + Lambda executor + gateway) runs in this process; the function is the real
package that ``zappa`` built, run by the executor.
"""

from __future__ import annotations

import json
import textwrap
import urllib.error
import urllib.request

import pytest
from cert_helpers import import_self_signed

pytestmark = [pytest.mark.needs_plugins, pytest.mark.e2e]

APP = textwrap.dedent('''
    import json

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        seen = {"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"], "query": environ["QUERY_STRING"],
                "accept": environ.get("HTTP_X_TEST"), "body": body.decode("utf-8", "replace"),
                "script_name": environ.get("SCRIPT_NAME", "")}
        start_response("201 Created", [("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        return [json.dumps(seen).encode()]
''')


@pytest.fixture
def project(zappa_local, zappa_local_project):
    ec2 = zappa_local.state.aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
               for i, az in ((1, "a"), (2, "b"))]
    return zappa_local_project({"dev": {
        "project_name": "albshop", "app_function": "app.app", "s3_bucket": "albshop-code", "aws_region": "us-east-1",
        "apigateway_enabled": False, "keep_warm": False, "touch": False, "alb_enabled": True,
        "alb_vpc_config": {"SubnetIds": subnets}}}, files={"app.py": APP})


def http(url: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_deploy_serves_the_app_through_the_load_balancer_then_undeploy_removes_it(zappa_local, project):
    project.cli("deploy", "dev", "--local")
    elb = zappa_local.state.aws.client("elbv2")
    [lb] = elb.describe_load_balancers(Names=["albshop-dev"])["LoadBalancers"]

    url = project.status()["urls"]["alb"]
    assert url == f"{zappa_local.gateway_endpoint}/albshop-dev/"

    status, headers, body = http(url + "orders/7?tag=a&tag=b%20c", headers={"X-Test": "yes"})
    assert status == 201, body
    seen = json.loads(body)
    assert seen == {"method": "GET", "path": "/orders/7", "query": "tag=a&tag=b%20c", "accept": "yes", "body": "",
                    "script_name": ""}
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]  # multi-value headers both ways

    status, _, body = http(url + "echo", method="POST", body=b"hello alb", headers={"Content-Type": "text/plain"})
    assert status == 201 and json.loads(body)["body"] == "hello alb"

    project.cli("update", "dev", "--local")
    assert elb.describe_load_balancers(Names=["albshop-dev"])["LoadBalancers"][0]["LoadBalancerArn"] == lb["LoadBalancerArn"]

    # certify --local: the certificate goes on a new HTTPS listener, the domain becomes an alias of the LB
    cert = import_self_signed(zappa_local.state.aws.client("acm"), "shop.example.com")
    zone = zappa_local.state.aws.client("route53").create_hosted_zone(Name="example.com", CallerReference="alb-local")["HostedZone"]["Id"]
    settings = project.settings()
    settings["dev"].update(domain="shop.example.com", certificate_arn=cert)
    project.write_settings(settings)
    project.cli("certify", "dev", "--local", "--yes")
    listeners = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    assert sorted((listener["Protocol"], listener["Port"]) for listener in listeners) == [("HTTP", 80), ("HTTPS", 443)]
    records = zappa_local.state.aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    assert [r["AliasTarget"]["DNSName"].rstrip(".") for r in records if r["Type"] == "A"] == [lb["DNSName"]]
    status, _, body = http(url + "after-certify")
    assert status == 201 and json.loads(body)["path"] == "/after-certify"

    project.cli("undeploy", "dev", "--local", "--yes")
    assert "albshop-dev" not in [b["LoadBalancerName"] for b in elb.describe_load_balancers()["LoadBalancers"]]
    assert "albshop-dev" not in [t["TargetGroupName"] for t in elb.describe_target_groups()["TargetGroups"]]
    status, _, _ = http(url)
    assert status == 404
    records = zappa_local.state.aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    assert [r for r in records if r["Type"] == "A"] == []  # the alias went with the load balancer

