"""REST COGNITO_USER_POOLS authorizer: seed 001's story first, then one row per refusal."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from emulator.gateway import authorizers as az
from emulator.gateway.authorizer_config import CognitoAuthorizer
from emulator.gateway.authorizers import Authorizers
from emulator.gateway.request import AuthRequest
from emulator.gateway.verdicts import Allow, Deny

NOW = 1_700_000_000
REGION = "ap-northeast-1"
POOL_ID = f"{REGION}_Example01"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
ARN = f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/{POOL_ID}"
OTHER_POOL_ID = f"{REGION}_Example02"
OTHER_ISSUER = f"http://localhost:9229/{OTHER_POOL_ID}"  # a pool with an Issuer override
OTHER_ARN = f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/{OTHER_POOL_ID}"
REMOTE_POOL_ID = "eu-west-1_Remote001"
REMOTE_ISSUER = f"https://cognito-idp.eu-west-1.amazonaws.com/{REMOTE_POOL_ID}"
REMOTE_ARN = f"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{REMOTE_POOL_ID}"
APP_CLIENT = "piyopiyo"
SERVER_CLIENT = "test-server-client-id"
SCOPE = "test_resource/test"
AUTHORIZER = CognitoAuthorizer("test-cognito-authorizer", "method.request.header.Authorization", (ARN,),
                               None, 300)

KEYS = {name: rsa.generate_private_key(65537, 2048) for name in ("id", "access", "other", "remote")}


def jwk(name: str) -> dict:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEYS[name].public_key()))
    return {**public, "kid": f"{name}-kid", "alg": "RS256", "use": "sig"}


class FakeIssuerKeys:
    """Two local pools; REMOTE_POOL_ID is not local, so its keys come over HTTP."""

    def local_jwks(self, issuer: str) -> dict | None:
        return {ISSUER: {"keys": [jwk("id"), jwk("access")]}, OTHER_ISSUER: {"keys": [jwk("other")]}}.get(issuer)

    def pool_issuer(self, pool_id: str) -> str | None:
        return {POOL_ID: ISSUER, OTHER_POOL_ID: OTHER_ISSUER}.get(pool_id)


def sign(claims: dict, key: str = "id", kid: str | None = None, alg: str = "RS256") -> str:
    private = KEYS[key].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
    return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid or f"{key}-kid"})


def drop(claims: dict) -> dict:
    return {k: v for k, v in claims.items() if v is not ...}


def client_credentials(**changes) -> dict:
    """Exactly the claim set seed 001 shows for a client_credentials access token."""
    return drop({"sub": SERVER_CLIENT, "token_use": "access", "scope": SCOPE, "auth_time": NOW - 5,
                 "iss": ISSUER, "exp": NOW + 3600, "iat": NOW - 5, "version": 2, "jti": "jti-1",
                 "client_id": SERVER_CLIENT, **changes})


def id_claims(**changes) -> dict:
    return drop({"sub": "user-uuid", "aud": APP_CLIENT, "email_verified": True, "token_use": "id",
                 "auth_time": 1469814773, "iss": ISSUER, "cognito:username": "peroper", "exp": 1469818373,
                 "iat": 1469814773, "email": "peroper@hoge.com", "cognito:groups": ["admin"],
                 "custom:tier": "gold", **changes})


def user_access(**changes) -> dict:
    return drop({"sub": "user-uuid", "client_id": APP_CLIENT, "token_use": "access",
                 "scope": "aws.cognito.signin.user.admin", "auth_time": NOW - 5, "iss": ISSUER,
                 "exp": NOW + 3600, "iat": NOW - 5, "jti": "j", "username": "peroper", **changes})


def request(headers: dict, scopes: tuple[str, ...] = ()) -> AuthRequest:
    return AuthRequest(
        protocol_type="REST", api_id="restapi1", stage="dev", method="POST", path="/access",
        route_key="/access", headers=headers, query={}, path_parameters={}, stage_variables={},
        source_ip="127.0.0.1", route_scopes=scopes,
        method_arn="arn:aws:execute-api:ap-northeast-1:123456789012:restapi1/dev/POST/access",
        request_id="req-1", event_context={})


def authorize(req: AuthRequest, authorizer: CognitoAuthorizer = AUTHORIZER, now: float = NOW,
              http: httpx.AsyncClient | None = None) -> Allow | Deny:
    gateway = Authorizers(FakeIssuerKeys(), http=http, clock=lambda: now)
    return asyncio.run(gateway.authorize(authorizer, req))


def unauthorized(decision: Allow | Deny, reason: str) -> None:
    assert isinstance(decision, Deny), decision
    assert (decision.status, decision.body) == (401, {"message": "Unauthorized"})
    assert decision.headers == {"x-amzn-ErrorType": "UnauthorizedException"}
    assert reason in decision.reason, decision.reason


# ----------------------------------------------------------------------------- seed 001

def test_seed_001_client_credentials_token_passes_the_scoped_method():
    token = sign(client_credentials(), key="access", kid="access-kid")
    decision = authorize(request({"authorization": token}, (SCOPE,)))
    assert isinstance(decision, Allow)
    claims = decision.authorizer_context["claims"]
    assert set(decision.authorizer_context) == {"claims"}
    assert claims["sub"] == claims["client_id"] == SERVER_CLIENT
    assert claims["scope"] == SCOPE and claims["token_use"] == "access"
    assert claims["version"] == "2" and claims["auth_time"] == str(NOW - 5)
    assert all(isinstance(v, str) for v in claims.values())


def test_seed_001_id_token_is_401_on_the_scoped_method():
    decision = authorize(request({"authorization": sign(id_claims(exp=NOW + 60))}, (SCOPE,)))
    unauthorized(decision, "token is not an access token (token_use 'id'); method 'POST /access' has "
                           "authorization scopes [test_resource/test]")


def test_seed_001_method_without_scopes_rejects_the_access_token():
    token = sign(client_credentials(), key="access", kid="access-kid")
    unauthorized(authorize(request({"authorization": token})),
                 "COGNITO_USER_POOLS authorizer 'test-cognito-authorizer': token is an access token "
                 "(token_use 'access'); a COGNITO_USER_POOLS authorizer on a method without authorization "
                 "scopes accepts only ID tokens")


def test_seed_001_no_token_is_401():
    unauthorized(authorize(request({}, (SCOPE,))), "the identity source is method.request.header.Authorization")


def test_id_token_claims_are_rendered_as_rest_does():
    """exp/iat as Java dates, auth_time numeric, booleans "true" (amazon-cognito-identity-js#92)."""
    decision = authorize(request({"authorization": sign(id_claims())}), now=1469814800)
    assert isinstance(decision, Allow)
    claims = decision.authorizer_context["claims"]
    assert claims["exp"] == "Fri Jul 29 18:52:53 UTC 2016"
    assert claims["iat"] == "Fri Jul 29 17:52:53 UTC 2016"
    assert claims["auth_time"] == "1469814773"
    assert claims["email_verified"] == "true"
    assert claims["cognito:groups"] == "admin"
    assert decision.principal_id == "user-uuid"


def test_several_groups_are_comma_joined():
    token = sign(id_claims(exp=NOW + 60, **{"cognito:groups": ["admin", "users"]}))
    decision = authorize(request({"authorization": token}))
    assert isinstance(decision, Allow)
    assert decision.authorizer_context["claims"]["cognito:groups"] == "admin,users"


# ----------------------------------------------------------------------------- the table

def fresh_id(**changes) -> dict:
    return id_claims(exp=NOW + 3600, iat=NOW - 5, auth_time=NOW - 5, **changes)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(alg: str) -> str:
    head = b64(json.dumps({"alg": alg, "kid": "id-kid"}).encode())
    return f"{head}.{b64(json.dumps(fresh_id()).encode())}.{b64(b'sig') if alg != 'none' else ''}"


def signed_text(payload: str) -> str:
    """A token signed by the pool's ID key over exactly this payload text (NaN and all)."""
    signing_input = f"{b64(json.dumps({'alg': 'RS256', 'kid': 'id-kid'}).encode())}.{b64(payload.encode())}"
    signature = KEYS["id"].sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def tampered() -> str:
    head, _, sig = sign(fresh_id()).split(".")
    return f"{head}.{b64(json.dumps(fresh_id(**{'cognito:groups': ['root']})).encode())}.{sig}"


Header = Callable[[], dict]
# (case, request headers, method scopes, authorizer, None for an Allow else a reason substring)
CASES: list[tuple[str, Header, tuple[str, ...], CognitoAuthorizer, str | None]] = [
    ("ID token, bare", lambda: {"authorization": sign(fresh_id())}, (), AUTHORIZER, None),
    ("ID token, Bearer", lambda: {"authorization": "Bearer " + sign(fresh_id())}, (), AUTHORIZER, None),
    ("access token holding one of several method scopes",
     lambda: {"authorization": sign(user_access(scope="openid aws.cognito.signin.user.admin"), "access")},
     ("email", "aws.cognito.signin.user.admin"), AUTHORIZER, None),
    ("token of the second pool", lambda: {"authorization": sign(fresh_id(iss=OTHER_ISSUER), "other")}, (),
     CognitoAuthorizer("two", "method.request.header.Authorization", (ARN, OTHER_ARN), None, 300), None),
    ("identity source is another header", lambda: {"x-token": sign(fresh_id())}, (),
     CognitoAuthorizer("hdr", "method.request.header.X-Token", (ARN,), None, 300), None),
    ("validation expression matches aud", lambda: {"authorization": sign(fresh_id())}, (),
     CognitoAuthorizer("ve", "method.request.header.Authorization", (ARN,), "piyo.*", 300), None),
    ("validation expression misses aud", lambda: {"authorization": sign(fresh_id())}, (),
     CognitoAuthorizer("ve", "method.request.header.Authorization", (ARN,), "abc123", 300),
     "token aud 'piyopiyo' does not match IdentityValidationExpression 'abc123'"),
    ("validation expression on an access token", lambda: {"authorization": sign(client_credentials(), "access")},
     (SCOPE,), CognitoAuthorizer("ve", "method.request.header.Authorization", (ARN,), ".*", 300),
     "the token has no aud to match it against (an access token never has one)"),
    ("access token without the method's scope", lambda: {"authorization": sign(user_access(), "access")},
     (SCOPE,), AUTHORIZER,
     "access token scopes [aws.cognito.signin.user.admin] include none of method 'POST /access' "
     "authorization scopes [test_resource/test]"),
    ("user access token on a method without scopes", lambda: {"authorization": sign(user_access(), "access")},
     (), AUTHORIZER, "token is an access token (token_use 'access')"),
    ("no token_use at all", lambda: {"authorization": sign(fresh_id(token_use=...))}, (), AUTHORIZER,
     "token is not an ID token (token_use None)"),
    ("expired ID token", lambda: {"authorization": sign(id_claims())}, (), AUTHORIZER, "token expired at 2016"),
    ("token of a pool not in ProviderARNs", lambda: {"authorization": sign(fresh_id(iss=OTHER_ISSUER), "other")},
     (), AUTHORIZER, f"token iss '{OTHER_ISSUER}' is none of the pools of ProviderARNs [{ARN}]"),
    ("another pool's key under this pool's iss", lambda: {"authorization": sign(fresh_id(), "other", "id-kid")},
     (), AUTHORIZER, "signature does not verify"),
    ("unknown kid", lambda: {"authorization": sign(fresh_id(), "id", "nope")}, (), AUTHORIZER,
     "token kid 'nope' is not among the keys of issuer"),
    ("tampered payload", lambda: {"authorization": tampered()}, (), AUTHORIZER, "the header or payload was altered"),
    ("alg none", lambda: {"authorization": forged("none")}, (), AUTHORIZER, "token alg 'none' is not RSA"),
    ("HS256", lambda: {"authorization": forged("HS256")}, (), AUTHORIZER, "token alg 'HS256' is not RSA"),
    ("missing header", lambda: {}, (), AUTHORIZER, "has no such header"),
    ("only 'Bearer '", lambda: {"authorization": "Bearer "}, (), AUTHORIZER, "dot-separated"),
    ("not a JWT", lambda: {"authorization": "Bearer not-a-token"}, (), AUTHORIZER, "1 dot-separated part(s)"),
    ("garbage bytes", lambda: {"authorization": bytes(range(1, 255)).decode("latin-1")}, (), AUTHORIZER,
     "test-cognito-authorizer"),
    ("bad base64", lambda: {"authorization": "%%%.%%%.%%%"}, (), AUTHORIZER, "not valid base64url"),
    ("exp a string", lambda: {"authorization": sign({**fresh_id(), "exp": str(NOW + 60)})}, (), AUTHORIZER,
     f"token claim exp is '{NOW + 60}', not a number"),
    ("exp NaN", lambda: {"authorization": signed_text(json.dumps({**fresh_id(), "exp": float("nan")}))}, (), AUTHORIZER,
     "token payload is not JSON"),
    ("iat Infinity", lambda: {"authorization": signed_text(json.dumps({**fresh_id(), "iat": float("inf")}))}, (),
     AUTHORIZER, "token payload is not JSON"),
    ("token_use a list", lambda: {"authorization": sign(fresh_id(token_use=["id"]))}, (), AUTHORIZER,
     "token is not an ID token (token_use ['id'])"),
    ("iss an object", lambda: {"authorization": signed_text(json.dumps(fresh_id(iss={"a": 1})))}, (), AUTHORIZER,
     "token iss {'a': 1} is none of the pools"),
]


@pytest.mark.parametrize(("case", "headers", "scopes", "authorizer", "reason"), CASES, ids=[c[0] for c in CASES])
def test_cognito_authorizer(case, headers, scopes, authorizer, reason):
    decision = authorize(request(headers(), scopes), authorizer)
    if reason is None:
        assert isinstance(decision, Allow), decision
        assert all(isinstance(v, str) for v in decision.authorizer_context["claims"].values())
    else:
        unauthorized(decision, reason)
        assert "failed inside the emulator" not in decision.reason  # a decision, not a crash


def test_a_date_beyond_any_calendar_is_shown_as_its_number():
    decision = authorize(request({"authorization": sign({**fresh_id(), "exp": 1e20})}))
    assert isinstance(decision, Allow), decision
    assert decision.authorizer_context["claims"]["exp"] == "100000000000000000000"


# ----------------------------------------------------------------------------- a pool that is not local

def remote_http(calls: list[str], fail: bool = False) -> httpx.AsyncClient:
    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(str(req.url))
        if fail:
            return httpx.Response(503)
        if req.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={"jwks_uri": f"{REMOTE_ISSUER}/.well-known/jwks.json"})
        return httpx.Response(200, json={"keys": [jwk("remote")]})
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


REMOTE_AUTHORIZER = CognitoAuthorizer("remote", "method.request.header.Authorization", (REMOTE_ARN,), None, 300)


def test_remote_pool_issuer_is_derived_from_its_arn_and_keys_are_discovered():
    calls: list[str] = []
    token = sign(fresh_id(iss=REMOTE_ISSUER), "remote")
    decision = authorize(request({"authorization": token}), REMOTE_AUTHORIZER, http=remote_http(calls))
    assert isinstance(decision, Allow)
    assert calls[0] == f"{REMOTE_ISSUER}/.well-known/openid-configuration"


def test_remote_pool_unreachable_is_401():
    token = sign(fresh_id(iss=REMOTE_ISSUER), "remote")
    decision = authorize(request({"authorization": token}), REMOTE_AUTHORIZER, http=remote_http([], fail=True))
    unauthorized(decision, "answered HTTP 503")


def test_malformed_provider_arn_matches_no_token():
    broken = CognitoAuthorizer("broken", "method.request.header.Authorization", ("userpool/nope",), None, 300)
    unauthorized(authorize(request({"authorization": sign(fresh_id())}), broken), "issuers []")


@pytest.mark.parametrize("failure", [KeyError("bug"), RecursionError("deep")], ids=repr)
def test_a_bug_inside_the_decision_is_a_401(monkeypatch, failure):
    def boom(*args):
        raise failure
    monkeypatch.setattr(az, "decide_cognito", boom)
    unauthorized(authorize(request({"authorization": sign(fresh_id())})), "failed inside the emulator")
