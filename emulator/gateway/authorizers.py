"""API Gateway authorizers: HTTP API JWT, REST COGNITO_USER_POOLS, Lambda (TOKEN / REQUEST).

The config dataclasses and the decision API are the gateway's internal contract
(/tmp/gateway_contract.md); app.py and config.py code against them.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from emulator.gateway.jwks import IssuerKeys, JwksSource, KeySet, kids_of


@dataclass(frozen=True)
class JwtAuthorizer:  # HTTP API, AuthorizerType: JWT
    name: str
    # e.g. ("$request.header.Authorization",) or ("$request.querystring.token",)
    identity_source: tuple[str, ...]
    issuer: str  # JwtConfiguration.Issuer
    audience: tuple[str, ...]  # JwtConfiguration.Audience


@dataclass(frozen=True)
class CognitoAuthorizer:  # REST, Type COGNITO_USER_POOLS
    name: str
    identity_source: str  # "method.request.header.Authorization" (any header name)
    provider_arns: tuple[str, ...]
    identity_validation_expression: str | None
    result_ttl_seconds: int  # AuthorizerResultTtlInSeconds, default 300


@dataclass(frozen=True)
class LambdaAuthorizer:  # REST Type TOKEN | REQUEST; HTTP API AuthorizerType REQUEST
    name: str
    type: str  # "TOKEN" | "REQUEST"
    function_name: str  # the spec as written, e.g. "python:auth.handlers:authorize"
    function: Callable[..., Any]  # loaded by config.py at start (lambda_runtime.load_function)
    identity_source: tuple[str, ...]  # REST: "method.request.header.X", "method.request.querystring.x";
    # HTTP: "$request.header.X", "$request.querystring.x", "$context.x", "$stageVariables.x"
    result_ttl_seconds: int  # default 300; 0 disables caching
    enable_simple_responses: bool  # HTTP API only
    payload_format_version: str  # HTTP API: "1.0" | "2.0" (AuthorizerPayloadFormatVersion); REST: "1.0"
    identity_validation_expression: str | None  # TOKEN only


Authorizer = JwtAuthorizer | CognitoAuthorizer | LambdaAuthorizer


@dataclass(frozen=True)
class AuthRequest:  # a plain view of the request, built by app.py
    protocol_type: str  # "HTTP" | "REST"
    api_id: str
    stage: str  # "$default" for HTTP APIs, StageName for REST
    method: str
    path: str  # path as the route sees it (REST: without the stage)
    route_key: str  # HTTP: "GET /pets/{id}"; REST: the resource path "/pets/{id}"
    headers: Mapping[str, str]  # lower-case names, duplicates comma-joined
    query: Mapping[str, tuple[str, ...]]
    path_parameters: Mapping[str, str]
    stage_variables: Mapping[str, str]
    source_ip: str
    route_scopes: tuple[str, ...]  # AuthorizationScopes of the route (empty = none)
    # arn:aws:execute-api:<region>:<acct>:<apiId>/<stage>/<METHOD>/<path-without-leading-slash>
    method_arn: str
    request_id: str
    event_context: Mapping[str, Any]  # requestContext fields (for REQUEST authorizer events), built by app.py


@dataclass(frozen=True)
class Allow:
    # EXACTLY the value for requestContext.authorizer of the integration event:
    #  HTTP JWT: {"jwt": {"claims": {...strings}, "scopes": [...] | None}}
    #  REST Cognito: {"claims": {...strings}}
    #  REST Lambda: {"principalId": ..., "integrationLatency": n, **context-as-strings}
    #  HTTP Lambda: {"lambda": {...context}}
    authorizer_context: dict
    principal_id: str | None = None


@dataclass(frozen=True)
class Deny:
    status: int  # 401 / 403 / 500
    body: dict  # e.g. {"message": "Unauthorized"}
    headers: Mapping[str, str]  # e.g. {"www-authenticate": 'Bearer scope="" error="invalid_token" ...'}
    # plain words: "token aud 'piyopiyo' is not in authorizer 'cognitoAuthorizer' audience [abc123]"
    reason: str


# ---------------------------------------------------------------------------------------------
# What the client sees. One table per fact; every refusal of every authorizer goes through it.
# ---------------------------------------------------------------------------------------------

# (protocol, outcome) -> (status, body, headers).
#  REST 401: {"message":"Unauthorized"} (AWS docs, seed 001). x-amzn-ErrorType on REST errors:
#   AccessDeniedException seen on a real 403 (github aws/chalice#971), AuthorizerConfigurationException
#   on a real authorizer 500 (github serverless/examples#305); UnauthorizedException for 401 is
#   UNCONFIRMED (same naming family).
#  REST 403 bodies use a capital "Message": quoted from real responses in several public READMEs
#   (e.g. '{"Message":"User is not authorized to access this resource with an explicit deny"}')
#   and aws/chalice#971. AWS_BEHAVIOR.md writes "message"; the observed responses win.
#  HTTP 403 {"message":"Forbidden"} and 500 {"message":"Internal Server Error"}: UNCONFIRMED
#   (the docs only say "403" / "500 Internal Server Error" for HTTP API Lambda authorizers).
RESPONSES: dict[tuple[str, str], tuple[int, dict, dict[str, str]]] = {
    ("REST", "unauthorized"): (
        401, {"message": "Unauthorized"}, {"x-amzn-ErrorType": "UnauthorizedException"}),
    ("REST", "explicit_deny"): (
        403, {"Message": "User is not authorized to access this resource with an explicit deny"},
        {"x-amzn-ErrorType": "AccessDeniedException"}),
    ("REST", "no_allow"): (
        403, {"Message": "User is not authorized to access this resource"},
        {"x-amzn-ErrorType": "AccessDeniedException"}),
    ("REST", "error"): (500, {"message": None}, {"x-amzn-ErrorType": "AuthorizerConfigurationException"}),
    ("HTTP", "unauthorized"): (401, {"message": "Unauthorized"}, {}),
    ("HTTP", "forbidden"): (403, {"message": "Forbidden"}, {}),
    ("HTTP", "explicit_deny"): (403, {"message": "Forbidden"}, {}),
    ("HTTP", "no_allow"): (403, {"message": "Forbidden"}, {}),
    ("HTTP", "error"): (500, {"message": "Internal Server Error"}, {}),
}


def refuse(protocol: str, outcome: str, reason: str, headers: Mapping[str, str] | None = None) -> Deny:
    """The Deny for `outcome` as AWS renders it for this protocol, with the plain-words reason."""
    status, body, base_headers = RESPONSES[("HTTP" if protocol == "HTTP" else "REST", outcome)]
    return Deny(status, dict(body), {**base_headers, **(headers or {})}, reason)


# HTTP API JWT authorizer: failure kind -> the www-authenticate error_description.
#  CONFIRMED: "the token does not have a valid audience" (AWS docs, "Troubleshooting issues with
#   HTTP API JWT authorizers"); "token contains an invalid number of segments" (a production probe
#   quoted in a public repo's runbook); a missing token gets the bare challenge "Bearer" (same probe).
#  The rest are UNCONFIRMED. The two confirmed texts show AWS mixing its own sentences ("the token
#   ...") for claim checks with the Go JWT library's errors for parsing, so parsing/signature
#   failures use the Go library's wording and claim failures use AWS's "the token ..." style.
JWT_DESCRIPTIONS: dict[str, str] = {
    "segments": "token contains an invalid number of segments",
    "base64": "illegal base64 data at input byte {offset}",
    "json": "{detail}",
    "no_alg": "signing method (alg) is unavailable.",
    "alg": "signing method {alg} is invalid",
    "kid": "the token's key id (kid) was not found in the issuer's key set",
    "keys_unavailable": "unable to retrieve the issuer's signing keys",
    "signature": "crypto/rsa: verification error",
    "issuer": "the token does not have a valid issuer",
    "audience": "the token does not have a valid audience",
    "no_exp": "the token does not have an expiry (exp)",
    "expired": "the token has expired",
    "not_yet_valid": "the token is not valid yet",
    "issued_in_future": "the token was issued in the future",
}
INSUFFICIENT_SCOPE_DESCRIPTION = "the token does not have the required scope"  # UNCONFIRMED

# Only RSA signatures pass (AWS: "Currently, only RSA-based algorithms are supported"). Anything
# else - "none", HS256 keyed with the public key (the classic key-confusion forgery), ES256 - is refused.
RSA_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512,
}
# `exp` gets no leeway: accepting a token AWS already refuses is the dangerous direction. Future-dated
# `nbf` / `iat` get this much, because a remote issuer's clock may run slightly ahead of ours.
FUTURE_SKEW_SECONDS = 5

COGNITO_ARN = re.compile(r"^arn:aws[\w-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool/([\w-]+_[0-9A-Za-z]+)$")
BEARER_PREFIX = re.compile(r"^bearer\s+", re.IGNORECASE)


class TokenProblem(Exception):
    """A token check failed: `kind` keys JWT_DESCRIPTIONS, `reason` is the plain-words why."""

    def __init__(self, kind: str, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.details = details


def shown(value: Any, limit: int = 80) -> str:
    """A client-supplied value quoted for a reason: repr'd (so control characters stay visible), cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def listed(values: Any) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


def utc(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


# ---------------------------------------------------------------------------------------------
# Identity sources
# ---------------------------------------------------------------------------------------------

def header_value(request: AuthRequest, name: str) -> str | None:
    return request.headers.get(name.lower())


def query_value(request: AuthRequest, name: str) -> str | None:
    values = request.query.get(name)
    return values[0] if values else None


def strip_bearer(value: str) -> str:
    """Both `<token>` and `Bearer <token>` are accepted (AWS docs); the scheme is case-insensitive."""
    return BEARER_PREFIX.sub("", value.strip(), count=1).strip()


def jwt_identity(authorizer: JwtAuthorizer, request: AuthRequest) -> tuple[str, str | None]:
    """(where the token is read from, its raw value or None) for an HTTP API JWT authorizer."""
    source = authorizer.identity_source[0] if authorizer.identity_source else "$request.header.Authorization"
    if source.startswith("$request.querystring."):
        return source, query_value(request, source.removeprefix("$request.querystring."))
    return source, header_value(request, source.removeprefix("$request.header."))


def cognito_identity(authorizer: CognitoAuthorizer, request: AuthRequest) -> tuple[str, str | None]:
    source = authorizer.identity_source or "method.request.header.Authorization"
    return source, header_value(request, source.removeprefix("method.request.header."))


# ---------------------------------------------------------------------------------------------
# JWT: parse and verify (pure). Signature is checked before any claim is believed.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParsedToken:
    header: dict
    claims: dict
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> Any:
        return self.header.get("alg")

    @property
    def kid(self) -> Any:
        return self.header.get("kid")


B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def b64url_decode(segment: str, offset: int) -> bytes:
    """Strict base64url (padding optional); a bad byte reports its offset in the token, as Go does."""
    if not B64URL.fullmatch(segment) or len(segment.rstrip("=")) % 4 == 1:
        bad = next((i for i, c in enumerate(segment) if not (c.isascii() and (c.isalnum() or c in "-_="))),
                   len(segment) - 1)
        raise TokenProblem("base64", f"token segment at character {offset} is not valid base64url",
                           offset=offset + max(bad, 0))
    return base64.urlsafe_b64decode(segment.rstrip("=") + "=" * (-len(segment.rstrip("=")) % 4))


def json_object(raw: bytes, what: str) -> dict:
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise TokenProblem("json", f"token {what} is not UTF-8 text",
                           detail="invalid character looking for beginning of value") from exc
    except json.JSONDecodeError as exc:
        bad = exc.doc[exc.pos] if exc.pos < len(exc.doc) else ""
        detail = f"invalid character {bad!r} looking for beginning of value" if bad \
            else "unexpected end of JSON input"
        raise TokenProblem("json", f"token {what} is not JSON ({exc.msg})", detail=detail) from exc
    if not isinstance(value, dict):
        raise TokenProblem("json", f"token {what} is JSON but not an object",
                           detail=f"json: cannot unmarshal {type(value).__name__} into a JWT {what}")
    return value


def parse_jwt(token: str) -> ParsedToken:
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenProblem("segments", f"token has {len(parts)} dot-separated part(s); a JWT has 3 "
                                       "(header.payload.signature)")
    header_b64, payload_b64, signature_b64 = parts
    header = json_object(b64url_decode(header_b64, 0), "header")
    payload_offset = len(header_b64) + 1
    claims = json_object(b64url_decode(payload_b64, payload_offset), "payload")
    signature = b64url_decode(signature_b64, payload_offset + len(payload_b64) + 1)
    return ParsedToken(header, claims, f"{header_b64}.{payload_b64}".encode("ascii"), signature)


def check_algorithm(token: ParsedToken, authorizer_name: str) -> str:
    alg = token.alg
    if alg is None:
        raise TokenProblem("no_alg", "token header has no alg")
    if not isinstance(alg, str) or alg not in RSA_HASHES:
        why = {"none": "an unsigned token (alg none) is never accepted",
               "HS256": "HMAC tokens are refused (an HS256 token keyed with the issuer's public key "
                        "is the classic key-confusion forgery)"}.get(str(alg), "")
        raise TokenProblem("alg", f"token alg {shown(alg)} is not RSA; authorizer '{authorizer_name}' "
                                  f"accepts only {', '.join(RSA_HASHES)}" + (f": {why}" if why else ""),
                           alg=str(alg)[:32])
    return alg


@functools.lru_cache(maxsize=256)
def rsa_key(n: str, e: str) -> rsa.RSAPublicKey:
    """The public key of a JWK; memoised because building it costs more than verifying with it."""
    def number(value: str) -> int:
        return int.from_bytes(b64url_decode(value, 0), "big")
    return rsa.RSAPublicNumbers(number(e), number(n)).public_key()


def find_key(token: ParsedToken, key_set: KeySet) -> rsa.RSAPublicKey:
    if key_set.jwks is None:
        raise TokenProblem("keys_unavailable", f"no keys for issuer '{key_set.issuer}': {key_set.error}")
    kid = token.kid
    if kid is None:
        raise TokenProblem("kid", "token header has no kid, so no key of the issuer can be chosen")
    for jwk in key_set.jwks.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") == kid:
            where = f"key {shown(kid)} of issuer '{key_set.issuer}'"
            if jwk.get("kty") != "RSA" or not all(isinstance(jwk.get(p), str) for p in ("n", "e")):
                raise TokenProblem("kid", f"{where} is not an RSA key")
            try:
                return rsa_key(jwk["n"], jwk["e"])
            except (TokenProblem, ValueError) as exc:
                raise TokenProblem("kid", f"{where} is unusable") from exc
    raise TokenProblem("kid", f"token kid {shown(kid)} is not among the keys of issuer '{key_set.issuer}' "
                              f"({key_set.source}; kids {listed(kids_of(key_set.jwks))})")


def verify_signature(token: ParsedToken, key: rsa.RSAPublicKey, alg: str, issuer: str) -> None:
    try:
        key.verify(token.signature, token.signing_input, padding.PKCS1v15(), RSA_HASHES[alg]())
    except InvalidSignature as exc:
        raise TokenProblem("signature", f"token signature does not verify with key {shown(token.kid)} of "
                                        f"issuer '{issuer}': the header or payload was altered, or another "
                                        "key signed it") from exc


def verified(raw: str, key_set: KeySet, authorizer_name: str) -> ParsedToken:
    """Parse, pick the key by kid, check alg and signature; the claims are trustworthy afterwards."""
    token = parse_jwt(raw)
    alg = check_algorithm(token, authorizer_name)
    verify_signature(token, find_key(token, key_set), alg, key_set.issuer)
    return token


def numeric(claims: dict, name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenProblem("json", f"token claim {name} is {shown(value)}, not a number",
                           detail=f"{name} is not a number")
    return float(value)


def check_times(claims: dict, now: float) -> None:
    """exp after now (required), nbf and iat not in the future (AWS docs: claim validation)."""
    exp = numeric(claims, "exp")
    if exp is None:
        raise TokenProblem("no_exp", "token has no exp claim")  # UNCONFIRMED: AWS lists exp as checked
    if exp <= now:
        raise TokenProblem("expired", f"token expired at {utc(exp)} ({int(now - exp)} s ago)")
    nbf = numeric(claims, "nbf")
    if nbf is not None and nbf > now + FUTURE_SKEW_SECONDS:
        raise TokenProblem("not_yet_valid", f"token nbf is {utc(nbf)}, {int(nbf - now)} s in the future")
    iat = numeric(claims, "iat")
    if iat is not None and iat > now + FUTURE_SKEW_SECONDS:
        raise TokenProblem("issued_in_future", f"token iat is {utc(iat)}, {int(iat - now)} s in the future")


def peek(raw: str) -> ParsedToken | None:
    """Header and claims, unchecked, only to choose an issuer's keys; None if unparseable."""
    try:
        return parse_jwt(raw)
    except TokenProblem:
        return None


# ---------------------------------------------------------------------------------------------
# Claims as the integration sees them
# ---------------------------------------------------------------------------------------------

def go_string(value: Any) -> str:
    """A claim value as HTTP API renders it: Go's %v (arrays "[a b]", objects "map[k:v]").

    Arrays: confirmed ("[id1 id2]", github
    aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock#803). Objects:
    "map[key:value]" as reported in aws/aws-lambda-go#570. Nested null is Go's "<nil>" (UNCONFIRMED).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, str):
        return value
    if value is None:
        return "<nil>"
    if isinstance(value, list):
        return "[" + " ".join(go_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_string(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def http_claims(claims: dict) -> dict[str, str]:
    """requestContext.authorizer.jwt.claims: every value a string, null claims left out."""
    return {name: go_string(value) for name, value in claims.items() if value is not None}


# REST renders exp and iat as Java Date strings and keeps auth_time numeric:
# "exp": "Fri Jul 29 18:52:53 UTC 2016", "auth_time": "1469814773" (amazon-cognito-identity-js#92,
# repost.aws question QUFJRBaEJRSmmqarNrvCWoQA).
REST_DATE_CLAIMS = ("exp", "iat")


def rest_string(value: Any) -> str:
    """A claim value as the REST Cognito authorizer renders it.

    A one-group cognito:groups arrives as "team_manager" (repost.aws, above); several groups
    comma-joined "a,b" is UNCONFIRMED (aws/chalice#783 splits it on ","). Objects as compact
    JSON: UNCONFIRMED.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(rest_string(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def rest_claims(claims: dict) -> dict[str, str]:
    rendered: dict[str, str] = {}
    for name, value in claims.items():
        if value is None:
            continue  # UNCONFIRMED: null claims left out, as on HTTP APIs
        if name in REST_DATE_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
            rendered[name] = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
        else:
            rendered[name] = rest_string(value)
    return rendered


def token_scopes(claims: dict) -> tuple[list[str], str]:
    """(the token's scopes, which claim held them): `scope` space-separated, else `scp` list or string."""
    if isinstance(claims.get("scope"), str):
        return claims["scope"].split(), "scope"
    scp = claims.get("scp")
    if isinstance(scp, str):
        return scp.split(), "scp"
    if isinstance(scp, list):
        return [str(s) for s in scp], "scp"
    return [], "no scope claim"


# ---------------------------------------------------------------------------------------------
# HTTP API JWT authorizer (pure)
# ---------------------------------------------------------------------------------------------

def jwt_challenge(description: str) -> dict[str, str]:
    # the description can quote client bytes: keep it one printable ASCII line inside the quotes
    safe = description.encode("ascii", "backslashreplace").decode("ascii")
    safe = "".join(c if c.isprintable() else "?" for c in safe).replace("\\", "/").replace('"', "'")
    return {"www-authenticate": f'Bearer scope="" error="invalid_token" error_description="{safe}"'}


def jwt_refusal(authorizer: JwtAuthorizer, problem: TokenProblem) -> Deny:
    description = JWT_DESCRIPTIONS[problem.kind].format(**problem.details)
    return refuse("HTTP", "unauthorized", f"JWT authorizer '{authorizer.name}': {problem.reason}",
                  jwt_challenge(description))


def check_audience(authorizer: JwtAuthorizer, claims: dict) -> None:
    """aud must meet Audience; only when aud is absent is client_id checked (AWS troubleshooting docs)."""
    audience = listed(authorizer.audience)
    if "aud" in claims:
        aud = claims["aud"]
        auds = aud if isinstance(aud, list) else [aud]
        if not any(isinstance(a, str) and a in authorizer.audience for a in auds):
            shown_aud = shown(aud if isinstance(aud, list) else str(aud))
            raise TokenProblem("audience", f"token aud {shown_aud} is not in authorizer '{authorizer.name}' "
                                           f"audience {audience}")
        return
    client_id = claims.get("client_id")
    if client_id is None:
        raise TokenProblem("audience", f"token has neither aud nor client_id; authorizer '{authorizer.name}' "
                                       f"needs one of them in audience {audience}")
    if client_id not in authorizer.audience:
        raise TokenProblem("audience", f"token has no aud, and its client_id {shown(client_id)} is not in "
                                       f"authorizer '{authorizer.name}' audience {audience}")


def check_issuer(expected: str, claims: dict, authorizer_name: str) -> None:
    if claims.get("iss") != expected:
        raise TokenProblem("issuer", f"token iss {shown(claims.get('iss'))} is not authorizer "
                                     f"'{authorizer_name}' issuer '{expected}'")


def scope_refusal(authorizer: JwtAuthorizer, request: AuthRequest, scopes: list[str], held_in: str) -> Deny:
    wanted = " ".join(request.route_scopes)
    # UNCONFIRMED: 403 Forbidden with an RFC 6750 insufficient_scope challenge naming the route's scopes.
    header = {"www-authenticate": f'Bearer scope="{wanted}" error="insufficient_scope" '
                                  f'error_description="{INSUFFICIENT_SCOPE_DESCRIPTION}"'}
    return refuse("HTTP", "forbidden",
                  f"JWT authorizer '{authorizer.name}': route '{request.route_key}' requires one of scopes "
                  f"{listed(request.route_scopes)}; the token has {listed(scopes)} ({held_in})", header)


def decide_jwt(authorizer: JwtAuthorizer, request: AuthRequest, key_set: KeySet, now: float) -> Allow | Deny:
    """Does this request's token pass this HTTP API JWT authorizer? Pure: keys and time are given."""
    source, raw = jwt_identity(authorizer, request)
    token_text = strip_bearer(raw) if raw else ""
    if not token_text:
        reason = f"JWT authorizer '{authorizer.name}' reads the token from {source} and the request has none"
        return refuse("HTTP", "unauthorized", reason, {"www-authenticate": "Bearer"})
    try:
        token = verified(token_text, key_set, authorizer.name)
        check_issuer(authorizer.issuer, token.claims, authorizer.name)
        check_audience(authorizer, token.claims)
        check_times(token.claims, now)
    except TokenProblem as problem:
        return jwt_refusal(authorizer, problem)
    scopes, held_in = token_scopes(token.claims)
    if request.route_scopes and not set(scopes) & set(request.route_scopes):
        return scope_refusal(authorizer, request, scopes, held_in)
    # scopes: null when the route has none, else the token's whole list (observed, awsdocs guide #113)
    context = {"jwt": {"claims": http_claims(token.claims),
                       "scopes": scopes if request.route_scopes else None}}
    sub = token.claims.get("sub")
    return Allow(context, principal_id=sub if isinstance(sub, str) else None)


# ---------------------------------------------------------------------------------------------
# REST COGNITO_USER_POOLS authorizer (pure)
# ---------------------------------------------------------------------------------------------

def pool_issuer(arn: str, issuer_keys: IssuerKeys) -> str | None:
    """The iss of the pool a ProviderARN names: the local pool's, else AWS's own form for a remote pool."""
    match = COGNITO_ARN.match(arn)
    if not match:
        return None
    region, pool_id = match.groups()
    return issuer_keys.pool_issuer(pool_id) or f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def cognito_refusal(authorizer: CognitoAuthorizer, reason: str) -> Deny:
    return refuse("REST", "unauthorized", f"COGNITO_USER_POOLS authorizer '{authorizer.name}': {reason}")


def check_token_use(authorizer: CognitoAuthorizer, request: AuthRequest, claims: dict) -> None:
    """Without method scopes only ID tokens pass; with scopes only access tokens holding one of them."""
    use = claims.get("token_use")
    if not request.route_scopes:
        if use != "id":
            kind = "an access token" if use == "access" else "not an ID token"
            raise TokenProblem("token_use", f"token is {kind} (token_use {shown(use)}); a COGNITO_USER_POOLS "
                                            "authorizer on a method without authorization scopes accepts "
                                            "only ID tokens")
        return
    if use != "access":
        raise TokenProblem("token_use", f"token is not an access token (token_use {shown(use)}); method "
                                        f"'{request.method} {request.route_key}' has authorization scopes "
                                        f"{listed(request.route_scopes)}, so only an access token holding "
                                        "one of them passes")
    scopes, _ = token_scopes(claims)
    if not set(scopes) & set(request.route_scopes):
        raise TokenProblem("scope", f"access token scopes {listed(scopes)} include none of method "
                                    f"'{request.method} {request.route_key}' authorization scopes "
                                    f"{listed(request.route_scopes)}")


def check_validation_expression(authorizer: CognitoAuthorizer, claims: dict) -> None:
    """IdentityValidationExpression is matched against the ID token's aud; an access token has none."""
    expression = authorizer.identity_validation_expression
    if not expression:
        return
    aud = claims.get("aud")
    if not isinstance(aud, str):
        raise TokenProblem("validation", f"IdentityValidationExpression {shown(expression)} is set and "
                                         "the token has no aud to match it against (an access token "
                                         "never has one)")
    try:
        matched = re.fullmatch(expression, aud) is not None
    except re.error:
        matched = False
    if not matched:
        raise TokenProblem("validation", f"token aud {shown(aud)} does not match "
                                         f"IdentityValidationExpression {shown(expression)}")


def decide_cognito(authorizer: CognitoAuthorizer, request: AuthRequest, issuers: Mapping[str, str],
                   key_set: KeySet | None, now: float) -> Allow | Deny:
    """Does this request's token pass this REST Cognito authorizer? `issuers`: ProviderARN -> pool iss;
    `key_set`: the keys of the pool the token names (None when its iss is no pool's). Pure."""
    source, raw = cognito_identity(authorizer, request)
    token_text = strip_bearer(raw) if raw else ""
    if not token_text:
        return cognito_refusal(authorizer, f"no token: the identity source is {source} and the request "
                                           "has no such header")
    try:
        token = parse_jwt(token_text)
        check_algorithm(token, authorizer.name)
        iss = token.claims.get("iss")
        if key_set is None or iss not in issuers.values() or key_set.issuer != iss:
            raise TokenProblem("issuer", f"token iss {shown(iss)} is none of the pools "
                                         f"of ProviderARNs {listed(authorizer.provider_arns)} (issuers "
                                         f"{listed(issuers.values())})")
        token = verified(token_text, key_set, authorizer.name)
        check_times(token.claims, now)
        check_token_use(authorizer, request, token.claims)
        check_validation_expression(authorizer, token.claims)
    except TokenProblem as problem:
        return cognito_refusal(authorizer, problem.reason)
    sub = token.claims.get("sub")
    return Allow({"claims": rest_claims(token.claims)}, principal_id=sub if isinstance(sub, str) else None)


# ---------------------------------------------------------------------------------------------
# The I/O shell
# ---------------------------------------------------------------------------------------------

class Authorizers:
    """Holds the I/O (JWKS fetch + cache, Lambda result cache); the decisions inside are pure functions.

    `authorize` never raises and never allows by accident: an unexpected error inside a JWT or
    Cognito decision is a 401, inside a Lambda authorizer a 500 (AWS's AuthorizerConfigurationException).
    """

    def __init__(self, issuer_keys: IssuerKeys, http: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        # Imported here: lambda_authorizers builds the Allow / Deny defined in this module.
        from emulator.gateway.lambda_authorizers import LambdaAuthorizers

        self._issuer_keys = issuer_keys
        self._clock = clock
        self.keys = JwksSource(issuer_keys, http, clock)
        self.lambdas = LambdaAuthorizers(clock)

    async def authorize(self, authorizer: Authorizer, request: AuthRequest) -> Allow | Deny:
        try:
            if isinstance(authorizer, JwtAuthorizer):
                return await self._jwt(authorizer, request)
            if isinstance(authorizer, CognitoAuthorizer):
                return await self._cognito(authorizer, request)
            if isinstance(authorizer, LambdaAuthorizer):
                return await self.lambdas.authorize(authorizer, request)
            kind = type(authorizer).__name__
            return refuse(request.protocol_type, "error", f"unknown authorizer type {kind}")
        except Exception as exc:  # a bug here must read as a refusal, never as an allow
            outcome = "error" if isinstance(authorizer, LambdaAuthorizer) else "unauthorized"
            name = getattr(authorizer, "name", "?")
            return refuse(request.protocol_type, outcome,
                          f"authorizer '{name}' failed inside the emulator: {type(exc).__name__}: {exc}")

    async def _jwt(self, authorizer: JwtAuthorizer, request: AuthRequest) -> Allow | Deny:
        _, raw = jwt_identity(authorizer, request)
        token = peek(strip_bearer(raw)) if raw else None
        if token is None:  # nothing to fetch keys for; the pure decision explains why
            unfetched = KeySet(authorizer.issuer, None, "not fetched")
            return decide_jwt(authorizer, request, unfetched, self._clock())
        kid = token.kid if isinstance(token.kid, str) else None
        key_set = await self.keys.key_set(authorizer.issuer, kid)
        return decide_jwt(authorizer, request, key_set, self._clock())

    async def _cognito(self, authorizer: CognitoAuthorizer, request: AuthRequest) -> Allow | Deny:
        issuers = {arn: iss for arn in authorizer.provider_arns
                   if (iss := pool_issuer(arn, self._issuer_keys)) is not None}
        _, raw = cognito_identity(authorizer, request)
        token = peek(strip_bearer(raw)) if raw else None
        key_set = None
        if token is not None and token.claims.get("iss") in issuers.values():
            kid = token.kid if isinstance(token.kid, str) else None
            key_set = await self.keys.key_set(token.claims["iss"], kid)
        return decide_cognito(authorizer, request, issuers, key_set, self._clock())

    async def aclose(self) -> None:
        await self.keys.aclose()
