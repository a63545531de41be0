"""One cognito-identity call from bytes to result, in AWS's order: target, JSON, signature, input shape,
operation (run as one store transaction). cognito/app.py hands it every AWSCognitoIdentityService.* request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.cognito import admin_guard
from emulator.cognito.errors import CognitoError
from emulator.cognito.pool_rules import region_from_authorization
from emulator.cognito.protocol import Call, Handler, json_params, merge_operations
from emulator.cognito.sigv4 import SignedRequest
from emulator.identity import identities_admin, identities_api, linked_logins, pools_api
from emulator.identity.protocol import SERVICE, operation_of, service_model, validated

if TYPE_CHECKING:
    from emulator.runtime import Runtime

OPERATIONS: dict[str, Handler] = merge_operations(pools_api.OPERATIONS, identities_api.OPERATIONS,
                                                  identities_admin.OPERATIONS, linked_logins.OPERATIONS)


def answer(rt: Runtime, request: SignedRequest, target: str, request_id: str, source_ip: str) -> dict:
    """The operation's result, or the CognitoError AWS would answer with."""
    operation = operation_of(target)
    params = json_params(request.body)
    refused = admin_guard.refusal(operation, request, rt.config.credentials, service_model(), SERVICE)
    if refused is not None:
        raise refused
    params = validated(operation, params)
    handler = OPERATIONS.get(operation)
    if handler is None:
        raise CognitoError("UnknownOperationException", "",
                           f"the emulator does not implement cognito-identity {operation} yet")
    authorization = next((v for k, v in request.headers if k.lower() == "authorization"), None)
    call = Call(operation, request_id, source_ip, region_from_authorization(authorization))
    with rt.store.transaction(commit_on=(CognitoError,)):
        return handler(rt, params, call)
