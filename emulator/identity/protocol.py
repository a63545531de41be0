"""The cognito-identity JSON 1.1 wire protocol: X-Amz-Target dispatch and input validation against
botocore's cognito-identity model (the validation itself is cognito/protocol.py's, given this model)."""

from __future__ import annotations

import functools

from emulator.botocore_models import service_model as service_model_of
from emulator.cognito import protocol as idp_protocol
from emulator.cognito.errors import CognitoError

TARGET_PREFIX = "AWSCognitoIdentityService."
SERVICE = "cognito-identity"


@functools.cache
def service_model() -> dict:
    """botocore's bundled cognito-identity model: shapes, lengths, patterns, enums and which ops are unsigned."""
    return service_model_of(SERVICE)


def is_identity_target(target: str | None) -> bool:
    """Does this X-Amz-Target name the cognito-identity API (rather than cognito-idp)?"""
    return bool(target) and target.startswith(TARGET_PREFIX)  # type: ignore[union-attr]


def operation_of(target: str) -> str:
    """The operation named, or AWS's UnknownOperationException."""
    operation = target[len(TARGET_PREFIX):]
    if operation not in service_model()["operations"]:
        raise CognitoError("UnknownOperationException", "",
                           f"'{operation}' is not an operation of the cognito-identity API")
    return operation


def validated(operation: str, params: dict) -> dict:
    """The parameters once they fit the operation's input shape in the cognito-identity model."""
    return idp_protocol.validated(operation, params, service_model())
