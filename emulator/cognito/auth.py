"""InitiateAuth / AdminInitiateAuth / RespondToAuthChallenge / AdminRespondToAuthChallenge,
GetUser and GlobalSignOut: sign-in, its challenges, and the tokens at the end of it."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from emulator.cognito import custom_auth, mfa, srp
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.flows import ADMIN_INITIATE, INITIATE, check_flow
from emulator.cognito.lockout import check_password, record_failure, record_success, refuse_if_locked
from emulator.cognito.lookup import (
    check_secret_hash,
    check_secret_hash_any,
    find_user,
    require_client,
    require_param,
    require_pool,
    user_gone,
)
from emulator.cognito.passwords import policy_violation, set_password
from emulator.cognito.protocol import Call
from emulator.cognito.sessions import SESSION_GRACE_SECONDS, find_refresh_token, take_session
from emulator.cognito.signin import challenge, check_user_can_sign_in, issue_tokens, refreshed_tokens
from emulator.cognito.temporary_passwords import refuse_if_expired
from emulator.cognito.users import check_writable
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

# Second factors and custom challenges plug in here (MFA, CUSTOM_AUTH): each returns a
# challenge response for a user who passed the first factor, or None to go on to tokens.
AFTER_FIRST_FACTOR: list[Callable[[Runtime, UserPool, AppClient, UserRecord], dict[str, Any] | None]] = [
    mfa.second_factor,
]


def after_first_factor(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord) -> dict[str, Any]:
    """What follows a correct password: the new-password challenge, a second factor, or tokens."""
    if user.status == "FORCE_CHANGE_PASSWORD":
        refuse_if_expired(rt, pool, user)
        writable = {k: v for k, v in user.attributes.items() if k not in ("sub",)}
        return challenge(rt, pool, client, user, "NEW_PASSWORD_REQUIRED", {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": json.dumps([f"userAttributes.{name}" for name in missing_required(pool, user)]),
            "userAttributes": json.dumps(writable),
        })
    for step in AFTER_FIRST_FACTOR:
        response = step(rt, pool, client, user)
        if response is not None:
            return response
    return {"ChallengeParameters": {}, "AuthenticationResult": issue_tokens(rt, pool, client, user)}


# -- the flows --------------------------------------------------------------------------------


def _password_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    username = require_param(params, "USERNAME")
    password = require_param(params, "PASSWORD")
    user = find_user(rt.store, pool, username)
    check_secret_hash_any(client, (username, user.username) if user else (username,), params.get("SECRET_HASH"))
    if user is None:
        raise user_gone(pool, client, username)
    check_user_can_sign_in(pool, user)
    check_password(rt, pool, user, password)
    return after_first_factor(rt, pool, client, user)


def _refresh_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    token = require_param(params, "REFRESH_TOKEN")
    record = find_refresh_token(rt.store, pool.id, token)
    if record is None or record.client_id != client.client_id:
        why = "the refresh token is unknown to this pool" if record is None else \
            f"the refresh token was issued to client {record.client_id}, not {client.client_id}"
        raise reject("refresh_token_invalid", why)
    if client.client_secret or params.get("SECRET_HASH"):
        check_secret_hash(client, record.username, params.get("SECRET_HASH"), refresh=True)
    if record.revoked:
        raise reject("refresh_token_revoked", "the refresh token was revoked (RevokeToken, GlobalSignOut or "
                                              "AdminUserGlobalSignOut)")
    if record.expires <= rt.clock():
        raise reject("refresh_token_expired", f"the refresh token expired at {int(record.expires)} "
                                              f"(RefreshTokenValidity of client '{client.client_name}')")
    user = rt.store.user(pool, record.username)
    if user is None:
        raise reject("user_not_found", f"user '{record.username}' of this refresh token no longer exists")
    if not user.enabled:
        raise reject("user_disabled", f"user '{user.username}' is disabled")
    return {"ChallengeParameters": {}, "AuthenticationResult": refreshed_tokens(rt, pool, client, user, record)}


def _srp_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    username = require_param(params, "USERNAME")
    a_hex = require_param(params, "SRP_A")
    user = find_user(rt.store, pool, username)
    check_secret_hash_any(client, (username, user.username) if user else (username,), params.get("SECRET_HASH"))
    require_valid_srp_a(a_hex)
    if user is None and client.prevent_user_existence_errors != "ENABLED":
        raise user_gone(pool, client, username)
    if user is not None:
        check_user_can_sign_in(pool, user)
    return start_password_verifier(rt, pool, client, user, username, a_hex)


def require_valid_srp_a(a_hex: str) -> None:
    """Refuse an SRP_A a real client cannot send: not hex, absurdly long, or A mod N = 0 (the SRP bypass)."""
    if not srp.public_a_valid(a_hex):
        raise reject("validation", "SRP_A is not a valid SRP public value (A mod N is 0, or not hex)",
                     detail="Invalid SRP_A value")  # UNCONFIRMED text


def _srp_pepper(rt: Runtime, pool: UserPool) -> bytes:
    """A per-pool secret that keys the simulated answers for unknown users (stable across restarts)."""
    return rt.keyring.signing_key(pool.id, "id").kid.encode()


def _simulated_user_id(rt: Runtime, pool: UserPool, name: str) -> str:
    """USER_ID_FOR_SRP for an unknown user: the name itself, or a stable UUID-shaped id in a pool whose
    users sign in by email/phone (real users there have UUID usernames, so echoing the email would tell).
    UNCONFIRMED: what AWS sends here is not documented."""
    if not pool.username_attributes:
        return name
    digest = hmac.new(_srp_pepper(rt, pool), f"user-id\x00{name}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _secret_block_key(secret_block: str) -> str:
    return hashlib.sha256(secret_block.encode()).hexdigest()


def start_password_verifier(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord | None,
                            typed_name: str, a_hex: str, extra_state: dict[str, Any] | None = None
                            ) -> dict[str, Any]:
    """The PASSWORD_VERIFIER challenge for SRP_A: SALT, SRP_B and SECRET_BLOCK, with its state kept server-side.

    `user` None is an unknown user under PreventUserExistenceErrors ENABLED: AWS answers with a believable
    challenge whose salt is stable for that name, so probing cannot tell; the proof then fails."""
    if user is not None and user.srp_salt and user.srp_verifier:
        salt, verifier = user.srp_salt, int(user.srp_verifier, 16)
        user_id, exists = user.username, True
    else:
        # An unknown user, or one without a password (nothing to prove against): a verifier for a
        # random password makes every proof fail. Never a placeholder verifier like 1: with v = 1 the
        # session key is computable without any password.
        key = rt.store.user_key(pool, typed_name) if user is None else user.username
        salt = srp.simulated_salt(pool.id, key, _srp_pepper(rt, pool))
        user_id = _simulated_user_id(rt, pool, key) if user is None else user.username
        verifier = srp.simulated_verifier(pool.id, user_id, salt)
        exists = user is not None
    step = srp.start_challenge(verifier, salt)
    secret_block = srp.new_secret_block()
    state = {"srp": {"a": a_hex, "b": srp.to_hex(step.b), "B": srp.to_hex(step.big_b), "salt": salt,
                     "verifier": srp.to_hex(verifier), "secret_block": secret_block, "exists": exists,
                     "typed_name": typed_name},
             **(extra_state or {})}
    fake = UserRecord(pool_id=pool.id, username=user_id, sub="", attributes={}, status="")
    response = challenge(rt, pool, client, user or fake, "PASSWORD_VERIFIER", {
        "SALT": step.salt_param, "SRP_B": step.srp_b_param, "SECRET_BLOCK": secret_block,
        "USERNAME": user_id, "USER_ID_FOR_SRP": user_id,
    }, state)
    # AWS keeps the SRP state inside SECRET_BLOCK, so clients (pycognito, among others) answer without
    # the Session. Index the session by the block so either answer finds it; both are single-use.
    lifetime = client.auth_session_validity * 60
    rt.store.put("srp_secret_block", pool.id, _secret_block_key(secret_block), {"session": response["Session"]},
                 expires=rt.clock() + lifetime + SESSION_GRACE_SECONDS)
    return response


def _custom_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    custom_auth.require_triggers(pool)
    username = require_param(params, "USERNAME")
    user = find_user(rt.store, pool, username)
    check_secret_hash_any(client, (username, user.username) if user else (username,), params.get("SECRET_HASH"))
    a_hex = params.get("SRP_A")
    if a_hex:
        require_valid_srp_a(a_hex)
    if user is None and client.prevent_user_existence_errors != "ENABLED":
        raise user_gone(pool, client, username)
    if user is not None:
        check_user_can_sign_in(pool, user)
    return custom_auth.begin(rt, pool, client, user, username, a_hex, start_password_verifier)


def _unimplemented_flow(rt: Runtime, pool: UserPool, client: AppClient, params: dict[str, str]) -> dict[str, Any]:
    raise reject("flow_not_supported", "the emulator does not implement this AuthFlow yet")


FLOW_HANDLERS: dict[str, Callable[[Runtime, UserPool, AppClient, dict[str, str]], dict[str, Any]]] = {
    "USER_PASSWORD_AUTH": _password_flow,
    "ADMIN_USER_PASSWORD_AUTH": _password_flow,
    "ADMIN_NO_SRP_AUTH": _password_flow,
    "REFRESH_TOKEN_AUTH": _refresh_flow,
    "REFRESH_TOKEN": _refresh_flow,
    "USER_SRP_AUTH": _srp_flow,
    "CUSTOM_AUTH": _custom_flow,
    "USER_AUTH": _unimplemented_flow,
}


def _initiate(rt: Runtime, params: dict, operation: str, pool_id: str | None) -> dict[str, Any]:
    if pool_id is not None:
        require_pool(rt.store, pool_id)
    pool, client = require_client(rt.store, params["ClientId"], pool_id)
    flow = params["AuthFlow"]
    refusal = check_flow(operation, flow, client.client_name, client.explicit_auth_flows)
    if refusal is not None:
        raise reject(refusal.error, refusal.reason)
    custom_auth.CLIENT_METADATA.set(params.get("ClientMetadata") or {})
    return FLOW_HANDLERS[flow](rt, pool, client, params.get("AuthParameters") or {})


def initiate_auth(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return _initiate(rt, params, INITIATE, None)


def admin_initiate_auth(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return _initiate(rt, params, ADMIN_INITIATE, params["UserPoolId"])


# -- challenge responses ----------------------------------------------------------------------

Responder = Callable[[Runtime, UserPool, AppClient, dict[str, Any], dict[str, str]], dict[str, Any]]


def _session_user(rt: Runtime, pool: UserPool, session: dict[str, Any]) -> UserRecord:
    user = rt.store.user(pool, session["username"])
    if user is None:
        raise reject("session_invalid", f"user '{session['username']}' of this session no longer exists")
    return user


def _new_password(rt: Runtime, pool: UserPool, client: AppClient, session: dict[str, Any],
                  responses: dict[str, str]) -> dict[str, Any]:
    user = _session_user(rt, pool, session)
    check_user_can_sign_in(pool, user)
    if user.status != "FORCE_CHANGE_PASSWORD":
        raise reject("session_invalid", f"user '{user.username}' is {user.status} now; the new-password "
                                        "challenge no longer applies")
    password = require_param(responses, "NEW_PASSWORD", "missing_challenge_response")
    problem = policy_violation(pool.password_policy, password)
    if problem:
        raise reject("invalid_password", f"the new password breaks the pool's password policy: {problem}",
                     detail=problem)
    changes = {key.split(".", 1)[1]: value for key, value in responses.items() if key.startswith("userAttributes.")}
    check_writable(pool, changes, client)
    user.attributes.update({name: value for name, value in changes.items() if value})
    missing = missing_required(pool, user)
    if missing:
        raise reject("new_password_missing_attributes", f"the pool's schema requires {', '.join(missing)}; send "
                     f"them as userAttributes.<name> with the new password", name=missing[0])
    set_password(user, pool.id, password)
    user.status = "CONFIRMED"
    user.modified = rt.clock()
    rt.store.put_user(pool, user)
    return after_first_factor(rt, pool, client, user)


def missing_required(pool: UserPool, user: UserRecord) -> list[str]:
    """Required standard attributes of the pool's schema that the user has no value for."""
    return [name for name in pool.required_attributes if not user.attributes.get(name)]


def _password_verifier(rt: Runtime, pool: UserPool, client: AppClient, session: dict[str, Any],
                       responses: dict[str, str]) -> dict[str, Any]:
    state = session["srp"]
    # The block is single-use whichever way the answer found this session.
    rt.store.delete("srp_secret_block", pool.id, _secret_block_key(state["secret_block"]))
    for name in ("PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP", "USERNAME"):
        require_param(responses, name, "missing_challenge_response")
    if responses["PASSWORD_CLAIM_SECRET_BLOCK"] != state["secret_block"]:
        raise reject("wrong_password", "PASSWORD_CLAIM_SECRET_BLOCK is not the SECRET_BLOCK of this challenge "
                                       "(replayed or from another sign-in)")
    if srp.parse_timestamp(responses["TIMESTAMP"]) is None:
        raise reject("validation", f"TIMESTAMP {responses['TIMESTAMP']!r} is not 'EEE MMM d HH:mm:ss z yyyy'",
                     detail="TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    if client.client_secret or responses.get("SECRET_HASH"):
        names = (responses["USERNAME"], session["username"], state.get("typed_name"))
        check_secret_hash_any(client, tuple(n for n in names if n), responses.get("SECRET_HASH"))
    check = srp.verify_password_claim(
        pool_id=pool.id, user_id_for_srp=session["username"], verifier=int(state["verifier"], 16),
        a=int(state["a"], 16), b=int(state["b"], 16), big_b=int(state["B"], 16),
        secret_block_b64=state["secret_block"], timestamp=responses["TIMESTAMP"],
        signature=responses["PASSWORD_CLAIM_SIGNATURE"], now=datetime.fromtimestamp(rt.clock(), UTC))
    if not state["exists"]:
        raise user_gone(pool, client, state.get("typed_name") or session["username"])
    user = _session_user(rt, pool, session)
    refuse_if_locked(user, rt.clock())
    if not check.ok:
        record_failure(rt, pool, user)
        raise reject("wrong_password", f"SRP proof refused: {check.reason}")
    record_success(rt, pool, user)
    check_user_can_sign_in(pool, user)
    if "custom" in session:
        return custom_auth.after_password_verifier(rt, pool, client, user, session["custom"],
                                                   start_password_verifier)
    return after_first_factor(rt, pool, client, user)


def _custom_challenge(rt: Runtime, pool: UserPool, client: AppClient, session: dict[str, Any],
                      responses: dict[str, str]) -> dict[str, Any]:
    return custom_auth.respond_custom_challenge(rt, pool, client, session, responses, start_password_verifier)


CHALLENGE_RESPONDERS: dict[str, Responder] = {
    "NEW_PASSWORD_REQUIRED": _new_password,
    "PASSWORD_VERIFIER": _password_verifier,
    **mfa.CHALLENGE_RESPONDERS,
    "CUSTOM_CHALLENGE": _custom_challenge,
}


def _session_token(rt: Runtime, pool: UserPool, name: str, session: str | None,
                   responses: dict[str, str]) -> str | None:
    """The Session of this answer; a PASSWORD_VERIFIER answer may omit it and be found by its SECRET_BLOCK."""
    if session or name != "PASSWORD_VERIFIER":
        return session
    block = require_param(responses, "PASSWORD_CLAIM_SECRET_BLOCK", "missing_challenge_response")
    record = rt.store.take("srp_secret_block", pool.id, _secret_block_key(block), rt.clock())
    if record is None:
        raise reject("wrong_password", "PASSWORD_CLAIM_SECRET_BLOCK is not a SECRET_BLOCK this emulator issued "
                                       "to this pool, or it was already answered (each is single-use)")
    return record["session"]


def _respond(rt: Runtime, params: dict, pool_id: str | None) -> dict[str, Any]:
    if pool_id is not None:
        require_pool(rt.store, pool_id)
    pool, client = require_client(rt.store, params["ClientId"], pool_id)
    name = params["ChallengeName"]
    responses = params.get("ChallengeResponses") or {}
    custom_auth.CLIENT_METADATA.set(params.get("ClientMetadata") or {})
    token = _session_token(rt, pool, name, params.get("Session"), responses)
    session = take_session(rt.store, token, client.client_id, rt.clock())
    if session["challenge"] != name:
        raise reject("session_invalid", f"this Session is for challenge {session['challenge']}, not {name}")
    if name != "PASSWORD_VERIFIER" and (client.client_secret or responses.get("SECRET_HASH")):
        # By the name the client sent (an alias in email/phone pools) or the user's real username.
        check_secret_hash_any(client, tuple(n for n in (responses.get("USERNAME"), session["username"]) if n),
                        responses.get("SECRET_HASH"))
    responder = CHALLENGE_RESPONDERS.get(name)
    if responder is None:
        raise reject("challenge_name_mismatch", f"the emulator has no responder for challenge {name}", name=name)
    try:
        return responder(rt, pool, client, session, responses)
    except CognitoError:
        # A wrong MFA code leaves the challenge open for another try (the responder says so).
        mfa.keep_session_if_asked(rt, token, session)
        raise


def respond_to_auth_challenge(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return _respond(rt, params, None)


def admin_respond_to_auth_challenge(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return _respond(rt, params, params["UserPoolId"])


OPERATIONS = {
    "InitiateAuth": initiate_auth,
    "AdminInitiateAuth": admin_initiate_auth,
    "RespondToAuthChallenge": respond_to_auth_challenge,
    "AdminRespondToAuthChallenge": admin_respond_to_auth_challenge,
}
