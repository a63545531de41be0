"""The PASSWORD_VERIFIER challenge of USER_SRP_AUTH (and of CUSTOM_AUTH with SRP_A): opening it with the
server's SRP values, and checking the client's proof. What follows a right proof is the sign-in core's."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime

from emulator.cognito import srp
from emulator.cognito.challenges import Challenge, open_challenge, session_user
from emulator.cognito.errors import reject
from emulator.cognito.lockout import record_failure, record_success, refuse_if_locked
from emulator.cognito.lookup import check_secret_hash_any, require_param, user_gone
from emulator.cognito.sessions import ChallengeSession, SrpState, forget_secret_block, index_secret_block
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

NAME = "PASSWORD_VERIFIER"


def require_valid_srp_a(a_hex: str) -> None:
    """Refuse an SRP_A a real client cannot send: not hex, absurdly long, or A mod N = 0 (the SRP bypass)."""
    if not srp.public_a_valid(a_hex):
        raise reject("validation", "SRP_A is not a valid SRP public value (A mod N is 0, or not hex)",
                     detail="Invalid SRP_A value")  # UNCONFIRMED text


def _srp_pepper(rt: Runtime, pool: UserPool) -> bytes:
    """A per-pool secret that keys the simulated answers for unknown users (stable across restarts)."""
    return rt.keyring.signing_key(pool.id, "id").kid.encode()


def _simulated_user_id(rt: Runtime, pool: UserPool, name: str) -> str:
    """USER_ID_FOR_SRP for an unknown user: the name itself, or a stable UUID-shaped id in a pool whose
    users sign in by email/phone (real users there have UUID usernames, so echoing the email would tell).

    AWS's docs (cognito-user-pool-managing-errors) say it returns "the same 'salt' and internal user id in UUID
    format for the same user name and user pool" (AWS_EVIDENCE.md §1). The emulator keeps the name in pools
    without username attributes on purpose: there a real user's USER_ID_FOR_SRP is their username, so a UUID
    for unknown names only would tell which names exist (what ENABLED hides). In email/phone pools, where real
    users have UUID ids, it follows the docs (stable per name and pool)."""
    if not pool.username_attributes:
        return name
    digest = hmac.new(_srp_pepper(rt, pool), f"user-id\x00{name}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def start(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord | None, typed_name: str, a_hex: str,
          session: ChallengeSession | None = None) -> Challenge:
    """The PASSWORD_VERIFIER challenge for SRP_A: SALT, SRP_B and SECRET_BLOCK, with its state kept server-side.

    `user` None is an unknown user under PreventUserExistenceErrors ENABLED: AWS answers with a believable
    challenge whose salt is stable for that name, so probing cannot tell; the proof then fails.
    `session` carries an enclosing sign-in's state (CUSTOM_AUTH) into the challenge."""
    if user is not None and user.srp_salt and user.srp_verifier:
        salt, verifier = user.srp_salt, int(user.srp_verifier, 16)
        user_id, exists = user.username, True
    else:
        # An unknown user, or one without a password (nothing to prove against): a verifier for a
        # random password makes every proof fail. Never a placeholder verifier like 1: with v = 1 the
        # session key is computable without any password.
        key = rt.store.user_key(pool, typed_name) if user is None else user.username
        salt = srp.simulated_salt(pool.id, key, _srp_pepper(rt, pool))
        user_id = _simulated_user_id(rt, pool, key) if user is None else user.username
        verifier = srp.simulated_verifier(pool.id, user_id, salt)
        exists = user is not None
    step = srp.start_challenge(verifier, salt)
    secret_block = srp.new_secret_block()
    data = session or ChallengeSession(pool.id, client.client_id, user_id, NAME)
    data.srp = SrpState(a=a_hex, b=srp.to_hex(step.b), B=srp.to_hex(step.big_b), salt=salt,
                        verifier=srp.to_hex(verifier), secret_block=secret_block, exists=exists,
                        typed_name=typed_name)
    challenge = open_challenge(rt, pool, client, user_id, NAME, {
        "SALT": step.salt_param, "SRP_B": step.srp_b_param, "SECRET_BLOCK": secret_block,
        "USERNAME": user_id, "USER_ID_FOR_SRP": user_id,
    }, data)
    index_secret_block(rt.store, pool.id, secret_block, challenge.session,
                       rt.clock() + client.auth_session_validity * 60)
    return challenge


def check_proof(rt: Runtime, pool: UserPool, client: AppClient, session: ChallengeSession,
                responses: dict[str, str]) -> UserRecord:
    """The user whose SRP proof this answer carries; AWS's errors for a wrong, replayed or stale one.

    A wrong proof counts towards the user's lockout, as a wrong password does."""
    state = session.srp
    if state is None:
        raise reject("session_invalid", "this Session has no SRP state")
    # The block is single-use whichever way the answer found this session.
    forget_secret_block(rt.store, pool.id, state.secret_block)
    for name in ("PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP", "USERNAME"):
        require_param(responses, name, "missing_challenge_response")
    if responses["PASSWORD_CLAIM_SECRET_BLOCK"] != state.secret_block:
        raise reject("wrong_password", "PASSWORD_CLAIM_SECRET_BLOCK is not the SECRET_BLOCK of this challenge "
                                       "(replayed or from another sign-in)")
    if srp.parse_timestamp(responses["TIMESTAMP"]) is None:
        raise reject("validation", f"TIMESTAMP {responses['TIMESTAMP']!r} is not 'EEE MMM d HH:mm:ss z yyyy'",
                     detail="TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    if client.client_secret or responses.get("SECRET_HASH"):
        names = (responses["USERNAME"], session.username, state.typed_name)
        check_secret_hash_any(client, tuple(n for n in names if n), responses.get("SECRET_HASH"))
    check = srp.verify_password_claim(
        pool_id=pool.id, user_id_for_srp=session.username, verifier=int(state.verifier, 16),
        a=int(state.a, 16), b=int(state.b, 16), big_b=int(state.B, 16),
        secret_block_b64=state.secret_block, timestamp=responses["TIMESTAMP"],
        signature=responses["PASSWORD_CLAIM_SIGNATURE"], now=datetime.fromtimestamp(rt.clock(), UTC))
    if not state.exists:
        raise user_gone(pool, client, state.typed_name or session.username)
    user = rt.store.user(pool, session.username)
    if user is None:
        raise reject("session_invalid", f"user '{session.username}' of this session no longer exists")
    refuse_if_locked(user, rt.clock())
    if not check.ok:
        record_failure(rt, pool, user)
        raise reject("wrong_password", f"SRP proof refused: {check.reason}")
    record_success(rt, pool, user)
    return session_user(rt, pool, session)
