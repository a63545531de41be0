"""The user auth events AdminListUserAuthEvents lists, in pools with threat protection on (audit-only or
full-function: "Threat protection starts out in an audit-only mode where your user pool monitors user
activity, assigns risk levels, and generates logs", developer guide, Threat protection): a Pass event for
every sign-in that gets tokens (issuance.mint), a Fail event for a wrong password (lockout.py, plain and SRP)
and for a wrong MFA code (signin.respond). A name that is no user has no user to list it under, so it records
nothing (UNCONFIRMED). Store-only, so the token path depends on nothing else here."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from emulator.state import Kind, Store

log = logging.getLogger("cognito_emulator")

MAX_EVENTS_PER_USER = 200  # the emulator keeps the newest ones (AWS keeps events for two years)


def threat_protection_on(store: Store, pool_id: str) -> bool:
    """Whether the pool's UserPoolAddOns.AdvancedSecurityMode is AUDIT or ENFORCED."""
    mode = (store.pool_settings(pool_id).get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")
    return mode in ("AUDIT", "ENFORCED")


# The API call's EventContextData (set per call by cognito/app.py; the hosted pages leave it unset).
EVENT_CONTEXT: ContextVar[dict[str, str] | None] = ContextVar("auth_event_context", default=None)
MFA_CHALLENGES = ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")
CODE_FAILURES = ("CodeMismatchException", "ExpiredCodeException")


def event_context(source_ip: str, params: Mapping[str, Any], propagates: bool) -> dict[str, str]:
    """EventContextData.IpAddress of an API call: an Admin call's ContextData.IpAddress (the server passes its
    user's address), UserContextData.IpAddress when the client has EnablePropagateAdditionalUserContextData
    (the model's documentation of that field), else the caller's own address. City, Country and Timezone come
    from AWS's IP geolocation, which a laptop has not; they are left out."""
    admin_ip = (params.get("ContextData") or {}).get("IpAddress") if isinstance(params.get("ContextData"),
                                                                               Mapping) else None
    user_ip = (params.get("UserContextData") or {}).get("IpAddress") if isinstance(params.get("UserContextData"),
                                                                                  Mapping) else None
    return {"IpAddress": str(admin_ip or (user_ip if propagates else None) or source_ip)}


def failed_challenges(challenge: str, error_type: str) -> tuple[tuple[str, str], ...] | None:
    """ChallengeResponses of a sign-in that failed answering `challenge`, or None when it records nothing (a
    wrong password is recorded where it is counted, lockout.py)."""
    if challenge in MFA_CHALLENGES and error_type in CODE_FAILURES:
        return (("Password", "Success"), ("Mfa", "Failure"))
    return None


# The other EventType values AdminListUserAuthEvents returns (the model's enum; "We have included the
# PasswordChange and ResendCode events", AWS's 2022-08-18 model change note), by the operation that makes each.
ACTIVITY = {"SignUp": "SignUp", "ForgotPassword": "ForgotPassword", "ChangePassword": "PasswordChange",
            "ResendConfirmationCode": "ResendCode"}


def record_activity(store: Store, pool_id: str, username: str, at: float, operation: str,
                    response: str = "Pass") -> None:
    """A SignUp, ForgotPassword, PasswordChange or ResendCode event; a wrong current password of ChangePassword
    is a Fail with Password Failure (UNCONFIRMED: what AWS lists in ChallengeResponses for these)."""
    failed = (("Password", "Failure"),) if response == "Fail" else ()
    record(store, pool_id, username, at, response, failed, event_type=ACTIVITY[operation])


def record_sign_in(store: Store, pool_id: str, username: str, event_id: str, at: float,
                   challenges: tuple[str, ...] = ("Password",)) -> None:
    """A successful SignIn event (EventResponse Pass). Risk is not evaluated: the emulator says NoRisk."""
    record(store, pool_id, username, at, "Pass", tuple((name, "Success") for name in challenges), event_id)


def record(store: Store, pool_id: str, username: str, at: float, response: str,
           challenges: tuple[tuple[str, str], ...], event_id: str | None = None, event_type: str = "SignIn") -> None:
    """An event (SignIn, or the account activity of ACTIVITY) with its EventResponse (Pass or Fail) and
    ChallengeResponses, newest kept first."""
    if not threat_protection_on(store, pool_id):
        return
    event_id = event_id or str(uuid.uuid4())
    event: dict[str, Any] = {
        "EventId": event_id, "EventType": event_type, "CreationDate": at, "EventResponse": response,
        "EventRisk": {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False},
        "ChallengeResponses": [{"ChallengeName": name, "ChallengeResponse": result} for name, result in challenges],
        "FeedbackToken": secrets.token_urlsafe(24),
    }
    context = EVENT_CONTEXT.get()
    if context:
        event["EventContextData"] = dict(context)
    # A sequence number after the time keeps sign-ins in one clock tick (a frozen test clock) in order.
    newest = events(store, pool_id, username)
    sequence = int(newest[0][0].rsplit("\x00", 1)[1]) + 1 if newest else 0
    store.put(Kind.AUTH_EVENT, pool_id, f"{username}\x00{at:020.6f}\x00{sequence:010d}", event)
    for key, _ in events(store, pool_id, username)[MAX_EVENTS_PER_USER:]:
        store.delete(Kind.AUTH_EVENT, pool_id, key)
    # AWS puts the feedback token in the risk notification e-mail's links; the emulator sends none.
    log.info("auth event %s for %s in %s (feedback token for UpdateAuthEventFeedback: %s)", event_id, username,
             pool_id, event["FeedbackToken"])


def events(store: Store, pool_id: str, username: str) -> list[tuple[str, dict[str, Any]]]:
    """(key, event) of a user's events, newest first."""
    prefix = f"{username}\x00"
    return [(key, event) for _, key, event in reversed(store.items(Kind.AUTH_EVENT, pool_id))
            if key.startswith(prefix)]


def save(store: Store, pool_id: str, key: str, event: dict[str, Any]) -> None:
    """Store a changed event (its feedback) under the key `events` gave."""
    store.put(Kind.AUTH_EVENT, pool_id, key, event)
