"""The identity-pool and AWS_IAM decisions as pure functions, with tables: role choice, user-pool token
claims, the IAM verdict over botocore-signed requests, and the config's IdentityPools:/Roles:/AuthorizationType."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from emulator.cognito.sigv4 import SignedRequest
from emulator.config import parse_config
from emulator.config_fields import ConfigError
from emulator.gateway.iam_authorizer import IamAllow, IamRequest, Principal, decide_iam
from emulator.gateway.verdicts import Deny
from emulator.group_roles import group_roles
from emulator.identity.logins import check_user_pool_claims, user_pool_of
from emulator.identity.role_mapping import GroupRole, choose_role, rule_matches, token_roles
from emulator.identity.sts_protocol import StsError
from emulator.identity.web_identity import checked_request, trust_refusal

AUTH, GUEST, ADMIN, READER = (f"arn:aws:iam::123456789012:role/{n}" for n in ("Auth", "Guest", "Admin", "Reader"))
ROLES = {"authenticated": AUTH, "unauthenticated": GUEST}
TOKEN_DENY = {"Type": "Token", "AmbiguousRoleResolution": "Deny"}
TOKEN_AUTH = {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}
RULES = {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": [
    {"Claim": "custom:tier", "MatchType": "Equals", "Value": "gold", "RoleARN": ADMIN},
    {"Claim": "email", "MatchType": "StartsWith", "Value": "reader", "RoleARN": READER}]}}
ADMINS = GroupRole("admins", 1, ADMIN)
READERS = GroupRole("readers", 5, READER)


@pytest.mark.parametrize(("mapping", "authenticated", "claims", "groups", "custom", "expected"), [
    (None, True, {}, [], None, AUTH),
    (None, False, {}, [], None, GUEST),
    (None, False, {}, [], READER, None),  # CustomRoleArn needs a Token mapping
    (TOKEN_DENY, True, {}, [ADMINS, READERS], None, ADMIN),  # lowest precedence wins
    (TOKEN_DENY, True, {"cognito:preferred_role": READER, "cognito:roles": [READER, ADMIN]}, [], None, READER),
    (TOKEN_DENY, True, {}, [GroupRole("a", None, ADMIN), GroupRole("b", None, READER)], None, None),
    (TOKEN_AUTH, True, {}, [GroupRole("a", None, ADMIN), GroupRole("b", None, READER)], None, AUTH),
    (TOKEN_DENY, True, {}, [], None, None),
    (TOKEN_DENY, True, {}, [ADMINS, READERS], READER, READER),
    (TOKEN_DENY, True, {}, [ADMINS], READER, None),
    (RULES, True, {"custom:tier": "gold"}, [], None, ADMIN),
    (RULES, True, {"email": "reader@x"}, [], None, READER),
    (RULES, True, {"email": "other@x"}, [], None, None),
    ({**RULES, "AmbiguousRoleResolution": "AuthenticatedRole"}, True, {}, [], None, AUTH),
    (RULES, False, {"custom:tier": "gold"}, [], None, GUEST),  # unauthenticated: mappings do not apply
])
def test_choose_role(mapping: Any, authenticated: bool, claims: dict, groups: list, custom: str | None,
                     expected: str | None) -> None:
    choice = choose_role(ROLES, mapping, authenticated, claims, groups, custom)
    assert choice.role_arn == expected and choice.how


@pytest.mark.parametrize(("match", "value", "claim", "hit"), [
    ("Equals", "gold", "gold", True), ("Equals", "gold", "golden", False), ("Contains", "ol", "gold", True),
    ("StartsWith", "go", "gold", True), ("StartsWith", "ld", "gold", False), ("NotEqual", "gold", "silver", True),
    ("NotEqual", "gold", "gold", False), ("Unknown", "gold", "gold", False),
])
def test_rule_matches(match: str, value: str, claim: str, hit: bool) -> None:
    assert rule_matches({"Claim": "c", "MatchType": match, "Value": value}, {"c": claim}) is hit
    assert rule_matches({"Claim": "missing", "MatchType": match, "Value": value}, {"c": claim}) is False


def test_token_roles_from_groups() -> None:
    assert token_roles({}, [READERS, ADMINS]) == (ADMIN, sorted([ADMIN, READER]))
    assert token_roles({}, [GroupRole("x", None, None)]) == (None, [])


@pytest.mark.parametrize(("claims", "error"), [
    ({"token_use": "id", "exp": 2000, "aud": "c1"}, None),
    ({"token_use": "access", "exp": 2000, "client_id": "c1"}, "Invalid login token. Couldn't verify signed token."),
    ({"token_use": "id", "exp": 1000, "aud": "c1"}, "Invalid login token. Token expired: 1000 >= 1000"),
    ({"token_use": "id", "aud": "c1"}, "Invalid login token. Token expired: 1000 >= None"),
    ({"token_use": "id", "exp": 2000, "aud": "c2"}, "Token is not from a supported provider of this identity pool"),
])
def test_check_user_pool_claims(claims: dict, error: str | None) -> None:
    problem = check_user_pool_claims(claims, ("c1",), 1000)
    assert (problem.message if problem else None) == error
    assert problem is None or problem.reason


@pytest.mark.parametrize(("provider", "pool"), [
    ("cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", "us-east-1_abc"),
    ("cognito-idp.us-east-1.amazonaws.com/", None), ("accounts.google.com", None),
    ("cognito-identity.amazonaws.com", None), ("evil.example/us-east-1_abc", None),
])
def test_user_pool_of(provider: str, pool: str | None) -> None:
    assert user_pool_of(provider) == pool


# --- the IAM verdict ---------------------------------------------------------------------------------

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/orders"
NOW = 1_800_000_000.0
ALLOW_ALL = {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}
DENY_GET = {"Statement": [*ALLOW_ALL["Statement"], {"Effect": "Deny", "Action": "execute-api:*",
                                                   "Resource": "arn:aws:execute-api:*:*:*/*/GET/*"}]}
ONLY_POST = {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:*/*/POST/*"}]}


def principal(policy: Any = ALLOW_ALL, expiration: float | None = NOW + 60, token: str | None = "tok",
              unrestricted: bool = False) -> Principal:
    return Principal("ASIAEXAMPLE", "secret", "arn:aws:sts::123456789012:assumed-role/Auth/CognitoIdentityCredentials",
                     "AROAX:CognitoIdentityCredentials", "123456789012", token, expiration, policy, unrestricted,
                     AUTH, {"identityId": "us-east-1:i", "identityPoolId": "us-east-1:p",
                            "authenticationType": "authenticated", "amr": ["authenticated"]})


def signed(secret: str = "secret", token: str | None = "tok", service: str = "execute-api", body: bytes = b"",
           tamper: bytes | None = None, sign: bool = True) -> SignedRequest:
    request = AWSRequest("GET", "http://127.0.0.1:8080/dev/orders", data=body, headers={"host": "127.0.0.1:8080"})
    if sign:
        SigV4Auth(Credentials("ASIAEXAMPLE", secret, token), service, "us-east-1").add_auth(request)
    return SignedRequest("GET", "http://127.0.0.1:8080/dev/orders", list(request.headers.items()),
                         tamper if tamper is not None else body)


@pytest.mark.parametrize(("request_", "who", "status", "body"), [
    (signed(sign=False), principal(), 403, {"message": "Missing Authentication Token"}),
    (signed(), None, 403, {"message": "The security token included in the request is invalid."}),
    (signed(token=None), principal(), 403, {"message": "The security token included in the request is invalid."}),
    (signed(token="other"), principal(), 403, {"message": "The security token included in the request is invalid."}),
    (signed(), principal(expiration=NOW), 403, {"message": "The security token included in the request is expired"}),
    (signed(secret="wrong"), principal(), 403, None),
    (signed(tamper=b"changed"), principal(), 403, None),
    (signed(service="lambda"), principal(), 403, None),
    (signed(), principal(policy=None), 403, {"Message": f"User: {principal().user_arn} is not authorized to "
                                                        f"perform: execute-api:Invoke on resource: {ARN}"}),
    (signed(), principal(policy=ONLY_POST), 403, None),
    (signed(), principal(policy=DENY_GET), 403, {"Message": f"User: {principal().user_arn} is not authorized to "
                                                            f"perform: execute-api:Invoke on resource: {ARN} with an "
                                                            "explicit deny"}),
    (signed(), principal(), 200, None),
    (signed(token=None), principal(token=None, expiration=None, policy=None, unrestricted=True), 200, None),
])
def test_decide_iam_rest(request_: SignedRequest, who: Principal | None, status: int, body: dict | None) -> None:
    verdict = decide_iam(IamRequest("REST", request_, ARN, NOW), lambda key: who)
    if status == 200:
        assert isinstance(verdict, IamAllow) and verdict.identity["accessKey"] == "ASIAEXAMPLE"
        assert verdict.authorizer_context is None
        return
    assert isinstance(verdict, Deny) and verdict.status == status and verdict.reason
    if body is not None:
        assert verdict.body == body
    http = decide_iam(IamRequest("HTTP", request_, ARN, NOW), lambda key: who)
    assert isinstance(http, Deny) and (http.status, http.body) == (403, {"message": "Forbidden"})


def test_decide_iam_http_context() -> None:
    verdict = decide_iam(IamRequest("HTTP", signed(), ARN, NOW), lambda key: principal())
    assert isinstance(verdict, IamAllow)
    assert verdict.authorizer_context == {"iam": {
        "accessKey": "ASIAEXAMPLE", "accountId": "123456789012", "callerId": "AROAX:CognitoIdentityCredentials",
        "cognitoIdentity": {"amr": ["authenticated"], "identityId": "us-east-1:i", "identityPoolId": "us-east-1:p"},
        "principalOrgId": None, "userArn": principal().user_arn, "userId": "AROAX:CognitoIdentityCredentials"}}


# --- config ------------------------------------------------------------------------------------------

def route(**extra: Any) -> dict:
    return {"Apis": [{"Name": "a", "ProtocolType": "HTTP", "Port": 18080, "Authorizers": [
        {"Name": "jwt", "AuthorizerType": "JWT", "IdentitySource": "$request.header.Authorization",
         "JwtConfiguration": {"Issuer": "https://issuer.example", "Audience": ["x"]}}],
        "Routes": [{"RouteKey": "GET /x", "Target": "http://127.0.0.1:3000", **extra}]}]}


@pytest.mark.parametrize(("data", "path"), [
    ({"IdentityPools": [{"AllowUnauthenticatedIdentities": True}]}, "IdentityPools[0].IdentityPoolName"),
    ({"IdentityPools": [{"IdentityPoolName": "a b!"}]}, "IdentityPools[0].IdentityPoolName"),
    ({"IdentityPools": [{"IdentityPoolName": "a", "AllowUnauthenticatedIdentities": "yes"}]}, "IdentityPools[0]"),
    ({"IdentityPools": [{"IdentityPoolName": "a", "Rolez": {}}]}, "IdentityPools[0].Rolez"),
    ({"IdentityPools": [{"IdentityPoolName": "a", "IdentityPoolId": "nope"}]}, "IdentityPools[0].IdentityPoolId"),
    ({"IdentityPools": [{"IdentityPoolName": "a", "Roles": {"admin": AUTH}}]}, "IdentityPools[0].Roles"),
    ({"IdentityPools": [{"IdentityPoolName": "a", "Roles": {"authenticated": AUTH},
                         "RoleMappings": {"p:c": {"Type": "Token"}}}]}, "IdentityPools[0].RoleMappings.p:c"),
    ({"IdentityPools": [{"IdentityPoolName": "a"}, {"IdentityPoolName": "a"}]}, "IdentityPools[1].IdentityPoolId"),
    ({"IdentityPools": [{"IdentityPoolName": "a", "CognitoIdentityProviders": [{"ProviderName": "us-east-1_x"}]}]},
     "IdentityPools[0].CognitoIdentityProviders"),
    ({"Roles": {"not-an-arn": ALLOW_ALL}}, "Roles.not-an-arn"),
    ({"Roles": {AUTH: {"Statement": [{"Effect": "Maybe"}]}}}, f"Roles.{AUTH}"),
    (route(AuthorizationType="AWS_IAM", AuthorizerName="jwt"), "Apis[0].Routes[0].AuthorizationType"),
    (route(AuthorizationType="CUSTOM", AuthorizerName="jwt"), "Apis[0].Routes[0].AuthorizationType"),
    (route(AuthorizationType="AWS_IAMX"), "Apis[0].Routes[0].AuthorizationType"),
])
def test_config_errors_name_their_key_path(data: dict, path: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert info.value.path == path, info.value


def test_config_accepts_identity_pools_roles_and_aws_iam_routes() -> None:
    config = parse_config({"IdentityPools": [{"IdentityPoolName": "app", "Roles": {"authenticated": AUTH}}],
                           "Roles": {AUTH: ALLOW_ALL}, **route(AuthorizationType="AWS_IAM")})
    (pool,) = config.identity_pools
    assert pool["IdentityPoolId"] == parse_config({"IdentityPools": [{"IdentityPoolName": "app"}]}) \
        .identity_pools[0]["IdentityPoolId"]  # stable across starts
    assert pool["AllowUnauthenticatedIdentities"] is False and pool["Roles"] == {"authenticated": AUTH}
    assert config.roles == {AUTH: ALLOW_ALL} and config.apis[0].routes[0].iam is True
    assert parse_config(route(AuthorizationType="JWT", AuthorizerName="jwt")).apis[0].routes[0].iam is False


@pytest.mark.parametrize("authorization", [
    "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=x",
    "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20270115/us-east-1/execute-api/aws4_request, SignedHeaders=, Signature=x",
    "AWS4-X " + "a=" * 5000, "Bearer token",
    "AWS4-HMAC-SHA256 " + "Credential=" + "/" * 4 + ",SignedHeaders=host,Signature=1",
])
def test_decide_iam_never_allows_a_broken_header(authorization: str) -> None:
    request = SignedRequest("GET", "http://127.0.0.1:8080/dev/orders", [
        ("host", "127.0.0.1:8080"), ("x-amz-date", "20270115T000000Z"), ("authorization", authorization)], b"")
    verdict = decide_iam(IamRequest("REST", request, ARN, NOW), lambda key: principal())
    assert isinstance(verdict, Deny) and verdict.status == 403 and verdict.reason
    if not authorization.startswith("AWS4"):
        assert verdict.body["message"].startswith("Invalid key=value pair (missing equal-sign) in Authorization")
        assert verdict.headers == {"x-amzn-ErrorType": "IncompleteSignatureException"}


A1, A2 = "arn:aws:iam::1:role/a1", "arn:aws:iam::1:role/a2"


@pytest.mark.parametrize(("groups", "expected"), [
    ([], (None, [])),
    ([GroupRole("g", None, None)], (None, [])),
    ([GroupRole("g", None, A1)], (A1, [A1])),  # the only role, even without a precedence
    ([GroupRole("g", 3, A1), GroupRole("h", None, A2)], (A1, [A1, A2])),  # null ranks after every number
    ([GroupRole("g", None, A1), GroupRole("h", None, A2)], (None, [A1, A2])),  # null ties with null
    ([GroupRole("g", 2, A2), GroupRole("h", 1, A1)], (A1, [A1, A2])),  # listed by precedence
    ([GroupRole("g", 1, A1), GroupRole("h", 1, A2)], (None, [A1, A2])),  # a tie with different roles
    ([GroupRole("g", 1, A1), GroupRole("h", 1, A1)], (A1, [A1])),  # a tie with the same role
    ([GroupRole("g", 0, None), GroupRole("h", 4, A2)], (A2, [A2])),  # groups without a role do not count
])
def test_group_roles(groups: list[GroupRole], expected: tuple[str | None, list[str]]) -> None:
    assert group_roles(groups) == expected


@pytest.mark.parametrize(("role", "authenticated", "allowed"), [
    ("arn:aws:iam::1:role/auth", True, True), ("arn:aws:iam::1:role/auth", False, False),
    ("arn:aws:iam::1:role/guest", False, True), ("arn:aws:iam::1:role/guest", True, False),
    ("arn:aws:iam::1:role/declared", True, True), ("arn:aws:iam::1:role/declared", False, False),
    ("arn:aws:iam::1:role/other", True, False),
])
def test_web_identity_trust(role: str, authenticated: bool, allowed: bool) -> None:
    pool = {"IdentityPoolId": "p", "Roles": {"authenticated": "arn:aws:iam::1:role/auth",
                                             "unauthenticated": "arn:aws:iam::1:role/guest"}}
    assert (trust_refusal(role, pool, authenticated, {"arn:aws:iam::1:role/declared"}) is None) is allowed


@pytest.mark.parametrize(("fields", "code"), [
    ({}, "ValidationError"),
    ({"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s", "WebIdentityToken": "t"},
     "ValidationError"),
    ({"RoleArn": "nope", "RoleSessionName": "ss", "WebIdentityToken": "t"}, "ValidationError"),
    ({"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "ss", "WebIdentityToken": "t",
      "DurationSeconds": "899"}, "ValidationError"),
    ({"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "ss", "WebIdentityToken": "t",
      "PolicyArns.member.1.arn": "x"}, "InvalidParameterValue"),
    ({"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "ss", "WebIdentityToken": "t"}, None),
])
def test_web_identity_request_checks(fields: dict[str, str], code: str | None) -> None:
    if code is None:
        assert checked_request(fields)[3] == 3600
        return
    with pytest.raises(StsError) as raised:
        checked_request(fields)
    assert raised.value.code == code
