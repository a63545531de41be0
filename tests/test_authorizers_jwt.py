"""HTTP API JWT authorizer: one row per case, each asserting status, body, header and the reason."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from emulator.gateway import authorizers as az
from emulator.gateway.authorizer_config import JwtAuthorizer
from emulator.gateway.authorizers import Authorizers
from emulator.gateway.jwks import CACHE_SECONDS, REFETCH_INTERVAL_SECONDS, JwksSource, KeySet
from emulator.gateway.jwt_authorizer import decide_jwt, jwt_identity
from emulator.gateway.request import AuthRequest
from emulator.gateway.token_verification import read_token
from emulator.gateway.verdicts import Allow, Deny

NOW = 1_700_000_000
POOL_ID = "us-east-1_Example01"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
CLIENT = "piyopiyo"
AUTHORIZER = JwtAuthorizer("cognitoAuthorizer", ("$request.header.Authorization",), ISSUER, (CLIENT,))


# ----------------------------------------------------------------------------- keys and tokens

@dataclass
class PoolKeys:
    """Two RSA keys like a Cognito pool (one signs ID tokens, one access tokens) plus a stranger's key."""

    id_key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    access_key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    other_key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))

    def jwks(self) -> dict:
        return {"keys": [public_jwk(self.id_key, "id-kid"), public_jwk(self.access_key, "access-kid")]}


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_claims(**changes) -> dict:
    """An ID token's claims as Cognito issues them (AWS_BEHAVIOR §5)."""
    claims = {"sub": "4f1c-uuid", "aud": CLIENT, "email_verified": True, "token_use": "id",
              "auth_time": NOW - 60, "iss": ISSUER, "cognito:username": "peroper", "exp": NOW + 3600,
              "iat": NOW - 60, "jti": "j-1", "origin_jti": "o-1", "event_id": "e-1",
              "email": "peroper@hoge.com", "cognito:groups": ["admin"]}
    return {k: v for k, v in {**claims, **changes}.items() if v is not ...}


def access_claims(**changes) -> dict:
    claims = {"sub": "4f1c-uuid", "client_id": CLIENT, "token_use": "access",
              "scope": "aws.cognito.signin.user.admin", "auth_time": NOW - 60, "iss": ISSUER,
              "exp": NOW + 3600, "iat": NOW - 60, "jti": "j-2", "origin_jti": "o-1", "event_id": "e-1",
              "username": "peroper"}
    return {k: v for k, v in {**claims, **changes}.items() if v is not ...}


def sign(keys: PoolKeys, claims: dict, kid: str = "id-kid", alg: str = "RS256", key=None) -> str:
    signer = key or (keys.access_key if kid == "access-kid" else keys.id_key)
    return jwt.encode(claims, pem(signer), algorithm=alg, headers={"kid": kid})


def hs256_with_public_pem(keys: PoolKeys) -> str:
    """The key-confusion forgery: HMAC-SHA256 keyed with the issuer's *public* key PEM."""
    public = keys.id_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
    head = b64(json.dumps({"alg": "HS256", "kid": "id-kid", "typ": "JWT"}).encode())
    body = b64(json.dumps(id_claims()).encode())
    mac = hmac.new(public, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def unsigned(claims: dict) -> str:
    head = b64(json.dumps({"alg": "none", "kid": "id-kid"}).encode())
    return f"{head}.{b64(json.dumps(claims).encode())}."


def es256(claims: dict) -> str:
    return jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256",
                      headers={"kid": "id-kid"})


def tampered(keys: PoolKeys) -> str:
    head, _, sig = sign(keys, id_claims()).split(".")
    return f"{head}.{b64(json.dumps(id_claims(**{'cognito:groups': ['root']})).encode())}.{sig}"


def signed_text(keys: PoolKeys, payload: str, header: str = '{"alg": "RS256", "kid": "id-kid"}') -> str:
    """A validly signed token of exactly this header and payload JSON (text no JWT library would write)."""
    signing_input = f"{b64(header.encode())}.{b64(payload.encode())}"
    signature = keys.id_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def with_claim(name: str, raw_json: str) -> str:
    """id_claims() as JSON text with claim `name` set to the raw JSON `raw_json`."""
    claims = id_claims(**{name: "@@"})
    return json.dumps(claims).replace('"@@"', raw_json)


class FakeIssuerKeys:
    def __init__(self, keys: PoolKeys) -> None:
        self.keys = keys

    def local_jwks(self, issuer: str) -> dict | None:
        return self.keys.jwks() if issuer == ISSUER else None

    def pool_issuer(self, pool_id: str) -> str | None:
        return ISSUER if pool_id == POOL_ID else None


def request(headers: dict | None = None, scopes: tuple[str, ...] = (), query: dict | None = None) -> AuthRequest:
    return AuthRequest(
        protocol_type="HTTP", api_id="api1", stage="$default", method="GET", path="/mogemoge",
        route_key="GET /mogemoge", headers=headers or {}, query=query or {}, path_parameters={},
        stage_variables={}, source_ip="127.0.0.1", route_scopes=scopes,
        method_arn="arn:aws:execute-api:us-east-1:123456789012:api1/$default/GET/mogemoge",
        request_id="req-1", event_context={})


@pytest.fixture(scope="module")
def keys() -> PoolKeys:
    return PoolKeys()


def authorize(keys: PoolKeys, req: AuthRequest, authorizer: JwtAuthorizer = AUTHORIZER,
              http: httpx.AsyncClient | None = None) -> Allow | Deny:
    gateway = Authorizers(FakeIssuerKeys(keys), http=http, clock=lambda: NOW)
    return asyncio.run(gateway.authorize(authorizer, req))


# ----------------------------------------------------------------------------- the table

def bearer(make: Callable[[PoolKeys], str]) -> Callable[[PoolKeys], dict]:
    return lambda k: {"authorization": "Bearer " + make(k)}


def bare(make: Callable[[PoolKeys], str]) -> Callable[[PoolKeys], dict]:
    return lambda k: {"authorization": make(k)}


INVALID = 'Bearer scope="" error="invalid_token" error_description="{}"'
OK = (200, None, None)

# (case, headers for the request, route scopes, status, www-authenticate (exact) or None, reason substring)
CASES = [
    ("valid ID token, Bearer", bearer(lambda k: sign(k, id_claims())), (), 200, None, None),
    ("valid ID token, bare", bare(lambda k: sign(k, id_claims())), (), 200, None, None),
    ("scheme is case-insensitive", lambda k: {"authorization": "bearer  " + sign(k, id_claims())}, (), 200,
     None, None),
    ("RS512 is an RSA algorithm too", bearer(lambda k: sign(k, id_claims(), alg="RS512")), (), 200, None, None),
    ("access token matched by client_id", bearer(lambda k: sign(k, access_claims(), "access-kid")), (), 200,
     None, None),
    ("aud list containing the client", bearer(lambda k: sign(k, id_claims(aud=["x", CLIENT]))), (), 200,
     None, None),
    ("iat within the skew allowance", bearer(lambda k: sign(k, id_claims(iat=NOW + 3))), (), 200, None, None),
    ("expired", bearer(lambda k: sign(k, id_claims(exp=NOW - 1))), (), 401,
     INVALID.format("the token has expired"), "token expired at 2023-11-14T22:13:19Z (1 s ago)"),
    ("expires exactly now", bearer(lambda k: sign(k, id_claims(exp=NOW))), (), 401,
     INVALID.format("the token has expired"), "expired at"),
    ("not yet valid (nbf)", bearer(lambda k: sign(k, id_claims(nbf=NOW + 600))), (), 401,
     INVALID.format("the token is not valid yet"), "600 s in the future"),
    ("iat in the future", bearer(lambda k: sign(k, id_claims(iat=NOW + 600))), (), 401,
     INVALID.format("the token was issued in the future"), "token iat is"),
    ("no exp", bearer(lambda k: sign(k, id_claims(exp=...))), (), 401,
     INVALID.format("the token does not have an expiry (exp)"), "no exp claim"),
    ("exp not a number", bearer(lambda k: sign(k, id_claims(exp="tomorrow"))), (), 401,
     INVALID.format("exp is not a number"), "'tomorrow', not a number"),
    ("wrong issuer", bearer(lambda k: sign(k, id_claims(iss=ISSUER + "x"))), (), 401,
     INVALID.format("the token does not have a valid issuer"),
     f"token iss '{ISSUER}x' is not authorizer 'cognitoAuthorizer' issuer"),
    ("wrong audience", bearer(lambda k: sign(k, id_claims(aud="managed-login"))), (), 401,
     INVALID.format("the token does not have a valid audience"),
     "token aud 'managed-login' is not in authorizer 'cognitoAuthorizer' audience [piyopiyo]"),
    ("aud wins over a matching client_id", bearer(lambda k: sign(k, id_claims(aud="x", client_id=CLIENT))), (),
     401, INVALID.format("the token does not have a valid audience"), "token aud 'x'"),
    ("access token of another client", bearer(lambda k: sign(k, access_claims(client_id="zzz"), "access-kid")),
     (), 401, INVALID.format("the token does not have a valid audience"),
     "token has no aud, and its client_id 'zzz' is not in authorizer 'cognitoAuthorizer' audience [piyopiyo]"),
    ("neither aud nor client_id", bearer(lambda k: sign(k, id_claims(aud=...))), (), 401,
     INVALID.format("the token does not have a valid audience"), "neither aud nor client_id"),
    ("route scope held", bearer(lambda k: sign(k, access_claims(scope="openid test_resource/test"), "access-kid")),
     ("test_resource/test", "other"), 200, None, None),
    ("route scope held in scp list", bearer(lambda k: sign(k, access_claims(scope=..., scp=["a", "b"]), "access-kid")),
     ("b",), 200, None, None),
    ("route scope held in scp string", bearer(lambda k: sign(k, access_claims(scope=..., scp="a b"), "access-kid")),
     ("a",), 200, None, None),
    ("missing route scope", bearer(lambda k: sign(k, access_claims(), "access-kid")), ("test_resource/test",), 403,
     'Bearer scope="test_resource/test" error="insufficient_scope" '
     'error_description="the token does not have the required scope"',
     "route 'GET /mogemoge' requires one of scopes [test_resource/test]; the token has "
     "[aws.cognito.signin.user.admin] (scope)"),
    ("ID token on a scoped route", bearer(lambda k: sign(k, id_claims())), ("test_resource/test",), 403,
     'Bearer scope="test_resource/test" error="insufficient_scope" '
     'error_description="the token does not have the required scope"', "the token has [] (no scope claim)"),
    ("alg none", bearer(lambda k: unsigned(id_claims())), (), 401,
     INVALID.format("signing method none is invalid"), "an unsigned token (alg none) is never accepted"),
    ("HS256 keyed with the public key PEM", bearer(hs256_with_public_pem), (), 401,
     INVALID.format("signing method HS256 is invalid"), "key-confusion forgery"),
    ("ES256", bearer(lambda k: es256(id_claims())), (), 401, INVALID.format("signing method ES256 is invalid"),
     "accepts only RS256, RS384, RS512"),
    ("unknown kid", bearer(lambda k: sign(k, id_claims(), kid="rotated-away", key=k.id_key)), (), 401,
     INVALID.format("the token's key id (kid) was not found in the issuer's key set"),
     "token kid 'rotated-away' is not among the keys of issuer"),
    ("no kid", lambda k: {"authorization": jwt.encode(id_claims(), pem(k.id_key), algorithm="RS256")}, (), 401,
     INVALID.format("the token's key id (kid) was not found in the issuer's key set"), "header has no kid"),
    ("signed by a stranger's key under the pool's kid", bearer(lambda k: sign(k, id_claims(), key=k.other_key)),
     (), 401, INVALID.format("crypto/rsa: verification error"), "signature does not verify with key 'id-kid'"),
    ("signed with the access key under the ID kid", bearer(lambda k: sign(k, id_claims(), key=k.access_key)),
     (), 401, INVALID.format("crypto/rsa: verification error"), "another key signed it"),
    ("tampered payload", bearer(tampered), (), 401, INVALID.format("crypto/rsa: verification error"),
     "the header or payload was altered"),
    ("missing header", lambda k: {}, (), 401, "Bearer",
     "reads the token from $request.header.Authorization and the request has none"),
    ("'Bearer' and nothing else", lambda k: {"authorization": "Bearer "}, (), 401,
     INVALID.format("token contains an invalid number of segments"), "has 1 dot-separated"),
    ("empty header", lambda k: {"authorization": ""}, (), 401, "Bearer", "has none"),
    ("one segment", lambda k: {"authorization": "Bearer not-a-token"}, (), 401,
     INVALID.format("token contains an invalid number of segments"), "token has 1 dot-separated part(s)"),
    ("two segments", lambda k: {"authorization": "a.b"}, (), 401,
     INVALID.format("token contains an invalid number of segments"), "has 2 dot-separated"),
    ("four segments", lambda k: {"authorization": sign(k, id_claims()) + ".x"}, (), 401,
     INVALID.format("token contains an invalid number of segments"), "has 4 dot-separated"),
    ("bad base64", lambda k: {"authorization": "ey!J.e30.c2ln"}, (), 401,
     INVALID.format("illegal base64 data at input byte 2"), "not valid base64url"),
    ("header not JSON", lambda k: {"authorization": f"{b64(b'hello')}.e30.c2ln"}, (), 401,
     INVALID.format("invalid character 'h' looking for beginning of value"), "token header is not JSON"),
    ("payload JSON but not an object", lambda k: {"authorization": f"{b64(b'{}')}.{b64(b'[1]')}.c2ln"}, (), 401,
     INVALID.format("json: cannot unmarshal list into a JWT payload"), "payload is JSON but not an object"),
    ("garbage bytes", lambda k: {"authorization": bytes(range(1, 255)).decode("latin-1")}, (), 401, None,
     "JWT authorizer 'cognitoAuthorizer'"),
    ("non-ASCII JSON", lambda k: {"authorization": f"{b64(chr(8364).encode())}.e30.c2ln"}, (), 401,
     INVALID.format("invalid character '/u20ac' looking for beginning of value"), "header is not JSON"),
    ("garbage with dots", lambda k: {"authorization": "\u00ff\u00fe.\x00\x01.\"'"}, (), 401, None,
     "not valid base64url"),
    # Signed, yet claims no Go JSON decoder (API Gateway's) would read: refused, never a crash or an allow.
    ("exp NaN", bearer(lambda k: signed_text(k, with_claim("exp", "NaN"))), (), 401,
     INVALID.format("invalid character 'N' looking for beginning of value"), "payload is not JSON"),
    ("exp Infinity", bearer(lambda k: signed_text(k, with_claim("exp", "Infinity"))), (), 401,
     INVALID.format("invalid character 'I' looking for beginning of value"), "payload is not JSON"),
    ("exp 1e999 (inf once parsed)", bearer(lambda k: signed_text(k, with_claim("exp", "1e999"))), (), 401,
     INVALID.format("exp is not a number"), "token claim exp is inf, not a number"),
    ("exp a 5000-digit integer", bearer(lambda k: signed_text(k, with_claim("exp", "9" * 5000))), (), 401,
     INVALID.format("invalid character looking for beginning of value"), "payload is JSON this gateway cannot read"),
    ("claims nested past any parser's depth", bearer(lambda k: signed_text(k, with_claim("x", "[" * 100_000))),
     (), 401, None, "JWT authorizer 'cognitoAuthorizer': token payload"),
    ("exp before any calendar", bearer(lambda k: sign(k, id_claims(exp=-1e300))), (), 401,
     INVALID.format("the token has expired"), "token expired at -1e+300"),
    ("nbf beyond any calendar", bearer(lambda k: sign(k, id_claims(nbf=1e300))), (), 401,
     INVALID.format("the token is not valid yet"), "token nbf is 1e+300"),
    ("alg None", bearer(lambda k: unsigned(id_claims()).replace(b64(b'{"alg": "none"'), b64(b'{"alg": "None"'))),
     (), 401, INVALID.format("signing method None is invalid"), "an unsigned token (alg none) is never accepted"),
    ("exp a string", bearer(lambda k: sign(k, id_claims(exp="1700003600"))), (), 401,
     INVALID.format("exp is not a number"), "'1700003600', not a number"),
    ("exp a boolean", bearer(lambda k: sign(k, id_claims(exp=True))), (), 401, INVALID.format("exp is not a number"),
     "True, not a number"),
    ("nbf a list", bearer(lambda k: sign(k, id_claims(nbf=[1]))), (), 401, INVALID.format("nbf is not a number"),
     "[1], not a number"),
    ("aud an object", bearer(lambda k: sign(k, id_claims(aud={"a": CLIENT}))), (), 401,
     INVALID.format("the token does not have a valid audience"), "token aud \"{'a': 'piyopiyo'}\""),
    ("client_id a list", bearer(lambda k: sign(k, access_claims(client_id=[CLIENT]), "access-kid")), (), 401,
     INVALID.format("the token does not have a valid audience"), "its client_id ['piyopiyo'] is not in"),
    ("iss a number", bearer(lambda k: signed_text(k, with_claim("iss", "1"))), (), 401,
     INVALID.format("the token does not have a valid issuer"), "token iss 1 is not"),
    ("kid a list", bearer(lambda k: signed_text(k, json.dumps(id_claims()), '{"alg": "RS256", "kid": ["id-kid"]}')),
     (), 401,
     INVALID.format("the token's key id (kid) was not found in the issuer's key set"), "token kid ['id-kid']"),
    ("alg a list", lambda k: {"authorization": f"{b64(json.dumps({'alg': ['RS256'], 'kid': 'id-kid'}).encode())}."
                                               f"{b64(json.dumps(id_claims()).encode())}.c2ln"}, (), 401,
     INVALID.format("signing method ['RS256'] is invalid"), "token alg ['RS256'] is not RSA"),
]


@pytest.mark.parametrize(("case", "headers", "scopes", "status", "challenge", "reason"), CASES,
                         ids=[c[0] for c in CASES])
def test_jwt_authorizer(keys, case, headers, scopes, status, challenge, reason):
    decision = authorize(keys, request(headers(keys), scopes))
    if status == 200:
        assert isinstance(decision, Allow), decision
        return
    assert isinstance(decision, Deny)
    assert decision.status == status
    assert decision.body == ({"message": "Unauthorized"} if status == 401 else {"message": "Forbidden"})
    if challenge is not None:
        assert decision.headers["www-authenticate"] == challenge
    else:
        assert decision.headers["www-authenticate"].startswith('Bearer scope="" error="invalid_token"')
    assert reason in decision.reason
    assert "failed inside the emulator" not in decision.reason  # every refusal is a decision, not a crash
    decision.headers["www-authenticate"].encode("ascii")  # one clean header line, whatever the client sent


@pytest.mark.parametrize(("case", "headers", "scopes"), [c[:3] for c in CASES], ids=[c[0] for c in CASES])
def test_the_pure_decision_is_the_shells_verdict(keys, case, headers, scopes):
    """decide_jwt needs no I/O: given the parsed token, the key set and the time, it is the whole verdict."""
    req = request(headers(keys), scopes)
    token = read_token(jwt_identity(AUTHORIZER, req)[1])
    assert decide_jwt(AUTHORIZER, req, token, KeySet(ISSUER, keys.jwks(), "local pool"), NOW) == authorize(keys, req)


# ----------------------------------------------------------------------------- what the integration sees

def test_allow_context_stringifies_claims_like_aws(keys):
    claims = id_claims(**{"custom:n": 7, "custom:f": 1.5, "custom:obj": {"b": 2, "a": [1, None]},
                          "custom:null": None})
    decision = authorize(keys, request({"authorization": "Bearer " + sign(keys, claims)}))
    assert isinstance(decision, Allow)
    rendered = decision.authorizer_context["jwt"]["claims"]
    assert rendered["exp"] == str(NOW + 3600)
    assert rendered["email_verified"] == "true"
    assert rendered["cognito:groups"] == "[admin]"
    assert rendered["custom:n"] == "7" and rendered["custom:f"] == "1.5"
    assert rendered["custom:obj"] == "map[a:[1 <nil>] b:2]"
    assert "custom:null" not in rendered
    assert decision.authorizer_context["jwt"]["scopes"] is None  # the route has no scopes
    assert decision.principal_id == "4f1c-uuid"


def test_scoped_route_gets_the_tokens_whole_scope_list(keys):
    token = sign(keys, access_claims(scope="openid test_resource/test"), "access-kid")
    decision = authorize(keys, request({"authorization": token}, ("test_resource/test",)))
    assert isinstance(decision, Allow)
    assert decision.authorizer_context["jwt"]["scopes"] == ["openid", "test_resource/test"]
    assert decision.authorizer_context["jwt"]["claims"]["scope"] == "openid test_resource/test"


def test_token_from_the_query_string(keys):
    authorizer = JwtAuthorizer("q", ("$request.querystring.token",), ISSUER, (CLIENT,))
    token = sign(keys, id_claims())
    assert isinstance(authorize(keys, request(query={"token": (token,)}), authorizer), Allow)
    missing = authorize(keys, request({"authorization": token}), authorizer)
    assert isinstance(missing, Deny) and "$request.querystring.token" in missing.reason


def test_two_audiences_fix_the_seed_000_story(keys):
    """The curl flow's client and the managed-login client are both listed: both ID tokens pass."""
    both = JwtAuthorizer("cognitoAuthorizer", ("$request.header.Authorization",), ISSUER, (CLIENT, "managed"))
    for aud in (CLIENT, "managed"):
        assert isinstance(authorize(keys, request({"authorization": sign(keys, id_claims(aud=aud))}), both), Allow)


# ----------------------------------------------------------------------------- keys from a remote issuer

REMOTE = "https://issuer.example.com"


def remote_authorizer() -> JwtAuthorizer:
    return JwtAuthorizer("remote", ("$request.header.Authorization",), REMOTE, (CLIENT,))


def oidc_transport(keys: PoolKeys, calls: list[str], jwks: Callable[[], dict] | None = None) -> httpx.MockTransport:
    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(req.url.path)
        if req.url.path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={"issuer": REMOTE, "jwks_uri": f"{REMOTE}/keys"})
        if req.url.path == "/keys":
            return httpx.Response(200, json=(jwks or keys.jwks)())
        return httpx.Response(404)
    return httpx.MockTransport(handler)


def test_remote_issuer_keys_come_from_oidc_discovery(keys):
    calls: list[str] = []
    http = httpx.AsyncClient(transport=oidc_transport(keys, calls))
    token = sign(keys, id_claims(iss=REMOTE))
    assert isinstance(authorize(keys, request({"authorization": token}), remote_authorizer(), http), Allow)
    assert calls == ["/.well-known/openid-configuration", "/keys"]


def test_unreachable_issuer_is_a_401_never_an_allow(keys):
    def down(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=req)
    http = httpx.AsyncClient(transport=httpx.MockTransport(down))
    decision = authorize(keys, request({"authorization": sign(keys, id_claims(iss=REMOTE))}), remote_authorizer(),
                         http)
    assert isinstance(decision, Deny) and decision.status == 401
    assert decision.headers["www-authenticate"] == INVALID.format("unable to retrieve the issuer's signing keys")
    assert "connection refused" in decision.reason


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


def test_jwks_cache_two_hours_and_one_rate_limited_refetch_on_unknown_kid(keys):
    calls: list[str] = []
    current = {"keys": [public_jwk(keys.id_key, "id-kid")]}
    clock = Clock()
    source = JwksSource(FakeIssuerKeys(keys), httpx.AsyncClient(transport=oidc_transport(keys, calls,
                                                                                         lambda: current)), clock)

    def fetches(kid: str) -> list[str]:
        asyncio.run(source.key_set(REMOTE, kid))
        return [c for c in calls if c == "/keys"]

    assert len(fetches("id-kid")) == 1
    assert len(fetches("id-kid")) == 1  # cached
    assert len(fetches("new-kid")) == 1  # unknown kid, but within the refetch interval: no new request
    clock.now += REFETCH_INTERVAL_SECONDS
    current["keys"].append(public_jwk(keys.access_key, "new-kid"))
    assert len(fetches("new-kid")) == 2  # unknown kid: fetched once more, and now known
    assert len(fetches("new-kid")) == 2
    clock.now += CACHE_SECONDS
    assert len(fetches("id-kid")) == 3  # the 2 h cache lapsed


class OddKeys(FakeIssuerKeys):
    """The pool's key set with two broken entries: a JWK whose modulus is not a number, and an EC key."""

    def local_jwks(self, issuer: str) -> dict | None:
        jwks = self.keys.jwks()
        jwks["keys"] += [{"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
                         {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"}]
        return jwks


@pytest.mark.parametrize(("kid", "reason"), [
    ("broken", "key 'broken' of issuer"),
    ("ec", "key 'ec' of issuer"),
])
def test_an_unusable_key_in_the_set_is_a_401(keys, kid, reason):
    gateway = Authorizers(OddKeys(keys), clock=lambda: NOW)
    token = sign(keys, id_claims(), kid=kid, key=keys.id_key)
    decision = asyncio.run(gateway.authorize(AUTHORIZER, request({"authorization": token})))
    assert isinstance(decision, Deny) and decision.status == 401
    assert decision.headers["www-authenticate"] == INVALID.format(
        "the token's key id (kid) was not found in the issuer's key set")
    assert reason in decision.reason and "failed inside the emulator" not in decision.reason


def test_local_pool_failure_reads_as_no_keys(keys):
    class Broken(FakeIssuerKeys):
        def local_jwks(self, issuer: str) -> dict | None:
            raise RuntimeError("store is locked")
    gateway = Authorizers(Broken(keys), clock=lambda: NOW)
    decision = asyncio.run(gateway.authorize(AUTHORIZER, request({"authorization": sign(keys, id_claims())})))
    assert isinstance(decision, Deny) and decision.status == 401 and "store is locked" in decision.reason


def test_a_bug_inside_the_decision_is_a_401(keys, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("bug")
    monkeypatch.setattr(az, "decide_jwt", boom)
    decision = authorize(keys, request({"authorization": sign(keys, id_claims())}))
    assert isinstance(decision, Deny) and decision.status == 401
    assert "failed inside the emulator: KeyError" in decision.reason


def test_a_decision_that_is_no_verdict_is_a_401(keys, monkeypatch):
    monkeypatch.setattr(az, "decide_jwt", lambda *args: None)
    decision = authorize(keys, request({"authorization": sign(keys, id_claims())}))
    assert isinstance(decision, Deny) and decision.status == 401
    assert "neither Allow nor Deny" in decision.reason


def test_issuer_down_is_asked_at_most_once_per_interval(keys):
    calls: list[str] = []
    state = {"up": True}
    healthy = oidc_transport(keys, [])

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(req.url.path)
        if not state["up"]:
            return httpx.Response(503)
        return healthy.handle_request(req)

    clock = Clock()
    source = JwksSource(FakeIssuerKeys(keys), httpx.AsyncClient(transport=httpx.MockTransport(handler)), clock)
    asyncio.run(source.key_set(REMOTE, "id-kid"))
    state["up"] = False
    clock.now += REFETCH_INTERVAL_SECONDS
    for _ in range(5):  # forged kids while the issuer is down: one attempt, and the known keys stay usable
        key_set = asyncio.run(source.key_set(REMOTE, "forged"))
        assert key_set.jwks is not None
    assert len(calls) == 3  # discovery + keys, then one failed discovery
    clock.now += REFETCH_INTERVAL_SECONDS
    asyncio.run(source.key_set(REMOTE, "forged"))
    assert len(calls) == 4


# ----------------------------------------------------------------------------- the signature memo

def test_a_token_seen_before_is_still_checked_for_time_and_key(keys):
    """The memo skips RSA for bytes already verified; expiry, the key's presence and the claims are checked anew."""
    token = "Bearer " + sign(keys, id_claims())
    req = request({"authorization": token})
    jwks = KeySet(ISSUER, keys.jwks(), "local pool")
    parsed = lambda: read_token(jwt_identity(AUTHORIZER, req)[1])  # noqa: E731
    assert isinstance(decide_jwt(AUTHORIZER, req, parsed(), jwks, NOW), Allow)
    assert isinstance(decide_jwt(AUTHORIZER, req, parsed(), jwks, NOW), Allow)  # from the memo
    expired = decide_jwt(AUTHORIZER, req, parsed(), jwks, NOW + 7200)
    assert isinstance(expired, Deny) and "expired" in expired.reason
    rotated = KeySet(ISSUER, {"keys": [public_jwk(keys.other_key, "id-kid")]}, "local pool")
    forged = decide_jwt(AUTHORIZER, req, parsed(), rotated, NOW)  # same kid, another key: never the memo's verdict
    assert isinstance(forged, Deny) and "signature does not verify" in forged.reason
    gone = decide_jwt(AUTHORIZER, req, parsed(), KeySet(ISSUER, {"keys": []}, "local pool"), NOW)
    assert isinstance(gone, Deny) and "not among the keys" in gone.reason
    other_audience = JwtAuthorizer("strict", AUTHORIZER.identity_source, ISSUER, ("someone-else",))
    assert isinstance(decide_jwt(other_audience, req, parsed(), jwks, NOW), Deny)


def test_a_forged_signature_stays_refused_when_presented_again(keys):
    req = request({"authorization": tampered(keys)})
    for _ in range(2):
        decision = authorize(keys, req)
        assert isinstance(decision, Deny) and "signature does not verify" in decision.reason
