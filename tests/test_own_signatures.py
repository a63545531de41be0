"""Own tokens: those of the JSON API are signed after the store transaction commits (the bytes are PyJWT's, an
Unsigned token never leaves as one, at_hash is over the final token); the verdict of checking one is memoised
per key and bytes, and a forged one is refused every time."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator import tokens
from emulator.cognito.lookup import secret_hash
from emulator.keys import SigningKey
from emulator.server import EmulatorServer
from emulator.tokens import TokenSigner, Unsigned, at_hash, own_signature_verifies, signing_input
from tests.conftest import POOL_ID

KEY = SigningKey("kid-1", rsa.generate_private_key(public_exponent=65537, key_size=2048))


class _Keyring:
    def signing_key(self, pool_id: str, purpose: str) -> SigningKey:
        return KEY


@pytest.mark.parametrize("claims", [
    {"sub": "x", "exp": 2, "iat": 1},
    {"sub": "ü", "cognito:groups": ["a", "b"], "email_verified": True, "nested": {"k": [1, None]}},
    {"custom:attr": "line\nbreak \"quoted\" </script>", "n": 1.5},
])
def test_tokens_are_byte_for_byte_what_pyjwt_signs(claims: dict) -> None:
    expected = jwt.encode(claims, KEY.private_key, algorithm="RS256", headers={"kid": KEY.kid, "alg": "RS256"})
    assert TokenSigner(_Keyring()).sign("p", "id", claims) == expected  # type: ignore[arg-type]
    assert signing_input(KEY.kid, claims) == expected.rsplit(".", 1)[0].encode()


def test_a_deferred_token_is_unsigned_until_completed() -> None:
    signer = TokenSigner(_Keyring())  # type: ignore[arg-type]
    with signer.deferred():
        pending = signer.sign("p", "access", {"sub": "x"})
    assert isinstance(pending, Unsigned)
    assert pending.endswith("(signature pending)")  # never mistaken for a JWS
    result = signer.complete({"AuthenticationResult": {"AccessToken": pending, "ExpiresIn": 3600},
                              "List": [pending], "Other": "text"})
    signed = result["AuthenticationResult"]["AccessToken"]
    assert not isinstance(signed, Unsigned) and result["List"] == [signed] and result["Other"] == "text"
    assert jwt.decode(signed, KEY.private_key.public_key(), algorithms=["RS256"]) == {"sub": "x"}
    assert signer.sign("p", "access", {"sub": "x"}) == signed  # outside deferral: signed at once, same bytes


def test_finish_signs_a_deferred_token_for_at_hash() -> None:
    signer = TokenSigner(_Keyring())  # type: ignore[arg-type]
    with signer.deferred():
        finished = signer.finish(signer.sign("p", "access", {"sub": "x"}))
    assert at_hash(finished) == at_hash(signer.sign("p", "access", {"sub": "x"}))


@pytest.mark.e2e
def test_initiate_auth_signs_its_tokens_outside_the_store_transaction(server: EmulatorServer, idp, monkeypatch) -> None:
    store = server.runtime.store
    seen: list[bool] = []
    signed = tokens._signed

    def watching(key: SigningKey, data: bytes) -> str:
        seen.append(store._db.in_transaction)
        return signed(key, data)

    monkeypatch.setattr(tokens, "_signed", watching)
    result = idp.initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
        "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})["AuthenticationResult"]
    assert seen == [False, False]  # the access and the ID token, after the commit
    public = server.runtime.keyring.signing_key(POOL_ID, "id").public_key
    assert jwt.decode(result["IdToken"], public, algorithms=["RS256"], audience="piyopiyo")["token_use"] == "id"


def test_a_signature_verdict_is_remembered_per_key_and_bytes() -> None:
    token = TokenSigner(_Keyring()).sign("p", "access", {"sub": "memo"})  # type: ignore[arg-type]
    data, signature = token.rsplit(".", 1)
    raw = jwt.utils.base64url_decode(signature)
    before = own_signature_verifies.cache_info().hits
    assert own_signature_verifies(KEY, data.encode(), raw) is True
    assert own_signature_verifies(KEY, data.encode(), raw) is True
    assert own_signature_verifies.cache_info().hits == before + 1
    forged = raw[:-1] + bytes([raw[-1] ^ 1])
    assert own_signature_verifies(KEY, data.encode(), forged) is False
    assert own_signature_verifies(KEY, data.encode(), forged) is False  # refused again, never remembered as good
    other = SigningKey("kid-2", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert own_signature_verifies(other, data.encode(), raw) is False  # the verdict was this key's only
