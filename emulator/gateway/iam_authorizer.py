"""AWS_IAM authorization of a route (pure): the SigV4 signature recomputed by botocore's signer with the
secret of the key that signed, the session token and expiry checked, then the caller's role policy evaluated
for execute-api:Invoke on the route's ARN. The verdict carries the identity fields API Gateway hands the
integration (REST requestContext.identity; HTTP requestContext.authorizer.iam).

403 bodies (one table, IAM_RESPONSES). REST: `{"message":"Missing Authentication Token"}` (the gateway
response MISSING_AUTHENTICATION_TOKEN, gateway/responses.py), and for a non-SigV4 Authorization header the
"Invalid key=value pair" answer responses.sigv4_parse_error builds; the security-token and signature texts are the
STS/coral texts cognito/errors.py cites; `{"Message":"User: <arn> is not authorized to perform:
execute-api:Invoke on resource: <arn>"}` is quoted raw in ASFHyP3/hyp3#2283 and guardian/manage-frontend#483.
UNCONFIRMED: the expired-token text's wording on API Gateway, and " with an explicit deny" appended for an
explicit Deny. HTTP APIs answer every IAM refusal `{"message":"Forbidden"}` (aws/aws-cdk#21182).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emulator.cognito import sigv4
from emulator.gateway.lambda_authorizer_verdict import MalformedOutput, evaluate_policy
from emulator.gateway.responses import sigv4_parse_error
from emulator.gateway.verdicts import Deny

SERVICE = "execute-api"

# outcome -> (status, REST body template, REST x-amzn-ErrorType). HTTP APIs: 403 {"message":"Forbidden"}.
IAM_RESPONSES: dict[str, tuple[int, dict[str, str], str]] = {
    "missing": (403, {"message": "Missing Authentication Token"}, "MissingAuthenticationTokenException"),
    "incomplete": (403, {"message": "{detail}"}, "IncompleteSignatureException"),
    "unrecognized": (403, {"message": "The security token included in the request is invalid."},
                     "UnrecognizedClientException"),
    "expired": (403, {"message": "The security token included in the request is expired"}, "ExpiredTokenException"),
    "signature": (403, {"message": "The request signature we calculated does not match the signature you provided. "
                                   "Check your AWS Secret Access Key and signing method. Consult the service "
                                   "documentation for details."}, "InvalidSignatureException"),
    "not_authorized": (403, {"Message": "User: {user} is not authorized to perform: execute-api:Invoke on "
                                        "resource: {resource}"}, "AccessDeniedException"),
    "explicit_deny": (403, {"Message": "User: {user} is not authorized to perform: execute-api:Invoke on "
                                       "resource: {resource} with an explicit deny"}, "AccessDeniedException"),
}


@dataclass(frozen=True)
class Principal:
    """Who a key id belongs to: an identity pool's temporary credentials or the config's static ones."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    user_arn: str
    caller: str  # requestContext.identity.caller / authorizer.iam.callerId
    account_id: str
    session_token: str | None = field(default=None, repr=False)  # None: long-term keys
    expiration: float | None = None
    policy: Any = None  # the role's policy document; None with `unrestricted` False: no permissions at all
    unrestricted: bool = False  # the config's own Credentials: the account's keys, allowed every route
    role_arn: str | None = None
    cognito: Mapping[str, Any] | None = None  # identityId, identityPoolId, authenticationType, provider, amr


@dataclass(frozen=True)
class IamRequest:
    """What the signature covers and what the policy is evaluated on."""

    protocol_type: str
    signed: sigv4.SignedRequest
    method_arn: str
    now: float


@dataclass(frozen=True)
class IamAllow:
    """Let through: the identity fields of the 1.0 event, and requestContext.authorizer for HTTP 2.0."""

    identity: dict[str, Any]
    authorizer_context: dict[str, Any] | None
    reason: str


def refuse(protocol: str, outcome: str, reason: str, **fields: str) -> Deny:
    status, body, error_type = IAM_RESPONSES[outcome]
    if protocol == "HTTP":
        return Deny(403, {"message": "Forbidden"}, {}, reason)
    return Deny(status, {k: v.format(**fields) for k, v in body.items()}, {"x-amzn-ErrorType": error_type}, reason)


def _header(request: sigv4.SignedRequest, name: str) -> str | None:
    return next((value for key, value in request.headers if key.lower() == name), None)


def identity_fields(principal: Principal) -> dict[str, Any]:
    """requestContext.identity of a 1.0 event for this caller (the rest of it stays as the event built it)."""
    cognito = principal.cognito or {}
    return {
        "cognitoIdentityPoolId": cognito.get("identityPoolId"),
        "accountId": principal.account_id,
        "cognitoIdentityId": cognito.get("identityId"),
        "caller": principal.caller,
        "accessKey": principal.access_key_id,
        "cognitoAuthenticationType": cognito.get("authenticationType"),
        "cognitoAuthenticationProvider": cognito.get("authenticationProvider"),
        "userArn": principal.user_arn,
        "user": principal.caller,
    }


def iam_context(principal: Principal) -> dict[str, Any]:
    """requestContext.authorizer of an HTTP API 2.0 event: {"iam": {...}} in AWS's field names."""
    cognito = principal.cognito
    return {"iam": {
        "accessKey": principal.access_key_id,
        "accountId": principal.account_id,
        "callerId": principal.caller,
        "cognitoIdentity": None if not cognito else {
            "amr": list(cognito.get("amr") or ()), "identityId": cognito.get("identityId"),
            "identityPoolId": cognito.get("identityPoolId")},
        "principalOrgId": None,
        "userArn": principal.user_arn,
        "userId": principal.caller,
    }}


def decide_iam(request: IamRequest, principal_of: Callable[[str], Principal | None]) -> IamAllow | Deny:
    """The verdict on one request to an AWS_IAM route."""
    protocol, signed = request.protocol_type, request.signed
    amz_date, date = _header(signed, "x-amz-date"), _header(signed, "date")
    parsed = sigv4.parse(_header(signed, "authorization"), has_date=bool(amz_date or date))
    if isinstance(parsed, sigv4.Malformed):
        header = _header(signed, "authorization")
        if parsed.missing and header and protocol == "REST":
            # A REST API reads any Authorization header as a SigV4 one: "Invalid key=value pair ..." (responses.py)
            answer = sigv4_parse_error(header)
            return Deny(answer.status, json.loads(answer.body), dict(answer.headers[1:]),
                        f"the route is AWS_IAM and {parsed.reason}; REST answers it as a broken SigV4 header")
        if parsed.missing:
            return refuse(protocol, "missing", f"the route is AWS_IAM and {parsed.reason}; sign the request with "
                                               "SigV4 for service execute-api")
        return refuse(protocol, "incomplete", f"the route is AWS_IAM and {parsed.reason}", detail=parsed.message)
    when = sigv4.timestamp(amz_date, date)
    if when is None:
        shown = amz_date if amz_date is not None else date
        return refuse(protocol, "incomplete", f"the signing time {shown!r} is not SigV4's YYYYMMDDTHHMMSSZ",
                      detail=sigv4.bad_timestamp(shown))
    principal = principal_of(parsed.access_key_id)
    if principal is None:
        return refuse(protocol, "unrecognized", f"access key id {parsed.access_key_id!r} is neither credentials an "
                      "identity pool issued (GetCredentialsForIdentity) nor one of the config's Credentials")
    token = _header(signed, "x-amz-security-token")
    if principal.session_token is not None and token != principal.session_token:
        why = "no X-Amz-Security-Token was sent" if token is None else "X-Amz-Security-Token is not the one issued"
        return refuse(protocol, "unrecognized", f"{principal.access_key_id} is a temporary key and {why}")
    if principal.expiration is not None and request.now >= principal.expiration:
        return refuse(protocol, "expired", f"the credentials {principal.access_key_id} expired at "
                                           f"{principal.expiration:.0f}; it is now {request.now:.0f}")
    why = sigv4.mismatch(signed, parsed, principal.secret_access_key, when, SERVICE)
    if why is not None:
        return refuse(protocol, "signature", why)
    return _policy_verdict(request, principal)


def _policy_verdict(request: IamRequest, principal: Principal) -> IamAllow | Deny:
    allow = IamAllow(identity_fields(principal), iam_context(principal) if request.protocol_type == "HTTP" else None,
                     "")
    if principal.unrestricted:
        return IamAllow(allow.identity, allow.authorizer_context, "signed with the config's Credentials (the "
                                                                  "account's own keys: every route is allowed)")
    fields = {"user": principal.user_arn, "resource": request.method_arn}
    if principal.policy is None:
        return refuse(request.protocol_type, "not_authorized", f"role {principal.role_arn} has no policy in the "
                      "config's Roles:, so it may invoke nothing", **fields)
    try:
        verdict, resources = evaluate_policy(principal.policy, request.method_arn)
    except MalformedOutput as exc:
        return refuse(request.protocol_type, "not_authorized", f"role {principal.role_arn}'s policy: {exc}", **fields)
    if verdict == "explicit_deny":
        return refuse(request.protocol_type, "explicit_deny", f"role {principal.role_arn}'s policy denies "
                      f"execute-api:Invoke on {request.method_arn}", **fields)
    if verdict != "allow":
        return refuse(request.protocol_type, "not_authorized", f"role {principal.role_arn}'s policy allows "
                      f"execute-api:Invoke only on {_listed(resources)}, not {request.method_arn}", **fields)
    return IamAllow(allow.identity, allow.authorizer_context,
                    f"role {principal.role_arn}'s policy allows execute-api:Invoke on {request.method_arn}")


def _listed(values: Sequence[str]) -> str:
    return "[" + ", ".join(values) + "]" if values else "nothing"
