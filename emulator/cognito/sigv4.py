"""SigV4 on the Cognito port: reading an `Authorization` header, and checking a signature by having
botocore's own signer compute it again. Pure: no I/O, no clock.

Reading is linear and bounded (string splits on at most MAX_AUTHORIZATION characters, no regular
expressions): an attacker's 100 KB header costs microseconds. The crypto is botocore's
(`SigV4Auth.canonical_request`, `string_to_sign`, `signature`); this module only feeds it the
request as the client signed it: the headers named in SignedHeaders and the X-Amz-Date timestamp.

The IncompleteSignatureException texts below are another coral JSON service's (DynamoDB's, as dynalite
recorded them against it); for cognito-idp they are UNCONFIRMED, and `Authorization header is too long.`
is the emulator's own (UNCONFIRMED).

UNCONFIRMED choices, kept here in one place:
- The signature's age is not checked (AWS refuses one older than 15 minutes): the emulator's clock
  can be moved by tests, and a replayed local request harms nobody.
- A session token (X-Amz-Security-Token) is covered by the signature when signed, never looked up.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "cognito-idp"
MAX_AUTHORIZATION = 8 * 1024  # real SigV4 headers are a few hundred bytes
_REQUIRED = ("Credential", "Signature", "SignedHeaders")
_REGION_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class Authorization:
    """The parts of a SigV4 `Authorization` header."""

    algorithm: str
    credential: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> list[str]:
        """The credential's five parts: key id, date, region, service, terminator."""
        return self.credential.split("/")

    @property
    def access_key_id(self) -> str:
        return self.scope[0]


@dataclass(frozen=True)
class Malformed:
    """Why a header is not SigV4: `missing` (not a SigV4 header at all) or AWS's IncompleteSignature text."""

    missing: bool
    message: str
    reason: str


def _fields(header: str) -> tuple[str, dict[str, str]]:
    """The algorithm and the `key=value` fields of a header (the first of a repeated key wins)."""
    algorithm, _, rest = header.strip().partition(" ")
    fields: dict[str, str] = {}
    for part in rest.replace(",", " ").split():
        key, equals, value = part.partition("=")
        if equals and key not in fields:
            fields[key] = value
    return algorithm, fields


def parse(header: str | None, has_date: bool) -> Authorization | Malformed:
    """The header's parts, or why AWS would not read it as a signature (`has_date`: X-Amz-Date or Date sent)."""
    if not header or not header.lstrip().startswith("AWS4-"):
        return Malformed(True, "", "the request has no AWS Signature Version 4 Authorization header"
                         if not header else "the Authorization header is not AWS Signature Version 4 "
                                            "(it does not start with AWS4-HMAC-SHA256)")
    if len(header) > MAX_AUTHORIZATION:
        return Malformed(False, "Authorization header is too long.",
                         f"the Authorization header has {len(header)} characters; a SigV4 header has a few hundred "
                         f"and the emulator reads at most {MAX_AUTHORIZATION}")
    algorithm, fields = _fields(header)
    if algorithm != ALGORITHM:
        return Malformed(False, f"Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). ",
                         f"the signature's algorithm is '{algorithm}'; SigV4 signs with {ALGORITHM}")
    absent = [name for name in _REQUIRED if not fields.get(name)]
    message = "".join(f"Authorization header requires '{name}' parameter. " for name in absent)
    if not has_date:
        absent.append("an X-Amz-Date or Date header")
        message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
    if absent:
        return Malformed(False, message + f"Authorization={header}",
                         f"the SigV4 Authorization header lacks {', '.join(absent)}")
    credential = fields["Credential"]
    if len(credential.split("/")) != 5:
        return Malformed(False, "Credential must have exactly 5 slash-delimited elements, e.g. "
                                f"keyid/date/region/service/term, got '{credential}'",
                         f"Credential '{credential}' is not <key id>/<yyyymmdd>/<region>/{SERVICE}/aws4_request")
    return Authorization(algorithm, credential, tuple(fields["SignedHeaders"].lower().split(";")),
                         fields["Signature"])


def region_of(header: str | None) -> str | None:
    """The region in a SigV4 header's credential scope (`<key>/<yyyymmdd>/<region>/<service>/aws4_request`),
    or None. Lenient: the rest of the header need not be complete."""
    if not header or len(header) > MAX_AUTHORIZATION:
        return None
    scope = _fields(header)[1].get("Credential", "").split("/")
    if len(scope) != 5:
        return None
    _, date, region, service, terminator = scope
    if not (len(date) == 8 and date.isdigit()) or not service or terminator != "aws4_request":
        return None
    if not region or len(region) > 64 or any(c not in _REGION_CHARACTERS for c in region):
        return None
    return region


def timestamp(amz_date: str | None, date: str | None) -> str | None:
    """The signing time as SigV4 writes it (`YYYYMMDDTHHMMSSZ`), from X-Amz-Date or else the Date header."""
    if amz_date:
        return amz_date if len(amz_date) == 16 and amz_date[8] == "T" and amz_date.endswith("Z") else None
    if date:
        try:
            return parsedate_to_datetime(date).strftime("%Y%m%dT%H%M%SZ")
        except (TypeError, ValueError):
            return None
    return None


def bad_timestamp(shown: str | None) -> str:
    """AWS's IncompleteSignature text for a signing time it cannot read."""
    return f"Date must be in ISO-8601 'basic format'. Got '{shown}'. See http://en.wikipedia.org/wiki/ISO_8601"


@dataclass(frozen=True)
class SignedRequest:
    """What a signature covers: the request line, every header as sent, and the body."""

    method: str
    url: str  # http://<Host header><raw path>[?<raw query>]
    headers: Sequence[tuple[str, str]]
    body: bytes


def mismatch(request: SignedRequest, auth: Authorization, secret_access_key: str, when: str,
             expected_service: str = SERVICE) -> str | None:
    """Why the signature is not the one botocore computes for this request and secret, or None if it is.
    `expected_service`: the service the request is for (cognito-idp, cognito-identity, execute-api)."""
    _, date, region, service, terminator = auth.scope
    if "host" not in auth.signed_headers:
        return "SignedHeaders does not include host, which SigV4 always signs"
    if service != expected_service or terminator != "aws4_request":
        return f"the credential scope is for service '{service}' ({terminator}); {expected_service} requests " \
               f"are signed for '{expected_service}' and end in aws4_request"
    if date != when[:8]:
        return f"the credential scope's date {date} is not the day of the request's timestamp {when}"
    declared = next((v for k, v in request.headers if k.lower() == "x-amz-content-sha256"), None)
    if declared is not None and declared != hashlib.sha256(request.body).hexdigest():
        return "X-Amz-Content-SHA256 is not the SHA-256 of the body that arrived"
    try:
        # botocore's signer is imported on the first signed request: its HTTP stack is not on the way to a token.
        from emulator.cognito.sigv4_signer import expected_signature

        expected = expected_signature(request, auth, secret_access_key, region, when, expected_service)
    except (ValueError, TypeError, UnicodeError) as exc:  # a Host or path no canonical request can hold
        return f"the request cannot be put in SigV4's canonical form ({exc}), so no signature can match it"
    if hmac.compare_digest(expected, auth.signature):
        return None
    return (f"the signature does not match the request as it arrived, signed with the secret configured for "
            f"{auth.access_key_id} (signed headers: {';'.join(auth.signed_headers)}); check the secret key, "
            "and that no proxy changed a signed header or the body")
