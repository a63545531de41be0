"""The token endpoint's decisions, from plain values: may this client use this grant, with this code,
refresh token or scope? Each returns (the granted value, if any) or raises the OAuthError AWS answers."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from emulator.cognito.flows import effective_flows
from emulator.model import AppClient
from emulator.oauth2.errors import oauth_error
from emulator.oauth2.pkce import verifier_problem
from emulator.oauth2.scopes import client_credentials_scopes, split_scope

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
# The AllowedOAuthFlows value each grant needs (refresh is governed by ExplicitAuthFlows instead).
FLOW_OF_GRANT = {"authorization_code": "code", "client_credentials": "client_credentials"}
CODE_LIFETIME_SECONDS = 300  # authorization-endpoint.md: "a one time use code that is valid for five minutes"


@dataclass(frozen=True)
class CodeGrant:
    """What an authorization code stands for: the sign-in and the authorize request it ends."""

    pool_id: str
    client_id: str
    username: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    auth_time: int
    expires: float
    used: bool = False

    def to_record(self) -> dict[str, Any]:
        """Without `expires`: the store keeps that as the record's own expiry."""
        data = asdict(self)
        data.pop("expires")
        return data

    @classmethod
    def from_record(cls, data: Mapping[str, Any], expires: float | None) -> CodeGrant:
        return cls(**data, expires=expires or 0.0)


def check_grant_type(grant_type: str | None) -> None:
    """invalid_request without a grant_type; unsupported_grant_type for one Cognito does not have."""
    if not grant_type:
        raise oauth_error("invalid_request", "the request has no grant_type (authorization_code, refresh_token "
                                              "or client_credentials)")
    if grant_type not in GRANT_TYPES:
        raise oauth_error("unsupported_grant_type", f"grant_type {grant_type[:40]!r} is not one Cognito supports "
                                                     f"({', '.join(GRANT_TYPES)})")


def check_client_may_use(client: AppClient, grant_type: str) -> None:
    """unauthorized_client when the client's OAuth settings do not allow this grant."""
    if not client.allowed_oauth_flows_user_pool_client:
        raise oauth_error("unauthorized_client", f"client '{client.client_name}' has AllowedOAuthFlowsUserPoolClient "
                                                  "false, so it cannot use the OAuth2 endpoints")
    if grant_type == "refresh_token":
        # A rotating client has ALLOW_REFRESH_TOKEN_AUTH off and still refreshes (and rotates) here.
        if ("ALLOW_REFRESH_TOKEN_AUTH" not in effective_flows(client.explicit_auth_flows)
                and not client.rotates_refresh_tokens):
            raise oauth_error("unauthorized_client", f"client '{client.client_name}' does not allow "
                                                      "ALLOW_REFRESH_TOKEN_AUTH in ExplicitAuthFlows")
        return
    flow = FLOW_OF_GRANT[grant_type]
    if flow not in client.allowed_oauth_flows:
        listed = ", ".join(client.allowed_oauth_flows) or "none"
        raise oauth_error("unauthorized_client", f"grant_type {grant_type} needs '{flow}' in the client's "
                                                  f"AllowedOAuthFlows (client '{client.client_name}' has {listed})")
    if grant_type == "client_credentials" and not client.client_secret:
        raise oauth_error("unauthorized_client", f"client '{client.client_name}' has no secret; client_credentials "
                                                  "needs one")


def client_credentials_scope(client: AppClient, scope_param: str | None,
                             existing_custom: Collection[str]) -> str:
    """The `scope` claim of a client_credentials token, or invalid_scope."""
    granted = client_credentials_scopes(split_scope(scope_param), client.allowed_oauth_scopes, existing_custom)
    if isinstance(granted, str):
        raise oauth_error("invalid_scope", granted)
    return " ".join(granted)


def check_code(code: CodeGrant | None, client: AppClient, redirect_uri: str, code_verifier: str | None,
               now: float) -> None:
    """May this client exchange this code with this redirect_uri and verifier now?"""
    if code is None:
        raise oauth_error("invalid_grant", "the authorization code is unknown to this emulator")
    if code.used:
        raise oauth_error("invalid_grant", "the authorization code was already exchanged (codes are single use)")
    if code.expires <= now:
        raise oauth_error("invalid_grant", f"the authorization code expired {int(now - code.expires)} s ago "
                                            f"(codes are valid {CODE_LIFETIME_SECONDS // 60} minutes)")
    if code.client_id != client.client_id:
        raise oauth_error("invalid_grant", f"the authorization code was issued to client {code.client_id}, "
                                            f"not {client.client_id}")
    if redirect_uri not in client.callback_urls:
        raise oauth_error("unauthorized_client", f"redirect_uri {redirect_uri!r} is not one of the client's "
                                                  f"CallbackURLs ({', '.join(client.callback_urls) or 'none'}); "
                                                  "Cognito compares them character for character")
    if redirect_uri != code.redirect_uri:
        raise oauth_error("invalid_grant", f"redirect_uri {redirect_uri!r} differs from the one of the authorize "
                                            f"request ({code.redirect_uri!r})")
    if code.code_challenge is not None:
        problem = verifier_problem(code.code_challenge, code_verifier)
        if problem:
            raise oauth_error("invalid_request" if not code_verifier else "invalid_grant", problem)
