"""`cognito-emulator import serverless.yml`: tables for the variable resolver and the translation, the
seed story's own provider block, the CLI's I/O and errors, and the story end to end (import -> serve ->
the curl flow's ID token accepted with both client ids, refused with one)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from emulator.cognito.lookup import secret_hash
from emulator.gateway.config import parse_apis
from emulator.importers import serverless
from emulator.importers.serverless import (
    check_apis,
    import_serverless,
    python_handler_spec,
    render,
)
from emulator.importers.serverless_variables import VariableSources, resolve_variables
from emulator.importers.serverless_yaml import ServerlessFileError, load_document
from emulator.testing import free_port, running_emulator
from tests.conftest import bundled_config, cognito_client

FIXTURES = Path(__file__).parent / "fixtures_serverless"
SEED = FIXTURES / "seed_story.yml"
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"
POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example01"
STORY_SETS = {"ssm:/cognito/user-pool-id/dev": "us-east-1_Example01",
              "ssm:/cognito/client-id/dev": "managedlogin01",
              "ssm:/cognito/client-id-backend/dev": "piyopiyo"}

# The article's provider block exactly, with YAML indentation restored (the article lost it).
SEED_PROVIDER = """\
provider:
  name: aws
  architecture: arm64
  runtime: provided.al2
  stage: ${opt:stage, self:custom.defaultStage}
  region: us-east-1
  httpApi:
    authorizers:
      cognitoAuthorizer:
        type: jwt
        identitySource: $request.header.Authorization
        issuerUrl: https://cognito-idp.us-east-1.amazonaws.com/${ssm:/cognito/user-pool-id/${self:provider.stage}}
        audience:
          - ${ssm:/cognito/client-id/${self:provider.stage}}
          - ${ssm:/cognito/client-id-backend/${self:provider.stage}} # ←ここ
    cors: true
"""


def sls(text: str, sets: dict[str, str] | None = None, **kwargs: Any) -> serverless.Translation:
    """Import serverless.yml text with only `sets` as outside knowledge (no env, no files)."""
    return import_serverless(textwrap.dedent(text), VariableSources(overrides=sets or {}), **kwargs)


def valid(apis: list[Any]) -> list[Any]:
    """Assert the emulator's own validator accepts the output, and that the YAML text says the same."""
    check_apis(apis)
    reloaded = yaml.safe_load(render(apis))["Apis"]
    assert reloaded == [dict(api) for api in apis]
    check_apis(reloaded)
    return apis


def only(apis: list[Any], protocol: str) -> dict[str, Any]:
    [api] = [a for a in apis if a["ProtocolType"] == protocol]
    return api


def resolve(value: Any, doc: dict[str, Any] | None = None, **sources: Any) -> tuple[Any, dict[str, str]]:
    """Resolve `value` placed at custom.x of a small document."""
    base = {"service": "svc", "provider": {"name": "aws", "stage": "dev"}, "custom": {"x": value}}
    base.update(doc or {})
    resolved = resolve_variables(base, VariableSources(**sources))
    return resolved.doc["custom"]["x"], resolved.unresolved


# ---------------------------------------------------------------------------------------------
# The seed story's provider block
# ---------------------------------------------------------------------------------------------

def test_seed_provider_block_with_both_client_ids_set_lists_both_in_the_audience() -> None:
    apis, warnings = sls(SEED_PROVIDER, STORY_SETS)
    api = only(valid(apis), "HTTP")
    assert api["Authorizers"] == [{
        "Name": "cognitoAuthorizer", "AuthorizerType": "JWT", "IdentitySource": "$request.header.Authorization",
        "JwtConfiguration": {"Issuer": ISSUER, "Audience": ["managedlogin01", "piyopiyo"]}}]
    assert api["Port"] == 8080 and api["Routes"] == []
    assert api["CorsConfiguration"] == {"AllowOrigins": ["*"], "AllowHeaders": list(serverless.DEFAULT_CORS_HEADERS),
                                        "AllowMethods": ["OPTIONS"]}
    # custom.defaultStage is not in the article's snippet: the stage falls back to dev, said once.
    assert any(w.startswith("provider.stage `${opt:stage, self:custom.defaultStage}`") and "'dev'" in w
               for w in warnings)
    assert any("no function has httpApi events" in w for w in warnings)
    assert not any("ssm" in w for w in warnings)


def test_seed_provider_block_without_values_keeps_visible_placeholders_and_warns_once_each() -> None:
    apis, warnings = sls(SEED_PROVIDER)
    jwt = only(valid(apis), "HTTP")["Authorizers"][0]["JwtConfiguration"]
    assert jwt == {"Issuer": "https://cognito-idp.us-east-1.amazonaws.com/${ssm:/cognito/user-pool-id/dev}",
                   "Audience": ["${ssm:/cognito/client-id/dev}", "${ssm:/cognito/client-id-backend/dev}"]}
    ssm = [w for w in warnings if "ssm:" in w]
    assert ssm == [
        "issuerUrl part `${ssm:/cognito/user-pool-id/dev}` (authorizer cognitoAuthorizer): cannot resolve ssm: "
        "parameters offline; replace it so that the issuer reads https://cognito-idp.<region>.amazonaws.com/"
        "<Id of a user pool in config.yaml>, or pass --set 'ssm:/cognito/user-pool-id/dev=<pool id>'",
        "audience entry `${ssm:/cognito/client-id/dev}` (authorizer cognitoAuthorizer): cannot resolve ssm: "
        "parameters offline; replace it with the app client id from config.yaml, "
        "or pass --set 'ssm:/cognito/client-id/dev=<client id>'",
        "audience entry `${ssm:/cognito/client-id-backend/dev}` (authorizer cognitoAuthorizer): cannot resolve "
        "ssm: parameters offline; replace it with the app client id from config.yaml, "
        "or pass --set 'ssm:/cognito/client-id-backend/dev=<client id>'",
    ]
    text = render(apis)
    assert "# unresolved ${ssm:/cognito/client-id/dev}: cannot resolve ssm: parameters offline" in text


def test_seed_stage_option_flows_into_the_ssm_paths() -> None:
    translation = import_serverless(SEED_PROVIDER, VariableSources(options={"stage": "prod"}))
    jwt = translation.apis[0]["Authorizers"][0]["JwtConfiguration"]
    assert jwt["Audience"] == ["${ssm:/cognito/client-id/prod}", "${ssm:/cognito/client-id-backend/prod}"]
    assert not any(w.startswith("provider.stage") for w in translation.warnings)


# ---------------------------------------------------------------------------------------------
# Variables
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "sources", "expected"), [
    ("${self:provider.stage}", {}, "dev"),
    ("${self:custom.y}", {}, "${self:custom.y}"),  # not in the file: placeholder
    ("${opt:stage, 'prod'}", {}, "prod"),
    ("${opt:stage, 'prod'}", {"options": {"stage": "qa"}}, "qa"),
    ('${opt:stage, "quoted"}', {}, "quoted"),
    ("${opt:count, 3}", {}, 3),
    ("${opt:flag, false}", {}, False),
    ("${env:HOME_X}", {"env": {"HOME_X": "/h"}}, "/h"),
    ("${env:HOME_X}", {}, "${env:HOME_X}"),  # left as is (and warned when used)
    ("${env:HOME_X, 'fallback'}", {}, "fallback"),
    ("${sls:stage}", {}, "dev"),
    ("${aws:region}", {}, "us-east-1"),
    ("${aws:accountId}", {}, "${aws:accountId}"),
    ("${ssm:/a/${self:provider.stage}}", {}, "${ssm:/a/dev}"),
    ("${ssm:/a/dev}", {"overrides": {"ssm:/a/dev": "v"}}, "v"),
    ("${ssm:/a/${sls:stage}}", {"overrides": {"ssm:/a/dev": "v"}}, "v"),  # the resolved name is the key
    ("${ssm:/a, 'offline-default'}", {}, "offline-default"),
    ("${cf:stack.Output}", {}, "${cf:stack.Output}"),
    ("${s3:bucket/key}", {}, "${s3:bucket/key}"),
    ("${vault:secret}", {}, "${vault:secret}"),
    ("pre-${self:provider.stage}-post", {}, "pre-dev-post"),
    ("${opt:stage, ${self:provider.stage}}", {}, "dev"),  # a nested variable as a fallback
    ("${strToBool(true)}", {}, True),
    ("${AWS::Region}", {}, "${AWS::Region}"),  # Fn::Sub's syntax, not Serverless's: left alone
    ("${Logical.Arn}", {}, "${Logical.Arn}"),
    ("plain", {}, "plain"),
])
def test_variables(value: str, sources: dict[str, Any], expected: Any) -> None:
    assert resolve(value, **sources)[0] == expected


@pytest.mark.parametrize(("value", "reason"), [
    ("${ssm:/cognito/client-id/dev}", "cannot resolve ssm: parameters offline"),
    ("${cf:stack.Output}", "cannot resolve cf: stack outputs offline"),
    ("${env:NOPE}", "environment variable NOPE is not set"),
    ("${opt:stage}", "no --stage option was given"),
    ("${self:custom.nope}", "self:custom.nope is not in the file"),
    ("${aws:accountId}", "cannot resolve aws:accountId offline (it needs AWS credentials)"),
    ("${file(./other.yml):key}", "file(./other.yml) is not read here"),
])
def test_unresolved_variables_say_why(value: str, reason: str) -> None:
    placeholder, unresolved = resolve(value)
    assert unresolved[placeholder] == reason


def test_self_references_resolve_through_the_document_and_catch_cycles() -> None:
    doc = {"custom": {"a": "${self:custom.b}", "b": "${self:custom.c}", "c": ["x", "${self:provider.stage}"],
                      "loop": "${self:custom.loop}"},
           "provider": {"name": "aws", "stage": "${opt:stage, 'dev'}"}}
    resolved = resolve_variables(doc)
    assert resolved.doc["custom"]["a"] == ["x", "dev"]  # a whole-value variable keeps its type
    assert resolved.unresolved[resolved.doc["custom"]["loop"]] == "self:custom.loop refers to itself"


def test_params_v3_and_v4_by_stage_then_default() -> None:
    v3 = {"params": {"default": {"p": "d"}, "prod": {"p": "pp"}}}
    assert resolve("${param:p}", v3)[0] == "d"
    assert resolve("${param:p}", v3, options={"stage": "prod"})[0] == "pp"
    v4 = {"stages": {"default": {"params": {"p": "d4"}}}}
    assert resolve("${param:p}", v4)[0] == "d4"


def test_file_variables_read_through_the_given_reader() -> None:
    files = {"./c.yml": {"pool": {"id": "us-east-1_Example01"}, "stage": "${self:provider.stage}"}}
    assert resolve("${file(./c.yml):pool.id}", read_file=files.__getitem__)[0] == "us-east-1_Example01"
    assert resolve("${file(./c.yml):stage}", read_file=files.__getitem__)[0] == "dev"
    # a whole section from a file, then a self reference into it
    doc = {"custom": {"cfg": "${file(./c.yml)}", "x": "${self:custom.cfg.pool.id}"}}
    assert resolve_variables(doc, VariableSources(read_file=files.__getitem__)).doc["custom"]["x"] == \
        "us-east-1_Example01"


@pytest.mark.parametrize(("node", "sets", "expected"), [
    ({"Ref": "AWS::Region"}, {}, "us-east-1"),
    ({"Ref": "AWS::AccountId"}, {}, "${AWS::AccountId}"),
    ({"Ref": "UserPool"}, {}, "${Ref:UserPool}"),
    ({"Ref": "UserPool"}, {"Ref:UserPool": "us-east-1_Example01"}, "us-east-1_Example01"),
    ({"Fn::GetAtt": ["UserPool", "ProviderURL"]}, {"Ref:UserPool": "us-east-1_Example01"},
     "cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"),
    ({"Fn::GetAtt": ["UserPool", "Arn"]}, {"Ref:UserPool": "p_1", "AWS::AccountId": "111122223333"},
     "arn:aws:cognito-idp:us-east-1:111122223333:userpool/p_1"),
    ({"Fn::GetAtt": ["Other", "Arn"]}, {}, "${GetAtt:Other.Arn}"),
    ({"Fn::Join": ["", ["https://", {"Fn::GetAtt": ["UserPool", "ProviderURL"]}]]}, {"Ref:UserPool": "p_1"},
     "https://cognito-idp.us-east-1.amazonaws.com/p_1"),
    ({"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"}, {"Ref:UserPool": "p_1"},
     "https://cognito-idp.us-east-1.amazonaws.com/p_1"),
    ({"Fn::Sub": ["${A}-${!Literal}", {"A": "a"}]}, {}, "a-${Literal}"),
    ({"Fn::ImportValue": "shared-pool-id"}, {}, "${ImportValue:shared-pool-id}"),
])
def test_cloudformation_functions(node: Any, sets: dict[str, str], expected: str) -> None:
    doc = {"resources": {"Resources": {"UserPool": {"Type": "AWS::Cognito::UserPool"}}}}
    assert resolve(node, doc, overrides=sets)[0] == expected


def test_short_tags_load_as_long_forms() -> None:
    doc = load_document("a: !Ref X\nb: !GetAtt P.Arn\nc: !Sub '${AWS::Region}'\nd: !Join [':', [a, b]]\n")
    assert doc == {"a": {"Ref": "X"}, "b": {"Fn::GetAtt": ["P", "Arn"]}, "c": {"Fn::Sub": "${AWS::Region}"},
                   "d": {"Fn::Join": [":", ["a", "b"]]}}


# ---------------------------------------------------------------------------------------------
# HTTP API translation
# ---------------------------------------------------------------------------------------------

HTTP_BASE = """\
service: svc
provider:
  name: aws
  runtime: python3.12
  httpApi:
    authorizers:
      jwtAuth:
        issuerUrl: https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01
        audience: piyopiyo
functions:
  fn:
    handler: src/app.handler
    events:
      - httpApi: {event}
"""


@pytest.mark.parametrize(("event", "route"), [
    ("'GET /pets'", {"RouteKey": "GET /pets"}),
    ("'*'", {"RouteKey": "$default"}),
    ("'post /pets/{id}'", {"RouteKey": "POST /pets/{id}"}),
    ("{method: '*', path: /any}", {"RouteKey": "ANY /any"}),
    ("{method: get, path: '*'}", None),  # Serverless refuses a method with path '*'
    ("{path: '*'}", {"RouteKey": "$default"}),
    ("{method: get, path: /a, authorizer: jwtAuth}", {"RouteKey": "GET /a", "AuthorizerName": "jwtAuth"}),
    ("{method: get, path: /a, authorizer: {name: jwtAuth, scopes: [s/read]}}",
     {"RouteKey": "GET /a", "AuthorizerName": "jwtAuth", "AuthorizationScopes": ["s/read"]}),
    ("{method: get, path: /a, authorizer: {type: aws_iam}}", {"RouteKey": "GET /a", "AuthorizationType": "AWS_IAM"}),
    ("{method: get, path: /a, authorizer: {name: missing}}", None),  # fail closed
    ("{method: get, path: /a, authorizer: {id: abc123}}", None),  # external authorizer: fail closed
    ("'GET pets'", None),
    ("'FETCH /pets'", None),
])
def test_http_api_events(event: str, route: dict[str, Any] | None) -> None:
    apis, warnings = sls(HTTP_BASE.format(event=event))
    routes = only(valid(apis), "HTTP")["Routes"]
    if route is None:
        assert routes == [] and warnings
    else:
        assert routes == [{**route, "Target": "python:src.app:handler"}]


def test_aws_iam_route_becomes_an_aws_iam_route_with_a_comment() -> None:
    apis, warnings = sls(HTTP_BASE.format(event="{method: get, path: /a, authorizer: {type: aws_iam}}"))
    assert not any("aws_iam" in w for w in warnings)
    assert "AuthorizationType: AWS_IAM" in render(apis) and "Roles:" in render(apis)


def test_route_whose_authorizer_cannot_run_is_left_out_with_a_comment() -> None:
    apis, warnings = sls(HTTP_BASE.format(event="{method: get, path: /a, authorizer: {name: missing}}"))
    assert "left out GET /a (functions.fn.events[0].httpApi): authorizer 'missing' is not in " \
           "provider.httpApi.authorizers" in " ".join(render(apis).split())
    assert warnings == ["functions.fn.events[0].httpApi: route GET /a left out: authorizer 'missing' is not in "
                        "provider.httpApi.authorizers"]


@pytest.mark.parametrize(("handler", "spec"), [
    ("src/auth.handler", "python:src.auth:handler"),
    ("./handler.main", "python:handler:main"),
    ("pkg.module.fn", "python:pkg.module:fn"),
    ("a/b/c.d", "python:a.b.c:d"),
    ("bootstrap", None),
    ("my-dir/app.main", None),
    ("app.", None),
    (None, None),
])
def test_python_handler_spec(handler: Any, spec: str | None) -> None:
    assert python_handler_spec(handler) == spec


@pytest.mark.parametrize(("provider_runtime", "function_extra", "target", "comment"), [
    ("python3.12", "", "python:src.app:handler", None),
    ("provided.al2", "", "http://127.0.0.1:3000", "function fn runs provided.al2, not Python: serve it here "
                                                   "(a placeholder)"),
    ("provided.al2", "runtime: python3.11", "python:src.app:handler", None),
    ("python3.12", "runtime: nodejs20.x", "http://127.0.0.1:3000", "function fn runs nodejs20.x, not Python: "
                                                                   "serve it here (a placeholder)"),
    ("python3.12", "image: repo/img:latest", "http://127.0.0.1:3000", "function fn is a container image: serve "
                                                                      "it here (a placeholder)"),
])
def test_targets_by_runtime(provider_runtime: str, function_extra: str, target: str, comment: str | None) -> None:
    text = f"""\
    provider: {{name: aws, runtime: {provider_runtime}}}
    functions:
      fn:
        handler: src/app.handler
        {function_extra}
        events: [{{httpApi: 'GET /a'}}]
    """
    apis, warnings = sls(text)
    [route] = valid(apis)[0]["Routes"]
    assert route["Target"] == target
    assert route.inline.get("Target") == comment
    assert bool(warnings) == (comment is not None)


def test_backend_option_replaces_the_placeholder_target() -> None:
    apis, _ = sls("provider: {name: aws, runtime: go1.x}\nfunctions: {f: {handler: main, events: [{httpApi: '*'}]}}",
                  backend="http://127.0.0.1:4000")
    assert apis[0]["Routes"] == [{"RouteKey": "$default", "Target": "http://127.0.0.1:4000"}]


def test_request_authorizer_and_payload_versions() -> None:
    apis, warnings = sls("""\
    provider:
      name: aws
      runtime: python3.12
      httpApi:
        payload: '1.0'
        authorizers:
          keyAuth:
            type: request
            name: key-authorizer
            functionName: auth
            identitySource: $request.header.X-Key
            enableSimpleResponses: true
            resultTtlInSeconds: 30
          noCache:
            type: request
            functionName: auth
            payloadVersion: 1.0
    functions:
      auth: {handler: src/auth.handler}
      app:
        handler: src/app.handler
        events:
          - httpApi: {method: get, path: /a, authorizer: keyAuth}
          - httpApi: {method: get, path: /b, authorizer: {name: noCache, scopes: [x]}}
      v2:
        handler: src/v2.handler
        httpApi: {payload: '2.0'}
        events: [{httpApi: 'GET /c'}]
    """)
    api = valid(apis)[0]
    assert api["Authorizers"] == [
        {"Name": "key-authorizer", "AuthorizerType": "REQUEST", "AuthorizerUri": "python:src.auth:handler",
         "IdentitySource": ["$request.header.X-Key"], "AuthorizerPayloadFormatVersion": "2.0",
         "EnableSimpleResponses": True, "AuthorizerResultTtlInSeconds": 30},
        {"Name": "noCache", "AuthorizerType": "REQUEST", "AuthorizerUri": "python:src.auth:handler",
         "AuthorizerPayloadFormatVersion": "1.0", "AuthorizerResultTtlInSeconds": 0},
    ]
    assert api["Routes"] == [
        {"RouteKey": "GET /a", "AuthorizerName": "key-authorizer", "Target": "python:src.app:handler",
         "PayloadFormatVersion": "1.0"},
        {"RouteKey": "GET /b", "AuthorizerName": "noCache", "Target": "python:src.app:handler",
         "PayloadFormatVersion": "1.0"},
        {"RouteKey": "GET /c", "Target": "python:src.v2:handler"},
    ]
    assert any("scopes ['x'] dropped" in w for w in warnings)


@pytest.mark.parametrize(("authorizer", "problem"), [
    ("{type: request, functionName: nodeAuth}", "runs nodejs20.x"),
    ("{type: request, functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:x'}", "outside this service"),
    ("{type: request, functionName: nothere}", "is not a function of this service"),
    ("{type: request}", "needs functionName"),
    ("{audience: [a]}", "has no issuerUrl"),
    ("{issuerUrl: 'https://issuer.example.com', audience: []}", "audience is empty"),
    ("{issuerUrl: 'not a url', audience: [a]}", "is not an http(s) URL"),
    ("{type: oauth, issuerUrl: x}", "is not jwt or request"),
    ("'just a string'", "is not a mapping"),
])
def test_authorizers_that_cannot_run_leave_their_routes_out(authorizer: str, problem: str) -> None:
    apis, warnings = sls(f"""\
    provider:
      name: aws
      runtime: python3.12
      httpApi: {{authorizers: {{a: {authorizer}}}}}
    functions:
      nodeAuth: {{handler: index.handler, runtime: nodejs20.x}}
      app: {{handler: app.main, events: [{{httpApi: {{method: get, path: /a, authorizer: a}}}}]}}
    """)
    api = valid(apis)[0]
    assert api["Authorizers"] == [] and api["Routes"] == []
    assert any(problem in w and w.startswith("provider.httpApi.authorizers.a: not imported") for w in warnings)
    assert any("route GET /a left out" in w for w in warnings)


def test_issuer_that_is_wholly_a_placeholder_gets_a_stand_in_url() -> None:
    apis, warnings = sls("""\
    provider:
      name: aws
      httpApi: {authorizers: {a: {issuerUrl: '${ssm:/issuer}', audience: [c]}}}
    """)
    jwt = valid(apis)[0]["Authorizers"][0]["JwtConfiguration"]
    assert jwt["Issuer"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_REPLACEME"
    assert jwt.inline["Issuer"] == "stands in for ${ssm:/issuer}"
    assert any("`${ssm:/issuer}`" in w for w in warnings)


@pytest.mark.parametrize(("cors", "expected", "warned"), [
    ("true", {"AllowOrigins": ["*"], "AllowHeaders": list(serverless.DEFAULT_CORS_HEADERS),
              "AllowMethods": ["OPTIONS", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]}, False),
    ("{allowedOrigins: 'https://app.example', allowedMethods: [GET], allowedHeaders: [authorization], "
     "allowCredentials: true, exposedResponseHeaders: [x-total], maxAge: 300}",
     {"AllowOrigins": ["https://app.example"], "AllowHeaders": ["authorization"], "AllowMethods": ["GET"],
      "AllowCredentials": True, "ExposeHeaders": ["x-total"], "MaxAge": 300}, False),
    ("{allowCredentials: true}", {"AllowOrigins": ["*"], "AllowHeaders": list(serverless.DEFAULT_CORS_HEADERS),
                                  "AllowMethods": ["OPTIONS", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]},
     True),
    ("false", None, False),
])
def test_http_api_cors(cors: str, expected: dict[str, Any] | None, warned: bool) -> None:
    apis, warnings = sls(f"""\
    provider: {{name: aws, runtime: python3.12, httpApi: {{cors: {cors}}}}}
    functions: {{f: {{handler: a.b, events: [{{httpApi: 'GET /a'}}, {{httpApi: '*'}}]}}}}
    """)
    assert valid(apis)[0].get("CorsConfiguration") == expected
    assert any("allowCredentials" in w for w in warnings) == warned


def test_duplicate_routes_keep_the_first() -> None:
    apis, warnings = sls("""\
    provider: {name: aws, runtime: python3.12}
    functions:
      a: {handler: a.h, events: [{httpApi: 'GET /x'}]}
      b: {handler: b.h, events: [{httpApi: 'get /x'}]}
    """)
    assert valid(apis)[0]["Routes"] == [{"RouteKey": "GET /x", "Target": "python:a:h"}]
    assert any("already functions.a.events[0].httpApi's" in w for w in warnings)


# ---------------------------------------------------------------------------------------------
# REST API translation
# ---------------------------------------------------------------------------------------------

def test_rest_api_from_http_events_with_cognito_and_lambda_authorizers() -> None:
    apis, warnings = sls(f"""\
    service: shop
    provider: {{name: aws, runtime: python3.12, stage: qa}}
    functions:
      check: {{handler: src/check.token}}
      app:
        handler: src/app.handler
        events:
          - http: GET /
          - http:
              method: post
              path: /access/
              authorizer:
                type: COGNITO_USER_POOLS
                arn: {POOL_ARN}
                scopes: [test_resource/test]
          - http:
              method: get
              path: profile
              authorizer: {{name: pool, arn: {POOL_ARN}, identitySource: method.request.header.X-Token}}
          - http: {{method: get, path: token, authorizer: check}}
          - http:
              method: get
              path: req
              authorizer: {{name: check, type: request, resultTtlInSeconds: 0}}
          - http: {{method: any, path: 'iam/{{proxy+}}', authorizer: aws_iam}}
    """)
    api = only(valid(apis), "REST")
    assert (api["Name"], api["StageName"], api["Port"]) == ("qa-shop", "qa", 8080)
    assert api["Authorizers"] == [
        {"Name": "1_Example01", "Type": "COGNITO_USER_POOLS", "IdentitySource": "method.request.header.Authorization",
         "ProviderARNs": [POOL_ARN]},
        {"Name": "pool", "Type": "COGNITO_USER_POOLS", "IdentitySource": "method.request.header.X-Token",
         "ProviderARNs": [POOL_ARN]},
        {"Name": "check", "Type": "TOKEN", "AuthorizerUri": "python:src.check:token",
         "IdentitySource": "method.request.header.Authorization"},
    ]
    target = "python:src.app:handler"
    assert api["Routes"] == [
        {"RouteKey": "GET /", "Target": target},
        {"RouteKey": "POST /access", "AuthorizerName": "1_Example01", "AuthorizationScopes": ["test_resource/test"],
         "Target": target},
        {"RouteKey": "GET /profile", "AuthorizerName": "pool", "Target": target},
        {"RouteKey": "GET /token", "AuthorizerName": "check", "Target": target},
        {"RouteKey": "GET /req", "AuthorizerName": "check", "Target": target},
        {"RouteKey": "ANY /iam/{proxy+}", "AuthorizationType": "AWS_IAM", "Target": target},
    ]
    # the second definition of `check` (REQUEST, TTL 0) differs from the first: said, first kept
    assert any("authorizer 'check' is defined differently" in w for w in warnings)
    assert not any("aws_iam" in w for w in warnings)  # an AWS_IAM route now, nothing to warn about


def test_rest_authorizer_from_resources_with_a_pool_ref() -> None:
    text = """\
    provider: {name: aws, runtime: python3.12}
    functions:
      f:
        handler: a.h
        events:
          - http:
              method: get
              path: me
              authorizer: {type: COGNITO_USER_POOLS, authorizerId: !Ref Auth, scopes: [openid]}
    resources:
      Resources:
        Pool: {Type: AWS::Cognito::UserPool}
        Auth:
          Type: AWS::ApiGateway::Authorizer
          Properties: {Name: auth, Type: COGNITO_USER_POOLS, ProviderARNs: [!GetAtt Pool.Arn]}
    """
    apis, warnings = sls(text)
    [authorizer] = valid(apis)[0]["Authorizers"]
    assert authorizer["ProviderARNs"] == ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_REPLACEME"]
    assert any("--set 'Ref:Pool=<pool id>'" in w for w in warnings)
    apis, warnings = sls(text, {"Ref:Pool": "us-east-1_Example01"})
    [authorizer] = valid(apis)[0]["Authorizers"]
    assert authorizer == {"Name": "auth", "Type": "COGNITO_USER_POOLS",
                          "IdentitySource": "method.request.header.Authorization", "ProviderARNs": [POOL_ARN]}
    assert valid(apis)[0]["Routes"][0]["AuthorizationScopes"] == ["openid"]


@pytest.mark.parametrize(("event", "left_out", "warned"), [
    ("{method: get, path: a, authorizer: 'arn:aws:lambda:us-east-1:123456789012:function:auth'}", True, True),
    ("{method: get, path: a, authorizer: nothere}", True, True),
    ("{method: get, path: a, authorizer: {arn: 'arn:aws:cognito-idp:us-east-1:1:userpool/x'}}", True, True),
    ("{method: get, path: a, integration: mock}", True, True),
    ("{method: get, path: a, integration: http-proxy}", True, True),  # no request.uri
    ("{method: get, path: a, integration: lambda}", False, True),  # the proxy event is sent instead
    ("{method: get, path: a, cors: true, private: true}", False, True),  # neither is emulated
    ("{method: get, path: 'a/{p}', integration: http-proxy, request: {uri: 'http://127.0.0.1:9/{p}'}}", False,
     False),
])
def test_rest_integrations_and_authorizers_that_cannot_be_emulated(event: str, left_out: bool, warned: bool) -> None:
    apis, warnings = sls(f"provider: {{name: aws, runtime: python3.12}}\n"
                         f"functions: {{f: {{handler: a.h, events: [{{http: {event}}}]}}}}\n")
    assert (valid(apis)[0]["Routes"] == []) == left_out
    assert bool(warnings) == warned


def test_both_apis_get_consecutive_ports_and_distinct_names() -> None:
    text = "service: s\nprovider: {name: aws, runtime: python3.12}\n" \
           "functions: {f: {handler: a.h, events: [{httpApi: 'GET /a'}, {http: 'GET a'}]}}\n"
    apis, _ = sls(text)
    assert [(a["Name"], a["ProtocolType"], a["Port"]) for a in valid(apis)] == [
        ("dev-s", "HTTP", 8080), ("dev-s-rest", "REST", 8081)]
    apis, _ = sls(text, port=9000)
    assert [a["Port"] for a in apis] == [9000, 9001]


def test_validation_drops_what_the_emulator_refuses() -> None:
    # Two variable children of one REST resource: AWS (and the emulator) refuse the second.
    apis, warnings = sls("provider: {name: aws, runtime: python3.12}\n"
                         "functions: {f: {handler: a.h, events: [{http: 'GET x/{id}'}, {http: 'PUT x/{name}'}]}}\n")
    assert [r["RouteKey"] for r in valid(apis)[0]["Routes"]] == ["GET /x/{id}"]
    assert any("PUT /x/{name}" in w and "left out" in w for w in warnings)
    # A JWT authorizer reading two places: refused, and its routes with it (fail closed).
    apis, warnings = sls("""\
    provider:
      name: aws
      runtime: python3.12
      httpApi: {authorizers: {a: {issuerUrl: 'https://i.example', audience: [c],
                                  identitySource: [$request.header.A, $request.header.B]}}}
    functions: {f: {handler: a.h, events: [{httpApi: {method: get, path: /p, authorizer: a}}, {httpApi: 'GET /q'}]}}
    """)
    api = valid(apis)[0]
    assert api["Authorizers"] == [] and [r["RouteKey"] for r in api["Routes"]] == ["GET /q"]
    assert any(w.startswith("authorizer a of API dev-service left out") for w in warnings)


@pytest.mark.parametrize(("text", "warning"), [
    ("provider: {name: aws}", "nothing"),
    ("provider: {name: aws, httpApi: 3}\nfunctions: {f: 1}", "functions.f is not a mapping; skipped"),
    ("provider: {name: aws, httpApi: {authorizers: [1, 2], cors: maybe}}\nfunctions: {f: {events: [{httpApi: 7}]}}",
     "provider.httpApi.authorizers is not a mapping; ignored"),
    ("provider: {name: aws}\nfunctions: [{f: {handler: a.b, events: [null, {http: null}, {httpApi: {}}]}}]",
     "is not an HTTP method"),
    ("provider: {name: aws}\nfunctions: {f: {events: [{http: {method: get}}, {http: 'GET'}, {http: 'BREW /a'}]}}",
     "needs a method and a path"),
    ("provider: {name: aws, runtime: python3.12, stage: 'bad stage!'}\nfunctions: {f: {handler: a.b, events: "
     "[{http: 'GET a'}]}}", "is not a REST stage name"),
    ("provider: {name: aws, region: mars}\nfunctions: {f: {handler: a.b, events: [{httpApi: 'GET /${env:X}'}]}}",
     "is not a region name"),
    ("service: {name: old}\nprovider: {name: aws}\nfunctions: {f: {handler: h.h, events: [{httpApi: 'GET /a'}]}}",
     "runs nodejs"),
])
def test_odd_files_warn_and_never_crash(text: str, warning: str) -> None:
    apis, warnings = sls(text)  # an exception here is the crash this test guards against
    assert any(warning in w for w in warnings), warnings
    valid(apis)


@pytest.mark.parametrize(("text", "message"), [
    ("a: [unclosed", "not valid YAML at line 1"),
    ("", "the file is empty"),
    ("- a\n- b", "expected a mapping at the top level"),
    ("service: x\nfunctions: {}", "no `provider:` section"),
    ("provider: aws", "`provider:` should be a mapping"),
    ("provider: {name: google}", "only AWS services can be imported"),
])
def test_files_that_are_not_serverless_yml_are_errors(text: str, message: str) -> None:
    with pytest.raises(ServerlessFileError, match=message.replace("(", r"\(").replace("[", r"\[")):
        sls(text)


def test_env_variables_come_from_the_environment_or_stay_with_a_warning() -> None:
    text = textwrap.dedent("""\
    provider:
      name: aws
      httpApi: {authorizers: {a: {issuerUrl: 'https://cognito-idp.us-east-1.amazonaws.com/${env:POOL}',
                                  audience: ['${env:CLIENT}']}}}
    """)
    apis, warnings = import_serverless(text, VariableSources(env={"POOL": "us-east-1_Example01"}))
    jwt = apis[0]["Authorizers"][0]["JwtConfiguration"]
    assert jwt == {"Issuer": ISSUER, "Audience": ["${env:CLIENT}"]}
    assert any(w.startswith("audience entry `${env:CLIENT}` (authorizer a): environment variable CLIENT is not set")
               for w in warnings)


# ---------------------------------------------------------------------------------------------
# The rendered text and the CLI
# ---------------------------------------------------------------------------------------------

def test_fixture_with_both_apis_renders_valid_yaml_with_comments(capsys: pytest.CaptureFixture[str]) -> None:
    assert serverless.main([str(FIXTURES / "rest_and_lambda.yml"), "--set", "Ref:UserPool=us-east-1_Example01"]) == 0
    out, err = capsys.readouterr()
    data = yaml.safe_load(out)
    assert [a["ProtocolType"] for a in data["Apis"]] == ["HTTP", "REST"]
    parse_apis(serverless.stand_in_handlers(data["Apis"]))
    assert "  # REST API: the functions' http events of shop (URLs are /dev/...)" in out
    assert "Target: http://127.0.0.1:3000  # function legacy runs nodejs20.x" in out
    rest = data["Apis"][1]
    assert rest["Authorizers"][1]["ProviderARNs"] == [POOL_ARN]
    assert all(line.startswith("warning: ") for line in err.splitlines())
    assert "function legacy runs nodejs20.x" in err and "not found beside" in err


def test_main_writes_the_section_and_refuses_to_clobber_a_full_config(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "apis.yaml"
    sets = [arg for name, value in STORY_SETS.items() for arg in ("--set", f"{name}={value}")]
    assert serverless.main([str(SEED), "--out", str(out), "--port", "9100", *sets]) == 0
    apis = yaml.safe_load(out.read_text())["Apis"]
    assert apis[0]["Port"] == 9100
    assert apis[0]["Authorizers"][0]["JwtConfiguration"]["Audience"] == ["managedlogin01", "piyopiyo"]
    assert "wrote 1 API to" in capsys.readouterr().err
    # again over its own output: fine; over a whole config: refused
    assert serverless.main([str(SEED), "--out", str(out), *sets]) == 0
    config = tmp_path / "config.yaml"
    config.write_text("UserPools: []\n")
    assert serverless.main([str(SEED), "--out", str(config)]) == 1
    assert config.read_text() == "UserPools: []\n"
    assert "not overwritten" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "args", "message"), [
    ("a: [", [], "not valid YAML at line 1"),
    ("service: x", [], "no `provider:` section"),
    (None, [], "cannot read the file"),
    ("provider: {name: aws}", ["--set", "novalue"], "expected EXPRESSION=VALUE"),
    ("provider: {name: aws}", ["--port", "0"], "--port 0"),
    ("provider: {name: aws}", ["--backend", "ftp://x"], "is not an http(s) URL"),
])
def test_main_errors_are_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             content: str | None, args: list[str], message: str) -> None:
    path = tmp_path / "serverless.yml"
    if content is not None:
        path.write_text(content)
    assert serverless.main([str(path), *args]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and message in err


def test_set_accepts_the_placeholder_as_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert serverless.main([str(SEED), "--set", "${ssm:/cognito/client-id/dev}=managedlogin01"]) == 0
    assert "Audience: [managedlogin01, '${ssm:/cognito/client-id-backend/dev}']" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Seed story 1 end to end: import -> bundled pool -> the curl flow's ID token at the gateway
# ---------------------------------------------------------------------------------------------

def imported_config(tmp_path: Path, serverless_text: str, sets: dict[str, str]) -> dict[str, Any]:
    """Import through the CLI entry point, then put the Apis: section beside the bundled pool."""
    source = tmp_path / "serverless.yml"
    source.write_text(serverless_text)
    out = tmp_path / "apis.yaml"
    args = [str(source), "--out", str(out), "--port", str(free_port())]
    for name, value in sets.items():
        args += ["--set", f"{name}={value}"]
    assert serverless.main(args) == 0
    config = bundled_config()
    config["Apis"] = yaml.safe_load(out.read_text())["Apis"]
    return config


def story_request(url: str, api_url: str) -> httpx.Response:
    """The story's curl flow: an ID token from client piyopiyo (USER_PASSWORD_AUTH + SECRET_HASH) via boto3,
    then GET /mogemoge with it as a Bearer token."""
    id_token = cognito_client(url).initiate_auth(
        ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
                        "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")},
    )["AuthenticationResult"]["IdToken"]
    return httpx.get(f"{api_url}/mogemoge", headers={"Authorization": f"Bearer {id_token}"})


@pytest.mark.e2e
def test_story_imported_with_both_client_ids_accepts_the_curl_flows_id_token(tmp_path: Path) -> None:
    config = imported_config(tmp_path, SEED.read_text(), STORY_SETS)
    assert config["Apis"][0]["Routes"][0]["Target"] == "python:examples.backend:mogemoge"
    with running_emulator(config) as server:
        response = story_request(server.url, server.api_url("dev-mogemoge"))
        assert response.status_code == 200, response.headers.get("x-emulator-reason")
        assert response.json()["message"] == "hello peroper@hoge.com"


@pytest.mark.e2e
def test_story_imported_before_the_fix_refuses_it_with_401(tmp_path: Path) -> None:
    # The article's broken state: only the new client (managed login page) in the audience.
    before = "\n".join(line for line in SEED.read_text().splitlines() if "←ここ" not in line)
    config = imported_config(tmp_path, before, STORY_SETS)
    assert config["Apis"][0]["Authorizers"][0]["JwtConfiguration"]["Audience"] == ["managedlogin01"]
    with running_emulator(config) as server:
        response = story_request(server.url, server.api_url("dev-mogemoge"))
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}
        assert response.headers["x-emulator-reason"].endswith(
            "token aud 'piyopiyo' is not in authorizer 'cognitoAuthorizer' audience [managedlogin01]")


def test_a_malformed_included_file_is_a_warning_not_a_traceback(tmp_path, capsys) -> None:
    (tmp_path / "vars.yml").write_text("key: [unclosed\n")
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "  httpApi:\n    authorizers:\n      a:\n        type: jwt\n"
        "        identitySource: $request.header.Authorization\n"
        "        issuerUrl: https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01\n"
        "        audience: ['${file(./vars.yml):key}']\n")
    code = serverless.main([str(tmp_path / "serverless.yml")])
    assert code == 0
    assert "not valid YAML" in capsys.readouterr().err
