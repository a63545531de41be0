"""The cognito-identity errors: one table of AWS's `__type` and message texts (same shape as cognito-idp's)."""

from __future__ import annotations

from emulator.cognito.errors import CognitoError

# key -> (__type, message template). Sources, as quoted from raw AWS answers:
#  pool_not_found: aws-sdk-android-samples#163, amplify-js#1966 and #14117.
#  unauthenticated_not_supported: botocore#329 quotes "Unauthenticated access is not supported" (2014); the
#   ending "for this identity pool." is UNCONFIRMED (not found quoted raw here).
#  login_token_unverified: amazon-cognito-identity-js#91. login_token_expired: aws-sdk-ios#2570,
#   qqaatw/JciHitachiHA#33. login_issuer_mismatch: amazon-cognito-identity-js#40. logins_dont_match:
#   amazon-cognito-identity-js#68.
#  no_role: InvalidIdentityPoolConfigurationException, stackoverflow.com/questions/30425942.
#  unsupported_provider (a user pool or app client the identity pool does not list): amazon-cognito-identity-js#153,
#   aws-amplify/amplify-js#2067 (their titles; the final punctuation is UNCONFIRMED).
#  developer_provider_mismatch: danilop/LambdAuth#32. invalid_cognito_provider: aws/aws-cdk#11054 (CloudFormation's
#   relay of CreateIdentityPool's InvalidParameterException).
#  classic_flow_disabled: GetOpenIdToken on a pool with AllowClassicFlow false, quoted raw in aws/aws-cli#7652.
#  classic_flow_role_mappings: GetOpenIdToken on a pool with RoleMappings, quoted in the Cognito developer guide
#   ("Identity pools authentication flow", Basic authflow) and raw in several write-ups.
# UNCONFIRMED (closest known wording, kept here only): identity_not_found; invalid_parameter's details.
ERRORS: dict[str, tuple[str, str]] = {
    "pool_not_found": ("ResourceNotFoundException", "IdentityPool '{pool_id}' not found."),
    "identity_not_found": ("ResourceNotFoundException", "Identity '{identity_id}' not found."),
    "unauthenticated_not_supported": (
        "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool."),
    "login_token_unverified": ("NotAuthorizedException", "Invalid login token. Couldn't verify signed token."),
    "login_token_expired": ("NotAuthorizedException", "Invalid login token. Token expired: {now} >= {exp}"),
    "login_issuer_mismatch": ("NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName"),
    "unsupported_provider": (
        "NotAuthorizedException", "Token is not from a supported provider of this identity pool"),
    "logins_dont_match": (
        "NotAuthorizedException",
        "Logins don't match. Please include at least one valid login for this identity or identity pool."),
    "developer_provider_mismatch": (
        "NotAuthorizedException", "This identity pool does not support the specified developer provider"),
    "invalid_cognito_provider": ("InvalidParameterException", "Invalid Cognito Identity Provider"),
    "no_role": ("InvalidIdentityPoolConfigurationException",
                "Invalid identity pool configuration. Check assigned IAM roles for this pool."),
    "invalid_parameter": ("InvalidParameterException", "{detail}"),
    "classic_flow_disabled": (
        "InvalidParameterException", "Basic (classic) flow is not enabled, please use enhanced flow."),
    "classic_flow_role_mappings": (
        "InvalidParameterException",
        "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow."),
}


def reject(key: str, reason: str, **fields: object) -> CognitoError:
    """The rejection named `key` in ERRORS, its message filled from `fields`, with the plain reason."""
    error_type, template = ERRORS[key]
    return CognitoError(error_type, template.format(**fields), reason, 400)
