"""Challenge sessions: the opaque Session string a challenge answer carries, and what the server keeps
for it (typed: `ChallengeSession`). This module alone reads and writes sessions and SRP secret blocks."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from emulator.cognito.errors import reject
from emulator.encoding import b64url, digest
from emulator.state import Kind, Store


@dataclass
class SrpState:
    """A PASSWORD_VERIFIER challenge's SRP values (hex) and whom they were made for."""

    a: str
    b: str
    B: str  # noqa: N815 - the protocol's name
    salt: str
    verifier: str
    secret_block: str
    exists: bool
    typed_name: str


@dataclass
class CustomState:
    """A CUSTOM_AUTH sign-in so far: what DefineAuthChallenge is shown, and the open challenge's secrets."""

    history: list[dict[str, Any]]
    user_name: str
    not_found: bool
    srp_a: str | None = None
    private: dict[str, str] = field(default_factory=dict)
    metadata: str | None = None


@dataclass
class ChallengeSession:
    """What the server keeps for one open challenge."""

    pool_id: str
    client_id: str
    username: str
    challenge: str
    srp: SrpState | None = None
    custom: CustomState | None = None
    mfa_choices: list[str] = field(default_factory=list)
    failures: int = 0  # wrong codes so far (mfa.MAX_CODE_ATTEMPTS)
    totp_verified: bool = False  # MFA_SETUP: VerifySoftwareToken accepted a code in this sign-in
    webauthn: dict[str, Any] | None = None  # WEB_AUTHN: fido2's state of the assertion ceremony
    retry: bool = False  # a wrong answer leaves the challenge open; not stored

    def to_record(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("retry")
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> ChallengeSession:
        srp, custom = data.get("srp"), data.get("custom")
        return cls(**{**data, "srp": SrpState(**srp) if srp else None,
                      "custom": CustomState(**custom) if custom else None})


@dataclass(frozen=True)
class OpenSession:
    """A session as kept: its token, its data, and when it expires."""

    token: str
    data: ChallengeSession
    expires: float


def open_session(store: Store, data: ChallengeSession, minutes: int, now: float) -> str:
    """Start a challenge session; returns the opaque Session string."""
    session = b64url(secrets.token_bytes(192))  # AWS sessions are long opaque strings (20-2048 chars)
    store.put(Kind.SESSION, "", digest(session), data.to_record(), expires=now + minutes * 60)
    return session


def take_session(store: Store, session: str | None, client_id: str | None, now: float) -> OpenSession:
    """The session, consumed (single use); AWS's errors for unknown, foreign or expired ones.

    `client_id` None accepts any client (operations that carry only a Session)."""
    if not session:
        raise reject("session_invalid", "the request has no Session")
    record = store.take(Kind.SESSION, "", digest(session))
    if record is None:
        raise reject("session_invalid", "the Session is unknown or was already used (sessions are single-use)")
    data = ChallengeSession.from_record(record.data)
    if client_id is not None and data.client_id != client_id:
        raise reject("session_invalid", f"the Session was issued to client {data.client_id}, not {client_id}")
    assert record.expires is not None
    if record.expires <= now:
        raise reject("session_expired", f"the Session expired {int(now - record.expires)} s ago "
                                        "(AuthSessionValidity of the client)")
    return OpenSession(session, data, record.expires)


def session_is_live(store: Store, session: str) -> bool:
    """Whether the session is still there to be answered (not consumed, not expired)."""
    return store.get(Kind.SESSION, "", digest(session)) is not None


def restore_session(store: Store, opened: OpenSession) -> None:
    """Put a consumed session back, unchanged in expiry (a wrong MFA code may be retried)."""
    store.put(Kind.SESSION, "", digest(opened.token), opened.data.to_record(), expires=opened.expires)


# -- SRP secret blocks ---------------------------------------------------------------------------
# AWS keeps the SRP state inside SECRET_BLOCK, so clients (pycognito, among others) answer a
# PASSWORD_VERIFIER challenge without its Session: the session is indexed by its block too.


def index_secret_block(store: Store, pool_id: str, secret_block: str, session: str, expires: float) -> None:
    store.put(Kind.SRP_SECRET_BLOCK, pool_id, digest(secret_block), {"session": session}, expires=expires)


def session_of_secret_block(store: Store, pool_id: str, secret_block: str) -> str | None:
    """The Session a SECRET_BLOCK was issued with, consumed (each block is single-use)."""
    record = store.take(Kind.SRP_SECRET_BLOCK, pool_id, digest(secret_block))
    return record.data["session"] if record else None


def forget_secret_block(store: Store, pool_id: str, secret_block: str) -> None:
    store.delete(Kind.SRP_SECRET_BLOCK, pool_id, digest(secret_block))
