"""POST /oauth2/token: client authentication, then the authorization_code, refresh_token or
client_credentials grant; the pool is the client's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.cognito.errors import CognitoError
from emulator.issuance import Grant, TokenRefused, TokenRequest, mint
from emulator.model import AppClient, UserPool
from emulator.oauth2 import grants
from emulator.oauth2.clientauth import check_client_secret, parse_basic, presented_credentials
from emulator.oauth2.errors import OAuthError, oauth_error
from emulator.oauth2.records import redeem_code
from emulator.runtime import Runtime


def token_response(rt: Runtime, form: Mapping[str, str], authorization: str | None) -> dict[str, Any]:
    """The token endpoint's JSON answer, as one store transaction whose tokens are signed after it commits;
    raises OAuthError with AWS's error otherwise (what it recorded stands)."""
    return rt.committed(_answer, rt, form, authorization, commit_on=(OAuthError, TokenRefused, CognitoError))


def _answer(rt: Runtime, form: Mapping[str, str], authorization: str | None) -> dict[str, Any]:
    grant_type = form.get("grant_type")
    grants.check_grant_type(grant_type)
    assert grant_type is not None
    pool, client = authenticate_client(rt, form, authorization)
    grants.check_client_may_use(client, grant_type)
    if grant_type == "client_credentials":
        return _client_credentials(rt, pool, client, form)
    if grant_type == "authorization_code":
        return _authorization_code(rt, pool, client, form)
    return _refresh_token(rt, pool, client, form)


def authenticate_client(rt: Runtime, form: Mapping[str, str], authorization: str | None,
                        error_key: str = "invalid_client") -> tuple[UserPool, AppClient]:
    """The pool and client a request authenticates as (Basic header or body), or OAuthError."""
    try:
        creds = presented_credentials(parse_basic(authorization), form)
    except OAuthError as error:
        # invalid_client as the endpoint answers it (400 at the token endpoint, 401 at revoke).
        raise (oauth_error(error_key, error.reason) if error.error == "invalid_client" else error) from None
    client = check_client_secret(rt.store.client(creds.client_id), creds, error_key)
    pool = rt.store.pool(client.pool_id)
    if pool is None:
        raise oauth_error(error_key, f"app client '{client.client_id}' belongs to a deleted pool")
    return pool, client


def _client_credentials(rt: Runtime, pool: UserPool, client: AppClient, form: Mapping[str, str]) -> dict[str, Any]:
    scope = grants.client_credentials_scope(client, form.get("scope"), rt.store.custom_scopes(pool.id))
    # token-endpoint.md: exactly these three members for client_credentials.
    return oauth_shape(mint(rt, TokenRequest(Grant.CLIENT_CREDENTIALS, pool, client, scope=scope, oauth=True)))


def _authorization_code(rt: Runtime, pool: UserPool, client: AppClient, form: Mapping[str, str]) -> dict[str, Any]:
    code = _required(form, "code", "authorization_code")
    redirect_uri = _required(form, "redirect_uri", "authorization_code")
    grant = redeem_code(rt.store, code)
    grants.check_code(grant, client, redirect_uri, form.get("code_verifier"), rt.clock())
    assert grant is not None
    return oauth_shape(mint(rt, TokenRequest(
        Grant.HOSTED, pool, client, grant.username, scope=grant.scope, nonce=grant.nonce, oauth=True,
        with_id_token="openid" in grant.scope.split(), auth_time=grant.auth_time)))


def _refresh_token(rt: Runtime, pool: UserPool, client: AppClient, form: Mapping[str, str]) -> dict[str, Any]:
    token = _required(form, "refresh_token", "refresh_token")
    return oauth_shape(mint(rt, TokenRequest(Grant.REFRESH, pool, client, refresh_token=token)))


def oauth_shape(result: Mapping[str, Any]) -> dict[str, Any]:
    """An AuthenticationResult in the token endpoint's snake_case members (AWS's sample order)."""
    body: dict[str, Any] = {}
    if result.get("IdToken"):
        body["id_token"] = result["IdToken"]
    body["access_token"] = result["AccessToken"]
    if result.get("RefreshToken"):
        body["refresh_token"] = result["RefreshToken"]
    body["expires_in"] = result["ExpiresIn"]
    body["token_type"] = result["TokenType"]
    return body


def _required(form: Mapping[str, str], name: str, grant_type: str) -> str:
    value = form.get(name)
    if not value:
        raise oauth_error("invalid_request", f"grant_type={grant_type} needs {name}, and the request has none")
    return value
