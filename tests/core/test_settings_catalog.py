"""Every setting of Zappa is owned by exactly one plugin, with Zappa's default; the catalog of plugin keys
(used to name the extra to install) matches the plugins' models exactly."""

from __future__ import annotations

import sys

import pytest
from zappa_core.plugins import get_plugin_manager
from zappa_core.settings.catalog import KNOWN_KEYS
from zappa_core.settings.compose import field_keys, key_owners, settings_sections

pytestmark = pytest.mark.needs_plugins

EXTRAS = {"apigw": "zappa_aws_apigw.settings:ApiGatewaySettings", "alb": "zappa_aws_alb.settings:AlbSettings",
          "events": "zappa_events.settings:EventsSettings", "certs": "zappa_certs.settings:CertsSettings"}

# Zappa 0.63's settings and defaults (its `load_settings` and `stage_config.get` calls).
ZAPPA_DEFAULTS = {
    "project_name": None, "s3_bucket": None, "app_function": None, "app_type": None, "django_settings": None,
    "aws_region": None, "profile_name": None, "runtime": f"python{sys.version_info.major}.{sys.version_info.minor}",
    "architecture": "x86_64", "memory_size": 512, "ephemeral_storage": {"Size": 512}, "timeout_seconds": 30,
    "lambda_handler": "handler.lambda_handler", "lambda_description": "Zappa Deployment", "lambda_concurrency": None,
    "provisioned_concurrency": None, "snap_start": "None", "num_retained_versions": 5, "layers": None,
    "vpc_config": {}, "efs_config": None, "dead_letter_arn": "", "aws_kms_key_arn": "", "xray_tracing": False,
    "environment_variables": {}, "aws_environment_variables": {}, "remote_env": None, "remote_env_bucket": None,
    "remote_env_file": None, "settings_file": None, "debug": True, "log_level": "DEBUG", "exception_handler": None,
    "apigateway_enabled": True, "use_apigateway": None, "apigateway_version": "v1", "apigateway_description": None,
    "apigateway_lambda_qualifier": None, "apigateway_policy": None, "endpoint_configuration": None,
    "binary_support": True, "additional_text_mimetypes": None, "payload_compression": True,
    "payload_minimum_compression_size": 0, "cors": False, "api_key_required": False, "api_key": None,
    "iam_authorization": False, "authorizer": {}, "context_header_mappings": {}, "cache_cluster_enabled": False,
    "cache_cluster_size": 0.5, "cache_cluster_ttl": 300, "cache_cluster_encrypted": False,
    "cloudwatch_log_level": "OFF", "cloudwatch_data_trace": False, "cloudwatch_metrics_enabled": False,
    "alb_enabled": False, "alb_vpc_config": {}, "function_url_enabled": False, "function_url_config": {},
    "function_url_domains": [], "function_url_cloudfront_config": {}, "websocket_handler_module": None,
    "domain": None, "base_path": None, "certificate_arn": None, "certificate": None, "certificate_key": None,
    "certificate_chain": None, "lets_encrypt_key": None, "route53_enabled": True, "events": [], "keep_warm": True,
    "keep_warm_expression": "rate(4 minutes)", "bot_events": [], "cognito": None, "async_source": None,
    "async_resources": True, "async_response_table": "", "async_response_table_read_capacity": 1,
    "async_response_table_write_capacity": 1, "manage_roles": True, "role_name": None, "role_arn": None,
    "assume_policy": None, "attach_policy": None, "extra_permissions": None, "tags": {}, "exclude": [],
    "exclude_glob": [], "include": [], "slim_handler": False, "use_precompiled_packages": True,
    "prebuild_script": None, "callbacks": {}, "delete_local_zip": True, "delete_zip": None, "delete_s3_zip": True,
    "touch": True, "touch_path": "/", "aws_endpoint_urls": {},
}
# Zappa spells "none of these" as an empty dict where a model field says None or an all-empty model.
EMPTY = (None, {}, [])


def _model(ref: str):
    module, _, name = ref.partition(":")
    return getattr(__import__(module, fromlist=[name]), name)


def _dump(value):
    return value.model_dump() if hasattr(value, "model_dump") else value


def test_catalog_matches_the_plugins_models_exactly():
    expected = {}
    for extra, ref in EXTRAS.items():
        for name, field in _model(ref).model_fields.items():
            for key in field_keys(name, field):
                expected[key] = extra
    assert KNOWN_KEYS == expected


def test_every_zappa_setting_has_one_owner_and_zappas_default():
    sections = settings_sections(get_plugin_manager())
    owners = key_owners(sections)
    missing = sorted(set(ZAPPA_DEFAULTS) - set(owners))
    assert missing == []
    for key, zappa_default in ZAPPA_DEFAULTS.items():
        model = owners[key].model
        name = next(n for n, f in model.model_fields.items() if key in field_keys(n, f))
        ours = _dump(model.model_fields[name].get_default(call_default_factory=True))
        if zappa_default == {} and (ours in EMPTY or (isinstance(ours, dict) and not any(ours.values()))):
            continue
        assert ours == zappa_default, key


def test_first_party_keys_are_owned_by_their_plugin():
    owners = key_owners(settings_sections(get_plugin_manager()))
    for key, extra in KNOWN_KEYS.items():
        assert owners[key].plugin == extra, key
