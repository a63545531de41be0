"""SRP-6a server side, held to the real client (pycognito, unmodified) and to an independent
reference written here from the protocol description (Java BigInteger byte conventions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from pycognito import aws_srp
from pycognito.aws_srp import AWSSRP
from pycognito.aws_srp import N_HEX as PYCOGNITO_N_HEX

from emulator.cognito import srp

POOL_ID = "us-east-1_AbCdEf123"


class _NoNetwork:
    """Stands in for the boto3 client: the SRP maths must never touch the network."""

    def __getattr__(self, name: str):
        raise AssertionError(f"pycognito tried to call the network: {name}")


def _client(user: str, password: str, pool_id: str = POOL_ID) -> AWSSRP:
    return AWSSRP(username=user, password=password, pool_id=pool_id, client_id="c", client=_NoNetwork())


def _sign_in(
    *,
    user: str,
    stored_password: str,
    typed_password: str,
    salt_hex: str | None = None,
    pool_id: str = POOL_ID,
) -> tuple[dict[str, str], str | None, str]:
    """One full USER_SRP_AUTH round: pycognito's answer, the server's expected signature, A."""
    salt_hex = salt_hex if salt_hex is not None else srp.new_salt()
    verifier = srp.password_verifier(pool_id, user, stored_password, salt_hex)
    client = _client(user, typed_password, pool_id)
    a_hex = client.get_auth_params()["SRP_A"]
    assert srp.public_a_valid(a_hex)
    challenge = srp.start_challenge(verifier, salt_hex)
    secret_block = srp.new_secret_block()
    params = {
        "SALT": challenge.salt_param,
        "SRP_B": challenge.srp_b_param,
        "SECRET_BLOCK": secret_block,
        "USERNAME": user,
        "USER_ID_FOR_SRP": user,
    }
    answer = client.process_challenge(params, {"USERNAME": user})
    expected = srp.expected_signature(
        pool_id,
        user,
        verifier,
        int(a_hex, 16),
        challenge.b,
        challenge.big_b,
        answer["PASSWORD_CLAIM_SECRET_BLOCK"],
        answer["TIMESTAMP"],
    )
    return answer, expected, a_hex


# --- independent reference --------------------------------------------------------------


def _java_bytes(value: int) -> bytes:
    """BigInteger.toByteArray() of a non-negative value: minimal two's complement, big-endian."""
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def _sha(data: bytes) -> int:
    return int.from_bytes(hashlib.sha256(data).digest(), "big")


def _reference_signature(pool_id, user, password, salt, a, big_a, b, secret_block, timestamp) -> str:
    """Server and client sides of the protocol, from scratch; also checks both reach one S."""
    n, g = int(PYCOGNITO_N_HEX, 16), 2
    k = _sha(_java_bytes(n) + _java_bytes(g))
    suffix = pool_id.split("_")[1]
    x = _sha(_java_bytes(salt) + hashlib.sha256(f"{suffix}{user}:{password}".encode()).digest())
    v = pow(g, x, n)
    big_b = (k * v + pow(g, b, n)) % n
    u = _sha(_java_bytes(big_a) + _java_bytes(big_b))
    s_server = pow(big_a * pow(v, u, n), b, n)
    s_client = pow((big_b - k * pow(g, x, n)) % n, a + u * x, n)
    assert s_server == s_client
    prk = hmac.new(_java_bytes(u), _java_bytes(s_server), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    msg = suffix.encode() + user.encode() + base64.b64decode(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


# --- constants and padding -----------------------------------------------------------------


def test_prime_is_byte_for_byte_the_one_pycognito_uses():
    assert srp.N_HEX == PYCOGNITO_N_HEX
    assert srp.N.bit_length() == 3072
    assert srp.G == 2


def test_multiplier_k_matches_an_independent_computation_and_pycognito():
    n = int(PYCOGNITO_N_HEX, 16)
    assert _sha(_java_bytes(n) + _java_bytes(2)) == srp.K
    assert _client("u", "p").val_k == srp.K


@pytest.mark.parametrize(
    ("value", "padded"),
    [
        (0x7F, "7f"),
        (0x80, "0080"),
        (0xABC, "0abc"),
        (0xFFF, "0fff"),
        (0x1, "01"),
        (0x0, "00"),
        (0xFF, "00ff"),
    ],
)
def test_pad_hex_follows_the_clients_rules(value, padded):
    assert srp.pad_hex(value) == padded


def test_pad_hex_equals_java_to_byte_array_on_boundaries_and_random_values():
    rng = random.Random(7)
    values = [2**i + d for i in range(0, 3080, 4) for d in (-1, 0, 1) if 2**i + d >= 0]
    values += [rng.getrandbits(rng.randrange(1, 3100)) for _ in range(300)]
    for value in values:
        assert srp.pad_hex(value) == _java_bytes(value).hex(), value


def test_pad_hex_rejects_negative_numbers():
    with pytest.raises(ValueError):
        srp.pad_hex(-1)


def test_new_salt_is_canonical_128_bit_hex():
    salts = {srp.new_salt() for _ in range(50)}
    assert len(salts) == 50
    for salt in salts:
        assert salt == format(int(salt, 16), "x")
        assert int(salt, 16) < 2**128


# --- interoperability with the real client ---------------------------------------------------


def test_pycognito_signature_with_right_password_is_the_expected_one():
    answer, expected, _ = _sign_in(user="alice", stored_password="Passw0rd!", typed_password="Passw0rd!")
    assert expected is not None
    assert answer["PASSWORD_CLAIM_SIGNATURE"] == expected
    assert srp.signature_matches(expected, answer["PASSWORD_CLAIM_SIGNATURE"])


def test_pycognito_signature_with_wrong_password_does_not_match():
    answer, expected, _ = _sign_in(user="alice", stored_password="Passw0rd!", typed_password="Passw0rd?")
    assert not srp.signature_matches(expected, answer["PASSWORD_CLAIM_SIGNATURE"])


def test_signature_is_bound_to_the_user_id_and_pool():
    salt = srp.new_salt()
    answer, expected, a_hex = _sign_in(user="alice", stored_password="pw", typed_password="pw", salt_hex=salt)
    assert srp.signature_matches(expected, answer["PASSWORD_CLAIM_SIGNATURE"])
    # Same password stored for another user name: the verifier differs, so the proof fails.
    other = srp.password_verifier(POOL_ID, "bob", "pw", salt)
    challenge = srp.start_challenge(other, salt)
    wrong = srp.expected_signature(
        POOL_ID, "alice", other, int(a_hex, 16), challenge.b, challenge.big_b, srp.new_secret_block(), "t"
    )
    assert not srp.signature_matches(wrong, answer["PASSWORD_CLAIM_SIGNATURE"])


@pytest.mark.parametrize(
    "salt_hex",
    [
        "80000000000000000000000000000001",  # high nibble: padHex prepends 00
        "ffffffffffffffffffffffffffffffff",
        "7fffffffffffffffffffffffffffffff",  # no padding needed
        "abc",  # odd length: padHex prepends 0
        "fff",
        "1",
        "0",
    ],
)
def test_salts_that_exercise_every_padding_branch_interoperate(salt_hex):
    answer, expected, _ = _sign_in(user="alice", stored_password="pw", typed_password="pw", salt_hex=salt_hex)
    assert answer["PASSWORD_CLAIM_SIGNATURE"] == expected


def test_many_random_salts_users_and_passwords_interoperate():
    rng = random.Random(2024)
    alphabet = "abcXYZ019._-@+éß漢"
    for _ in range(20):
        salt = format(rng.getrandbits(rng.choice([128, 127, 124, 120, 64])), "x")
        user = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 20)))
        password = "".join(rng.choice(alphabet + "!:ü🙂 ") for _ in range(rng.randrange(1, 30)))
        answer, expected, _ = _sign_in(
            user=user, stored_password=password, typed_password=password, salt_hex=salt
        )
        assert answer["PASSWORD_CLAIM_SIGNATURE"] == expected, (salt, user, password)


def test_stored_salt_with_leading_zeros_is_sent_canonically_so_clients_agree():
    # pycognito would pad "00ab…" as a string and get different bytes from the JS client's
    # padHex(integer); sending the canonical hex keeps both on the verifier's x.
    salt = "00ab" + "12" * 14
    challenge = srp.start_challenge(srp.password_verifier(POOL_ID, "alice", "pw", salt), salt)
    assert challenge.salt_param == salt.lstrip("0")
    answer, expected, _ = _sign_in(user="alice", stored_password="pw", typed_password="pw", salt_hex=salt)
    assert answer["PASSWORD_CLAIM_SIGNATURE"] == expected


def test_pool_id_suffix_is_what_is_hashed():
    answer, expected, _ = _sign_in(
        user="alice", stored_password="pw", typed_password="pw", pool_id="eu-central-1_Zz9"
    )
    assert answer["PASSWORD_CLAIM_SIGNATURE"] == expected
    assert srp.pool_suffix("eu-central-1_Zz9") == "Zz9"


def test_expected_signature_matches_an_independent_reference_implementation():
    rng = random.Random(99)
    for _ in range(4):
        salt, a, b = rng.getrandbits(128), rng.getrandbits(256), rng.getrandbits(256)
        big_a = pow(2, a, srp.N)
        user, password = "user" + str(rng.randrange(1000)), "pw" + str(rng.random())
        block = base64.b64encode(rng.randbytes(48)).decode()
        ts = "Tue Jan 2 03:04:05 UTC 2024"
        v = srp.password_verifier(POOL_ID, user, password, format(salt, "x"))
        big_b = (srp.K * v + pow(2, b, srp.N)) % srp.N
        assert srp.expected_signature(POOL_ID, user, v, big_a, b, big_b, block, ts) == _reference_signature(
            POOL_ID, user, password, salt, a, big_a, b, block, ts
        )


def test_server_ephemeral_is_k_v_plus_g_to_the_b_and_fresh_each_time():
    v = srp.password_verifier(POOL_ID, "alice", "pw", "abcd")
    (b1, big_b1), (b2, big_b2) = srp.server_ephemeral(v), srp.server_ephemeral(v)
    assert big_b1 != big_b2 and b1 != b2
    assert big_b1 == (srp.K * v + pow(2, b1, srp.N)) % srp.N
    assert 0 < big_b1 < srp.N
    assert b1.bit_length() > 200


def test_challenge_parameters_are_lowercase_hex_without_leading_zeros():
    challenge = srp.start_challenge(srp.password_verifier(POOL_ID, "a", "p", "0f0f"), "0F0F")
    assert challenge.salt_param == "f0f"
    assert challenge.srp_b_param == format(challenge.big_b, "x")
    assert not challenge.srp_b_param.startswith("0")


def test_no_signature_when_u_is_zero(monkeypatch):
    monkeypatch.setattr(srp, "scrambler", lambda a, big_b: 0)
    assert srp.expected_signature(POOL_ID, "a", 5, 7, 11, 13, srp.new_secret_block(), "t") is None


def test_no_signature_when_secret_block_is_not_base64():
    assert srp.expected_signature(POOL_ID, "a", 5, 7, 11, 13, "not base64!", "t") is None


# --- SRP_A validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a_hex",
    [
        "0",
        "00",
        PYCOGNITO_N_HEX,  # A == N
        PYCOGNITO_N_HEX.lower(),
        format(2 * int(PYCOGNITO_N_HEX, 16), "x"),  # A mod N == 0
        "",
        "xyz",
        "0x1f",
        " 1f",
        "-1f",
        "1_f",
        "f" * (srp.MAX_SRP_A_HEX_LEN + 1),
        None,
    ],
)
def test_public_a_rejected(a_hex):
    assert not srp.public_a_valid(a_hex)


def test_public_a_from_the_real_client_accepted_in_either_case():
    a_hex = _client("u", "p").get_auth_params()["SRP_A"]
    assert srp.public_a_valid(a_hex)
    assert srp.public_a_valid(a_hex.upper())
    assert srp.public_a_valid(format(int(PYCOGNITO_N_HEX, 16) + 1, "x"))


# --- signature comparison ---------------------------------------------------------------------


def test_signature_matches_is_exact_and_tolerates_garbage():
    sig = base64.b64encode(bytes(range(32))).decode()
    assert srp.signature_matches(sig, sig)
    assert srp.signature_matches(sig, sig.rstrip("="))  # missing padding, same bytes
    assert not srp.signature_matches(sig, base64.b64encode(bytes(range(1, 33))).decode())
    assert not srp.signature_matches(sig, "")
    assert not srp.signature_matches(sig, "héllo")  # non-ASCII must not raise
    assert not srp.signature_matches(sig, None)
    assert not srp.signature_matches(None, sig)


# --- TIMESTAMP ----------------------------------------------------------------------------------


def test_timestamp_parsed_with_unpadded_day():
    assert srp.parse_timestamp("Tue Jan 2 03:04:05 UTC 2024") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_timestamp_parsed_with_zero_padded_day_but_not_canonical():
    assert srp.parse_timestamp("Tue Jan 02 03:04:05 UTC 2024") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert srp.canonical_timestamp("Tue Jan 2 03:04:05 UTC 2024")
    assert not srp.canonical_timestamp("Tue Jan 02 03:04:05 UTC 2024")
    assert not srp.canonical_timestamp("Wed Jan 2 03:04:05 UTC 2024")  # wrong weekday
    assert not srp.canonical_timestamp("Tue Jan 2 3:04:05 UTC 2024")
    assert not srp.canonical_timestamp("Tue Jan 2 03:04:05 GMT 2024")


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "",
        "2024-01-02T03:04:05Z",
        "Mon Feb 12 15:26:37 +05:30 2018",
        "Mon Feb 12 15:56:9 IST 2018",
        "Tue Feb 30 03:04:05 UTC 2024",
        "Tue Jan 2 25:04:05 UTC 2024",
        "Xyz Jan 2 03:04:05 UTC 2024",
        "Tue Jan 2 03:04:05 UTC 2024 ",
        None,
    ],
)
def test_unparsable_timestamp_is_none(text):
    assert srp.parse_timestamp(text) is None


def test_format_timestamp_is_what_pycognito_sends():
    rng = random.Random(5)
    start = datetime(2000, 1, 1)
    for _ in range(500):
        moment = start + timedelta(seconds=rng.randrange(40 * 365 * 86400))
        text = AWSSRP.get_cognito_formatted_timestamp(moment)
        assert srp.format_timestamp(moment) == text
        assert srp.format_timestamp(moment.replace(tzinfo=UTC)) == text
        assert srp.parse_timestamp(text) == moment.replace(tzinfo=UTC)
        assert srp.canonical_timestamp(text)


def test_timestamp_freshness_window():
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    ts = srp.format_timestamp(now)
    assert srp.timestamp_fresh(ts, now)
    assert srp.timestamp_fresh(ts, now + timedelta(seconds=300))
    assert srp.timestamp_fresh(ts, now - timedelta(seconds=300))
    assert not srp.timestamp_fresh(ts, now + timedelta(seconds=301))
    assert not srp.timestamp_fresh(ts, now - timedelta(seconds=301))
    assert srp.timestamp_fresh(ts, now + timedelta(seconds=30), tolerance_seconds=30)
    assert srp.timestamp_fresh(ts, now.replace(tzinfo=None))  # naive now is UTC
    assert not srp.timestamp_fresh("garbage", now)


# --- the whole PASSWORD_VERIFIER check -----------------------------------------------------------


def _claim(user: str, stored: str, typed: str, **overrides):
    salt = srp.new_salt()
    verifier = srp.password_verifier(POOL_ID, user, stored, salt)
    client = _client(user, typed)
    a_hex = client.get_auth_params()["SRP_A"]
    challenge = srp.start_challenge(verifier, salt)
    params = {
        "SALT": challenge.salt_param,
        "SRP_B": challenge.srp_b_param,
        "SECRET_BLOCK": srp.new_secret_block(),
        "USER_ID_FOR_SRP": user,
    }
    answer = client.process_challenge(params, {"USERNAME": user})
    kwargs = {
        "pool_id": POOL_ID,
        "user_id_for_srp": user,
        "verifier": verifier,
        "a": int(a_hex, 16),
        "b": challenge.b,
        "big_b": challenge.big_b,
        "secret_block_b64": answer["PASSWORD_CLAIM_SECRET_BLOCK"],
        "timestamp": answer["TIMESTAMP"],
        "signature": answer["PASSWORD_CLAIM_SIGNATURE"],
        "now": datetime.now(UTC),
    }
    kwargs.update(overrides)
    return srp.verify_password_claim(**kwargs)


def test_verify_password_claim_accepts_the_real_client():
    check = _claim("alice", "pw", "pw")
    assert check.ok and check.outcome is srp.ClaimOutcome.OK


def test_verify_password_claim_wrong_password():
    check = _claim("alice", "pw", "PW")
    assert check.outcome is srp.ClaimOutcome.BAD_SIGNATURE and not check.ok
    assert "PASSWORD_CLAIM_SIGNATURE" in check.reason


def test_verify_password_claim_other_secret_block_fails():
    assert _claim("alice", "pw", "pw", secret_block_b64=srp.new_secret_block()).outcome is (
        srp.ClaimOutcome.BAD_SIGNATURE
    )


def test_verify_password_claim_client_clock_off():
    check = _claim("alice", "pw", "pw", now=datetime.now(UTC) + timedelta(minutes=10))
    assert check.outcome is srp.ClaimOutcome.STALE_TIMESTAMP


def test_verify_password_claim_unparsable_timestamp():
    check = _claim("alice", "pw", "pw", timestamp="Mon Feb 12 15:26:37 +05:30 2018")
    assert check.outcome is srp.ClaimOutcome.BAD_TIMESTAMP_FORMAT


def test_verify_password_claim_zero_padded_day_is_refused_like_aws(monkeypatch):
    # The 2017 warrant bug: a client that signs "Jan 02" is refused although the HMAC inputs
    # agree, because Cognito signs its own spelling of the moment.
    monkeypatch.setattr(
        AWSSRP,
        "get_cognito_formatted_timestamp",
        staticmethod(lambda d: d.strftime("%a %b %d %H:%M:%S UTC %Y")),
    )
    fixed = datetime(2024, 1, 2, 3, 4, 5)
    # Pin pycognito's clock to a single-digit day, where "%d" and the canonical day differ.
    fixed_clock = SimpleNamespace(datetime=SimpleNamespace(utcnow=lambda: fixed))
    monkeypatch.setattr(aws_srp, "datetime", fixed_clock)
    check = _claim("alice", "pw", "pw", now=fixed.replace(tzinfo=UTC))
    assert check.outcome is srp.ClaimOutcome.NON_CANONICAL_TIMESTAMP
    assert "Tue Jan 2 03:04:05 UTC 2024" in check.reason


# --- unknown users (PreventUserExistenceErrors) ------------------------------------------------


def test_simulated_salt_is_stable_per_user_and_differs_across_users_pools_and_peppers():
    pepper = b"p" * 32
    salt = srp.simulated_salt(POOL_ID, "ghost", pepper)
    assert salt == srp.simulated_salt(POOL_ID, "ghost", pepper)
    assert salt != srp.simulated_salt(POOL_ID, "ghost2", pepper)
    assert salt != srp.simulated_salt("us-east-1_Other", "ghost", pepper)
    assert salt != srp.simulated_salt(POOL_ID, "ghost", b"q" * 32)
    assert salt == format(int(salt, 16), "x") and int(salt, 16) < 2**128


def test_simulated_verifier_makes_every_proof_fail():
    salt = srp.simulated_salt(POOL_ID, "ghost", b"pepper")
    verifier = srp.simulated_verifier(POOL_ID, "ghost", salt)
    assert verifier != srp.simulated_verifier(POOL_ID, "ghost", salt)
    client = _client("ghost", "any password")
    a_hex = client.get_auth_params()["SRP_A"]
    challenge = srp.start_challenge(verifier, salt)
    params = {
        "SALT": challenge.salt_param,
        "SRP_B": challenge.srp_b_param,
        "SECRET_BLOCK": srp.new_secret_block(),
        "USER_ID_FOR_SRP": "ghost",
    }
    answer = client.process_challenge(params, {"USERNAME": "ghost"})
    expected = srp.expected_signature(
        POOL_ID, "ghost", verifier, int(a_hex, 16), challenge.b, challenge.big_b,
        answer["PASSWORD_CLAIM_SECRET_BLOCK"], answer["TIMESTAMP"],
    )  # fmt: skip
    assert expected is not None
    assert not srp.signature_matches(expected, answer["PASSWORD_CLAIM_SIGNATURE"])


def test_client_side_signature_is_what_the_server_expects() -> None:
    salt = srp.new_salt()
    verifier = srp.password_verifier("us-east-1_Abc", "user", "pw", salt)
    b, big_b = srp.server_ephemeral(verifier)
    small_a, big_a = srp.client_ephemeral()
    block = srp.new_secret_block()
    stamp = "Tue Jan 2 03:04:05 UTC 2024"
    expected = srp.expected_signature("us-east-1_Abc", "user", verifier, big_a, b, big_b, block, stamp)
    assert srp.client_signature("us-east-1_Abc", "user", "pw", salt, small_a, big_a, big_b, block, stamp) == expected
    assert srp.client_signature("us-east-1_Abc", "user", "nope", salt, small_a, big_a, big_b, block, stamp) != expected
