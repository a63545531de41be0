"""Multi-factor sign-in: TOTP (software token) and SMS codes.

- the operations: AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
  AdminSetUserMFAPreference;
- the second-factor step after a correct password (`second_factor`, wired into auth.AFTER_FIRST_FACTOR);
- the responders of SOFTWARE_TOKEN_MFA, SMS_MFA, SELECT_MFA_TYPE and MFA_SETUP.
- the same checks without tokens for the hosted login page (`verify_challenge_code`, `complete_setup`).

What a user has lives in `UserRecord.mfa`: `totp_secret`, `totp_verified`, `totp_pending_secret` (associated,
not yet verified), `totp_last_step` (the last step whose code was accepted), `software_enabled`,
`sms_enabled`, `preferred` (SOFTWARE_TOKEN_MFA | SMS_MFA).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from emulator.cognito import codes, totp
from emulator.cognito.access_tokens import authenticate
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lookup import find_user, require_param, require_pool
from emulator.cognito.protocol import Call
from emulator.cognito.sessions import peek_session, restore_session, take_session
from emulator.cognito.signin import challenge, check_user_can_sign_in, issue_tokens
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

log = logging.getLogger("cognito_emulator")

SOFTWARE = "SOFTWARE_TOKEN_MFA"
SMS = "SMS_MFA"
SELECT = "SELECT_MFA_TYPE"
SETUP = "MFA_SETUP"

# Wrong codes one challenge session takes before it is spent. AWS starts its lockout after five failed MFA
# codes (Cognito developer guide, "MFA"); that a session survives a wrong code at all is UNCONFIRMED, but
# Amplify's clients retry with the same session and expect it to work.
MAX_CODE_ATTEMPTS = 5


# -- the decision (pure) -------------------------------------------------------------------------


@dataclass(frozen=True)
class UserFactors:
    """What one user can answer with, as plain values."""

    software_enabled: bool = False
    totp_verified: bool = False
    sms_enabled: bool = False
    has_phone: bool = False
    preferred: str | None = None

    @classmethod
    def of(cls, user: UserRecord) -> UserFactors:
        mfa = user.mfa
        return cls(software_enabled=bool(mfa.get("software_enabled")),
                   totp_verified=bool(mfa.get("totp_verified") and mfa.get("totp_secret")),
                   sms_enabled=bool(mfa.get("sms_enabled")), has_phone=bool(user.attributes.get("phone_number")),
                   preferred=mfa.get("preferred"))


def available_factors(pool_mfa: str, user: UserFactors) -> list[str]:
    """The second factors this user can be challenged with, in AWS's list order (SMS first)."""
    if pool_mfa == "OFF":
        return []
    software = user.totp_verified and (user.software_enabled or pool_mfa == "ON")
    # Under MFA "ON" a user with a phone number and no other factor gets SMS codes without having
    # enabled them (the legacy MFAOptions behaviour). UNCONFIRMED in detail.
    sms = user.has_phone and (user.sms_enabled or (pool_mfa == "ON" and not software))
    return [name for name, ok in ((SMS, sms), (SOFTWARE, software)) if ok]


def next_step(pool_mfa: str, user: UserFactors) -> str | None:
    """The challenge after a correct password: SOFTWARE_TOKEN_MFA, SMS_MFA, SELECT_MFA_TYPE, MFA_SETUP or None.

    The preferred factor wins; one factor is used; two without a preference let the user choose; none
    means tokens, except when the pool requires MFA: then the user must set up TOTP first."""
    factors = available_factors(pool_mfa, user)
    if user.preferred in factors:
        return user.preferred
    if len(factors) == 1:
        return factors[0]
    if len(factors) > 1:
        return SELECT
    return SETUP if pool_mfa == "ON" else None


# -- the step after the first factor, and the challenges ------------------------------------------


def second_factor(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord) -> dict[str, Any] | None:
    """The MFA challenge a user who passed the password must answer, or None to go on to tokens."""
    step = next_step(pool.mfa_configuration, UserFactors.of(user))
    if step is None:
        return None
    if step == SELECT:
        choices = available_factors(pool.mfa_configuration, UserFactors.of(user))
        return challenge(rt, pool, client, user, SELECT, {"MFAS_CAN_CHOOSE": json.dumps(choices)},
                         {"mfa_choices": choices})
    if step == SETUP:
        # Only TOTP can be set up inside a sign-in; an SMS factor needs a phone number on the user.
        return challenge(rt, pool, client, user, SETUP, {"MFAS_CAN_SETUP": json.dumps([SOFTWARE])})
    return factor_challenge(rt, pool, client, user, step)


def factor_challenge(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord,
                     name: str) -> dict[str, Any]:
    """A SOFTWARE_TOKEN_MFA or SMS_MFA challenge; for SMS the code is 'sent' (kept, logged, readable)."""
    if name == SOFTWARE:
        if not (user.mfa.get("totp_secret") and user.mfa.get("totp_verified")):
            raise reject("totp_not_found", f"user '{user.username}' has no verified software token "
                                           "(AssociateSoftwareToken + VerifySoftwareToken first)")
        return challenge(rt, pool, client, user, SOFTWARE, {})
    phone = user.attributes.get("phone_number")
    if not phone:
        raise reject("sms_mfa_no_phone", f"user '{user.username}' has no phone_number to send an SMS code to")
    delivery = codes.send_code(rt, pool, user, codes.SMS_MFA, "SMS", attribute="phone_number",
                               validity_seconds=client.auth_session_validity * 60)
    return challenge(rt, pool, client, user, SMS, {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                                                   "CODE_DELIVERY_DESTINATION": delivery.destination})


def _challenged_user(rt: Runtime, pool: UserPool, session: dict[str, Any], responses: dict[str, str]) -> UserRecord:
    require_param(responses, "USERNAME", "missing_challenge_response")
    return _session_user(rt, pool, session)


def _session_user(rt: Runtime, pool: UserPool, session: dict[str, Any]) -> UserRecord:
    user = rt.store.user(pool, session["username"])
    if user is None:
        raise reject("session_invalid", f"user '{session['username']}' of this session no longer exists")
    check_user_can_sign_in(pool, user)
    return user


def _wrong_code(session: dict[str, Any]) -> None:
    """Let the same session take another code, up to MAX_CODE_ATTEMPTS wrong ones."""
    session["failures"] = session.get("failures", 0) + 1
    session["_keep"] = session["failures"] < MAX_CODE_ATTEMPTS


def keep_session_if_asked(rt: Runtime, token: str | None, session: dict[str, Any]) -> None:
    """Put a consumed challenge session back when its responder asked to (a wrong MFA code)."""
    if not token or not session.pop("_keep", False):
        return
    restore_session(rt.store, token, session)


def accept_totp(rt: Runtime, user: UserRecord, secret: str, code: str, mismatch_key: str,
                session: dict[str, Any] | None = None) -> int:
    """The step of a right TOTP code; AWS's errors for a wrong one or one already used once."""
    step = totp.matching_step(secret, code, rt.clock())
    if step is None:
        if session is not None:
            _wrong_code(session)
        raise reject(mismatch_key, f"'{code}' is not the TOTP code of user '{user.username}' for the 30-second "
                                   "step now, before or after (check the authenticator's secret and clock)")
    if step <= int(user.mfa.get("totp_last_step", -1)):
        if session is not None:
            _wrong_code(session)
        raise reject("totp_code_reused", f"the TOTP code of step {step} was already used by user "
                                         f"'{user.username}'; wait for the authenticator's next code")
    return step


def respond_software_token(rt: Runtime, pool: UserPool, client: AppClient, session: dict[str, Any],
                           responses: dict[str, str]) -> dict[str, Any]:
    """SOFTWARE_TOKEN_MFA: SOFTWARE_TOKEN_MFA_CODE against the user's TOTP secret, then tokens."""
    user = _challenged_user(rt, pool, session, responses)
    code = require_param(responses, "SOFTWARE_TOKEN_MFA_CODE", "missing_challenge_response")
    _check_totp_answer(rt, pool, user, session, code)
    return {"ChallengeParameters": {}, "AuthenticationResult": issue_tokens(rt, pool, client, user)}


def _check_totp_answer(rt: Runtime, pool: UserPool, user: UserRecord, session: dict[str, Any], code: str) -> None:
    secret = user.mfa.get("totp_secret")
    if not secret:
        raise reject("totp_not_found", f"user '{user.username}' no longer has a software token")
    user.mfa["totp_last_step"] = accept_totp(rt, user, secret, code, "code_mismatch", session)
    rt.store.put_user(pool, user)


def respond_sms(rt: Runtime, pool: UserPool, client: AppClient, session: dict[str, Any],
                responses: dict[str, str]) -> dict[str, Any]:
    """SMS_MFA: SMS_MFA_CODE against the code sent for this challenge, then tokens."""
    user = _challenged_user(rt, pool, session, responses)
    code = require_param(responses, "SMS_MFA_CODE", "missing_challenge_response")
    _check_sms_answer(rt, pool, user, session, code)
    return {"ChallengeParameters": {}, "AuthenticationResult": issue_tokens(rt, pool, client, user)}


def _check_sms_answer(rt: Runtime, pool: UserPool, user: UserRecord, session: dict[str, Any], code: str) -> None:
    outcome = codes.check_code(rt, pool, user, codes.SMS_MFA, code)
    if outcome == "mismatch":
        _wrong_code(session)
        raise reject("sms_mfa_code_mismatch", f"'{code}' is not the SMS code last sent to user "
                                              f"'{user.username}' (GET /_emulator/codes shows it)")
    if outcome == "expired":
        raise reject("expired_code", f"the SMS code of user '{user.username}' has expired or was already used")
    # A phone that received the code is a verified phone (Cognito sets phone_number_verified after SMS MFA).
    if user.attributes.get("phone_number_verified") != "true":
        user.attributes["phone_number_verified"] = "true"
        user.modified = rt.clock()
        rt.store.put_user(pool, user)


def verify_challenge_code(rt: Runtime, pool: UserPool, session: dict[str, Any], code: str) -> UserRecord:
    """Check `code` against a taken SOFTWARE_TOKEN_MFA or SMS_MFA session exactly as RespondToAuthChallenge does,
    without issuing tokens (the hosted login page issues its own code); returns the user who passed.

    A wrong code marks the session for `keep_session_if_asked`, as the responders do."""
    checks = {SOFTWARE: _check_totp_answer, SMS: _check_sms_answer}
    check = checks.get(session.get("challenge", ""))
    if check is None:
        raise reject("session_invalid", f"this Session is for challenge {session.get('challenge')}, not a "
                                        "SOFTWARE_TOKEN_MFA or SMS_MFA code")
    user = _session_user(rt, pool, session)
    check(rt, pool, user, session, code)
    return user


def respond_select(rt: Runtime, pool: UserPool, client: AppClient, session: dict[str, Any],
                   responses: dict[str, str]) -> dict[str, Any]:
    """SELECT_MFA_TYPE: ANSWER names one of MFAS_CAN_CHOOSE; that factor's challenge follows."""
    user = _challenged_user(rt, pool, session, responses)
    answer = require_param(responses, "ANSWER", "missing_challenge_response")
    choices = session.get("mfa_choices") or []
    if answer not in choices:
        raise reject("mfa_type_invalid", f"ANSWER {answer!r} is not one of MFAS_CAN_CHOOSE {choices}")
    return factor_challenge(rt, pool, client, user, answer)


def respond_setup(rt: Runtime, pool: UserPool, client: AppClient, session: dict[str, Any],
                  responses: dict[str, str]) -> dict[str, Any]:
    """MFA_SETUP: after AssociateSoftwareToken + VerifySoftwareToken with the session, TOTP is on; tokens."""
    user = _challenged_user(rt, pool, session, responses)
    _finish_setup(rt, pool, user, session)
    return {"ChallengeParameters": {}, "AuthenticationResult": issue_tokens(rt, pool, client, user)}


def _finish_setup(rt: Runtime, pool: UserPool, user: UserRecord, session: dict[str, Any]) -> None:
    if not session.get("totp_verified"):
        raise reject("session_invalid", "MFA_SETUP is answered with the Session that VerifySoftwareToken "
                                        "returned after a right code; this one comes before that")
    user.mfa["software_enabled"] = True
    user.modified = rt.clock()
    rt.store.put_user(pool, user)


def complete_setup(rt: Runtime, pool: UserPool, session: dict[str, Any]) -> UserRecord:
    """MFA_SETUP's answer without tokens (the hosted login page): the taken `session` must be the one
    VerifySoftwareToken returned after a right code; TOTP is switched on and the user returned."""
    if session.get("challenge") != SETUP:
        raise reject("session_invalid", f"this Session is for challenge {session.get('challenge')}, not MFA_SETUP")
    user = _session_user(rt, pool, session)
    _finish_setup(rt, pool, user, session)
    return user


CHALLENGE_RESPONDERS = {
    SOFTWARE: respond_software_token,
    SMS: respond_sms,
    SELECT: respond_select,
    SETUP: respond_setup,
}


# -- the operations ---------------------------------------------------------------------------------


@dataclass
class _Subject:
    """Who AssociateSoftwareToken / VerifySoftwareToken act for: a signed-in user or an MFA_SETUP session."""

    pool: UserPool
    user: UserRecord
    session: dict[str, Any] | None = None  # the consumed MFA_SETUP session
    token: str | None = None


def _subject(rt: Runtime, params: dict) -> _Subject:
    access_token, session_token = params.get("AccessToken"), params.get("Session")
    if bool(access_token) == bool(session_token):
        raise reject("token_or_session", "send exactly one of AccessToken (a signed-in user) or Session "
                                         "(an MFA_SETUP challenge)")
    if access_token:
        found = authenticate(rt, access_token)
        return _Subject(found.pool, found.user)
    peek = peek_session(rt.store, session_token, rt.clock())
    if peek is None:
        raise reject("session_invalid", "the Session is unknown or was already used (sessions are single-use)")
    session = take_session(rt.store, session_token, peek.get("client_id", ""), rt.clock())
    if session.get("challenge") != SETUP:
        raise reject("session_invalid", f"this Session is for challenge {session.get('challenge')}; only an "
                                        "MFA_SETUP session can set up a software token")
    pool = rt.store.pool(session["pool_id"])
    user = rt.store.user(pool, session["username"]) if pool else None
    if pool is None or user is None:
        raise reject("session_invalid", "the pool or user of this Session no longer exists")
    return _Subject(pool, user, session, session_token)


def _next_setup_session(rt: Runtime, subject: _Subject, **state: Any) -> str:
    """A fresh MFA_SETUP session carrying on the consumed one."""
    assert subject.session is not None
    client = rt.store.client(subject.session["client_id"])
    if client is None:
        raise reject("session_invalid", "the app client of this Session no longer exists")
    carried = {k: v for k, v in subject.session.items()
               if k not in ("pool_id", "client_id", "username", "challenge", "expires", "failures", "_keep")}
    return challenge(rt, subject.pool, client, subject.user, SETUP, {}, {**carried, **state})["Session"]


def associate_software_token(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    subject = _subject(rt, params)
    secret = totp.new_secret()
    # The new secret waits beside any working one until a code proves the authenticator has it.
    subject.user.mfa["totp_pending_secret"] = secret
    subject.user.modified = rt.clock()
    rt.store.put_user(subject.pool, subject.user)
    result: dict[str, Any] = {"SecretCode": secret}
    if subject.session is not None:
        result["Session"] = _next_setup_session(rt, subject)
    return result


def verify_software_token(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    subject = _subject(rt, params)
    user = subject.user
    pending = user.mfa.get("totp_pending_secret")
    if not pending:
        raise reject("totp_not_associated", f"user '{user.username}' has no software token waiting to be verified "
                                            "(AssociateSoftwareToken first)")
    try:
        step = accept_totp(rt, user, pending, params["UserCode"], "totp_verify_mismatch", subject.session)
    except CognitoError:
        if subject.session is not None:
            keep_session_if_asked(rt, subject.token, subject.session)
        raise
    user.mfa.update({"totp_secret": pending, "totp_verified": True, "totp_last_step": step})
    user.mfa.pop("totp_pending_secret", None)
    if params.get("FriendlyDeviceName"):
        user.mfa["totp_device_name"] = params["FriendlyDeviceName"]
    user.modified = rt.clock()
    rt.store.put_user(subject.pool, user)
    result: dict[str, Any] = {"Status": "SUCCESS"}
    if subject.session is not None:
        result["Session"] = _next_setup_session(rt, subject, totp_verified=True)
    return result


def apply_preferences(user: UserRecord, sms: dict | None, software: dict | None, email: dict | None,
                      admin: bool) -> None:
    """Change the user's MFA settings as Set/AdminSetUserMFAPreference ask; AWS's errors when it cannot."""
    mfa = user.mfa
    if email and email.get("Enabled"):
        raise reject("email_mfa_unsupported", "the emulator does not implement e-mail MFA (EmailMfaSettings)")
    if sms and sms.get("PreferredMfa") and software and software.get("PreferredMfa"):
        raise reject("mfa_two_preferred", "only one of SMSMfaSettings and SoftwareTokenMfaSettings can have "
                                          "PreferredMfa true")
    if software and software.get("Enabled") and not (mfa.get("totp_verified") and mfa.get("totp_secret")):
        raise reject("totp_not_verified_admin" if admin else "totp_not_verified",
                     f"user '{user.username}' has no verified software token: AssociateSoftwareToken and "
                     "VerifySoftwareToken come before enabling SOFTWARE_TOKEN_MFA")
    if sms and sms.get("Enabled") and not user.attributes.get("phone_number"):
        raise reject("sms_mfa_no_phone_admin" if admin else "sms_mfa_no_phone_preference",
                     f"user '{user.username}' has no phone_number, so SMS MFA cannot be enabled")
    for settings, name, flag in ((sms, SMS, "sms_enabled"), (software, SOFTWARE, "software_enabled")):
        if settings is None:
            continue
        enabled = bool(settings.get("Enabled"))
        mfa[flag] = enabled
        if enabled and settings.get("PreferredMfa"):
            mfa["preferred"] = name
        elif mfa.get("preferred") == name and (not enabled or settings.get("PreferredMfa") is False):
            mfa.pop("preferred", None)


def set_user_mfa_preference(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    apply_preferences(found.user, params.get("SMSMfaSettings"), params.get("SoftwareTokenMfaSettings"),
                      params.get("EmailMfaSettings"), admin=False)
    found.user.modified = rt.clock()
    rt.store.put_user(found.pool, found.user)
    return {}


def admin_set_user_mfa_preference(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    user = find_user(rt.store, pool, params["Username"])
    if user is None:
        raise reject("user_not_found", f"no user '{params['Username']}' in pool {pool.id}")
    apply_preferences(user, params.get("SMSMfaSettings"), params.get("SoftwareTokenMfaSettings"),
                      params.get("EmailMfaSettings"), admin=True)
    user.modified = rt.clock()
    rt.store.put_user(pool, user)
    return {}


OPERATIONS = {
    "AssociateSoftwareToken": associate_software_token,
    "VerifySoftwareToken": verify_software_token,
    "SetUserMFAPreference": set_user_mfa_preference,
    "AdminSetUserMFAPreference": admin_set_user_mfa_preference,
}
