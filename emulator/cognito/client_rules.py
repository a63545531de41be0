"""What CreateUserPoolClient/UpdateUserPoolClient refuse: shared by the YAML loader and the API."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from emulator.cognito.flows import ALLOW_FLOWS, LEGACY_FLOWS
from emulator.model import STANDARD_OAUTH_SCOPES, UNIT_SECONDS, AppClient


@dataclass(frozen=True)
class ClientViolation:
    field: str  # the client's AWS field name, for config key paths
    error_type: str
    message: str  # AWS's text
    reason: str  # plain words


# (field, min seconds, max seconds) per token validity (CreateUserPoolClient docs).
VALIDITY_RANGES = {
    "AccessToken": ("AccessTokenValidity", 5 * 60, 86400),
    "IdToken": ("IdTokenValidity", 5 * 60, 86400),
    "RefreshToken": ("RefreshTokenValidity", 60 * 60, 10 * 365 * 86400),
}


def _invalid(field: str, message: str, reason: str | None = None) -> ClientViolation:
    return ClientViolation(field, "InvalidParameterException", message, reason or message)


def client_violation(client: AppClient, custom_scopes: Collection[str]) -> ClientViolation | None:
    """The first rule of AWS's client validation that `client` breaks, or None."""
    flows = set(client.explicit_auth_flows)
    unknown = flows - ALLOW_FLOWS - LEGACY_FLOWS
    if unknown:
        return _invalid("ExplicitAuthFlows", f"Unknown ExplicitAuthFlows value {sorted(unknown)[0]}")
    if flows & ALLOW_FLOWS and flows & LEGACY_FLOWS:
        # UNCONFIRMED text; AWS refuses the mix.
        return _invalid("ExplicitAuthFlows", "ExplicitAuthFlows can not have both ALLOW_ and legacy values.",
                        f"ExplicitAuthFlows mixes ALLOW_ values with legacy values {sorted(flows & LEGACY_FLOWS)}")
    if flows & ALLOW_FLOWS and "ALLOW_REFRESH_TOKEN_AUTH" not in flows:
        return _invalid("ExplicitAuthFlows", "REFRESH_TOKEN_AUTH should always be allowed.",
                        "ExplicitAuthFlows with ALLOW_ values must include ALLOW_REFRESH_TOKEN_AUTH")

    oauth_flows = set(client.allowed_oauth_flows)
    for flow in oauth_flows - {"code", "implicit", "client_credentials"}:
        return _invalid("AllowedOAuthFlows", f"Unknown AllowedOAuthFlows value {flow}")
    if "client_credentials" in oauth_flows:
        if oauth_flows & {"code", "implicit"}:
            return _invalid("AllowedOAuthFlows",
                            "client_credentials flow can not be selected along with code flow or implicit flow.")
        if not client.client_secret:
            return _invalid("AllowedOAuthFlows",
                            "client_credentials flow can not be selected if client does not have a client secret.")
        standard = [s for s in client.allowed_oauth_scopes if s in STANDARD_OAUTH_SCOPES]
        if standard:
            # UNCONFIRMED text: AWS allows only custom scopes with client_credentials.
            return _invalid("AllowedOAuthScopes", "Standard scopes are not allowed with client_credentials flow.",
                            f"client_credentials tokens carry only resource-server scopes; {standard[0]} is a "
                            "standard scope")
    for scope in client.allowed_oauth_scopes:
        if scope not in STANDARD_OAUTH_SCOPES and scope not in custom_scopes:
            known = ", ".join(sorted(custom_scopes)) or "none"
            return ClientViolation("AllowedOAuthScopes", "ScopeDoesNotExistException",
                                   f"Invalid scope requested: {scope}",
                                   f"scope {scope} is neither a standard scope nor a resource-server scope "
                                   f"of the pool (resource-server scopes: {known})")
    if client.allowed_oauth_flows_user_pool_client and not oauth_flows:
        # UNCONFIRMED text.
        return _invalid("AllowedOAuthFlows",
                        "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed "
                        "to use OAuth flows",
                        "AllowedOAuthFlowsUserPoolClient is true but AllowedOAuthFlows is empty")
    if oauth_flows & {"code", "implicit"} and not client.callback_urls:
        return _invalid("CallbackURLs", "CallbackURLs can not be empty for code or implicit flows.",  # UNCONFIRMED
                        "the code and implicit flows redirect to a CallbackURLs entry, and none is listed")
    if client.default_redirect_uri and client.default_redirect_uri not in client.callback_urls:
        return _invalid("DefaultRedirectURI", "DefaultRedirectURI must be in CallbackURLs.")  # UNCONFIRMED
    for url in client.callback_urls + client.logout_urls:
        if "#" in url:
            return _invalid("CallbackURLs", f"{url} is not a valid callback URL; it must not contain a fragment.")

    for token, (field, low, high) in VALIDITY_RANGES.items():
        unit = client.token_validity_units.get(token)
        if unit is not None and unit not in UNIT_SECONDS:
            return _invalid("TokenValidityUnits", f"Unknown TokenValidityUnits value {unit}")
        value = getattr(client, {"AccessToken": "access_token_validity", "IdToken": "id_token_validity",
                                 "RefreshToken": "refresh_token_validity"}[token])
        if value is None:
            continue
        seconds = client.validity_seconds(token)
        if not low <= seconds <= high:
            return _invalid(field, "Invalid range for token validity.",  # UNCONFIRMED text
                            f"{field} {value} {unit or 'default units'} is {seconds} s; "
                            f"AWS allows {low} s to {high} s")
    if client.prevent_user_existence_errors not in ("LEGACY", "ENABLED"):
        return _invalid("PreventUserExistenceErrors", "PreventUserExistenceErrors must be LEGACY or ENABLED")
    if not 3 <= client.auth_session_validity <= 15:
        return _invalid("AuthSessionValidity", "AuthSessionValidity must be between 3 and 15 minutes.")
    return None
