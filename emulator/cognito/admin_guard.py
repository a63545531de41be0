"""Who may call an operation AWS serves only SigV4-signed: every one the service model does not mark
`authtype: none` (all Admin*, and Create/Describe/List/Update/Delete of pools, clients, groups...).

Without `Credentials:` in the config any well-formed signature passes, as the emulator has no keys to
check it against; with them, the key id must be one of them and the signature must be the one
botocore computes with its secret. A pure decision: the request arrives as plain values.
"""

from __future__ import annotations

from collections.abc import Sequence

from emulator.cognito import sigv4
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.protocol import is_unsigned
from emulator.config import Credential

_HOW_TO_SIGN = ("sign it with AWS credentials (boto3 and the AWS CLI do when AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY are set)")


def _header(request: sigv4.SignedRequest, name: str) -> str | None:
    return next((value for key, value in request.headers if key.lower() == name), None)


def refusal(operation: str, request: sigv4.SignedRequest, credentials: Sequence[Credential],
            model: dict | None = None, service: str = sigv4.SERVICE) -> CognitoError | None:
    """AWS's error for an operation that needs SigV4 and did not get a valid one, or None.
    `model` and `service`: another API on this port (cognito-identity); cognito-idp by default."""
    if is_unsigned(operation, model):
        return None
    amz_date, date = _header(request, "x-amz-date"), _header(request, "date")
    parsed = sigv4.parse(_header(request, "authorization"), has_date=bool(amz_date or date))
    if isinstance(parsed, sigv4.Malformed):
        why = f"{operation} is served only SigV4-signed (it is not `authtype: none` in the service model), and " \
              f"{parsed.reason}; {_HOW_TO_SIGN}"
        if parsed.missing:
            return reject("auth_missing", why)
        return reject("auth_incomplete", why, detail=parsed.message)
    when = sigv4.timestamp(amz_date, date)
    if when is None:
        shown = amz_date if amz_date is not None else date
        return reject("auth_incomplete", f"the signing time '{shown}' is not SigV4's YYYYMMDDTHHMMSSZ",
                      detail=sigv4.bad_timestamp(shown))
    if not credentials:
        return None
    secret = next((c.secret_access_key for c in credentials if c.access_key_id == parsed.access_key_id), None)
    if secret is None:
        known = ", ".join(c.access_key_id for c in credentials)
        return reject("auth_unrecognized_client", f"{operation} was signed with access key id "
                      f"'{parsed.access_key_id}', which is not one of the config's Credentials ({known})")
    why = sigv4.mismatch(request, parsed, secret, when, service)
    if why is not None:
        return reject("auth_signature_mismatch", f"{operation}: {why}")
    return None
