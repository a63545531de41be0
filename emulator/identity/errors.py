"""The cognito-identity errors: one table of AWS's `__type` and message texts (same shape as cognito-idp's)."""

from __future__ import annotations

from emulator.cognito.errors import CognitoError

# key -> (__type, message template). Sources, as quoted from raw AWS answers:
#  pool_not_found: aws-sdk-android-samples#163, amplify-js#1966 and #14117.
#  unauthenticated_not_supported: botocore#329 ("Unauthenticated access is not supported", 2014); the sentence
#   with "for this identity pool." is the form SDK users quote today.
#  login_token_unverified: amazon-cognito-identity-js#91. login_token_expired: aws-sdk-ios#2570,
#   qqaatw/JciHitachiHA#33. login_issuer_mismatch: amazon-cognito-identity-js#40. logins_dont_match:
#   amazon-cognito-identity-js#68. not_a_cognito_token: aws-sdk-android#1431.
#  no_role: InvalidIdentityPoolConfigurationException, stackoverflow.com/questions/30425942.
# UNCONFIRMED (closest known wording, kept here only): identity_not_found, login_audience,
#  provider_not_configured, developer_provider_mismatch, role_ambiguous, pool_name_taken, classic_flow.
ERRORS: dict[str, tuple[str, str]] = {
    "pool_not_found": ("ResourceNotFoundException", "IdentityPool '{pool_id}' not found."),
    "identity_not_found": ("ResourceNotFoundException", "Identity '{identity_id}' not found."),
    "unauthenticated_not_supported": (
        "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool."),
    "login_token_unverified": ("NotAuthorizedException", "Invalid login token. Couldn't verify signed token."),
    "login_token_expired": ("NotAuthorizedException", "Invalid login token. Token expired: {now} >= {exp}"),
    "login_issuer_mismatch": ("NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName"),
    "not_a_cognito_token": ("NotAuthorizedException", "Invalid login token. Not a Cognito token."),
    "login_audience": ("NotAuthorizedException", "Invalid login token. Incorrect token audience."),
    "logins_dont_match": (
        "NotAuthorizedException",
        "Logins don't match. Please include at least one valid login for this identity or identity pool."),
    "provider_not_configured": (
        "NotAuthorizedException", "Invalid login token. The provider {provider} is not configured for this "
                                  "identity pool."),
    "developer_provider_mismatch": (
        "NotAuthorizedException", "Developer provider name does not match the identity pool's."),
    "no_role": ("InvalidIdentityPoolConfigurationException",
                "Invalid identity pool configuration. Check assigned IAM roles for this pool."),
    "role_ambiguous": ("InvalidIdentityPoolConfigurationException",
                       "Invalid identity pool configuration. Check assigned IAM roles for this pool."),
    "invalid_parameter": ("InvalidParameterException", "{detail}"),
    "pool_name_taken": ("ResourceConflictException", "An identity pool named {name} already exists."),
    "not_emulated": ("InvalidParameterException", "{detail}"),
}


def reject(key: str, reason: str, **fields: object) -> CognitoError:
    """The rejection named `key` in ERRORS, its message filled from `fields`, with the plain reason."""
    error_type, template = ERRORS[key]
    return CognitoError(error_type, template.format(**fields), reason, 400)
