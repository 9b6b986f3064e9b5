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
from alb_helpers import import_self_signed

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


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    from zappa_core.plugins import get_plugin_manager
    from zappa_core.testing import local_aws

    with local_aws(tmp_path_factory.mktemp("local-cache"), pm=get_plugin_manager()) as aws:
        yield aws


@pytest.fixture
def project(local, tmp_path, monkeypatch):
    ec2 = local.state.aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
               for i, az in ((1, "a"), (2, "b"))]
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"dev": {
        "project_name": "albshop", "app_function": "app.app", "s3_bucket": "albshop-code", "aws_region": "us-east-1",
        "apigateway_enabled": False, "keep_warm": False, "touch": False, "alb_enabled": True,
        "alb_vpc_config": {"SubnetIds": subnets}}}))
    (tmp_path / ".zappa").mkdir()
    (tmp_path / ".zappa" / "local.json").write_text(json.dumps({"aws_endpoint": local.aws_endpoint,
                                                                 "gateway_endpoint": local.gateway_endpoint}))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def zappa(capsys, *args: str) -> tuple[int, str, str]:
    from zappa_core.cli import run

    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def http(url: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_deploy_serves_the_app_through_the_load_balancer_then_undeploy_removes_it(local, project, capsys):
    code, out, err = zappa(capsys, "deploy", "dev", "--local")
    assert code == 0, out + err
    elb = local.state.aws.client("elbv2")
    [lb] = elb.describe_load_balancers(Names=["albshop-dev"])["LoadBalancers"]

    code, out, err = zappa(capsys, "status", "dev", "--local", "--json")
    assert code == 0, err
    url = json.loads(out)["urls"]["alb"]
    assert url == f"{local.gateway_endpoint}/albshop-dev/"

    status, headers, body = http(url + "orders/7?tag=a&tag=b%20c", headers={"X-Test": "yes"})
    assert status == 201, body
    seen = json.loads(body)
    assert seen == {"method": "GET", "path": "/orders/7", "query": "tag=a&tag=b%20c", "accept": "yes", "body": "",
                    "script_name": ""}
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]  # multi-value headers both ways

    status, _, body = http(url + "echo", method="POST", body=b"hello alb", headers={"Content-Type": "text/plain"})
    assert status == 201 and json.loads(body)["body"] == "hello alb"

    code, out, err = zappa(capsys, "update", "dev", "--local")
    assert code == 0, out + err
    assert elb.describe_load_balancers(Names=["albshop-dev"])["LoadBalancers"][0]["LoadBalancerArn"] == lb["LoadBalancerArn"]

    # certify --local: the certificate goes on a new HTTPS listener, the domain becomes an alias of the LB
    cert = import_self_signed(local.state.aws.client("acm"), "shop.example.com")
    zone = local.state.aws.client("route53").create_hosted_zone(Name="example.com", CallerReference="alb-local")["HostedZone"]["Id"]
    settings = json.loads((project / "zappa_settings.json").read_text())
    settings["dev"].update(domain="shop.example.com", certificate_arn=cert)
    (project / "zappa_settings.json").write_text(json.dumps(settings))
    code, out, err = zappa(capsys, "certify", "dev", "--local", "--yes")
    assert code == 0, out + err
    listeners = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    assert sorted((listener["Protocol"], listener["Port"]) for listener in listeners) == [("HTTP", 80), ("HTTPS", 443)]
    records = local.state.aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    assert [r["AliasTarget"]["DNSName"].rstrip(".") for r in records if r["Type"] == "A"] == [lb["DNSName"]]
    status, _, body = http(url + "after-certify")
    assert status == 201 and json.loads(body)["path"] == "/after-certify"

    code, out, err = zappa(capsys, "undeploy", "dev", "--local", "--yes")
    assert code == 0, out + err
    assert "albshop-dev" not in [b["LoadBalancerName"] for b in elb.describe_load_balancers()["LoadBalancers"]]
    assert "albshop-dev" not in [t["TargetGroupName"] for t in elb.describe_target_groups()["TargetGroups"]]
    status, _, _ = http(url)
    assert status == 404
    records = local.state.aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    assert [r for r in records if r["Type"] == "A"] == []  # the alias went with the load balancer

