"""What CreateUserPoolClient/UpdateUserPoolClient refuse: shared by the YAML loader and the API.

AWS's texts and exception types, with their sources: `REFRESH_TOKEN_AUTH should always be allowed.`
(aws/aws-cdk#7625); `AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is
allowed to use OAuth flows.` (InvalidParameterException, quoted in a console error on
jobairkhan.com); the three client_credentials texts, all InvalidOAuthFlowException (no secret:
terraform configs quoting AWS; `openid is not supported with client_credentials flow`:
hashicorp/terraform-provider-aws#4984; the code/implicit mix text: user reports, its exception
type UNCONFIRMED); `CallbackUrls can not be empty when code flow or implicit flow is selected`
(InvalidOAuthFlowException, cisagov/crossfeed#440). AWS accepts OAuth settings while
AllowedOAuthFlowsUserPoolClient is false (hashicorp/terraform-provider-aws#34945: such a client is
created and then fails at /oauth2/token), so that is not refused here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

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


def _oauth_flow(field: str, message: str, reason: str) -> ClientViolation:
    return ClientViolation(field, "InvalidOAuthFlowException", message, reason)


# Hosts that may use plain http (as urlsplit spells them): AWS allows http only for local testing,
# localhost and, since 2025, the loopback IP literals (an AWS engineer in microsoft/vscode#256122).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def url_problem(url: str) -> str | None:
    """Why AWS refuses `url` as a callback or sign-out URL, or None (absolute, no fragment, https or loopback)."""
    parts = urlsplit(url)
    if "#" in url:
        return "it must not contain a fragment"
    if not parts.scheme or not (parts.netloc or parts.path):
        return "it must be an absolute URI"
    if parts.scheme == "http" and (parts.hostname or "") not in LOOPBACK_HOSTS:
        return "plain http is allowed only for localhost, 127.0.0.1 and [::1]; use https"
    return None


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
    rotation = client.refresh_token_rotation
    if rotation and rotation.get("Feature") not in ("ENABLED", "DISABLED"):
        return _invalid("RefreshTokenRotation", f"Unknown RefreshTokenRotation.Feature value {rotation.get('Feature')}",
                        "RefreshTokenRotation.Feature must be ENABLED or DISABLED")
    if not 0 <= client.rotation_grace_seconds <= 60:
        return _invalid("RefreshTokenRotation", "RetryGracePeriodSeconds must be between 0 and 60.",  # UNCONFIRMED
                        f"RefreshTokenRotation.RetryGracePeriodSeconds is {client.rotation_grace_seconds}")
    # A rotating client renews sessions with GetTokensFromRefreshToken only: AWS's guide has the
    # console's ALLOW_REFRESH_TOKEN_AUTH unchecked for it ("refresh tokens", developer guide).
    if flows & ALLOW_FLOWS and "ALLOW_REFRESH_TOKEN_AUTH" not in flows and not client.rotates_refresh_tokens:
        return _invalid("ExplicitAuthFlows", "REFRESH_TOKEN_AUTH should always be allowed.",
                        "ExplicitAuthFlows with ALLOW_ values must include ALLOW_REFRESH_TOKEN_AUTH")

    oauth_flows = set(client.allowed_oauth_flows)
    for flow in sorted(oauth_flows - {"code", "implicit", "client_credentials"}):
        return _invalid("AllowedOAuthFlows", f"Unknown AllowedOAuthFlows value {flow}")
    if client.allowed_oauth_flows_user_pool_client and not (oauth_flows and client.allowed_oauth_scopes):
        missing = "AllowedOAuthFlows" if not oauth_flows else "AllowedOAuthScopes"
        return _invalid(missing, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is "
                                 "allowed to use OAuth flows.",
                        f"AllowedOAuthFlowsUserPoolClient is true but {missing} is empty")
    if "client_credentials" in oauth_flows:
        if oauth_flows & {"code", "implicit"}:
            others = " and ".join(sorted(oauth_flows & {"code", "implicit"}))
            return _oauth_flow("AllowedOAuthFlows",
                               "client_credentials flow can not be selected along with code flow or implicit flow.",
                               f"AllowedOAuthFlows has client_credentials together with {others}; a client is "
                               "either a machine (client_credentials) or a user-facing app (code/implicit)")
        if not client.client_secret:
            return _oauth_flow("AllowedOAuthFlows",
                               "client_credentials flow can not be selected if client does not have a client secret.",
                               f"client '{client.client_name}' has no secret; client_credentials authenticates the "
                               "client by its secret, so create the client with GenerateSecret true")
        for scope in client.allowed_oauth_scopes:
            if scope in STANDARD_OAUTH_SCOPES:
                return _oauth_flow("AllowedOAuthScopes", f"{scope} is not supported with client_credentials flow",
                                   f"client_credentials tokens carry only resource-server scopes "
                                   f"('<identifier>/<scope>'); {scope} is a standard scope")
    for scope in client.allowed_oauth_scopes:
        if scope not in STANDARD_OAUTH_SCOPES and scope not in custom_scopes:
            known = ", ".join(sorted(custom_scopes)) or "none"
            return ClientViolation("AllowedOAuthScopes", "ScopeDoesNotExistException",
                                   f"Invalid scope requested: {scope}",
                                   f"scope {scope} is neither a standard scope nor a resource-server scope "
                                   f"of the pool (resource-server scopes: {known})")
    if oauth_flows & {"code", "implicit"} and not client.callback_urls:
        return _oauth_flow("CallbackURLs", "CallbackUrls can not be empty when code flow or implicit flow is selected",
                           "the code and implicit flows redirect to a CallbackURLs entry, and none is listed")
    if client.default_redirect_uri and client.default_redirect_uri not in client.callback_urls:
        return _invalid("DefaultRedirectURI", "DefaultRedirectURI must be in CallbackURLs.",  # UNCONFIRMED text
                        f"DefaultRedirectURI {client.default_redirect_uri} is not one of the CallbackURLs")
    for field, urls in (("CallbackURLs", client.callback_urls), ("LogoutURLs", client.logout_urls)):
        for url in urls:
            problem = url_problem(url)
            if problem:
                return _invalid(field, f"{url} is not a valid URL: {problem}",  # UNCONFIRMED text
                                f"{field} entry {url}: {problem}")

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
            # AWS's text (quoted in aws-samples/cloudfront-authorization-at-edge#144).
            return _invalid(field, "Invalid range for token validity.",
                            f"{field} {value} {unit or 'default units'} is {seconds} s; "
                            f"AWS allows {low} s to {high} s")
    if client.prevent_user_existence_errors not in ("LEGACY", "ENABLED"):
        return _invalid("PreventUserExistenceErrors", "PreventUserExistenceErrors must be LEGACY or ENABLED")
    if not 3 <= client.auth_session_validity <= 15:
        return _invalid("AuthSessionValidity", "AuthSessionValidity must be between 3 and 15 minutes.")
    return None
