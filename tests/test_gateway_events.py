"""Lambda proxy events and response mapping, compared field by field with AWS's documented examples.

Sources of the expected shapes:
- REST: "Set up Lambda proxy integrations in API Gateway", input format example
  (POST /testStage/hello/world?name=me, resource /{proxy+}) and aws/aws-lambda-go
  events/testdata/apigw-request.json.
- HTTP API: "Working with AWS Lambda proxy integrations for HTTP APIs", the 2.0 and 1.0 examples.
"""

from __future__ import annotations

import base64
import json

import pytest

from emulator.gateway import events, responses
from emulator.gateway.request import (
    IncomingRequest,
    RouteInfo,
    header_list,
    header_value,
    new_trace_id,
    with_gateway_headers,
)
from emulator.gateway.responses import MalformedResponse

EPOCH_MS = 1583348638390  # the 2.0 example's timeEpoch ("12/Mar/2020:19:03:58 +0000")

# Key sets of AWS's examples (mTLS-only `authentication`/`clientCert` left out: no client certs here).
V2_KEYS = {"version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers", "queryStringParameters",
           "requestContext", "body", "pathParameters", "isBase64Encoded", "stageVariables"}
V2_CONTEXT_KEYS = {"accountId", "apiId", "authorizer", "domainName", "domainPrefix", "http", "requestId",
                   "routeKey", "stage", "time", "timeEpoch"}
V1_KEYS = {"resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
           "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext", "body",
           "isBase64Encoded"}
V1_HTTP_CONTEXT_KEYS = {"accountId", "apiId", "authorizer", "domainName", "domainPrefix", "extendedRequestId",
                        "httpMethod", "identity", "path", "protocol", "requestId", "requestTime",
                        "requestTimeEpoch", "resourceId", "resourcePath", "stage"}
V1_HTTP_IDENTITY_KEYS = {"accessKey", "accountId", "caller", "cognitoAuthenticationProvider",
                         "cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId",
                         "principalOrgId", "sourceIp", "user", "userAgent", "userArn"}
REST_IDENTITY_KEYS = {"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "apiKey", "apiKeyId",
                      "sourceIp", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn",
                      "userAgent", "user", "accessKey"}
REST_CONTEXT_KEYS = {"accountId", "resourceId", "stage", "domainName", "domainPrefix", "requestId", "identity",
                     "resourcePath", "httpMethod", "requestTime", "requestTimeEpoch", "apiId", "path", "protocol"}


REST_DOC_BODY = b'{\r\n\t"a": 1\r\n}'
HTTP_DOC_BODY = b"Hello from Lambda"
# Header names arrive lower-cased from every ASGI server (HTTP/2 requires it), so the doc's
# "headerName" is "headername" here.


def rest_doc_request() -> tuple[IncomingRequest, RouteInfo]:
    """The REST doc's request: POST /testStage/hello/world?name=me with {"a": 1} (REST_DOC_BODY)."""
    request = IncomingRequest(
        method="POST", raw_path="/testStage/hello/world", raw_query="name=me",
        headers=header_list([("Content-Type", "application/json"), ("headerName", "headerValue"),
                             ("Host", "gy415nuibc.execute-api.us-east-1.amazonaws.com"),
                             ("User-Agent", "PostmanRuntime/2.4.5")]),
        source_ip="192.168.196.186",
        host="gy415nuibc.execute-api.us-east-1.amazonaws.com",
        request_id="deef4878-7910-11e6-8f14-25afc3e9ae33", extended_request_id="JKJaXmPLvHcESHA=",
        time_epoch_ms=1589522469693)
    info = RouteInfo(protocol_type="REST", api_id="gy415nuibc", stage="testStage", route_key="ANY /{proxy+}",
                     resource_path="/{proxy+}", path="/hello/world", path_parameters={"proxy": "hello/world"},
                     stage_variables={"stageVariableName": "stageVariableValue"})
    return request, info


def http_doc_request(method: str = "POST") -> tuple[IncomingRequest, RouteInfo]:
    """The HTTP API doc's request: $default route, /my/path, duplicate header and query values, cookies."""
    request = IncomingRequest(
        method=method, raw_path="/my/path", raw_query="parameter1=value1&parameter1=value2&parameter2=value",
        headers=header_list([("Header1", "value1"), ("Header2", "value1"), ("Header2", "value2"),
                             ("Cookie", "cookie1; cookie2"), ("User-Agent", "agent")]),
        source_ip="IP", host="id.execute-api.us-east-1.amazonaws.com",
        request_id="id", extended_request_id="id", time_epoch_ms=EPOCH_MS)
    info = RouteInfo(protocol_type="HTTP", api_id="api-id", stage="$default", route_key="$default",
                     resource_path=None, path="/my/path", path_parameters={"parameter1": "value1"},
                     stage_variables={"stageVariable1": "value1", "stageVariable2": "value2"})
    return request, info


# --- events --------------------------------------------------------------------------------------------

def test_rest_event_matches_aws_example() -> None:
    request, info = rest_doc_request()
    event = events.build_event_v1(request, info, None, REST_DOC_BODY)
    assert set(event) == V1_KEYS
    assert event["resource"] == "/{proxy+}"
    assert event["path"] == "/hello/world"
    assert event["httpMethod"] == "POST"
    assert event["headers"]["headername"] == "headerValue"
    assert event["multiValueHeaders"]["content-type"] == ["application/json"]
    assert event["queryStringParameters"] == {"name": "me"}
    assert event["multiValueQueryStringParameters"] == {"name": ["me"]}
    assert event["pathParameters"] == {"proxy": "hello/world"}
    assert event["stageVariables"] == {"stageVariableName": "stageVariableValue"}
    assert event["body"] == '{\r\n\t"a": 1\r\n}'
    assert event["isBase64Encoded"] is False
    assert "version" not in event  # REST events carry no version

    context = event["requestContext"]
    assert set(context) >= REST_CONTEXT_KEYS
    assert "authorizer" not in context  # no authorizer on the method
    assert context["accountId"].isdigit() and len(context["accountId"]) == 12
    assert context["stage"] == "testStage"
    assert context["resourcePath"] == "/{proxy+}"
    assert context["httpMethod"] == "POST"
    assert context["apiId"] == "gy415nuibc"
    assert context["path"] == "/testStage/hello/world"  # with the stage, as in AWS's AWS_IAM example
    assert context["requestId"] == "deef4878-7910-11e6-8f14-25afc3e9ae33"
    assert context["requestTime"] == "15/May/2020:06:01:09 +0000"  # aws-lambda-go apigw-request.json
    assert context["requestTimeEpoch"] == 1589522469693
    assert context["domainName"] == "gy415nuibc.execute-api.us-east-1.amazonaws.com"
    assert context["domainPrefix"] == "gy415nuibc"
    assert len(context["resourceId"]) == 6
    identity = context["identity"]
    assert set(identity) >= REST_IDENTITY_KEYS
    assert identity["sourceIp"] == "192.168.196.186"
    assert identity["userAgent"] == "PostmanRuntime/2.4.5"
    assert all(identity[k] is None for k in REST_IDENTITY_KEYS - {"sourceIp", "userAgent"})


def test_http_v2_event_matches_aws_example() -> None:
    request, info = http_doc_request()
    event = events.build_event_v2(request, info, {"jwt": {"claims": {"claim1": "value1"}, "scopes": None}},
                                  HTTP_DOC_BODY)
    assert set(event) == V2_KEYS
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/my/path"
    assert event["rawQueryString"] == "parameter1=value1&parameter1=value2&parameter2=value"
    assert event["cookies"] == ["cookie1", "cookie2"]
    assert event["headers"] == {"header1": "value1", "header2": "value1,value2", "user-agent": "agent"}
    assert event["queryStringParameters"] == {"parameter1": "value1,value2", "parameter2": "value"}
    assert event["body"] == "Hello from Lambda"
    assert event["pathParameters"] == {"parameter1": "value1"}
    assert event["isBase64Encoded"] is False
    assert event["stageVariables"] == {"stageVariable1": "value1", "stageVariable2": "value2"}
    context = event["requestContext"]
    assert set(context) == V2_CONTEXT_KEYS
    assert context["authorizer"] == {"jwt": {"claims": {"claim1": "value1"}, "scopes": None}}
    assert context["http"] == {"method": "POST", "path": "/my/path", "protocol": "HTTP/1.1", "sourceIp": "IP",
                               "userAgent": "agent"}
    # The doc prints "12/Mar/2020:19:03:58 +0000" next to timeEpoch 1583348638390, which is 4 March
    # at that time of day: same format, the doc's date is simply inconsistent.
    assert context["time"] == "04/Mar/2020:19:03:58 +0000"
    assert context["timeEpoch"] == EPOCH_MS
    assert context["stage"] == "$default"
    assert context["routeKey"] == "$default"
    assert context["domainPrefix"] == "id"


def test_v2_leaves_out_empty_fields() -> None:
    request = IncomingRequest(method="GET", raw_path="/", raw_query="",
                              headers=header_list([("host", "127.0.0.1:8080")]), source_ip="127.0.0.1",
                              host="127.0.0.1:8080", request_id="r", extended_request_id="r",
                              time_epoch_ms=EPOCH_MS)
    info = RouteInfo("HTTP", "abcdefghij", "$default", "GET /", "/", "/", {}, {})
    event = events.build_event_v2(request, info, None)
    assert set(event) == {"version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext",
                          "isBase64Encoded"}
    assert "authorizer" not in event["requestContext"]
    assert event["requestContext"]["domainPrefix"] == "abcdefghij"  # an IP host reports the API id


def test_http_v1_event_matches_aws_example() -> None:
    request, info = http_doc_request("GET")
    event = events.build_event_v1(request, info, {"jwt": {"claims": {"sub": "x"}, "scopes": None}})
    assert set(event) == V1_KEYS | {"version"}
    assert event["version"] == "1.0"
    assert event["resource"] == "/my/path"
    assert event["headers"]["header2"] == "value2"
    assert event["multiValueHeaders"]["header2"] == ["value1", "value2"]
    assert event["queryStringParameters"] == {"parameter1": "value2", "parameter2": "value"}
    assert event["multiValueQueryStringParameters"] == {"parameter1": ["value1", "value2"], "parameter2": ["value"]}
    context = event["requestContext"]
    assert set(context) == V1_HTTP_CONTEXT_KEYS
    assert set(context["identity"]) == V1_HTTP_IDENTITY_KEYS
    assert context["resourceId"] is None
    assert context["stage"] == "$default"
    # HTTP APIs with payload 1.0 show the JWT result as {claims, scopes} (the doc's example shape).
    assert context["authorizer"] == {"claims": {"sub": "x"}, "scopes": None}


def test_v1_nulls_when_absent() -> None:
    request = IncomingRequest(method="GET", raw_path="/dev", raw_query="", headers=header_list([]),
                              source_ip="1.2.3.4", host="h", request_id="r", extended_request_id="e",
                              time_epoch_ms=EPOCH_MS)
    info = RouteInfo("REST", "abcdefghij", "dev", "GET /", "/", "/", {}, {})
    event = events.build_event_v1(request, info, {"claims": {"sub": "s"}})
    for key in ("headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters",
                "pathParameters", "stageVariables", "body"):
        assert event[key] is None, key
    assert event["requestContext"]["authorizer"] == {"claims": {"sub": "s"}}


def test_binary_body_is_base64() -> None:
    request, info = http_doc_request()
    for build in (events.build_event_v1, events.build_event_v2):
        event = build(request, info, None, b"\xff\x00\x01")
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == b"\xff\x00\x01"


def test_gateway_headers_added() -> None:
    headers = with_gateway_headers(header_list([("Host", "h"), ("X-Forwarded-For", "9.9.9.9")]), "1.2.3.4", 8080,
                                   "http", "Root=1-x")
    assert header_value(headers, "x-forwarded-for") == "9.9.9.9, 1.2.3.4"
    assert header_value(headers, "x-forwarded-port") == "8080"
    assert header_value(headers, "x-forwarded-proto") == "http"
    assert header_value(headers, "x-amzn-trace-id") == "Root=1-x"
    assert new_trace_id(0x5E6A8A4E).startswith("Root=1-5e6a8a4e-")


# --- responses -----------------------------------------------------------------------------------------

# (handler result, status, headers that must be present, body)
V1_RESPONSES = [
    ({"statusCode": 200, "body": "results"}, 200, {"content-type": "application/json"}, b"results"),
    ({"statusCode": 404}, 404, {}, b""),
    ({"statusCode": "201", "body": "x"}, 201, {}, b"x"),
    ({"statusCode": 200, "headers": {"Content-Type": "text/plain", "X-N": 5, "X-B": True}, "body": "t"}, 200,
     {"Content-Type": "text/plain", "X-N": "5", "X-B": "true"}, b"t"),
    ({"statusCode": 200, "body": base64.b64encode(b"\x00\xff").decode(), "isBase64Encoded": True}, 200, {},
     b"\x00\xff"),
]


@pytest.mark.parametrize(("result", "status", "headers", "body"), V1_RESPONSES)
def test_v1_response_mapping(result: object, status: int, headers: dict, body: bytes) -> None:
    got_status, got_headers, got_body = responses.map_v1_response(result)
    assert got_status == status
    assert dict(got_headers).items() >= headers.items()
    assert got_body == body


def test_v1_multi_value_headers_win() -> None:
    _, headers, _ = responses.map_v1_response({"statusCode": 200, "headers": {"x-a": "single", "x-b": "b"},
                                            "multiValueHeaders": {"X-A": ["m1", "m2"]}})
    assert [v for k, v in headers if k.lower() == "x-a"] == ["m1", "m2"]
    assert ("x-b", "b") in headers


# (handler result, reason fragment): each is a 502 on REST / 500 on HTTP APIs
MALFORMED_V1 = [
    ("just a string", "must return an object"),
    ({"body": "no status"}, "has no statusCode"),
    ({"statusCode": 200, "body": {"a": 1}}, "body must be a string"),
    ({"statusCode": "abc"}, "statusCode must be an integer"),
    ({"statusCode": True}, "statusCode must be an integer"),
    ({"statusCode": 700}, "is not an HTTP status"),
    ({"statusCode": 200, "headers": "x"}, "headers must be an object"),
    ({"statusCode": 200, "headers": {"a": {"b": 1}}}, "headers.a must be a string"),
    ({"statusCode": 200, "multiValueHeaders": {"a": "b"}}, "must be a list"),
    ({"statusCode": 200, "body": "%%%", "isBase64Encoded": True}, "not valid Base64"),
    ({"statusCode": 200, "isBase64Encoded": "yes"}, "isBase64Encoded must be true or false"),
    ({"statusCode": 200, "body": object()}, "not JSON-serializable"),
    (None, "must return an object"),
]


@pytest.mark.parametrize(("result", "reason"), MALFORMED_V1)
def test_v1_malformed(result: object, reason: str) -> None:
    with pytest.raises(MalformedResponse) as info:
        responses.map_v1_response(result)
    assert reason in str(info.value)


V2_RESPONSES = [
    # AWS's table: a string is the body, an object without statusCode is its JSON, both 200 JSON.
    ("Hello from Lambda!", 200, {"content-type": "application/json"}, b"Hello from Lambda!"),
    ({"message": "Hello from Lambda!"}, 200, {"content-type": "application/json"},
     b'{"message": "Hello from Lambda!"}'),
    ([1, 2], 200, {}, b"[1, 2]"),
    (None, 200, {}, b"null"),
    ({"statusCode": 418, "headers": {"x": "y"}, "body": "teapot"}, 418, {"x": "y"}, b"teapot"),
    ({"statusCode": 204}, 204, {"content-type": "application/json"}, b""),
]


@pytest.mark.parametrize(("result", "status", "headers", "body"), V2_RESPONSES)
def test_v2_response_mapping(result: object, status: int, headers: dict, body: bytes) -> None:
    got_status, got_headers, got_body = responses.map_v2_response(result)
    assert got_status == status
    assert dict(got_headers).items() >= headers.items()
    assert got_body == body


def test_v2_cookies_become_set_cookie() -> None:
    _, headers, _ = responses.map_v2_response({"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"]})
    assert [v for k, v in headers if k == "set-cookie"] == ["a=1; Path=/", "b=2"]


@pytest.mark.parametrize(("result", "reason"), [
    ({"statusCode": 200, "body": {"a": 1}}, "body must be a string"),
    ({"statusCode": 200, "cookies": "a=1"}, "cookies must be a list"),
    ({"statusCode": "x"}, "statusCode must be an integer"),
    ({"statusCode": 200, "when": object()}, "not JSON-serializable"),
])
def test_v2_malformed(result: object, reason: str) -> None:
    with pytest.raises(MalformedResponse) as info:
        responses.map_v2_response(result)
    assert reason in str(info.value)


# --- the error table -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("protocol", "kind", "status", "body"), [
    ("HTTP", "no_route", 404, b'{"message":"Not Found"}'),
    ("REST", "no_route", 403, b'{"message":"Missing Authentication Token"}'),
    ("HTTP", "integration_error", 500, b'{"message":"Internal Server Error"}'),
    ("REST", "integration_error", 502, b'{"message": "Internal server error"}'),
    ("REST", "integration_timeout", 504, b'{"message": "Endpoint request timed out"}'),
    ("HTTP", "integration_timeout", 503, b'{"message":"Service Unavailable"}'),
    ("REST", "backend_unreachable", 504, b'{"message": "Network error communicating with endpoint"}'),
    ("REST", "too_large", 413, b"HTTP content length exceeded 10485760 bytes."),
])
def test_error_shapes(protocol: str, kind: str, status: int, body: bytes) -> None:
    response = responses.gateway_error(protocol, kind, "because")
    assert (response.status, response.body, response.reason) == (status, body, "because")
    if body.startswith(b"{"):
        json.loads(body)


def test_every_error_kind_exists_for_both_protocols() -> None:
    kinds = {kind for _, kind in responses.ERRORS}
    assert {(p, k) for p in ("HTTP", "REST") for k in kinds} == set(responses.ERRORS)


def test_sigv4_parse_error() -> None:
    response = responses.sigv4_parse_error("Bearer abc")
    assert response.status == 403
    message = json.loads(response.body)["message"]
    assert message.startswith("Invalid key=value pair (missing equal-sign) in Authorization header")
