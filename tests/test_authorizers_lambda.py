"""Lambda authorizers: events, the verdict over outputs (one row per case), errors, caching."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from emulator.gateway import lambda_authorizers as la
from emulator.gateway.authorizer_config import LambdaAuthorizer
from emulator.gateway.authorizers import Authorizers
from emulator.gateway.request import AuthRequest
from emulator.gateway.verdicts import Allow, Deny

NOW = 1_700_000_000
ARN_BASE = "arn:aws:execute-api:us-east-1:123456789012:api1/dev"
PETS_ARN = f"{ARN_BASE}/GET/pets"
EXPLICIT = {"Message": "User is not authorized to access this resource with an explicit deny"}
NO_ALLOW = {"Message": "User is not authorized to access this resource"}


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


class NoPools:
    def local_jwks(self, issuer: str) -> dict | None:
        return None

    def pool_issuer(self, pool_id: str) -> str | None:
        return None


class Handler:
    """A handler that records its events and returns (or raises) what the test says."""

    def __init__(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result = result
        self.error = error
        self.events: list[dict] = []

    def __call__(self, event: dict, context: Any) -> Any:
        self.events.append(event)
        if self.error is not None:
            raise self.error
        return self.result(event) if callable(self.result) else self.result


def policy(effect: str = "Allow", resource: Any = PETS_ARN, action: Any = "execute-api:Invoke", **extra) -> dict:
    return {"principalId": "user-1",
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": action, "Effect": effect, "Resource": resource}]},
            **extra}


def lambda_authorizer(handler: Handler, type_: str = "TOKEN", ttl: int = 0, sources: tuple[str, ...] | None = None,
                      simple: bool = False, version: str = "1.0", expression: str | None = None) -> LambdaAuthorizer:
    default = ("method.request.header.Authorization",) if type_ == "TOKEN" else ("$request.header.Authorization",)
    return LambdaAuthorizer(name="auth", type=type_, function_name="python:auth.handlers:authorize",
                            function=handler, identity_source=default if sources is None else sources,
                            result_ttl_seconds=ttl, enable_simple_responses=simple,
                            payload_format_version=version, identity_validation_expression=expression)


def request(protocol: str = "REST", headers: dict | None = None, method: str = "GET", path: str = "/pets",
            query: dict | None = None, event_context: dict | None = None) -> AuthRequest:
    stage = "dev" if protocol == "REST" else "$default"
    return AuthRequest(
        protocol_type=protocol, api_id="api1", stage=stage, method=method, path=path,
        route_key=path if protocol == "REST" else f"{method} {path}",
        headers={"authorization": "allow-me"} if headers is None else headers, query=query or {},
        path_parameters={}, stage_variables={"env": "test"}, source_ip="10.0.0.1", route_scopes=(),
        method_arn=f"arn:aws:execute-api:us-east-1:123456789012:api1/{stage}/{method}/{path.lstrip('/')}",
        request_id="req-1", event_context=event_context or {})


def run(authorizer: LambdaAuthorizer, req: AuthRequest, gateway: Authorizers | None = None) -> Allow | Deny:
    gateway = gateway or Authorizers(NoPools(), clock=lambda: NOW)
    return asyncio.run(gateway.authorize(authorizer, req))


# ----------------------------------------------------------------------------- the verdict table

REST_500 = (500, {"message": None})
# (case, handler output or raised error, protocol, simple responses, status, body, reason substring)
CASES = [
    ("allow exact resource", policy(), "REST", False, 200, None, None),
    ("allow with wildcards", policy(resource=f"{ARN_BASE}/*/*"), "REST", False, 200, None, None),
    ("allow with ? wildcard", policy(resource=f"{ARN_BASE}/GET/pet?"), "REST", False, 200, None, None),
    ("allow any stage, any action", policy(resource="arn:aws:execute-api:*:*:api1/*", action="*"), "REST", False,
     200, None, None),
    ("action execute-api:* in a list", policy(action=["s3:GetObject", "execute-api:*"]), "REST", False, 200,
     None, None),
    ("statement as a single object", {"principalId": "u", "policyDocument": {"Statement": {
        "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": PETS_ARN}}}, "REST", False, 200, None, None),
    ("NotResource of another method", {"principalId": "u", "policyDocument": {"Statement": [{
        "Effect": "Allow", "Action": "execute-api:Invoke", "NotResource": f"{ARN_BASE}/DELETE/*"}]}}, "REST", False,
     200, None, None),
    ("explicit deny", policy("Deny"), "REST", False, 403, EXPLICIT,
     f"returned a policy with a Deny statement matching {PETS_ARN}"),
    ("explicit deny wins over allow", {"principalId": "u", "policyDocument": {"Statement": [
        policy()["policyDocument"]["Statement"][0],
        policy("Deny", f"{ARN_BASE}/*")["policyDocument"]["Statement"][0]]}},
     "REST", False, 403, EXPLICIT, "Deny statement"),
    ("allow for another resource only", policy(resource=f"{ARN_BASE}/GET/pets/1"), "REST", False, 403, NO_ALLOW,
     f"Allow resources [{ARN_BASE}/GET/pets/1] do not match {PETS_ARN}"),
    ("allow for another action only", policy(action="execute-api:ManageConnections"), "REST", False, 403, NO_ALLOW,
     "do not match"),
    ("resource case matters", policy(resource=f"{ARN_BASE}/GET/PETS"), "REST", False, 403, NO_ALLOW, "do not match"),
    ("no statements", {"principalId": "u", "policyDocument": {"Statement": []}}, "REST", False, 403, NO_ALLOW,
     "Allow resources []"),
    ("returned None", None, "REST", False, *REST_500, "the output must be a JSON object, got None"),
    ("returned a string", "Allow", "REST", False, *REST_500, "must be a JSON object"),
    ("no policyDocument", {"principalId": "u"}, "REST", False, *REST_500, "no policyDocument"),
    ("no principalId", {"policyDocument": policy()["policyDocument"]}, "REST", False, *REST_500, "no principalId"),
    ("Effect misspelt", policy("allow"), "REST", False, *REST_500, "Effect must be \"Allow\" or \"Deny\""),
    ("Statement missing", {"principalId": "u", "policyDocument": {}}, "REST", False, *REST_500,
     "Statement must be a statement"),
    ("Resource not strings", policy(resource=[1]), "REST", False, *REST_500, "Resource must be a string"),
    ("no Action", {"principalId": "u", "policyDocument": {"Statement": [{"Effect": "Allow", "Resource": "*"}]}},
     "REST", False, *REST_500, "exactly one of Action and NotAction"),
    ("not JSON serialisable", {"principalId": object()}, "REST", False, *REST_500, "malformed response"),
    ("context with an object (REST)", policy(context={"k": {"a": 1}}), "REST", False, *REST_500,
     "context value 'k' is {'a': 1}; a REST authorizer's context values must be strings, numbers or booleans"),
    ("context with a list (REST)", policy(context={"k": [1]}), "REST", False, *REST_500, "context value 'k'"),
    ("context with null (REST)", policy(context={"k": None}), "REST", False, *REST_500, "context value 'k'"),
    ("context not an object", policy(context=["x"]), "REST", False, *REST_500, "context must be an object"),
    ("HTTP policy allow", policy(resource="arn:aws:execute-api:us-east-1:123456789012:api1/$default/GET/pets"),
     "HTTP", False, 200, None, None),
    ("HTTP policy deny", policy("Deny", "*"), "HTTP", False, 403, {"message": "Forbidden"}, "Deny statement"),
    ("HTTP policy, no allow", policy(), "HTTP", False, 403, {"message": "Forbidden"}, "do not match"),
    ("HTTP policy malformed", {"nope": 1}, "HTTP", False, 500, {"message": "Internal Server Error"},
     "no policyDocument"),
    ("simple response true", {"isAuthorized": True, "context": {"a": [1, 2], "m": {"k": "v"}}}, "HTTP", True, 200,
     None, None),
    ("simple response false", {"isAuthorized": False}, "HTTP", True, 403, {"message": "Forbidden"},
     "returned isAuthorized false"),
    ("simple response without isAuthorized", {"context": {}}, "HTTP", True, 500,
     {"message": "Internal Server Error"}, "needs a boolean isAuthorized, got None"),
    ("simple response with a string isAuthorized", {"isAuthorized": "true"}, "HTTP", True, 500,
     {"message": "Internal Server Error"}, "got 'true'"),
]


@pytest.mark.parametrize(("case", "output", "protocol", "simple", "status", "body", "reason"), CASES,
                         ids=[c[0] for c in CASES])
def test_lambda_verdict(case, output, protocol, simple, status, body, reason):
    handler = Handler(output)
    authorizer = lambda_authorizer(handler, "TOKEN" if protocol == "REST" else "REQUEST", simple=simple,
                                   version="2.0" if protocol == "HTTP" else "1.0")
    decision = run(authorizer, request(protocol))
    assert len(handler.events) == 1
    if status == 200:
        assert isinstance(decision, Allow), decision
        return
    assert isinstance(decision, Deny)
    assert (decision.status, decision.body) == (status, body)
    assert reason in decision.reason, decision.reason
    assert decision.reason.startswith("Lambda authorizer 'auth'")


def test_rest_error_headers_name_aws_error_types():
    explicit = run(lambda_authorizer(Handler(policy("Deny"))), request())
    broken = run(lambda_authorizer(Handler(None)), request())
    assert explicit.headers == {"x-amzn-ErrorType": "AccessDeniedException"}
    assert broken.headers == {"x-amzn-ErrorType": "AuthorizerConfigurationException"}


# ----------------------------------------------------------------------------- errors raised by the handler

ERRORS = [
    ("Unauthorized", Exception("Unauthorized"), "REST", 401, {"message": "Unauthorized"}, "raised \"Unauthorized\""),
    ("Unauthorized (HTTP)", Exception("Unauthorized"), "HTTP", 401, {"message": "Unauthorized"}, "\"Unauthorized\""),
    ("Unauthorized with more words", Exception("Unauthorized: expired"), "REST", 500, {"message": None},
     "only the exact message \"Unauthorized\" gives a 401"),
    ("unauthorized lower-case", Exception("unauthorized"), "REST", 500, {"message": None}, "raised Exception"),
    ("a bug in the handler", KeyError("token"), "REST", 500, {"message": None}, "raised KeyError"),
    ("a bug (HTTP)", ValueError("x"), "HTTP", 500, {"message": "Internal Server Error"}, "raised ValueError"),
]


@pytest.mark.parametrize(("case", "error", "protocol", "status", "body", "reason"), ERRORS, ids=[e[0] for e in ERRORS])
def test_handler_errors(case, error, protocol, status, body, reason):
    decision = run(lambda_authorizer(Handler(error=error), "TOKEN" if protocol == "REST" else "REQUEST"),
                   request(protocol))
    assert isinstance(decision, Deny)
    assert (decision.status, decision.body) == (status, body)
    assert reason in decision.reason


def test_a_slow_handler_times_out_as_500(monkeypatch):
    monkeypatch.setattr(la, "AUTHORIZER_TIMEOUT_SECONDS", 0.05)

    async def slow(event, context):
        await asyncio.sleep(5)

    decision = run(lambda_authorizer(slow), request())
    assert isinstance(decision, Deny) and decision.status == 500 and "did not answer within 0.05 s" in decision.reason


def test_async_handlers_work():
    async def handler(event, context):
        return policy(resource=event["methodArn"])

    assert isinstance(run(lambda_authorizer(handler), request()), Allow)


# ----------------------------------------------------------------------------- not invoked at all

@pytest.mark.parametrize(("case", "authorizer_args", "req", "reason"), [
    ("TOKEN without its header", {}, request(headers={}), "[method.request.header.Authorization] missing or empty"),
    ("TOKEN with an empty header", {}, request(headers={"authorization": ""}), "missing or empty"),
    ("REQUEST missing one of two sources",
     {"type_": "REQUEST", "sources": ("method.request.header.Authorization", "method.request.querystring.key")},
     request(), "[method.request.querystring.key]"),
    ("HTTP REQUEST missing its header", {"type_": "REQUEST"}, request("HTTP", headers={}),
     "[$request.header.Authorization]"),
    ("TOKEN not matching IdentityValidationExpression", {"expression": r"Bearer [A-Za-z0-9.]+"}, request(),
     "does not match IdentityValidationExpression"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_refused_without_invoking(case, authorizer_args, req, reason):
    handler = Handler(policy())
    decision = run(lambda_authorizer(handler, **authorizer_args), req)
    assert handler.events == []
    assert isinstance(decision, Deny) and (decision.status, decision.body) == (401, {"message": "Unauthorized"})
    assert reason in decision.reason


# ----------------------------------------------------------------------------- events and contexts

def test_token_event_and_rest_context_strings():
    handler = Handler(lambda e: policy(resource=e["methodArn"], context={"n": 1, "f": 1.5, "b": True, "s": "x"}))
    decision = run(lambda_authorizer(handler), request())
    assert handler.events == [{"type": "TOKEN", "authorizationToken": "allow-me", "methodArn": PETS_ARN}]
    assert isinstance(decision, Allow)
    context = decision.authorizer_context
    assert context["principalId"] == "user-1" and isinstance(context["integrationLatency"], int)
    assert {k: context[k] for k in "nfbs"} == {"n": "1", "f": "1.5", "b": "true", "s": "x"}
    assert decision.principal_id == "user-1"


def test_rest_request_event():
    handler = Handler(lambda e: policy(resource=e["methodArn"]))
    sources = ("method.request.header.Authorization", "method.request.querystring.key", "stageVariables.env",
               "context.requestId")
    req = request(headers={"authorization": "t", "accept": "*/*"}, query={"key": ("a", "b")},
                  event_context={"requestId": "req-1", "stage": "dev", "identity": {"sourceIp": "10.0.0.1"}})
    assert isinstance(run(lambda_authorizer(handler, "REQUEST", sources=sources), req), Allow)
    event = handler.events[0]
    assert event["type"] == "REQUEST" and event["methodArn"] == PETS_ARN
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/pets", "/pets", "GET")
    assert event["headers"] == {"authorization": "t", "accept": "*/*"}
    assert event["multiValueHeaders"]["accept"] == ["*/*"]
    assert event["queryStringParameters"] == {"key": "b"}
    assert event["multiValueQueryStringParameters"] == {"key": ["a", "b"]}
    assert event["stageVariables"] == {"env": "test"} and event["pathParameters"] == {}
    assert event["requestContext"]["identity"] == {"sourceIp": "10.0.0.1"}
    assert "version" not in event


def test_http_v2_event_and_lambda_context():
    handler = Handler({"isAuthorized": True, "context": {"user": "u1", "roles": ["a"], "n": 2}})
    sources = ("$request.header.Authorization", "$context.routeKey")
    req = request("HTTP", headers={"authorization": "t", "cookie": "a=1; b=2"}, query={"q": ("1", "2")})
    decision = run(lambda_authorizer(handler, "REQUEST", sources=sources, simple=True, version="2.0"), req)
    event = handler.events[0]
    assert (event["version"], event["type"]) == ("2.0", "REQUEST")
    assert event["routeArn"] == "arn:aws:execute-api:us-east-1:123456789012:api1/$default/GET/pets"
    assert event["identitySource"] == ["t", "GET /pets"]
    assert (event["routeKey"], event["rawPath"], event["rawQueryString"]) == ("GET /pets", "/pets", "q=1&q=2")
    assert event["cookies"] == ["a=1", "b=2"] and "cookie" not in event["headers"]
    assert event["queryStringParameters"] == {"q": "1,2"}
    assert "pathParameters" not in event  # empty collections are left out in 2.0
    assert isinstance(decision, Allow)
    assert decision.authorizer_context == {"lambda": {"user": "u1", "roles": ["a"], "n": 2}}


def test_http_v1_event_joins_identity_sources():
    handler = Handler(lambda e: policy(resource=e["methodArn"]))
    sources = ("$request.header.Authorization", "$request.querystring.k")
    req = request("HTTP", headers={"authorization": "t"}, query={"k": ("v",)})
    assert isinstance(run(lambda_authorizer(handler, "REQUEST", sources=sources), req), Allow)
    event = handler.events[0]
    assert (event["version"], event["identitySource"], event["authorizationToken"]) == ("1.0", "t,v", "t,v")
    assert event["methodArn"].endswith("/$default/GET/pets")


# ----------------------------------------------------------------------------- the result cache

def cached_gateway() -> tuple[Authorizers, Clock]:
    clock = Clock()
    return Authorizers(NoPools(), clock=clock), clock


def test_cache_hits_within_the_ttl_and_expires_after_it():
    handler = Handler(lambda e: policy(resource=f"{ARN_BASE}/*"))
    authorizer = lambda_authorizer(handler, ttl=300)
    gateway, clock = cached_gateway()
    assert isinstance(run(authorizer, request(), gateway), Allow)
    clock.now += 299
    assert isinstance(run(authorizer, request(), gateway), Allow)
    assert len(handler.events) == 1
    assert isinstance(run(authorizer, request(headers={"authorization": "another"}), gateway), Allow)
    assert len(handler.events) == 2  # another token is another cache entry
    clock.now += 1
    run(authorizer, request(), gateway)
    assert len(handler.events) == 3  # 300 s later the first entry has lapsed


def test_the_cache_is_bounded_and_drops_the_oldest(monkeypatch):
    monkeypatch.setattr(la, "MAX_CACHED_RESULTS", 3)
    handler = Handler(lambda e: policy(resource=f"{ARN_BASE}/*"))
    authorizer = lambda_authorizer(handler, ttl=300)
    gateway, _ = cached_gateway()
    for token in ("t1", "t2", "t3", "t4"):
        assert isinstance(run(authorizer, request(headers={"authorization": token}), gateway), Allow)
    assert len(gateway.lambdas._cache) == 3
    run(authorizer, request(headers={"authorization": "t4"}), gateway)
    assert len(handler.events) == 4  # t4 is still cached
    run(authorizer, request(headers={"authorization": "t1"}), gateway)
    assert len(handler.events) == 5  # t1, the oldest, was dropped


def test_ttl_zero_never_caches():
    handler = Handler(policy())
    gateway, _ = cached_gateway()
    for _ in range(3):
        run(lambda_authorizer(handler, ttl=0), request(), gateway)
    assert len(handler.events) == 3


def test_cached_policy_for_one_resource_denies_the_others():
    """AWS's well-known trap: the policy cached for GET /pets is re-applied to GET /owners."""
    handler = Handler(lambda e: policy(resource=e["methodArn"]))
    authorizer = lambda_authorizer(handler, ttl=300)
    gateway, _ = cached_gateway()
    assert isinstance(run(authorizer, request(path="/pets"), gateway), Allow)
    decision = run(authorizer, request(path="/owners"), gateway)
    assert len(handler.events) == 1
    assert isinstance(decision, Deny) and (decision.status, decision.body) == (403, NO_ALLOW)
    assert f"result cached 0 s ago for identity [allow-me] when the request was for {PETS_ARN}" in decision.reason


def test_cached_simple_response_applies_to_every_route():
    handler = Handler({"isAuthorized": False})
    authorizer = lambda_authorizer(handler, "REQUEST", ttl=60, simple=True, version="2.0")
    gateway, _ = cached_gateway()
    run(authorizer, request("HTTP", path="/a"), gateway)
    decision = run(authorizer, request("HTTP", path="/b"), gateway)
    assert len(handler.events) == 1 and isinstance(decision, Deny) and decision.status == 403


@pytest.mark.parametrize(("case", "handler"), [
    ("Unauthorized", Handler(error=Exception("Unauthorized"))),
    ("malformed", Handler({"principalId": "u"})),
], ids=lambda v: v if isinstance(v, str) else "")
def test_failures_are_not_cached(case, handler):
    gateway, _ = cached_gateway()
    for _ in range(2):
        run(lambda_authorizer(handler, ttl=300), request(), gateway)
    assert len(handler.events) == 2


def test_a_bug_inside_the_lambda_decision_is_a_500(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("bug")
    monkeypatch.setattr(la, "build_event", boom)
    decision = run(lambda_authorizer(Handler(policy())), request())
    assert isinstance(decision, Deny) and decision.status == 500 and "RuntimeError" in decision.reason
