"""`Apis:` parsing: a full valid config, then one table of mistakes, each with its key path and reason."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator.config_fields import ConfigError
from emulator.gateway.authorizer_config import CognitoAuthorizer, JwtAuthorizer, LambdaAuthorizer
from emulator.gateway.config import generated_api_id, parse_apis

HERE = Path(__file__).parent
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"
POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example01"

CONFIG = yaml.safe_load(f"""
Apis:
  - Name: mogemoge
    ProtocolType: HTTP
    Port: 8080
    StageVariables: {{env: local}}
    CorsConfiguration:
      AllowOrigins: ["http://localhost:3000"]
      AllowMethods: [GET, post]
      AllowHeaders: [Authorization, Content-Type]
      ExposeHeaders: [x-total]
      MaxAge: 600
      AllowCredentials: true
    Authorizers:
      - Name: cognitoAuthorizer
        AuthorizerType: JWT
        IdentitySource: $request.header.Authorization
        JwtConfiguration:
          Issuer: {ISSUER}
          Audience: [piyopiyo, managedlogin]
      - Name: lambdaAuth
        AuthorizerType: REQUEST
        AuthorizerUri: python:gateway_fixtures.handlers:allow_all
        IdentitySource: [$request.header.X-Key]
        AuthorizerPayloadFormatVersion: "2.0"
        EnableSimpleResponses: true
        AuthorizerResultTtlInSeconds: 0
    Routes:
      - RouteKey: GET /mogemoge
        AuthorizerName: cognitoAuthorizer
        AuthorizationScopes: [test_resource/test]
        Target: http://127.0.0.1:3000
      - RouteKey: ANY /fn/{{proxy+}}
        AuthorizerName: lambdaAuth
        Target: python:gateway_fixtures.handlers:echo
        TimeoutInMillis: 5000
      - RouteKey: $default
        Target: python:gateway_fixtures.handlers:echo
        PayloadFormatVersion: "1.0"
  - Name: rest
    ProtocolType: REST
    Port: 8081
    StageName: prod
    Authorizers:
      - Name: pool
        Type: COGNITO_USER_POOLS
        ProviderARNs: [{POOL_ARN}]
      - Name: token
        Type: TOKEN
        AuthorizerUri: python:gateway_fixtures.handlers:allow_all
        IdentitySource: method.request.header.X-Token
        IdentityValidationExpression: ^Bearer .+$
    Routes:
      - RouteKey: GET /pets/{{id}}
        AuthorizerName: pool
        AuthorizationScopes: [test_resource/test]
        Target: http://127.0.0.1:3000/pets/{{id}}
      - RouteKey: ANY /{{proxy+}}
        AuthorizerName: token
        Target: python:gateway_fixtures.handlers:echo
""")


def parse(raw: Any = None) -> tuple:
    return parse_apis((CONFIG if raw is None else raw)["Apis"], "Apis", HERE)


def test_full_config() -> None:
    http, rest = parse()
    assert http.name == "mogemoge" and http.protocol_type == "HTTP" and http.port == 8080
    assert http.api_id == generated_api_id("mogemoge") and len(http.api_id) == 10
    assert http.stage_name == "$default"
    assert dict(http.stage_variables) == {"env": "local"}
    jwt, lam = http.authorizers
    assert jwt == JwtAuthorizer("cognitoAuthorizer", ("$request.header.Authorization",), ISSUER,
                                ("piyopiyo", "managedlogin"))
    assert isinstance(lam, LambdaAuthorizer) and lam.type == "REQUEST" and lam.enable_simple_responses
    assert lam.payload_format_version == "2.0" and lam.result_ttl_seconds == 0
    assert lam.function({}, None)["isAuthorized"] is True
    get, fn, default = http.routes
    assert (get.method, get.path, get.authorizer, get.authorization_scopes) == (
        "GET", "/mogemoge", jwt, ("test_resource/test",))
    assert get.target_kind == "http" and get.function is None and get.timeout_ms == 30000
    assert get.payload_format_version == "1.0"  # HTTP proxy integrations are 1.0 only
    assert fn.target_kind == "lambda" and callable(fn.function) and fn.payload_format_version == "2.0"
    assert fn.timeout_ms == 5000 and fn.authorizer_name == "lambdaAuth"
    assert default.method == "$default" and default.path is None and default.payload_format_version == "1.0"
    cors = http.cors
    assert cors is not None and cors.allow_methods == ("GET", "POST") and cors.max_age == 600
    assert cors.allow_headers == ("authorization", "content-type") and cors.allow_credentials

    assert rest.stage_name == "prod" and rest.cors is None
    pool, token = rest.authorizers
    assert pool == CognitoAuthorizer("pool", "method.request.header.Authorization", (POOL_ARN,), None, 300)
    assert isinstance(token, LambdaAuthorizer) and token.type == "TOKEN"
    assert token.identity_source == ("method.request.header.X-Token",)
    assert token.identity_validation_expression == "^Bearer .+$" and token.payload_format_version == "1.0"
    pets, proxy = rest.routes
    assert pets.timeout_ms == 29000 and pets.payload_format_version == "1.0"
    assert proxy.payload_format_version == "1.0"


def test_defaults() -> None:
    (api,) = parse_apis([{"Name": "x", "ProtocolType": "REST",
                          "Routes": [{"RouteKey": "GET /", "Target": "http://h"}]}])
    assert (api.port, api.stage_name, api.authorizers, api.cors) == (8080, "dev", (), None)
    assert parse_apis(None) == ()


def test_explicit_api_id_and_rest_request_string_sources() -> None:
    (api,) = parse_apis([{
        "Name": "x", "ApiId": "abcde12345", "ProtocolType": "REST",
        "Authorizers": [{"Name": "r", "Type": "REQUEST", "AuthorizerUri": "python:gateway_fixtures.handlers:allow_all",
                         "IdentitySource": "method.request.header.A, method.request.querystring.b"}],
        "Routes": [{"RouteKey": "GET /", "Target": "http://h", "AuthorizerName": "r"}]}], "Apis", HERE)
    assert api.api_id == "abcde12345"
    assert api.authorizers[0].identity_source == ("method.request.header.A", "method.request.querystring.b")


def test_generated_ids_are_stable_and_distinct() -> None:
    assert generated_api_id("a") == generated_api_id("a") != generated_api_id("b")
    assert generated_api_id("a").isalnum() and generated_api_id("a").islower()


def edit(change: str, value: Any) -> dict:
    """CONFIG with one value replaced; `change` is a dotted path with list indexes ('Apis.0.Port')."""
    data = copy.deepcopy(CONFIG)
    *parents, last = change.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is DELETE:
        del node[last]
    else:
        node[last] = value
    return data


DELETE = object()

# (edit path, new value, error key path, reason fragment)
MISTAKES = [
    ("Apis.0.Nmae", "x", "Apis[0].Nmae", "did you mean Name?"),
    ("Apis.0.Name", DELETE, "Apis[0].Name", "is required"),
    ("Apis.0.ProtocolType", "WEBSOCKET", "Apis[0].ProtocolType", "not one of HTTP, REST"),
    ("Apis.0.Port", 70000, "Apis[0].Port", "at most 65535"),
    ("Apis.0.Port", "80", "Apis[0].Port", "expected an integer"),
    ("Apis.1.Port", 8080, "Apis[1].Port", "already used by Apis[0]"),
    ("Apis.1.Name", "mogemoge", "Apis[1].Name", "already the name of Apis[0]"),
    ("Apis.0.ApiId", "Not-An-Id", "Apis[0].ApiId", "10 lowercase letters or digits"),
    ("Apis.0.StageName", "prod", "Apis[0].StageName", "$default stage"),
    ("Apis.1.StageName", "pr od", "Apis[1].StageName", "letters, digits"),
    ("Apis.0.StageVariables", {"bad-name": "x"}, "Apis[0].StageVariables.bad-name", "letters, digits"),
    ("Apis.0.StageVariables", {"ok": ["x"]}, "Apis[0].StageVariables.ok", "expected a string"),
    # authorizers
    ("Apis.0.Authorizers.0.AuthorizerType", "COGNITO_USER_POOLS", "Apis[0].Authorizers[0].AuthorizerType",
     "not available on HTTP APIs"),
    ("Apis.1.Authorizers.0.Type", "JWT", "Apis[1].Authorizers[0].Type", "not available on REST APIs"),
    ("Apis.0.Authorizers.0.AuthorizerType", "OAUTH", "Apis[0].Authorizers[0].AuthorizerType", "is not one of"),
    ("Apis.0.Authorizers.0.AuthorizerType", DELETE, "Apis[0].Authorizers[0].AuthorizerType", "is required"),
    ("Apis.0.Authorizers.0.Type", "REQUEST", "Apis[0].Authorizers[0].Type", "keep one"),
    ("Apis.0.Authorizers.0.ProviderARNs", [POOL_ARN], "Apis[0].Authorizers[0].ProviderARNs",
     "does not apply to a HTTP JWT authorizer"),
    ("Apis.0.Authorizers.0.JwtConfiguration", DELETE, "Apis[0].Authorizers[0].JwtConfiguration", "is required"),
    ("Apis.0.Authorizers.0.JwtConfiguration", {"Issuer": ISSUER, "Audience": []},
     "Apis[0].Authorizers[0].JwtConfiguration.Audience", "at least one"),
    ("Apis.0.Authorizers.0.JwtConfiguration", {"Issuer": "cognito", "Audience": ["a"]},
     "Apis[0].Authorizers[0].JwtConfiguration.Issuer", "is not a URL"),
    ("Apis.0.Authorizers.0.JwtConfiguration", {"Issuer": ISSUER, "Audiences": ["a"]},
     "Apis[0].Authorizers[0].JwtConfiguration.Audiences", "did you mean Audience?"),
    ("Apis.0.Authorizers.0.IdentitySource", "method.request.header.Authorization",
     "Apis[0].Authorizers[0].IdentitySource", "is not $request.header.<name>"),
    ("Apis.0.Authorizers.0.IdentitySource", ["$request.header.A", "$request.header.B"],
     "Apis[0].Authorizers[0].IdentitySource", "exactly one place"),
    ("Apis.0.Authorizers.1.AuthorizerUri", "python:gateway_fixtures.handlers:nope",
     "Apis[0].Authorizers[1].AuthorizerUri", "has no attribute 'nope'"),
    ("Apis.0.Authorizers.1.AuthorizerUri", "arn:aws:lambda:us-east-1:1:function:f",
     "Apis[0].Authorizers[1].AuthorizerUri", "python:package.module:function"),
    ("Apis.0.Authorizers.1.AuthorizerPayloadFormatVersion", DELETE,
     "Apis[0].Authorizers[1].AuthorizerPayloadFormatVersion", "is required"),
    ("Apis.0.Authorizers.1.AuthorizerPayloadFormatVersion", "1.0",
     "Apis[0].Authorizers[1].EnableSimpleResponses", "need AuthorizerPayloadFormatVersion: '2.0'"),
    ("Apis.0.Authorizers.1.AuthorizerResultTtlInSeconds", 3601,
     "Apis[0].Authorizers[1].AuthorizerResultTtlInSeconds", "at most 3600"),
    ("Apis.0.Authorizers.1.IdentitySource", ["$request.cookie.x"], "Apis[0].Authorizers[1].IdentitySource",
     "is not $request.header"),
    ("Apis.0.Authorizers.1.Name", "cognitoAuthorizer", "Apis[0].Authorizers[1].Name", "already named"),
    ("Apis.1.Authorizers.0.ProviderARNs", ["us-east-1_Example01"], "Apis[1].Authorizers[0].ProviderARNs[0]",
     "is not arn:aws:cognito-idp"),
    ("Apis.1.Authorizers.0.ProviderARNs", [], "Apis[1].Authorizers[0].ProviderARNs", "at least one"),
    ("Apis.1.Authorizers.0.IdentitySource", "method.request.querystring.t",
     "Apis[1].Authorizers[0].IdentitySource", "method.request.header.<name>"),
    ("Apis.1.Authorizers.0.EnableSimpleResponses", True, "Apis[1].Authorizers[0].EnableSimpleResponses",
     "does not apply to a REST COGNITO_USER_POOLS authorizer"),
    ("Apis.1.Authorizers.1.IdentityValidationExpression", "([", "Apis[1].Authorizers[1].IdentityValidationExpression",
     "not a valid regular expression"),
    # routes
    ("Apis.0.Routes.0.RouteKey", "GET mogemoge", "Apis[0].Routes[0].RouteKey", "must start with '/'"),
    ("Apis.0.Routes.0.RouteKey", "FETCH /x", "Apis[0].Routes[0].RouteKey", "method 'FETCH'"),
    ("Apis.0.Routes.0.RouteKey", "GET /{proxy+}/x", "Apis[0].Routes[0].RouteKey", "must be the last segment"),
    ("Apis.0.Routes.0.RouteKey", "$default", "Apis[0].Routes[2].RouteKey", "duplicates Apis[0].Routes[0]"),
    ("Apis.0.Routes.1.RouteKey", "ANY /fn/{rest+}", None, None),  # renaming alone is fine
    ("Apis.0.Routes.0.AuthorizerName", "cognito", "Apis[0].Routes[0].AuthorizerName",
     "no authorizer named 'cognito'"),
    ("Apis.0.Routes.0.AuthorizerName", DELETE, "Apis[0].Routes[0].AuthorizationScopes", "it has no authorizer"),
    ("Apis.0.Routes.1.AuthorizationScopes", ["s"], "Apis[0].Routes[1].AuthorizationScopes",
     "its authorizer is REQUEST"),
    ("Apis.1.Routes.1.AuthorizationScopes", ["s"], "Apis[1].Routes[1].AuthorizationScopes",
     "its authorizer is TOKEN"),
    ("Apis.0.Routes.0.Target", DELETE, "Apis[0].Routes[0].Target", "is required"),
    ("Apis.0.Routes.0.Target", "ftp://x", "Apis[0].Routes[0].Target", "neither an http(s):// URL"),
    ("Apis.0.Routes.0.Target", "http://", "Apis[0].Routes[0].Target", "has no host"),
    ("Apis.0.Routes.0.Target", "http://h/{id}", "Apis[0].Routes[0].Target", "not a path variable"),
    ("Apis.0.Routes.1.Target", "python:gateway_fixtures.handlers:NOT_CALLABLE", "Apis[0].Routes[1].Target",
     "is not callable"),
    ("Apis.0.Routes.1.Target", "python:gateway_fixtures.broken_import:f", "Apis[0].Routes[1].Target",
     "fails at import time"),
    ("Apis.0.Routes.1.Target", "python:no_such_module_xyz:f", "Apis[0].Routes[1].Target", "cannot import module"),
    ("Apis.0.Routes.1.Target", "python:bad spec", "Apis[0].Routes[1].Target", "is not of the form"),
    ("Apis.0.Routes.1.TimeoutInMillis", 30001, "Apis[0].Routes[1].TimeoutInMillis", "at most 30000"),
    ("Apis.0.Routes.1.TimeoutInMillis", 49, "Apis[0].Routes[1].TimeoutInMillis", "at least 50"),
    ("Apis.1.Routes.1.TimeoutInMillis", 29001, "Apis[1].Routes[1].TimeoutInMillis", "at most 29000"),
    ("Apis.0.Routes.0.PayloadFormatVersion", "2.0", "Apis[0].Routes[0].PayloadFormatVersion", "1.0 only"),
    ("Apis.0.Routes.1.PayloadFormatVersion", "3.0", "Apis[0].Routes[1].PayloadFormatVersion", "not one of"),
    ("Apis.1.Routes.1.PayloadFormatVersion", "2.0", "Apis[1].Routes[1].PayloadFormatVersion",
     "REST APIs send payload format 1.0 only"),
    ("Apis.1.Routes.1.RouteKey", "$default", "Apis[1].Routes[1].RouteKey", "$default is an HTTP API route"),
    ("Apis.1.Routes.1.RouteKey", "POST /pets/{petId}", "Apis[1].Routes[1].RouteKey",
     "one variable path part per level"),
    ("Apis.0.Routes.1.Extra", 1, "Apis[0].Routes[1].Extra", "unknown key"),
    # CORS
    ("Apis.1.CorsConfiguration", {"AllowOrigins": ["*"]}, "Apis[1].CorsConfiguration", "HTTP API feature"),
    ("Apis.0.CorsConfiguration.AllowOrigins", ["*"], "Apis[0].CorsConfiguration.AllowCredentials",
     "wildcard origin"),
    ("Apis.0.CorsConfiguration.AllowMethods", ["GRAB"], "Apis[0].CorsConfiguration.AllowMethods[0]",
     "not an HTTP method"),
    ("Apis.0.CorsConfiguration.MaxAge", 86401, "Apis[0].CorsConfiguration.MaxAge", "at most 86400"),
    ("Apis.0.CorsConfiguration.AllowOrigin", ["x"], "Apis[0].CorsConfiguration.AllowOrigin",
     "did you mean AllowOrigins?"),
]


@pytest.mark.parametrize(("change", "value", "where", "reason"), MISTAKES)
def test_mistakes(change: str, value: Any, where: str | None, reason: str | None) -> None:
    data = edit(change, value)
    if where is None:
        parse(data)  # accepted
        return
    with pytest.raises(ConfigError) as info:
        parse(data)
    assert info.value.path == where
    if reason is not None:
        assert reason in info.value.reason


def test_request_authorizer_without_sources_needs_ttl_zero() -> None:
    data = edit("Apis.0.Authorizers.1.IdentitySource", DELETE)
    data["Apis"][0]["Authorizers"][1]["AuthorizerResultTtlInSeconds"] = 300
    with pytest.raises(ConfigError) as info:
        parse(data)
    assert "AuthorizerResultTtlInSeconds: 0" in info.value.reason
    data["Apis"][0]["Authorizers"][1]["AuthorizerResultTtlInSeconds"] = 0
    parse(data)


@pytest.mark.parametrize("raw", ["x", {"Name": "x"}, 3])
def test_apis_must_be_a_list(raw: Any) -> None:
    with pytest.raises(ConfigError) as info:
        parse_apis(raw)
    assert info.value.path == "Apis"


def test_api_entry_must_be_a_mapping() -> None:
    with pytest.raises(ConfigError) as info:
        parse_apis(["x"])
    assert info.value.path == "Apis[0]"
