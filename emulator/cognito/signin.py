"""The sign-in core: the first factor (a password, or USER_AUTH's choice), what follows it, and the answer to
every challenge. InitiateAuth,
AdminInitiateAuth, RespondToAuthChallenge and the hosted login page all go through these functions;
each step ends in an `Outcome` (another challenge, or an authenticated user), never in tokens: the
caller hands an authenticated user to the token path (the API) or to a code grant (the login page)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from emulator.cognito import (
    auth_event_log,
    custom_auth,
    devices,
    email_otp,
    mfa,
    migration,
    password_verifier,
    user_triggers,
    webauthn,
)
from emulator.cognito.challenges import (
    Authenticated,
    Outcome,
    check_user_can_sign_in,
    open_challenge,
    session_user,
)
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lockout import check_password
from emulator.cognito.lookup import check_secret_hash_any, require_param, user_gone
from emulator.cognito.passwords import policy_violation, set_password
from emulator.cognito.sessions import (
    ChallengeSession,
    OpenSession,
    restore_session,
    session_of_secret_block,
    take_session,
)
from emulator.cognito.temporary_passwords import refuse_if_expired
from emulator.cognito.user_auth_rules import UserFirstFactors, available_challenges, configured_factors
from emulator.cognito.users import check_writable
from emulator.issuance import Grant
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"
SELECT_CHALLENGE = "SELECT_CHALLENGE"


def verify_password(rt: Runtime, pool: UserPool, client: AppClient, typed_name: str, user: UserRecord | None,
                    password: str) -> UserRecord:
    """The first factor by password: the user exists (as the client's PreventUserExistenceErrors words it, or
    UserMigration brings them in, vouching for the password), may sign in, passes PreAuthentication, is not
    locked out, and the password is theirs."""
    if user is None:
        migrated = migration.migrate(rt, pool, client, typed_name, password)
        if migrated is None:
            raise user_gone(pool, client, typed_name)
        check_user_can_sign_in(pool, migrated)  # finalUserStatus RESET_REQUIRED: reset first
        return migrated
    check_user_can_sign_in(pool, user)
    user_triggers.pre_authentication(rt, pool, client.client_id, user)
    check_password(rt, pool, user, password, typed_name)
    return user


def after_first_factor(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord,
                       device_key: str | None = None) -> Outcome:
    """What follows a proven first factor: the new-password challenge, the device's proof (DEVICE_KEY of a
    confirmed device), a second factor, or authenticated (then PostAuthentication runs)."""
    return authenticated(rt, pool, client, _next_step(rt, pool, client, user, device_key))


def authenticated(rt: Runtime, pool: UserPool, client: AppClient, outcome: Outcome) -> Outcome:
    """Where a sign-in step ends: when it ends authenticated, PostAuthentication runs before any token."""
    if isinstance(outcome, Authenticated):
        user_triggers.post_authentication(rt, pool, client.client_id, outcome.user)
    return outcome


def _next_step(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord,
               device_key: str | None = None) -> Outcome:
    if user.status == "FORCE_CHANGE_PASSWORD":
        refuse_if_expired(rt, pool, user)
        writable = {k: v for k, v in user.attributes.items() if k not in ("sub",)}
        return open_challenge(rt, pool, client, user.username, NEW_PASSWORD, {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": json.dumps([f"userAttributes.{name}" for name in missing_required(pool, user)]),
            "userAttributes": json.dumps(writable),
        })
    device = devices.device_challenge(rt, pool, client, user, device_key)
    if device is not None:
        return device
    second = mfa.second_factor(rt, pool, client, user)
    return second if second is not None else Authenticated(user)


def missing_required(pool: UserPool, user: UserRecord) -> list[str]:
    """Required standard attributes of the pool's schema that the user has no value for."""
    return [name for name in pool.required_attributes if not user.attributes.get(name)]


# -- USER_AUTH: the first factor the user chooses -----------------------------------------------------


def begin_user_auth(rt: Runtime, pool: UserPool, client: AppClient, typed_name: str, user: UserRecord | None,
                    parameters: dict[str, str]) -> Outcome:
    """InitiateAuth USER_AUTH (the caller runs `authenticated` on the outcome): the PREFERRED_CHALLENGE when the
    user has it, else SELECT_CHALLENGE with the AvailableChallenges ("If you don't provide a value for
    PREFERRED_CHALLENGE, Amazon Cognito responds with the AvailableChallenges parameter", AuthParameters in the
    API reference; that an unavailable preference gets the same answer is UNCONFIRMED)."""
    preferred = parameters.get("PREFERRED_CHALLENGE")
    if user is None:
        if preferred == "PASSWORD" and parameters.get("PASSWORD"):  # UserMigration may still bring them in
            return _next_step(rt, pool, client, verify_password(
                rt, pool, client, typed_name, None, parameters["PASSWORD"]))
        raise user_gone(pool, client, typed_name)
    check_user_can_sign_in(pool, user)
    challenges = available_challenges(configured_factors(pool.first_auth_factors, UserFirstFactors.of(user)))
    if preferred in challenges:
        return _choose(rt, pool, client, typed_name, user, preferred, parameters)
    if not challenges:
        raise reject("challenge_not_available", f"user '{user.username}' has none of the pool's first factors "
                     f"{list(pool.first_auth_factors)} set up", name=preferred or SELECT_CHALLENGE)
    session = ChallengeSession(pool.id, client.client_id, user.username, SELECT_CHALLENGE, mfa_choices=challenges)
    opened = open_challenge(rt, pool, client, user.username, SELECT_CHALLENGE, {}, session)
    return replace(opened, available=tuple(challenges))


def _choose(rt: Runtime, pool: UserPool, client: AppClient, typed_name: str, user: UserRecord, name: str,
            answers: dict[str, str]) -> Outcome:
    """The chosen first factor: PASSWORD proves it at once, PASSWORD_SRP opens PASSWORD_VERIFIER, EMAIL_OTP and
    SMS_OTP send a code. A one-time code or a passkey is the whole sign-in: no MFA follows it."""
    if name == "PASSWORD":
        password = require_param(answers, "PASSWORD", "missing_challenge_response")
        return _next_step(rt, pool, client, verify_password(rt, pool, client, typed_name, user, password))
    user_triggers.pre_authentication(rt, pool, client.client_id, user)
    if name == "PASSWORD_SRP":
        a_hex = require_param(answers, "SRP_A", "missing_challenge_response")
        password_verifier.require_valid_srp_a(a_hex)
        return password_verifier.start(rt, pool, client, user, typed_name, a_hex)
    if name in email_otp.CHANNELS:
        return email_otp.challenge(rt, pool, client, user, name)
    if name == webauthn.NAME:
        return webauthn.challenge(rt, pool, client, user)
    raise reject("challenge_not_available", f"the emulator does not implement the {name} first factor yet",
                 name=name)


def _select_challenge(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                      responses: dict[str, str]) -> Outcome:
    """SELECT_CHALLENGE: ANSWER names one of the AvailableChallenges, with that challenge's own answer when it
    completes in one step (PASSWORD, PASSWORD_SRP's SRP_A), as ChallengeResponses in the API reference shows."""
    require_param(responses, "USERNAME", "missing_challenge_response")
    user = session_user(rt, pool, opened.data)
    answer = require_param(responses, "ANSWER", "missing_challenge_response")
    if answer not in opened.data.mfa_choices:
        raise reject("challenge_not_available", f"ANSWER {answer!r} is not one of the AvailableChallenges "
                     f"{opened.data.mfa_choices}", name=answer)
    return _choose(rt, pool, client, user.username, user, answer, responses)


# -- the challenge responders ---------------------------------------------------------------------


def _new_password(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                  responses: dict[str, str]) -> Outcome:
    user = session_user(rt, pool, opened.data)
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
    outcome = _next_step(rt, pool, client, user)
    return Authenticated(user, Grant.NEW_PASSWORD) if isinstance(outcome, Authenticated) else outcome


def _password_verifier(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                       responses: dict[str, str]) -> Outcome:
    user = password_verifier.check_proof(rt, pool, client, opened.data, responses)
    if opened.data.custom is not None:
        return custom_auth.after_password_verifier(rt, pool, client, user, opened.data.custom)
    return _next_step(rt, pool, client, user, responses.get("DEVICE_KEY"))


Responder = Callable[[Runtime, UserPool, AppClient, OpenSession, dict[str, str]], Outcome]

CHALLENGE_RESPONDERS: dict[str, Responder] = {
    NEW_PASSWORD: _new_password,
    password_verifier.NAME: _password_verifier,
    **mfa.CHALLENGE_RESPONDERS,
    SELECT_CHALLENGE: _select_challenge,
    email_otp.SMS_OTP: email_otp.respond_sms,
    webauthn.NAME: webauthn.respond,
    **devices.CHALLENGE_RESPONDERS,
    "CUSTOM_CHALLENGE": custom_auth.respond_custom_challenge,
}


def _session_token(rt: Runtime, pool: UserPool, name: str, session: str | None,
                   responses: dict[str, str]) -> str | None:
    """The Session of this answer; a PASSWORD_VERIFIER answer may omit it and be found by its SECRET_BLOCK."""
    if session or name != password_verifier.NAME:
        return session
    block = require_param(responses, "PASSWORD_CLAIM_SECRET_BLOCK", "missing_challenge_response")
    found = session_of_secret_block(rt.store, pool.id, block)
    if found is None:
        raise reject("wrong_password", "PASSWORD_CLAIM_SECRET_BLOCK is not a SECRET_BLOCK this emulator issued "
                                       "to this pool, or it was already answered (each is single-use)")
    return found


def respond(rt: Runtime, pool: UserPool, client: AppClient, name: str, session: str | None,
            responses: dict[str, str], verify_secret_hash: bool = True) -> Outcome:
    """Answer challenge `name` of the sign-in `session` holds. A wrong code or password that the challenge
    may take again leaves the session open; anything else spends it. The hosted login page passes
    `verify_secret_hash` False: its client authenticates at the token endpoint instead."""
    token = _session_token(rt, pool, name, session, responses)
    opened = take_session(rt.store, token, client.client_id, rt.clock())
    if opened.data.challenge != name:
        raise reject("session_invalid", f"this Session is for challenge {opened.data.challenge}, not {name}")
    if (verify_secret_hash and name != password_verifier.NAME
            and (client.client_secret or responses.get("SECRET_HASH"))):
        # By the name the client sent (an alias in email/phone pools) or the user's real username.
        names = tuple(n for n in (responses.get("USERNAME"), opened.data.username) if n)
        check_secret_hash_any(client, names, responses.get("SECRET_HASH"))
    responder = CHALLENGE_RESPONDERS.get(name)
    if responder is None:
        raise reject("challenge_name_mismatch", f"the emulator has no responder for challenge {name}", name=name)
    try:
        outcome = responder(rt, pool, client, opened, responses)
    except CognitoError as error:
        if opened.data.retry:
            opened.data.retry = False
            restore_session(rt.store, opened)
        failed = auth_event_log.failed_challenges(name, error.type)
        if failed:
            auth_event_log.record(rt.store, pool.id, opened.data.username, rt.clock(), "Fail", failed)
        raise
    if name in auth_event_log.MFA_CHALLENGES and isinstance(outcome, Authenticated):
        outcome = replace(outcome, factors=("Password", "Mfa"))
    return authenticated(rt, pool, client, outcome)
