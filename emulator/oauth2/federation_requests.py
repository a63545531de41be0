"""The authorize requests waiting at an IdP: the `state` the emulator sends to the IdP names one, and
/oauth2/idpresponse (or /saml2/idpresponse) takes it back, once. Keyed by a digest of the state."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.encoding import digest
from emulator.state import Kind, Store

KIND = Kind.FEDERATION_REQUEST
# How long a sign-in at the IdP may take (UNCONFIRMED: AWS's limit is not documented; an hour, like the
# managed login's own login request).
PENDING_SECONDS = 3600


@dataclass(frozen=True)
class PendingFederation:
    """An authorize request sent to an IdP: its parameters, the provider, and the nonce the IdP must echo."""

    params: dict[str, str]
    provider_name: str
    nonce: str
    opened: float
    extra: dict[str, Any]


def open_request(store: Store, params: Mapping[str, str], provider_name: str, now: float,
                 extra: Mapping[str, Any] | None = None) -> tuple[str, PendingFederation]:
    """A new pending request; returns the state to send to the IdP with it."""
    state = secrets.token_urlsafe(32)
    pending = PendingFederation(dict(params), provider_name, secrets.token_urlsafe(24), now, dict(extra or {}))
    store.put(KIND, "", digest(state), {"params": pending.params, "provider_name": provider_name,
                                        "nonce": pending.nonce, "opened": now, "extra": pending.extra},
              expires=now + PENDING_SECONDS)
    return state, pending


def peek(store: Store, state: str | None) -> PendingFederation | None:
    """The live pending request `state` names, left in place."""
    data = store.get(KIND, "", digest(state)) if state else None
    if data is None:
        return None
    return PendingFederation(data["params"], data["provider_name"], data["nonce"], data["opened"],
                             data.get("extra") or {})


def take(store: Store, state: str | None) -> PendingFederation | None:
    """The live pending request `state` names, used up by this call (a state answers once)."""
    with store.transaction():
        pending = peek(store, state)
        if pending is not None:
            store.delete(KIND, "", digest(state or ""))
    return pending
