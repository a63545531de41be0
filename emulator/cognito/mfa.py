"""Multi-factor sign-in: TOTP (software token) and SMS codes.

- the operations: AssociateSoftwareToken, VerifySoftwareToken (the preferences are in mfa_preferences.py);
- the second-factor step after a correct password (`second_factor`, called by the sign-in core);
- the responders of SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP (email_otp.py), SELECT_MFA_TYPE and MFA_SETUP,
  shared by the API and the hosted login page (they end in an `Outcome`; neither mints tokens here).

What a user has lives in `UserRecord.mfa`: `totp_secret`, `totp_verified`, `totp_pending_secret` (associated,
not yet verified), `totp_last_step` (the last step whose code was accepted), `software_enabled`,
`sms_enabled`, `email_enabled`, `preferred` (SOFTWARE_TOKEN_MFA | SMS_MFA | EMAIL_OTP).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from typing import Any

from emulator.cognito import codes, email_otp, totp
from emulator.cognito.access_tokens import authenticate
from emulator.cognito.challenges import Authenticated, Challenge, Outcome, open_challenge, session_user
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lookup import require_param
from emulator.cognito.protocol import Call
from emulator.cognito.sessions import ChallengeSession, OpenSession, restore_session, take_session
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

log = logging.getLogger("cognito_emulator")

SOFTWARE = "SOFTWARE_TOKEN_MFA"
SMS = "SMS_MFA"
EMAIL = "EMAIL_OTP"  # e-mail codes as a second factor: the challenge is EMAIL_OTP, answered by EMAIL_OTP_CODE
SELECT = "SELECT_MFA_TYPE"
SETUP = "MFA_SETUP"

MAX_CODE_ATTEMPTS = email_otp.MAX_CODE_ATTEMPTS


# -- the decision (pure) -------------------------------------------------------------------------


@dataclass(frozen=True)
class UserFactors:
    """What one user can answer with, as plain values."""

    software_enabled: bool = False
    totp_verified: bool = False
    sms_enabled: bool = False
    has_phone: bool = False
    preferred: str | None = None
    email_enabled: bool = False
    has_email: bool = False

    @classmethod
    def of(cls, user: UserRecord) -> UserFactors:
        mfa = user.mfa
        return cls(software_enabled=bool(mfa.get("software_enabled")),
                   totp_verified=bool(mfa.get("totp_verified") and mfa.get("totp_secret")),
                   sms_enabled=bool(mfa.get("sms_enabled")), has_phone=bool(user.attributes.get("phone_number")),
                   preferred=mfa.get("preferred"), email_enabled=bool(mfa.get("email_enabled")),
                   has_email=bool(user.attributes.get("email")))


@dataclass(frozen=True)
class PoolFactors:
    """The second factors a pool has turned on (SetUserPoolMfaConfig)."""

    sms: bool = True
    software: bool = True
    email: bool = False

    @classmethod
    def of(cls, pool: UserPool) -> PoolFactors:
        return cls(pool.sms_mfa, pool.software_token_mfa, pool.email_mfa is not None)


def available_factors(pool_mfa: str, user: UserFactors, pool: PoolFactors = PoolFactors()) -> list[str]:
    """The second factors this user can be challenged with, in AWS's list order (SMS first; e-mail last is
    UNCONFIRMED)."""
    if pool_mfa == "OFF":
        return []
    software = pool.software and user.totp_verified and (user.software_enabled or pool_mfa == "ON")
    # Under MFA "ON" a user with a phone number and no other factor gets SMS codes without having
    # enabled them (the legacy MFAOptions behaviour). UNCONFIRMED in detail.
    sms = pool.sms and user.has_phone and (user.sms_enabled or (pool_mfa == "ON" and not software))
    email = pool.email and user.has_email and (user.email_enabled or (pool_mfa == "ON" and not (software or sms)))
    return [name for name, ok in ((SMS, sms), (SOFTWARE, software), (EMAIL, email)) if ok]


def next_step(pool_mfa: str, user: UserFactors, pool: PoolFactors = PoolFactors()) -> str | None:
    """The challenge after a correct password: SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE,
    MFA_SETUP or None.

    The preferred factor wins; one factor is used; two without a preference let the user choose; none
    means tokens, except when the pool requires MFA: then the user must set up TOTP first."""
    factors = available_factors(pool_mfa, user, pool)
    if user.preferred in factors:
        return user.preferred
    if len(factors) == 1:
        return factors[0]
    if len(factors) > 1:
        return SELECT
    return SETUP if pool_mfa == "ON" else None


# -- the step after the first factor, and the challenges ------------------------------------------


def second_factor(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord) -> Challenge | None:
    """The MFA challenge a user who passed the password must answer, or None to go on to tokens."""
    step = next_step(pool.mfa_configuration, UserFactors.of(user), PoolFactors.of(pool))
    if step is None:
        return None
    if step == SELECT:
        choices = available_factors(pool.mfa_configuration, UserFactors.of(user), PoolFactors.of(pool))
        return open_challenge(rt, pool, client, user.username, SELECT, {"MFAS_CAN_CHOOSE": json.dumps(choices)},
                              ChallengeSession(pool.id, client.client_id, user.username, SELECT, mfa_choices=choices))
    if step == SETUP:
        # Only TOTP can be set up inside a sign-in; an SMS factor needs a phone number on the user.
        return open_challenge(rt, pool, client, user.username, SETUP, {"MFAS_CAN_SETUP": json.dumps([SOFTWARE])})
    return factor_challenge(rt, pool, client, user, step)


def factor_challenge(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord, name: str) -> Challenge:
    """A SOFTWARE_TOKEN_MFA, SMS_MFA or EMAIL_OTP challenge; for SMS and e-mail the code is 'sent' (kept,
    logged, readable)."""
    if name == EMAIL:
        return email_otp.challenge(rt, pool, client, user, EMAIL)
    if name == SOFTWARE:
        if not (user.mfa.get("totp_secret") and user.mfa.get("totp_verified")):
            raise reject("totp_not_found", f"user '{user.username}' has no verified software token "
                                           "(AssociateSoftwareToken + VerifySoftwareToken first)")
        return open_challenge(rt, pool, client, user.username, SOFTWARE, {})
    phone = user.attributes.get("phone_number")
    if not phone:
        raise reject("sms_mfa_no_phone", f"user '{user.username}' has no phone_number to send an SMS code to")
    delivery = codes.send_code(rt, pool, user, codes.SMS_MFA, "SMS", attribute="phone_number",
                               validity_seconds=client.auth_session_validity * 60)
    return open_challenge(rt, pool, client, user.username, SMS, {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                                                                 "CODE_DELIVERY_DESTINATION": delivery.destination})


def _challenged_user(rt: Runtime, pool: UserPool, opened: OpenSession, responses: dict[str, str]) -> UserRecord:
    require_param(responses, "USERNAME", "missing_challenge_response")
    return session_user(rt, pool, opened.data)


_wrong_code = email_otp.wrong_code


def accept_totp(rt: Runtime, user: UserRecord, secret: str, code: str, mismatch_key: str,
                session: ChallengeSession | None = None) -> int:
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


def respond_software_token(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                           responses: dict[str, str]) -> Outcome:
    """SOFTWARE_TOKEN_MFA: SOFTWARE_TOKEN_MFA_CODE against the user's TOTP secret."""
    user = _challenged_user(rt, pool, opened, responses)
    code = require_param(responses, "SOFTWARE_TOKEN_MFA_CODE", "missing_challenge_response")
    secret = user.mfa.get("totp_secret")
    if not secret:
        raise reject("totp_not_found", f"user '{user.username}' no longer has a software token")
    user.mfa["totp_last_step"] = accept_totp(rt, user, secret, code, "code_mismatch", opened.data)
    rt.store.put_user(pool, user)
    return Authenticated(user)


def respond_sms(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                responses: dict[str, str]) -> Outcome:
    """SMS_MFA: SMS_MFA_CODE against the code sent for this challenge."""
    user = _challenged_user(rt, pool, opened, responses)
    code = require_param(responses, "SMS_MFA_CODE", "missing_challenge_response")
    # Cognito sets phone_number_verified after a right SMS MFA code.
    email_otp.accept_sent_code(rt, pool, user, opened.data, codes.SMS_MFA, code, "SMS", "phone_number_verified",
                               "sms_mfa_code_mismatch")
    return Authenticated(user)


def respond_select(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                   responses: dict[str, str]) -> Outcome:
    """SELECT_MFA_TYPE: ANSWER names one of MFAS_CAN_CHOOSE; that factor's challenge follows."""
    user = _challenged_user(rt, pool, opened, responses)
    answer = require_param(responses, "ANSWER", "missing_challenge_response")
    choices = opened.data.mfa_choices
    if answer not in choices:
        raise reject("mfa_type_invalid", f"ANSWER {answer!r} is not one of MFAS_CAN_CHOOSE {choices}")
    return factor_challenge(rt, pool, client, user, answer)


def respond_setup(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                  responses: dict[str, str]) -> Outcome:
    """MFA_SETUP: after AssociateSoftwareToken + VerifySoftwareToken with the session, TOTP is on."""
    user = _challenged_user(rt, pool, opened, responses)
    if not opened.data.totp_verified:
        raise reject("session_invalid", "MFA_SETUP is answered with the Session that VerifySoftwareToken "
                                        "returned after a right code; this one comes before that")
    user.mfa["software_enabled"] = True
    user.modified = rt.clock()
    rt.store.put_user(pool, user)
    return Authenticated(user)


# Each takes the consumed session; a wrong code sets `retry` on it so the caller can put it back.
CHALLENGE_RESPONDERS = {
    SOFTWARE: respond_software_token,
    SMS: respond_sms,
    SELECT: respond_select,
    SETUP: respond_setup,
    EMAIL: email_otp.respond,
}


# -- the operations ---------------------------------------------------------------------------------


@dataclass
class _Subject:
    """Who AssociateSoftwareToken / VerifySoftwareToken act for: a signed-in user or an MFA_SETUP session."""

    pool: UserPool
    user: UserRecord
    session: OpenSession | None = None  # the consumed MFA_SETUP session


def _subject(rt: Runtime, params: dict) -> _Subject:
    access_token, session_token = params.get("AccessToken"), params.get("Session")
    if bool(access_token) == bool(session_token):
        raise reject("token_or_session", "send exactly one of AccessToken (a signed-in user) or Session "
                                         "(an MFA_SETUP challenge)")
    if access_token:
        found = authenticate(rt, access_token)
        return _Subject(found.pool, found.user)
    opened = take_session(rt.store, session_token, None, rt.clock())
    if opened.data.challenge != SETUP:
        raise reject("session_invalid", f"this Session is for challenge {opened.data.challenge}; only an "
                                        "MFA_SETUP session can set up a software token")
    pool = rt.store.pool(opened.data.pool_id)
    user = rt.store.user(pool, opened.data.username) if pool else None
    if pool is None or user is None:
        raise reject("session_invalid", "the pool or user of this Session no longer exists")
    return _Subject(pool, user, opened)


def _next_setup_session(rt: Runtime, subject: _Subject, totp_verified: bool = False) -> str:
    """A fresh MFA_SETUP session carrying on the consumed one."""
    assert subject.session is not None
    data = subject.session.data
    client = rt.store.client(data.client_id)
    if client is None:
        raise reject("session_invalid", "the app client of this Session no longer exists")
    carried = replace(data, failures=0, retry=False, totp_verified=data.totp_verified or totp_verified)
    return open_challenge(rt, subject.pool, client, subject.user.username, SETUP, {}, carried).session


def associate_software_token(rt: Runtime, params: dict, call: Call | None = None) -> dict[str, Any]:
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


def verify_software_token(rt: Runtime, params: dict, call: Call | None = None) -> dict[str, Any]:
    subject = _subject(rt, params)
    user = subject.user
    pending = user.mfa.get("totp_pending_secret")
    if not pending:
        raise reject("totp_not_associated", f"user '{user.username}' has no software token waiting to be verified "
                                            "(AssociateSoftwareToken first)")
    opened = subject.session
    try:
        step = accept_totp(rt, user, pending, params["UserCode"], "totp_verify_mismatch",
                           opened.data if opened else None)
    except CognitoError:
        if opened is not None and opened.data.retry:
            restore_session(rt.store, opened)
        raise
    user.mfa.update({"totp_secret": pending, "totp_verified": True, "totp_last_step": step})
    user.mfa.pop("totp_pending_secret", None)
    if params.get("FriendlyDeviceName"):
        user.mfa["totp_device_name"] = params["FriendlyDeviceName"]
    user.modified = rt.clock()
    rt.store.put_user(subject.pool, user)
    result: dict[str, Any] = {"Status": "SUCCESS"}
    if opened is not None:
        result["Session"] = _next_setup_session(rt, subject, totp_verified=True)
    return result


OPERATIONS = {
    "AssociateSoftwareToken": associate_software_token,
    "VerifySoftwareToken": verify_software_token,
}
