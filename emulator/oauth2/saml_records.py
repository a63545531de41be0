"""The store's SAML records: each AuthnRequest a pool sent (found again by the RelayState the IdP returns), the
assertion ids already used (a captured response cannot sign anyone in twice), the SAML session behind a browser
session (NameID and SessionIndex, for single logout), and the LogoutRequests waiting for their response."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from emulator.encoding import digest
from emulator.saml.response_checks import SP_SESSION_SECONDS
from emulator.state import Kind, Store


@dataclass(frozen=True)
class SentRequest:
    """An SP-initiated sign-in waiting for its response: `state` is the pending authorize request."""

    request_id: str
    pool_id: str
    provider_name: str
    acs_url: str
    sent_at: float
    state: str


def put_request(store: Store, relay_state: str, sent: SentRequest) -> None:
    # Kept a little past the 5-minute session so a late response is refused with its reason, not as unknown.
    store.put(Kind.SAML_REQUEST, "", relay_state, asdict(sent), expires=sent.sent_at + 2 * SP_SESSION_SECONDS)


def sent_request(store: Store, relay_state: str) -> SentRequest | None:
    data = store.get(Kind.SAML_REQUEST, "", relay_state)
    return SentRequest(**data) if isinstance(data, dict) else None


def forget_request(store: Store, relay_state: str) -> None:
    store.delete(Kind.SAML_REQUEST, "", relay_state)


def use_assertion(store: Store, issuer: str, assertion_id: str, until: float) -> bool:
    """Record the assertion as used; False when it was used before."""
    key = f"{issuer}\n{assertion_id}"
    if store.get(Kind.SAML_ASSERTION, "", key) is not None:
        return False
    store.put(Kind.SAML_ASSERTION, "", key, True, expires=until)
    return True


@dataclass(frozen=True)
class SamlSession:
    """Who the IdP signed in, for the LogoutRequest that ends the browser session."""

    provider_name: str
    name_id: str
    session_index: str | None


def put_session(store: Store, cookie: str, pool_id: str, session: SamlSession, until: float) -> None:
    store.put(Kind.SAML_SESSION, pool_id, digest(cookie), asdict(session), expires=until)


def session_of(store: Store, cookie: str | None, pool_id: str) -> SamlSession | None:
    data = store.get(Kind.SAML_SESSION, pool_id, digest(cookie)) if cookie else None
    return SamlSession(**data) if isinstance(data, dict) else None


def put_logout(store: Store, relay_state: str, request_id: str, target: str, issuer: str, now: float) -> None:
    store.put(Kind.SAML_LOGOUT, "", digest(relay_state), {"request_id": request_id, "target": target,
                                                         "issuer": issuer}, expires=now + 2 * SP_SESSION_SECONDS)


def take_logout(store: Store, relay_state: str) -> dict | None:
    with store.transaction():
        data = store.get(Kind.SAML_LOGOUT, "", digest(relay_state)) if relay_state else None
        if data is not None:
            store.delete(Kind.SAML_LOGOUT, "", digest(relay_state))
    return data
