"""What an authorizer answers: Allow or Deny, and the one table of AWS's refusal bodies and headers.

Every refusal of every authorizer is built by `refuse`, so a status, body or x-amzn-ErrorType
lives in exactly one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Allow:
    """The authorizer lets the request through."""

    # EXACTLY the value for requestContext.authorizer of the integration event:
    #  HTTP JWT: {"jwt": {"claims": {...strings}, "scopes": [...] | None}}
    #  REST Cognito: {"claims": {...strings}}
    #  REST Lambda: {"principalId": ..., "integrationLatency": n, **context-as-strings}
    #  HTTP Lambda: {"lambda": {...context}}
    authorizer_context: dict
    principal_id: str | None = None


@dataclass(frozen=True)
class Deny:
    """The authorizer refuses: what the client sees, and the plain-words reason."""

    status: int  # 401 / 403 / 500
    body: dict  # e.g. {"message": "Unauthorized"}
    headers: Mapping[str, str]  # e.g. {"www-authenticate": 'Bearer scope="" error="invalid_token" ...'}
    # plain words: "token aud 'piyopiyo' is not in authorizer 'cognitoAuthorizer' audience [abc123]"
    reason: str


Verdict = Allow | Deny

# (protocol, outcome) -> (status, body, headers).
#  REST 401: {"message":"Unauthorized"} (AWS docs, seed 001). x-amzn-ErrorType on REST errors:
#   AccessDeniedException seen on a real 403 (github aws/chalice#971), AuthorizerConfigurationException
#   on a real authorizer 500 (github serverless/examples#305); UnauthorizedException on a real 401 (an
#   httpie capture in "AWS API Gateway Errors Mapping Guide"; AWS_EVIDENCE.md §2).
#  HTTP 403 {"message":"Forbidden"} for a Lambda Deny / JWT scope miss: observed against AWS by another
#   emulator's author (KensioSoftware/yulin#302; AWS_EVIDENCE.md §3a).
#  REST 403 bodies use a capital "Message": quoted from real responses in several public READMEs
#   (e.g. '{"Message":"User is not authorized to access this resource with an explicit deny"}')
#   and aws/chalice#971. AWS_BEHAVIOR.md writes "message"; the observed responses win.
#  HTTP 500 {"message":"Internal Server Error"}: UNCONFIRMED (the docs only say "500 Internal Server Error"
#   for HTTP API Lambda authorizers).
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
    # The one real value found reads "issuer does not match" (an access-log $context.authorizer.error quoted in
    # one README, AWS_EVIDENCE.md §1: weak); kept until a second capture settles it.
    "issuer": "the token does not have a valid issuer",
    "audience": "the token does not have a valid audience",
    "no_exp": "the token does not have an expiry (exp)",
    "expired": "the token has expired",
    "not_yet_valid": "the token is not valid yet",
    "issued_in_future": "the token was issued in the future",
}
INSUFFICIENT_SCOPE_DESCRIPTION = "the token does not have the required scope"  # UNCONFIRMED


def refuse(protocol: str, outcome: str, reason: str, headers: Mapping[str, str] | None = None) -> Deny:
    """The Deny for `outcome` as AWS renders it for this protocol, with the plain-words reason."""
    status, body, base_headers = RESPONSES[("HTTP" if protocol == "HTTP" else "REST", outcome)]
    return Deny(status, dict(body), {**base_headers, **(headers or {})}, reason)


def shown(value: Any, limit: int = 80) -> str:
    """A client-supplied value quoted for a reason: repr'd (so control characters stay visible), cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def listed(values: Iterable[Any]) -> str:
    """Values as a reason lists them: "[a, b]"."""
    return "[" + ", ".join(str(v) for v in values) + "]"
