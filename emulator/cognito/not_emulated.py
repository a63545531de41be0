"""The cognito-idp operations of botocore's model the emulator does not emulate, each with the plain-words
reason a caller gets in `x-emulator-reason`; one table, so implementing an operation removes its entry.

The client sees AWS's answer to an operation it does not know, `UnknownOperationException` with an empty
message (the shape the emulator has always used; no evidence says AWS answers otherwise). The operation
coverage test (tests/test_operation_coverage.py) fails when an operation of the model is in neither
`app.operation_table()` nor this table, or in both.
"""

from __future__ import annotations

from emulator.cognito.errors import CognitoError

_SESSIONS = "user session listing, session revocation and session configuration are not emulated"
_REPLICAS = "multi-Region user pool replicas have no local meaning: the emulator serves each pool in one place"
_RECOVERY = "point-in-time recovery is not emulated: the emulator's state is reset or restored from its config"
_CIMD = "client ID metadata documents (CIMD policies and client metadata URLs) are not emulated"
_LIMITS = "provisioned limits (service quotas) have no local meaning: the emulator enforces no quotas"
_DERIVED = ("machine-to-machine tokens by API (GetClientToken) and token exchange (GetDerivedToken) are not "
            "emulated; /oauth2/token serves client_credentials")

NOT_EMULATED: dict[str, str] = {
    # no local meaning, or not emulated
    "ListUserSessions": _SESSIONS,
    "AdminListUserSessions": _SESSIONS,
    "RevokeUserSession": _SESSIONS,
    "AdminRevokeUserSession": _SESSIONS,
    "GetUserPoolSessionConfiguration": _SESSIONS,
    "SetUserPoolSessionConfiguration": _SESSIONS,
    "GetUserPoolClientSessionConfiguration": _SESSIONS,
    "SetUserPoolClientSessionConfiguration": _SESSIONS,
    "CreateUserPoolReplica": _REPLICAS,
    "UpdateUserPoolReplica": _REPLICAS,
    "DeleteUserPoolReplica": _REPLICAS,
    "ListUserPoolReplicas": _REPLICAS,
    "InitiatePointInTimeRecovery": _RECOVERY,
    "StartPointInTimeRecovery": _RECOVERY,
    "CancelPointInTimeRecovery": _RECOVERY,
    "DescribePointInTimeRecovery": _RECOVERY,
    "ListPointInTimeRecoveries": _RECOVERY,
    "CreateCIMDPolicy": _CIMD,
    "DescribeCIMDPolicy": _CIMD,
    "UpdateCIMDPolicy": _CIMD,
    "DeleteCIMDPolicy": _CIMD,
    "ListCIMDPolicies": _CIMD,
    "ListClientMetadataURLs": _CIMD,
    "UpdateClientMetadataURLState": _CIMD,
    "GetProvisionedLimit": _LIMITS,
    "UpdateProvisionedLimit": _LIMITS,
    "GetClientToken": _DERIVED,
    "GetDerivedToken": _DERIVED,
}


def refusal(operation: str) -> CognitoError:
    """AWS's answer to an operation the emulator does not serve, with the table's reason (or, for an
    operation of a newer model missing from the table, a reason saying so)."""
    reason = NOT_EMULATED.get(operation) or (
        f"the emulator does not implement {operation} yet (it is in botocore's model but in neither the "
        "operation table nor the not-emulated table)")
    return CognitoError("UnknownOperationException", "", f"{operation}: {reason}")
