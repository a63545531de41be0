"""The user auth events AdminListUserAuthEvents lists: one written for every sign-in that gets tokens, in
pools with threat protection on (AWS records them only there). Called by issuance.mint; store-only, so the
token path depends on nothing else here."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from emulator.state import Kind, Store

log = logging.getLogger("cognito_emulator")

MAX_EVENTS_PER_USER = 50  # the emulator keeps the newest ones (AWS keeps events for two years)


def threat_protection_on(store: Store, pool_id: str) -> bool:
    """Whether the pool's UserPoolAddOns.AdvancedSecurityMode is AUDIT or ENFORCED."""
    mode = (store.pool_settings(pool_id).get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")
    return mode in ("AUDIT", "ENFORCED")


def record_sign_in(store: Store, pool_id: str, username: str, event_id: str, at: float,
                   challenges: tuple[str, ...] = ("Password",)) -> None:
    """A successful SignIn event (EventResponse Pass). Risk is not evaluated: the emulator says NoRisk."""
    if not threat_protection_on(store, pool_id):
        return
    event: dict[str, Any] = {
        "EventId": event_id, "EventType": "SignIn", "CreationDate": at, "EventResponse": "Pass",
        "EventRisk": {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False},
        "ChallengeResponses": [{"ChallengeName": name, "ChallengeResponse": "Success"} for name in challenges],
        "FeedbackToken": secrets.token_urlsafe(24),
    }
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
