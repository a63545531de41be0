"""The `Clients:` entries of a pool in the config: AWS's DescribeUserPoolClient fields, validated by the same
rules CreateUserPoolClient applies (cognito/client_rules.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator import config_fields as f
from emulator import config_pastes
from emulator.cognito.client_rules import client_violation
from emulator.config_fields import LOWER_ALNUM, ConfigError, stable_token
from emulator.model import AppClient

CLIENT_ID_PATTERN = re.compile(r"[\w+]+")

CLIENT_KEYS = (
    "ClientId", "ClientName", "ClientSecret", "GenerateSecret", "ExplicitAuthFlows", "AllowedOAuthFlows",
    "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient", "CallbackURLs", "LogoutURLs", "DefaultRedirectURI",
    "SupportedIdentityProviders", "PreventUserExistenceErrors", "AccessTokenValidity", "IdTokenValidity",
    "RefreshTokenValidity", "TokenValidityUnits", "EnableTokenRevocation", "AuthSessionValidity",
    "ReadAttributes", "WriteAttributes", "EnablePropagateAdditionalUserContextData",
    "RefreshTokenRotation", "AnalyticsConfiguration",
    # Describe output carries these; accepted so it pastes in, and ignored.
    "UserPoolId", "CreationDate", "LastModifiedDate",
)


def parse_client(data: Mapping[str, Any], path: str, pool_id: str, custom_scopes: set[str]) -> tuple[AppClient, bool]:
    data = config_pastes.client_entry(data, path)
    f.only_keys(data, CLIENT_KEYS, path)
    name = f.string(data, "ClientName", path, required=True)
    client_id = f.string(data, "ClientId", path) or stable_token(f"client:{pool_id}:{name}", 26, LOWER_ALNUM)
    if not CLIENT_ID_PATTERN.fullmatch(client_id) or len(client_id) > 128:
        raise ConfigError(f"{path}.ClientId", f"'{client_id}' does not match AWS's client id pattern [\\w+]+")
    secret = f.string(data, "ClientSecret", path)
    generate = f.boolean(data, "GenerateSecret", path, False)
    if secret is not None and not re.fullmatch(r"[\w+]+", secret):
        raise ConfigError(f"{path}.ClientSecret", "a client secret may only hold letters, digits, '_' and '+'")
    units = f.mapping(data.get("TokenValidityUnits") or {}, f"{path}.TokenValidityUnits")
    f.only_keys(units, ("AccessToken", "IdToken", "RefreshToken"), f"{path}.TokenValidityUnits")
    flows = f.string_list(data, "ExplicitAuthFlows", path)
    rotation = f.mapping(data.get("RefreshTokenRotation") or {}, f"{path}.RefreshTokenRotation")
    f.only_keys(rotation, ("Feature", "RetryGracePeriodSeconds"), f"{path}.RefreshTokenRotation")
    if rotation:
        f.string(rotation, "Feature", f"{path}.RefreshTokenRotation", required=True)
        f.integer(rotation, "RetryGracePeriodSeconds", f"{path}.RefreshTokenRotation")
    client = AppClient(
        pool_id=pool_id, client_id=client_id, client_name=name,
        # A generated secret is a placeholder until the store gives the client its kept one.
        client_secret=secret or ("generated" if generate else None),
        explicit_auth_flows=flows if flows else AppClient.explicit_auth_flows,
        allowed_oauth_flows=f.string_list(data, "AllowedOAuthFlows", path) or (),
        allowed_oauth_scopes=f.string_list(data, "AllowedOAuthScopes", path) or (),
        allowed_oauth_flows_user_pool_client=f.boolean(data, "AllowedOAuthFlowsUserPoolClient", path, False),
        callback_urls=f.string_list(data, "CallbackURLs", path) or (),
        logout_urls=f.string_list(data, "LogoutURLs", path) or (),
        default_redirect_uri=f.string(data, "DefaultRedirectURI", path),
        supported_identity_providers=f.string_list(data, "SupportedIdentityProviders", path) or ("COGNITO",),
        prevent_user_existence_errors=f.string(data, "PreventUserExistenceErrors", path, default="LEGACY"),
        access_token_validity=f.integer(data, "AccessTokenValidity", path, minimum=1),
        id_token_validity=f.integer(data, "IdTokenValidity", path, minimum=1),
        refresh_token_validity=f.integer(data, "RefreshTokenValidity", path, 30, minimum=1),
        token_validity_units={str(k): str(v) for k, v in units.items()},
        enable_token_revocation=f.boolean(data, "EnableTokenRevocation", path, True),
        auth_session_validity=f.integer(data, "AuthSessionValidity", path, 3),
        read_attributes=f.string_list(data, "ReadAttributes", path) or (),
        write_attributes=f.string_list(data, "WriteAttributes", path) or (),
        refresh_token_rotation=dict(rotation),
        analytics_configuration=dict(f.mapping(data.get("AnalyticsConfiguration") or {},
                                               f"{path}.AnalyticsConfiguration")),
        propagate_user_context_data=f.boolean(data, "EnablePropagateAdditionalUserContextData", path, False),
    )
    violation = client_violation(client, custom_scopes)
    if violation is not None:
        raise ConfigError(f"{path}.{violation.field}", f"{violation.error_type}: {violation.message}"
                          + ("" if violation.reason == violation.message else f" ({violation.reason})"))
    return client, generate and secret is None
