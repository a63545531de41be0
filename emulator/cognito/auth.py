"""InitiateAuth / AdminInitiateAuth / RespondToAuthChallenge / AdminRespondToAuthChallenge: the API's
view of the sign-in core (signin.py). Each flow proves a first factor or opens a challenge; an
authenticated outcome becomes an AuthenticationResult through the one token path (issuance.mint)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from emulator.cognito import custom_auth, devices, password_verifier, user_triggers
from emulator.cognito.challenges import Authenticated, Challenge, Outcome, check_user_can_sign_in
from emulator.cognito.errors import reject
from emulator.cognito.flows import ADMIN_INITIATE, INITIATE, check_flow
from emulator.cognito.lookup import (
    check_client_secret,
    check_secret_hash,
    check_secret_hash_any,
    find_user,
    missing_secret_key,
    require_client,
    require_param,
    require_pool,
    user_gone,
)
from emulator.cognito.protocol import Call
from emulator.cognito.signin import after_first_factor, authenticated, begin_user_auth, respond, verify_password
from emulator.issuance import Grant, TokenRequest, mint
from emulator.model import AppClient, UserPool
from emulator.refresh_tokens import find_refresh_token
from emulator.runtime import Runtime


def answer(rt: Runtime, pool: UserPool, client: AppClient, outcome: Outcome) -> dict[str, Any]:
    """The API's answer to a sign-in step: the challenge, or tokens for the authenticated user."""
    if isinstance(outcome, Challenge):
        return outcome.to_aws()
    assert isinstance(outcome, Authenticated)
    tokens = mint(rt, TokenRequest(outcome.grant, pool, client, outcome.user.username, factors=outcome.factors))
    if outcome.device is None and devices.configuration(rt, pool) is not None:
        # A pool that tracks devices hands each new one a key to confirm (ConfirmDevice).
        tokens["NewDeviceMetadata"] = devices.new_device_metadata(rt, pool, outcome.user)
    return {"ChallengeParameters": {}, "AuthenticationResult": tokens}


# -- the flows --------------------------------------------------------------------------------


def _typed_user(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str],
                missing: str = "secret_hash_missing") -> tuple[str, Any]:
    """USERNAME as typed, the user it names (or None), with the SECRET_HASH checked over either name."""
    username = require_param(params, "USERNAME")
    user = find_user(rt.store, pool, username)
    check_secret_hash_any(client, (username, user.username) if user else (username,), params.get("SECRET_HASH"),
                          missing)
    return username, user


def _password_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str],
                   missing: str = "secret_hash_missing") -> dict[str, Any]:
    require_param(params, "USERNAME")
    password = require_param(params, "PASSWORD")
    username, user = _typed_user(rt, pool, client, params, missing)
    user = verify_password(rt, pool, client, username, user, password)
    return answer(rt, pool, client, after_first_factor(rt, pool, client, user, params.get("DEVICE_KEY")))


def _refresh_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    token = require_param(params, "REFRESH_TOKEN")
    record = find_refresh_token(rt.store, pool.id, token)
    # AWS checks the SECRET_HASH, over the user's own username, once the token is known to be this client's.
    if record is not None and record.client_id == client.client_id and (
            client.client_secret or params.get("SECRET_HASH")):
        check_secret_hash(client, record.username, params.get("SECRET_HASH"), refresh=True)
    tokens = mint(rt, TokenRequest(Grant.REFRESH, pool, client, refresh_token=token))
    return {"ChallengeParameters": {}, "AuthenticationResult": tokens}


def _known_or_hidden(pool: UserPool, client: AppClient, username: str, user: Any) -> None:
    """An unknown user goes on only where the client hides user existence (the challenge then fails)."""
    if user is None and client.prevent_user_existence_errors != "ENABLED":
        raise user_gone(pool, client, username)
    if user is not None:
        check_user_can_sign_in(pool, user)


def _srp_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    require_param(params, "USERNAME")
    a_hex = require_param(params, "SRP_A")
    username, user = _typed_user(rt, pool, client, params)
    password_verifier.require_valid_srp_a(a_hex)
    _known_or_hidden(pool, client, username, user)
    if user is not None:
        user_triggers.pre_authentication(rt, pool, client.client_id, user)
    return answer(rt, pool, client, password_verifier.start(rt, pool, client, user, username, a_hex))


def _custom_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    custom_auth.require_triggers(pool)
    username, user = _typed_user(rt, pool, client, params)
    a_hex = params.get("SRP_A")
    if a_hex:
        password_verifier.require_valid_srp_a(a_hex)
    _known_or_hidden(pool, client, username, user)
    if user is not None:
        user_triggers.pre_authentication(rt, pool, client.client_id, user)
    return answer(rt, pool, client, authenticated(rt, pool, client,
                                                  custom_auth.begin(rt, pool, client, user, username, a_hex)))


def _user_auth_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    require_param(params, "USERNAME")
    username, user = _typed_user(rt, pool, client, params)
    return answer(rt, pool, client, authenticated(rt, pool, client,
                                                  begin_user_auth(rt, pool, client, username, user, params)))


FLOW_HANDLERS: dict[str, Callable[[Runtime, UserPool, AppClient, dict[str, str]], dict[str, Any]]] = {
    "USER_PASSWORD_AUTH": partial(_password_flow, missing=missing_secret_key("USER_PASSWORD_AUTH")),
    "ADMIN_USER_PASSWORD_AUTH": _password_flow,
    "ADMIN_NO_SRP_AUTH": _password_flow,
    "REFRESH_TOKEN_AUTH": _refresh_flow,
    "REFRESH_TOKEN": _refresh_flow,
    "USER_SRP_AUTH": _srp_flow,
    "CUSTOM_AUTH": _custom_flow,
    "USER_AUTH": _user_auth_flow,
}


def _initiate(rt: Runtime, params: dict, operation: str, pool_id: str | None) -> dict[str, Any]:
    if pool_id is not None:
        require_pool(rt.store, pool_id)
    pool, client = require_client(rt.store, params["ClientId"], pool_id)
    flow = params["AuthFlow"]
    refusal = check_flow(operation, flow, client.client_name, client.explicit_auth_flows,
                         client.rotates_refresh_tokens)
    if refusal is not None:
        raise reject(refusal.error, refusal.reason)
    custom_auth.CLIENT_METADATA.set(params.get("ClientMetadata") or {})
    return FLOW_HANDLERS[flow](rt, pool, client, params.get("AuthParameters") or {})


def initiate_auth(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return _initiate(rt, params, INITIATE, None)


def admin_initiate_auth(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return _initiate(rt, params, ADMIN_INITIATE, params["UserPoolId"])


# -- challenge responses ----------------------------------------------------------------------


def _respond(rt: Runtime, params: dict, pool_id: str | None) -> dict[str, Any]:
    if pool_id is not None:
        require_pool(rt.store, pool_id)
    pool, client = require_client(rt.store, params["ClientId"], pool_id)
    custom_auth.CLIENT_METADATA.set(params.get("ClientMetadata") or {})
    outcome = respond(rt, pool, client, params["ChallengeName"], params.get("Session"),
                      params.get("ChallengeResponses") or {})
    return answer(rt, pool, client, outcome)


def get_tokens_from_refresh_token(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    """New ID and access tokens from a refresh token, and a new refresh token when the client rotates them."""
    pool, client = require_client(rt.store, params["ClientId"])
    check_client_secret(client, params.get("ClientSecret"))
    custom_auth.CLIENT_METADATA.set(params.get("ClientMetadata") or {})
    tokens = mint(rt, TokenRequest(Grant.REFRESH, pool, client, refresh_token=params["RefreshToken"]))
    return {"AuthenticationResult": tokens}


def respond_to_auth_challenge(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return _respond(rt, params, None)


def admin_respond_to_auth_challenge(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return _respond(rt, params, params["UserPoolId"])


OPERATIONS = {
    "InitiateAuth": initiate_auth,
    "AdminInitiateAuth": admin_initiate_auth,
    "RespondToAuthChallenge": respond_to_auth_challenge,
    "AdminRespondToAuthChallenge": admin_respond_to_auth_challenge,
    "GetTokensFromRefreshToken": get_tokens_from_refresh_token,
}
