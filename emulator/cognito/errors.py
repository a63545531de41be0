"""The cognito-idp errors: one table of AWS's `__type` and message texts, and the exception that carries them.

Every rejection carries two texts: the AWS-faithful one the client sees, and a plain-words
reason that is logged and sent in `x-emulator-reason`.
"""

from __future__ import annotations

from dataclasses import dataclass

# key -> (__type, message template). Texts are AWS's own (AWS_BEHAVIOR.md §2-3); entries
# marked UNCONFIRMED follow the closest known AWS wording.
ERRORS: dict[str, tuple[str, str]] = {
    # flows (the SRP, custom, refresh and USER_AUTH texts are UNCONFIRMED: they follow the
    # known `<FLOW> flow not enabled for this client` pattern)
    "password_flow_disabled": ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"),
    "admin_password_flow_disabled": ("InvalidParameterException", "Auth flow not enabled for this client"),
    "srp_flow_disabled": ("InvalidParameterException", "USER_SRP_AUTH is not enabled for the client."),
    "custom_flow_disabled": ("InvalidParameterException", "CUSTOM_AUTH flow not enabled for this client"),
    "refresh_flow_disabled": (
        "InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client"),
    "user_auth_flow_disabled": ("InvalidParameterException", "USER_AUTH flow not enabled for this client"),
    "flow_not_supported": ("InvalidParameterException", "Initiate Auth method not supported."),
    "missing_auth_parameter": ("InvalidParameterException", "Missing required parameter {name}"),
    # users and passwords
    "wrong_password": ("NotAuthorizedException", "Incorrect username or password."),
    "user_not_found": ("UserNotFoundException", "User does not exist."),
    "user_not_confirmed": ("UserNotConfirmedException", "User is not confirmed."),
    "user_disabled": ("NotAuthorizedException", "User is disabled."),
    "password_reset_required": ("PasswordResetRequiredException", "Password reset required for the user"),
    "password_attempts_exceeded": ("NotAuthorizedException", "Password attempts exceeded"),
    # pools and clients
    "client_not_found": ("ResourceNotFoundException", "User pool client {client_id} does not exist."),
    "pool_not_found": ("ResourceNotFoundException", "User pool {pool_id} does not exist."),
    # secret hash
    "secret_hash_wrong": ("NotAuthorizedException", "Unable to verify secret hash for client {client_id}"),
    "secret_hash_missing": (
        "NotAuthorizedException", "Client {client_id} is configured with secret but SECRET_HASH was not received"),
    "secret_hash_unexpected": (
        "InvalidParameterException",
        "App client {client_id} is not configured for secret but secret hash was received"),
    "refresh_secret_hash_wrong": ("NotAuthorizedException", "SecretHash does not match for the client: {client_id}"),
    # tokens and sessions
    "refresh_token_invalid": ("NotAuthorizedException", "Invalid Refresh Token."),
    "refresh_token_revoked": ("NotAuthorizedException", "Refresh Token has been revoked"),
    "refresh_token_expired": ("NotAuthorizedException", "Refresh Token has expired"),
    "session_invalid": ("NotAuthorizedException", "Invalid session for the user."),
    "session_expired": ("NotAuthorizedException", "Invalid session for the user, session is expired."),
    "access_token_invalid": ("NotAuthorizedException", "Invalid Access Token"),
    "access_token_expired": ("NotAuthorizedException", "Access Token has expired"),
    "access_token_revoked": ("NotAuthorizedException", "Access Token has been revoked"),
    # challenges
    "challenge_name_mismatch": ("InvalidParameterException", "Invalid challenge name {name}"),  # UNCONFIRMED
    "missing_challenge_response": ("InvalidParameterException", "Missing required parameter {name}"),
    "new_password_missing_attributes": (
        "InvalidParameterException", "Missing required attribute {name}"),  # UNCONFIRMED
    "invalid_password": ("InvalidPasswordException", "{detail}"),
    "code_mismatch": ("CodeMismatchException", "Invalid code received for user"),
    "expired_code": ("ExpiredCodeException", "Invalid code provided, please request a code again."),
    # protocol
    "unknown_operation": ("UnknownOperationException", ""),
    "serialization": ("SerializationException", "{detail}"),
    "validation": ("InvalidParameterException", "{detail}"),
    "internal": ("InternalErrorException", "An internal error occurred."),
}


@dataclass
class CognitoError(Exception):
    """An AWS-shaped rejection: what the client sees (`type`, `message`, `status`) and why (`reason`)."""

    type: str
    message: str
    reason: str
    status: int = 400

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


def reject(key: str, reason: str, **fields: str) -> CognitoError:
    """Build the rejection named `key` in ERRORS, with its message filled from `fields`."""
    error_type, template = ERRORS[key]
    status = 500 if error_type == "InternalErrorException" else 400
    return CognitoError(error_type, template.format(**fields), reason, status)


def invalid_parameter(message: str, reason: str | None = None) -> CognitoError:
    """An InvalidParameterException whose AWS text is not one of the fixed ones (validation details)."""
    return CognitoError("InvalidParameterException", message, reason or message)
