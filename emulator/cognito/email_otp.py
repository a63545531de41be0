"""One-time codes sent for a sign-in step: the EMAIL_OTP challenge (e-mail MFA, and USER_AUTH's e-mail first
factor) and SMS_OTP (USER_AUTH's SMS first factor), with the retry budget of a wrong code.

Challenge parameters and answers are AWS's (RespondToAuthChallenge's ChallengeResponses in the API reference:
`"ChallengeName": "EMAIL_OTP", "ChallengeResponses": {"EMAIL_OTP_CODE": "[code]", "USERNAME": "[username]"}`,
and SMS_OTP with SMS_OTP_CODE); the code is 'sent' through codes.py (kept, logged, `/_emulator/codes`) and
lives as long as the sign-in session (AuthSessionValidity, 3 minutes by default)."""

from __future__ import annotations

from emulator.cognito import codes
from emulator.cognito.challenges import Authenticated, Challenge, Outcome, open_challenge, session_user
from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_param
from emulator.cognito.sessions import ChallengeSession, OpenSession
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

EMAIL_OTP = "EMAIL_OTP"
SMS_OTP = "SMS_OTP"

# Wrong codes one challenge session takes before it is spent. AWS starts its lockout after five failed MFA
# codes (Cognito developer guide, "MFA"); that a session survives a wrong code at all is UNCONFIRMED, but
# Amplify's clients retry with the same session and expect it to work.
MAX_CODE_ATTEMPTS = 5

# challenge -> (code purpose, medium, attribute, answer parameter, verified flag set by a right code)
CHANNELS = {
    EMAIL_OTP: (codes.EMAIL_OTP, "EMAIL", "email", "EMAIL_OTP_CODE", "email_verified"),
    SMS_OTP: (codes.SMS_MFA, "SMS", "phone_number", "SMS_OTP_CODE", "phone_number_verified"),
}


def wrong_code(session: ChallengeSession) -> None:
    """Let the same session take another code, up to MAX_CODE_ATTEMPTS wrong ones."""
    session.failures += 1
    session.retry = session.failures < MAX_CODE_ATTEMPTS


def challenge(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord, name: str = EMAIL_OTP,
              session: ChallengeSession | None = None) -> Challenge:
    """Send a code to the user's e-mail (EMAIL_OTP) or phone (SMS_OTP) and open the challenge answering it."""
    purpose, medium, attribute, _, _ = CHANNELS[name]
    if not user.attributes.get(attribute):
        key = "email_mfa_no_email" if name == EMAIL_OTP else "sms_mfa_no_phone"
        raise reject(key, f"user '{user.username}' has no {attribute} to send a code to")
    own = None
    if name == EMAIL_OTP and pool.email_mfa:  # EmailMfaConfiguration's Message and Subject
        own = (pool.email_mfa.get("Message", ""), pool.email_mfa.get("Subject"))
    delivery = codes.send_code(rt, pool, user, purpose, medium, attribute=attribute, client_id=client.client_id,
                               validity_seconds=client.auth_session_validity * 60, template=own)
    return open_challenge(rt, pool, client, user.username, name, {
        "CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": delivery.destination}, session)


def _respond(rt: Runtime, pool: UserPool, opened: OpenSession, responses: dict[str, str], name: str) -> Outcome:
    purpose, medium, attribute, answer, verified = CHANNELS[name]
    require_param(responses, "USERNAME", "missing_challenge_response")
    user = session_user(rt, pool, opened.data)
    code = require_param(responses, answer, "missing_challenge_response")
    accept_sent_code(rt, pool, user, opened.data, purpose, code, name, verified, "email_otp_code_mismatch")
    return Authenticated(user)


def accept_sent_code(rt: Runtime, pool: UserPool, user: UserRecord, session: ChallengeSession, purpose: str,
                     code: str, label: str, verified: str, mismatch_key: str) -> None:
    """The code last sent for `purpose` (SMS or e-mail), used up; AWS's errors for a wrong one (the session takes
    another try) or a spent one. The address it went to counts as verified from then on, as SMS MFA verifies
    the phone (for e-mail UNCONFIRMED)."""
    outcome = codes.check_code(rt, pool, user, purpose, code)
    if outcome == "mismatch":
        wrong_code(session)
        raise reject(mismatch_key, f"'{code}' is not the {label} code last sent to user '{user.username}' "
                                   "(GET /_emulator/codes shows it)")
    if outcome == "expired":
        raise reject("expired_code", f"the {label} code of user '{user.username}' has expired or was already used")
    if user.attributes.get(verified) != "true":
        user.attributes[verified] = "true"
        user.modified = rt.clock()
        rt.store.put_user(pool, user)


def respond(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
            responses: dict[str, str]) -> Outcome:
    """EMAIL_OTP: EMAIL_OTP_CODE against the code e-mailed for this challenge."""
    return _respond(rt, pool, opened, responses, EMAIL_OTP)


def respond_sms(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                responses: dict[str, str]) -> Outcome:
    """SMS_OTP: SMS_OTP_CODE against the code texted for this challenge."""
    return _respond(rt, pool, opened, responses, SMS_OTP)
