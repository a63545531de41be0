"""The store's SAML records: each AuthnRequest a pool sent (found again by the RelayState the IdP returns), and
the assertion ids already used, so a captured response cannot sign anyone in twice."""

from __future__ import annotations

from dataclasses import asdict, dataclass

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
