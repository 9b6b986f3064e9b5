"""The shortcuts of the request's URL parts give what the full parsing gives: the front door's scheme and port
when they are one clean value, and route templates parsed once and reused (the same template with other
parameters, templates with an empty or a greedy parameter)."""

from __future__ import annotations

import pytest
from zappa_runtime.request import server_address
from zappa_runtime.request_url import _ROUTES, route_segments, routed_prefix


@pytest.mark.parametrize(("host", "proto", "port", "expected"), [
    # one clean value: taken as it is
    ("api.example.com", "https", "443", ("https", "api.example.com", "443")),
    ("api.example.com", "http", "8080", ("http", "api.example.com", "8080")),
    # lists, spaces and other spellings: the last entry, cleaned, as before
    ("api.example.com", "http, HTTPS", "80, 8443", ("https", "api.example.com", "8443")),
    ("api.example.com", " HTTP ", " 81 ", ("http", "api.example.com", "81")),
    ("api.example.com", "ftp", None, ("https", "api.example.com", "443")),
    ("api.example.com", None, None, ("https", "api.example.com", "443")),
    # the host's own port, IPv6 literals, no host at all
    ("api.example.com:8443", "https", None, ("https", "api.example.com", "8443")),
    ("[2001:db8::1]", "http", None, ("http", "[2001:db8::1]", "80")),
    ("[2001:db8::1]:8080", "http", None, ("http", "[2001:db8::1]", "8080")),
    ("", "https", None, ("https", "localhost", "443")),
    ("a]:b", None, "", ("https", "a]", "b")),
])
def test_server_address(host, proto, port, expected):
    assert server_address(host, proto, port) == expected


def test_a_cached_route_template_matches_each_requests_parameters():
    _ROUTES.clear()
    assert routed_prefix("/items/{id}", {"id": "1"}, "/v1/items/1") == "/v1"
    assert route_segments("/items/{id}") == ((False, "items"), (True, "id"))
    assert "/items/{id}" in _ROUTES
    assert routed_prefix("/items/{id}", {"id": "2"}, "/v1/items/2") == "/v1"  # the cached template, other values
    assert routed_prefix("/items/{id}", {"id": "2"}, "/items/2") == ""
    assert routed_prefix("/items/{id}", {"id": "3"}, "/v1/items/2") == ""  # the path does not end with the match
    assert routed_prefix("/items/{id}", {}, "/v1/items/2") == ""  # a parameter without a value


@pytest.mark.parametrize(("template", "params", "path", "expected"), [
    ("/{proxy+}", {"proxy": "a/b"}, "/api/a/b", "/api"),
    ("/{proxy+}", {"proxy": "a/b"}, "/a/b/", ""),
    ("/{}", {"": "x"}, "/base/x", "/base"),  # an empty parameter name is still a parameter
    ("/{}", {}, "/base/x", ""),
    ("/a//{b}/", {"b": "1"}, "/m/a/1", "/m"),  # empty segments are skipped
    ("/", None, "/base", "/base"),
    ("items", {"id": "1"}, "/items", ""),  # not a template
])
def test_route_templates(template, params, path, expected):
    _ROUTES.clear()
    assert routed_prefix(template, params, path) == expected
    assert routed_prefix(template, params, path) == expected  # from the parsed template
