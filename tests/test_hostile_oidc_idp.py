"""A hostile OIDC IdP against the user pool as its relying party (oauth2/oidc_relying_party.py): junk, deeply
nested or huge answers, JWKS that are not keys, tokens signed with a wrong key, `alg: none`, a key confusion, wrong
aud/iss/nonce, and an IdP that answers slowly or byte by byte. Every one is an IdpFailure with a reason (the
sign-in fails closed), never another exception (a 500 page) and never a wait past the exchange's deadline."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from emulator.oauth2 import oidc_relying_party
from emulator.oauth2.oidc_relying_party import IdpFailure, signed_in_claims, verify_id_token

ISSUER, CLIENT, NONCE, NOW = "https://idp.example", "cid", "n1", 2000
DETAILS = {"client_id": CLIENT, "client_secret": "s", "oidc_issuer": ISSUER, "authorize_scopes": "openid"}
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
WRONG_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC = jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
JWKS = {"keys": [{**PUBLIC, "kid": "k1", "alg": "RS256", "use": "sig"}]}
CLAIMS = {"iss": ISSUER, "aud": CLIENT, "sub": "u1", "nonce": NONCE, "iat": 1000, "exp": 5000}
DISCOVERY = {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize", "token_endpoint": f"{ISSUER}/token",
             "userinfo_endpoint": f"{ISSUER}/userinfo", "jwks_uri": f"{ISSUER}/jwks"}


def _token(claims: dict | None = None, key: object = KEY, headers: dict | None = None, alg: str = "RS256") -> str:
    return jwt.encode({**CLAIMS, **(claims or {})}, key, algorithm=alg, headers={"kid": "k1", **(headers or {})})


def _hmac_with_public_key() -> str:
    """The key-confusion token: HS256 keyed with the IdP's public JWK (PyJWT will not make one itself)."""
    def part(data: dict) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")

    signing_input = part({"alg": "HS256", "kid": "k1", "typ": "JWT"}) + b"." + part(CLAIMS)
    mac = hmac.new(json.dumps(PUBLIC).encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()


def _forged_header(header: dict) -> str:
    """A token of the IdP's key with a header PyJWT would not write."""
    good = _token().split(".")
    forged = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    return ".".join([forged, good[1], good[2]])


def _idp(**answers: object) -> httpx.Client:
    """An IdP whose endpoints answer `answers[path]` (bytes as they are, anything else as JSON)."""
    defaults: dict[str, object] = {"/.well-known/openid-configuration": DISCOVERY, "/jwks": JWKS,
                                   "/token": {"id_token": _token(), "access_token": "at"}, "/userinfo": {"sub": "u1"}}
    defaults.update({"/" + k.replace("_", "-").replace("well-known", ".well-known/openid-configuration"): v
                     for k, v in answers.items()})

    def handler(request: httpx.Request) -> httpx.Response:
        answer = defaults.get(request.url.path, {"error": "not found"})
        if isinstance(answer, httpx.Response):
            return answer
        body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def _exchange(http: httpx.Client) -> dict:
    return signed_in_claims(DETAILS, "code", "http://localhost/oauth2/idpresponse", NONCE, NOW, http=http)


def test_a_well_behaved_idp_signs_in() -> None:
    assert _exchange(_idp())["sub"] == "u1"


DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE = b'{"a": "' + b"x" * (6 * 1024 * 1024) + b'"}'


@pytest.mark.parametrize(("answers", "why"), [
    ({"well_known": b"<html>nope</html>"}, "did not answer JSON"),
    ({"well_known": DEEP}, "did not answer JSON"),
    ({"well_known": [1, 2]}, "not a JSON object"),
    ({"well_known": {**DISCOVERY, "issuer": "https://evil.example"}}, "names issuer"),
    ({"well_known": {**DISCOVERY, "issuer": ["x"]}}, "names issuer"),
    ({"well_known": {**DISCOVERY, "token_endpoint": "javascript:alert(1)"}}, "no usable token_url"),
    ({"well_known": {**DISCOVERY, "jwks_uri": {"a": 1}}}, "no usable jwks_uri"),
    ({"well_known": HUGE}, "larger than"),
    ({"token": DEEP}, "did not answer JSON"),
    ({"token": {"id_token": 7}}, "without an id_token"),
    ({"token": HUGE}, "larger than"),
    ({"token": {"id_token": "a.b.c"}}, "not a JWT"),
    ({"token": {"id_token": "x" * 200_000}}, "not a JWT"),
    ({"token": {"id_token": _token(key=WRONG_KEY)}}, "Signature verification failed"),
    ({"token": {"id_token": jwt.encode(CLAIMS, None, algorithm="none")}}, "only asymmetric"),
    ({"token": {"id_token": _hmac_with_public_key()}}, "only asymmetric"),
    ({"token": {"id_token": _token({"aud": "someone-else"})}}, "Audience"),
    ({"token": {"id_token": _token({"aud": [CLIENT, "other"]})}}, None),
    ({"token": {"id_token": _token({"iss": ISSUER + ".evil"})}}, "issuer"),
    ({"token": {"id_token": _token({"nonce": "replayed"})}}, "another nonce"),
    ({"token": {"id_token": _token({"nonce": None})}}, "another nonce"),
    ({"token": {"id_token": _token({"exp": 100})}}, "expired"),
    ({"token": {"id_token": _token({"exp": "soon"})}}, "expired"),
    ({"token": {"id_token": _token({"sub": None})}}, "refused"),
    ({"token": {"id_token": _forged_header({"alg": "RS256"})}}, "does not hold"),
    ({"token": {"id_token": _forged_header({"alg": "RS256", "kid": {"a": 1}})}}, "does not hold|not a JWT"),
    ({"token": {"id_token": _forged_header({"alg": ["RS256"], "kid": "k1"})}}, "only asymmetric"),
    ({"token": {"id_token": _forged_header({"alg": "RS256", "kid": "k1", "crit": ["zip"]})}}, "not a JWT"),
    ({"token": {"id_token": _token(headers={"jku": "https://evil.example/jwks"})}}, None),
    ({"jwks": b"junk"}, "did not answer JSON"),
    ({"jwks": DEEP}, "did not answer JSON"),
    ({"jwks": {"keys": "k1"}}, "does not hold"),
    ({"jwks": {"keys": [{"kid": "k1"}]}}, "refused"),
    ({"jwks": {"keys": [{"kid": "k1", "kty": "RSA", "n": 7, "e": "AQAB"}]}}, "refused"),
    ({"jwks": {"keys": [{"kid": "k1", "kty": "RSA", "n": "!!!", "e": "AQAB"}]}}, "refused"),
    ({"jwks": {"keys": [{"kid": "k1", "kty": "RSA", "n": "AQAB", "e": "AQAB"}]}}, "refused"),
    ({"jwks": {"keys": [{"kid": "k1", "kty": "oct", "k": "c2VjcmV0"}]}}, "refused"),
    ({"jwks": {"keys": [{**jwt.algorithms.ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key(),
                                                            as_dict=True), "kid": "k1"}]}}, "refused"),
    ({"jwks": {"keys": [{"kid": "k1", "kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]}}, "refused"),
    ({"jwks": HUGE}, "larger than"),
    ({"userinfo": {"sub": "someone-else"}}, "names sub"),
    ({"userinfo": DEEP}, "did not answer JSON"),
    ({"userinfo": ["sub"]}, "not answer a JSON object"),
    ({"userinfo": HUGE}, "larger than"),
    ({"userinfo": httpx.Response(500, content=b"\xff" * 5000)}, "HTTP 500"),
])
def test_a_hostile_idp_fails_closed_with_a_reason(answers: dict, why: str | None) -> None:
    if why is None:
        assert _exchange(_idp(**answers))["sub"] == "u1"
        return
    with pytest.raises(IdpFailure, match=why) as failure:
        _exchange(_idp(**answers))
    assert len(failure.value.reason) < 2000


def test_a_jku_or_x5u_header_is_not_followed() -> None:
    fetched: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        answers = {"/.well-known/openid-configuration": DISCOVERY, "/jwks": {"keys": []},
                   "/token": {"id_token": _token(key=WRONG_KEY, headers={"jku": "https://evil.example/jwks"})}}
        return httpx.Response(200, json=answers.get(request.url.path, {}))

    with pytest.raises(IdpFailure):
        _exchange(httpx.Client(transport=httpx.MockTransport(handler)))
    assert not any("evil" in url for url in fetched)


def test_verify_id_token_takes_no_key_the_jwks_does_not_hold() -> None:
    with pytest.raises(IdpFailure, match="does not hold"):
        verify_id_token(_token(), {"keys": []}, ISSUER, CLIENT, NONCE, NOW)


@contextmanager
def _slow_idp(behaviour: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback server whose every connection gets `behaviour` (answering slowly, or never)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=_quietly, args=(behaviour, connection, stop), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()


def _quietly(behaviour: Callable[[socket.socket], None], connection: socket.socket, stop: threading.Event) -> None:
    with connection:
        try:
            connection.recv(65536)
            behaviour(connection)
            stop.wait(30)
        except OSError:
            pass


def _dribble(connection: socket.socket) -> None:
    """Headers, then one byte of body every half second: each read succeeds before the read timeout."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(200):
        connection.sendall(b" ")
        time.sleep(0.5)


def _silent(connection: socket.socket) -> None:
    time.sleep(30)


@pytest.mark.parametrize("behaviour", [_dribble, _silent])
def test_a_slow_idp_is_given_up_on_within_the_deadline(behaviour: Callable[[socket.socket], None],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oidc_relying_party, "FETCH_TIMEOUT_SECONDS", 1.0)
    with _slow_idp(behaviour) as issuer:
        started = time.monotonic()
        with pytest.raises(IdpFailure, match="within|unreachable|timed out|Timeout"):
            signed_in_claims({**DETAILS, "oidc_issuer": issuer}, "code", "http://localhost/cb", NONCE, NOW)
        assert time.monotonic() - started < 4
