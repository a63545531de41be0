"""The server side of SRP-6a exactly as Cognito's clients compute it (USER_SRP_AUTH).

Pure functions over plain values: no storage, no clock (callers pass ``now``), no I/O.
Every byte convention follows the real clients, pycognito ``aws_srp.py`` and
amazon-cognito-identity-js ``AuthenticationHelper.js``; the tests drive pycognito
unmodified against these functions.

Byte conventions in one place:

- Big integers are turned into bytes through :func:`pad_hex` (lowercase hex, even length,
  a ``00`` byte in front when the top bit is set). For positive numbers that is exactly
  Java's ``BigInteger.toByteArray()``, i.e. what Cognito's own server hashes.
- ``H`` is SHA-256 over bytes; hex strings are hex-decoded before hashing, never hashed
  as text. The one text input is ``poolSuffix + userIdForSrp + ":" + password`` (UTF-8).
- The HKDF salt is ``padHex(u)`` and its input key material ``padHex(S)``, both as bytes.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

# RFC 5054 3072-bit group, byte for byte the hex in pycognito / amazon-cognito-identity-js.
N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N: int = int(N_HEX, 16)
G: int = 2

# HKDF "info" of Cognito's derived key, followed by the HKDF block counter 0x01.
_HKDF_INFO = b"Caldera Derived Key\x01"

# The server's secret exponent b. 256 bits give the 128-bit security a 3072-bit group
# offers (NIST SP 800-56A); the clients' 1024-bit a would triple the cost of every sign-in
# for nothing.
_EPHEMERAL_BITS = 256

# Real clients send A as unpadded hex of a number below N (768 hex digits). Anything much
# longer cannot come from a real client, and a huge one would only burn CPU in pow().
MAX_SRP_A_HEX_LEN = 1024

_HEX_RE = re.compile(r"[0-9a-fA-F]+")


# --- encoding and hashing ---------------------------------------------------------------


def pad_hex(value: int) -> str:
    """Hex of a non-negative integer as Cognito hashes it: even length, ``00`` before a high nibble.

    ``pad_hex(0x7f) == "7f"``, ``pad_hex(0x80) == "0080"``, ``pad_hex(0xabc) == "0abc"``.
    """
    if value < 0:
        # Only the JS client defines padding for negatives; no SRP value here is negative.
        raise ValueError("pad_hex is defined for non-negative integers only")
    text = format(value, "x")
    if len(text) % 2:
        # An odd length gets one "0"; the top nibble is then 0, so no sign byte is needed.
        return "0" + text
    if text[0] in "89abcdef":
        # Top bit set: prepend a zero byte so the bytes read as a positive number.
        return "00" + text
    return text


def to_hex(value: int) -> str:
    """Canonical lowercase hex without leading zeros: how SALT and SRP_B go on the wire.

    pycognito pads the *string* it receives while the JS client parses it into an integer
    and pads that; the two agree only when the string has no leading zeros.
    """
    return format(value, "x")


def parse_hex(text: object) -> int | None:
    """A strict hex string (digits and a–f/A–F only, no ``0x``, sign, space or ``_``) as int."""
    # int(text, 16) alone would also accept "0x1f", " 1f", "+1f" and "1_f".
    if not isinstance(text, str) or not _HEX_RE.fullmatch(text):
        return None
    return int(text, 16)


def hash_bytes(data: bytes) -> str:
    """SHA-256 of bytes as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def hash_hex(hex_str: str) -> str:
    """SHA-256 of the bytes a hex string encodes (not of its text), as 64 hex digits."""
    return hash_bytes(bytes.fromhex(hex_str))


def _hash_to_int(hex_str: str) -> int:
    return int(hash_hex(hex_str), 16)


# k = H(padHex(N) ‖ padHex(g)); pycognito writes the same as hex_hash("00" + N_HEX + "02").
K: int = _hash_to_int(pad_hex(N) + pad_hex(G))


def pool_suffix(pool_id: str) -> str:
    """The part of a pool id after the region: ``us-east-1_AbC123`` → ``AbC123``."""
    # Pool ids have exactly one "_"; maxsplit=1 keeps any further one in the suffix.
    return pool_id.split("_", 1)[1]


# --- verifier ---------------------------------------------------------------------------


def new_salt() -> str:
    """A fresh random 128-bit salt as canonical hex (what is stored and sent as SALT)."""
    return to_hex(secrets.randbits(128))


def _private_x(pool_id: str, user_id_for_srp: str, password: str, salt_hex: str) -> int:
    salt = parse_hex(salt_hex)
    if salt is None:
        raise ValueError(f"salt is not hex: {salt_hex!r}")
    identity_hash = hash_bytes(f"{pool_suffix(pool_id)}{user_id_for_srp}:{password}".encode())
    # x = H(padHex(salt) ‖ H(identity)); the salt is padded from its integer value, as the
    # JS client does, so a stored salt with leading zeros still gives the client's x.
    return _hash_to_int(pad_hex(salt) + identity_hash)


def password_verifier(pool_id: str, user_id_for_srp: str, password: str, salt_hex: str) -> int:
    """v = g^x mod N for the user's password; ``user_id_for_srp`` is the real username."""
    return pow(G, _private_x(pool_id, user_id_for_srp, password, salt_hex), N)


def simulated_salt(pool_id: str, username: str, pepper: bytes) -> str:
    """A stable salt for a user that does not exist (PreventUserExistenceErrors ENABLED).

    AWS answers an unknown user with a PASSWORD_VERIFIER challenge like any other, so the
    salt must not change between attempts or a second try would reveal the user is fake.
    Keyed by a per-pool secret ``pepper`` so it cannot be told from a random salt. Pass the
    username as the pool would look it up (lower-cased for a case-insensitive pool).
    """
    digest = hmac.new(pepper, f"{pool_id}\x00{username}".encode(), hashlib.sha256).digest()
    return to_hex(int.from_bytes(digest[:16], "big"))


def simulated_verifier(pool_id: str, username: str, salt_hex: str) -> int:
    """A verifier for a random, discarded password: every proof against it fails."""
    return password_verifier(pool_id, username, secrets.token_urlsafe(32), salt_hex)


# --- the challenge ----------------------------------------------------------------------


def server_ephemeral(verifier: int) -> tuple[int, int]:
    """A fresh (b, B) with B = (k·v + g^b) mod N, never 0 mod N (the client would refuse it)."""
    while True:
        b = secrets.randbits(_EPHEMERAL_BITS)
        big_b = (K * verifier + pow(G, b, N)) % N
        if b != 0 and big_b != 0:
            return b, big_b


def new_secret_block(nbytes: int = 64) -> str:
    """An opaque random SECRET_BLOCK (standard base64) the client echoes back.

    Real Cognito seals its SRP state inside this block; here it only needs to be
    unguessable and to key the server-side state of the challenge.
    """
    return base64.b64encode(secrets.token_bytes(nbytes)).decode("ascii")


@dataclass(frozen=True)
class PasswordVerifierChallenge:
    """Server-side state of one PASSWORD_VERIFIER challenge and its wire parameters."""

    salt_hex: str  # canonical hex of the user's salt
    b: int  # the server's secret exponent; never leaves the server
    big_b: int

    @property
    def salt_param(self) -> str:
        """ChallengeParameters.SALT."""
        return self.salt_hex

    @property
    def srp_b_param(self) -> str:
        """ChallengeParameters.SRP_B."""
        return to_hex(self.big_b)


def start_challenge(verifier: int, salt_hex: str) -> PasswordVerifierChallenge:
    """Pick the server ephemeral for a PASSWORD_VERIFIER challenge against ``verifier``."""
    salt = parse_hex(salt_hex)
    if salt is None:
        raise ValueError(f"salt is not hex: {salt_hex!r}")
    b, big_b = server_ephemeral(verifier)
    # Canonical form: a stored salt with leading zeros would make pycognito and the JS client
    # disagree about padHex(salt).
    return PasswordVerifierChallenge(salt_hex=to_hex(salt), b=b, big_b=big_b)


# --- the proof --------------------------------------------------------------------------


def public_a_valid(a_hex: str) -> bool:
    """Whether SRP_A is usable: strict hex, not absurdly long, and A mod N ≠ 0 (RFC 5054)."""
    if not isinstance(a_hex, str) or len(a_hex) > MAX_SRP_A_HEX_LEN:
        return False
    a = parse_hex(a_hex)
    # A ≡ 0 (mod N) would force S = 0 whatever the password: the classic SRP bypass.
    return a is not None and a % N != 0


def scrambler(a: int, big_b: int) -> int:
    """u = H(padHex(A) ‖ padHex(B)), from A as the client sent it (not reduced mod N)."""
    return _hash_to_int(pad_hex(a) + pad_hex(big_b))


def session_key(verifier: int, a: int, b: int, big_b: int) -> bytes | None:
    """The 16-byte key both sides derive, or None when u == 0 (the proof is then refused)."""
    u = scrambler(a, big_b)
    if u == 0:
        return None
    # S = (A·v^u)^b mod N; the client reaches the same S as (B − k·g^x)^(a + u·x).
    return _derived_key(u, pow(a * pow(verifier, u, N), b, N))


def _derived_key(u: int, s: int) -> bytes:
    # HKDF-SHA256, one block: PRK = HMAC(salt=padHex(u), ikm=padHex(S)), both hex-decoded.
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, _HKDF_INFO, hashlib.sha256).digest()[:16]


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def expected_signature(
    pool_id: str,
    user_id_for_srp: str,
    verifier: int,
    a: int,
    b: int,
    big_b: int,
    secret_block_b64: str,
    timestamp: str,
) -> str | None:
    """The PASSWORD_CLAIM_SIGNATURE (base64) a client with the right password sends.

    ``a`` is the client's public A, ``b``/``big_b`` the server's ephemeral pair. The
    timestamp is HMAC'd byte for byte as given (see :func:`canonical_timestamp` for why the
    caller should insist on the canonical form). None when u == 0 or the secret block is
    not base64: no signature can be right then.
    """
    key = session_key(verifier, a, b, big_b)
    return _claim(key, pool_id, user_id_for_srp, secret_block_b64, timestamp)


def _claim(key: bytes | None, pool_id: str, user_id_for_srp: str, secret_block_b64: str,
           timestamp: str) -> str | None:
    secret_block = _b64decode(secret_block_b64)
    if key is None or secret_block is None:
        return None
    message = pool_suffix(pool_id).encode() + user_id_for_srp.encode() + secret_block + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


def client_ephemeral() -> tuple[int, int]:
    """The client's side: (a, A = g^a mod N), for tools that sign in with SRP (the token command)."""
    while True:
        a = secrets.randbits(_EPHEMERAL_BITS)
        big_a = pow(G, a, N)
        if big_a % N:
            return a, big_a


def client_signature(pool_id: str, user_id_for_srp: str, password: str, salt_hex: str, small_a: int,
                     big_a: int, big_b: int, secret_block_b64: str, timestamp: str) -> str | None:
    """The PASSWORD_CLAIM_SIGNATURE a client computes from the challenge, as Cognito's clients do."""
    u = scrambler(big_a, big_b)
    if u == 0 or big_b % N == 0:
        return None
    x = _private_x(pool_id, user_id_for_srp, password, salt_hex)
    s = pow(big_b - K * pow(G, x, N), small_a + u * x, N)
    return _claim(_derived_key(u, s), pool_id, user_id_for_srp, secret_block_b64, timestamp)


def signature_matches(expected: str | None, given: object) -> bool:
    """Constant-time comparison of the decoded signatures; garbage never matches."""
    if expected is None or not isinstance(given, str):
        return False
    given_bytes = _b64decode(given)
    if given_bytes is None:
        # Tolerate a client that dropped the "=" padding, as Java's decoder would.
        given_bytes = _b64decode(given + "=" * (-len(given) % 4))
    expected_bytes = _b64decode(expected)
    if given_bytes is None or expected_bytes is None:
        return False
    # Compare bytes: hmac.compare_digest raises TypeError on non-ASCII str.
    return hmac.compare_digest(expected_bytes, given_bytes)


# --- TIMESTAMP --------------------------------------------------------------------------

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Java "EEE MMM d HH:mm:ss z yyyy" as a lenient parser reads it: one- or two-digit numbers,
# English names in any case. Only the zones a UTC clock can print are understood. Compiled by the first SRP
# sign-in (~3 ms: case-insensitive Unicode digits), not by every start.
_TIMESTAMP_PATTERN = (r"(?P<wd>[A-Za-z]{3}) (?P<mon>[A-Za-z]{3}) {1,2}(?P<day>\d{1,2}) "
                      r"(?P<h>\d{1,2}):(?P<m>\d{1,2}):(?P<s>\d{1,2}) (?P<tz>UTC|GMT) (?P<y>\d{4})")


def format_timestamp(moment: datetime) -> str:
    """Cognito's TIMESTAMP for a moment: ``Tue Jan 2 03:04:05 UTC 2024`` (day not padded).

    Both pycognito and amazon-cognito-identity-js print exactly this (UTC, English names).
    """
    m = moment.astimezone(UTC) if moment.tzinfo else moment
    return (
        f"{_WEEKDAYS[m.weekday()]} {_MONTHS[m.month - 1]} {m.day} "
        f"{m.hour:02d}:{m.minute:02d}:{m.second:02d} UTC {m.year}"
    )


def parse_timestamp(text: object) -> datetime | None:
    """Parse a TIMESTAMP into an aware UTC datetime; None when it is not that format.

    Accepts the day with or without a leading zero and ignores whether the weekday fits the
    date; :func:`canonical_timestamp` is what tells those apart.
    """
    if not isinstance(text, str):
        return None
    match = re.fullmatch(_TIMESTAMP_PATTERN, text, re.IGNORECASE)  # re's cache keeps the compiled pattern
    if not match:
        return None
    weekday, month = match["wd"].title(), match["mon"].title()
    if weekday not in _WEEKDAYS or month not in _MONTHS:
        return None
    try:
        return datetime(
            int(match["y"]),
            _MONTHS.index(month) + 1,
            int(match["day"]),
            int(match["h"]),
            int(match["m"]),
            int(match["s"]),
            tzinfo=UTC,
        )
    except ValueError:  # e.g. Feb 30, 25:00:00
        return None


def canonical_timestamp(text: str) -> bool:
    """Whether TIMESTAMP is exactly how the real clients print its moment.

    Cognito parses the TIMESTAMP, prints it again in its own format and HMACs *that*, so a
    parseable but different spelling (``Jan 02``, a wrong weekday, ``3:04:05``) gets
    NotAuthorizedException "Incorrect username or password." rather than a format error.
    Sources: qwigo/warrant PR #12 (zero-padded day → NotAuthorized), measurements quoted in
    ministackorg/ministack PR #1758 (``Sep 05`` and a wrong weekday → NotAuthorized).
    """
    moment = parse_timestamp(text)
    return moment is not None and format_timestamp(moment) == text


def timestamp_fresh(text: str, now: datetime, tolerance_seconds: int = 300) -> bool:
    """Whether TIMESTAMP parses and lies within ``tolerance_seconds`` of ``now`` either way.

    UNCONFIRMED: AWS checks the clock ("the date needs to be within a certain time interval
    of the server date", amazon-cognito-identity-js issue #58) but documents no window;
    5 minutes mirrors common request-signing skew.
    """
    moment = parse_timestamp(text)
    if moment is None:
        return False
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)  # a naive "now" is taken as UTC, like utcnow()
    return abs((moment - now).total_seconds()) <= tolerance_seconds


# --- one call for RespondToAuthChallenge(PASSWORD_VERIFIER) -----------------------------


class ClaimOutcome(enum.Enum):
    OK = "ok"
    # TIMESTAMP is not "EEE MMM d HH:mm:ss z yyyy": AWS answers InvalidParameterException
    # "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
    # (amazon-cognito-identity-js issue #683).
    BAD_TIMESTAMP_FORMAT = "bad_timestamp_format"
    # The remaining outcomes are NotAuthorizedException "Incorrect username or password.".
    STALE_TIMESTAMP = "stale_timestamp"
    NON_CANONICAL_TIMESTAMP = "non_canonical_timestamp"
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True)
class ClaimCheck:
    outcome: ClaimOutcome
    reason: str  # plain words, for the decisions log / x-emulator-reason

    @property
    def ok(self) -> bool:
        return self.outcome is ClaimOutcome.OK


def verify_password_claim(
    *,
    pool_id: str,
    user_id_for_srp: str,
    verifier: int,
    a: int,
    b: int,
    big_b: int,
    secret_block_b64: str,
    timestamp: str,
    signature: str,
    now: datetime,
    tolerance_seconds: int = 300,
) -> ClaimCheck:
    """Check a PASSWORD_VERIFIER answer: TIMESTAMP format, freshness, spelling, then the proof."""
    moment = parse_timestamp(timestamp)
    if moment is None:
        return ClaimCheck(
            ClaimOutcome.BAD_TIMESTAMP_FORMAT,
            f"TIMESTAMP {timestamp!r} is not in Cognito's format, e.g. {format_timestamp(now)!r}",
        )
    if not timestamp_fresh(timestamp, now, tolerance_seconds):
        return ClaimCheck(
            ClaimOutcome.STALE_TIMESTAMP,
            f"TIMESTAMP {timestamp!r} is more than {tolerance_seconds}s from the emulator's clock "
            f"({format_timestamp(now)!r}); the client's clock is off",
        )
    if not canonical_timestamp(timestamp):
        return ClaimCheck(
            ClaimOutcome.NON_CANONICAL_TIMESTAMP,
            f"TIMESTAMP {timestamp!r} must be written exactly {format_timestamp(moment)!r} "
            "(day without a leading zero, matching weekday, two-digit time, UTC): Cognito signs "
            "its own spelling, so the signature cannot match",
        )
    expected = expected_signature(
        pool_id, user_id_for_srp, verifier, a, b, big_b, secret_block_b64, timestamp
    )
    if not signature_matches(expected, signature):
        return ClaimCheck(
            ClaimOutcome.BAD_SIGNATURE,
            "PASSWORD_CLAIM_SIGNATURE does not match: wrong password, or the client used a "
            "different SRP_A/SALT/SRP_B/SECRET_BLOCK/USER_ID_FOR_SRP than this challenge's",
        )
    return ClaimCheck(ClaimOutcome.OK, "password proof verified")
