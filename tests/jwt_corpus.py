"""A corpus of hostile JWTs built from one real token: algorithm confusion, foreign keys, key-location
headers, kid injection, tampering, wrong claim types, time edges, cross-pool and cross-use tokens.

Forged tokens are signed with keys an attacker has (none, HS256 with the public key, a foreign RSA key);
"signed" ones use the pool's real key, to reach the claim checks behind the signature (what a bug in
issuance, or a leaked key in a test, would present)."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Callable
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

FOREIGN = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_jwt(header: Any, payload: Any, signature: bytes = b"") -> str:
    return ".".join([b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), b64(signature)])


def parts(token: str) -> tuple[dict, dict, str]:
    head, body, sig = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(head))), json.loads(base64.urlsafe_b64decode(pad(body))), sig


def _public_pem(jwk: dict) -> bytes:
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _hs256(claims: dict, secret: bytes, kid: str) -> str:
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = ".".join([b64(json.dumps(header).encode()), b64(json.dumps(claims).encode())])
    import hashlib
    import hmac

    return signing_input + "." + b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def rs256(header: Any, claims: Any, key: rsa.RSAPrivateKey = FOREIGN) -> str:
    """RS256 over any header, even one PyJWT refuses to write (a kid that is not a string)."""
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = ".".join([b64(json.dumps(header).encode()), b64(json.dumps(claims).encode())])
    return signing_input + "." + b64(key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()))


def _self_signed_cert() -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attacker")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(FOREIGN.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(FOREIGN, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def forged(real: str, jwk: dict) -> dict[str, str]:
    """Tokens anyone can make from a real token and the public JWKS; none may ever be accepted."""
    header, claims, signature = parts(real)
    kid = header["kid"]
    foreign_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(FOREIGN.public_key()))
    evil_claims = {**claims, "username": "admin", "cognito:username": "admin", "scope": claims.get("scope", "")}
    with_foreign = lambda extra: jwt.encode(evil_claims, FOREIGN, algorithm="RS256", headers={"kid": kid, **extra})  # noqa: E731
    pem = _public_pem(jwk)
    corpus = {
        "alg none": raw_jwt({"alg": "none", "typ": "JWT"}, claims),
        "alg None": raw_jwt({"alg": "None", "kid": kid}, claims),
        "alg NONE with signature": raw_jwt({"alg": "NONE", "kid": kid}, claims, b"x"),
        "alg nOnE": raw_jwt({"alg": "nOnE", "kid": kid}, claims),
        "alg missing": raw_jwt({"kid": kid}, claims),
        "alg null": raw_jwt({"alg": None, "kid": kid}, claims),
        "HS256 keyed with the PEM public key": _hs256(claims, pem, kid),
        "HS256 keyed with the PEM without newline": _hs256(claims, pem.strip(), kid),
        "HS256 keyed with the JWK text": _hs256(claims, json.dumps(jwk).encode(), kid),
        "HS256 keyed with n": _hs256(claims, jwk["n"].encode(), kid),
        "HS256 keyed with the empty string": _hs256(claims, b"", kid),
        "foreign RSA key, real kid": with_foreign({}),
        "foreign key via jku": with_foreign({"jku": "http://127.0.0.1:1/jwks.json"}),
        "foreign key via x5u": with_foreign({"x5u": "http://127.0.0.1:1/cert.pem"}),
        "foreign key embedded as jwk": with_foreign({"jwk": foreign_jwk}),
        "foreign key embedded as x5c": with_foreign({"x5c": [_self_signed_cert()]}),
        "foreign key, no kid": jwt.encode(evil_claims, FOREIGN, algorithm="RS256"),
        "PS256 with the foreign key": jwt.encode(evil_claims, FOREIGN, algorithm="PS256", headers={"kid": kid}),
        "RS512 with the foreign key": jwt.encode(evil_claims, FOREIGN, algorithm="RS512", headers={"kid": kid}),
        "tampered payload, real signature": ".".join([real.split(".")[0], b64(json.dumps(evil_claims).encode()),
                                                      signature]),
        "real token, signature removed": real.rsplit(".", 1)[0] + ".",
        "real token, signature truncated": real[:-10],
        "real token, one signature byte flipped": real[:-2] + ("A" if real[-2] != "A" else "B") + real[-1],
        "real token, header alg switched to HS256": ".".join([b64(json.dumps({**header, "alg": "HS256"}).encode()),
                                                              *real.split(".")[1:]]),
        "real token, crit header": ".".join([b64(json.dumps({**header, "crit": ["exp"]}).encode()),
                                             *real.split(".")[1:]]),
        "two segments": ".".join(real.split(".")[:2]),
        "four segments": real + ".AAAA",
        "empty": "",
        "dots only": "..",
        "garbage": "not-a-jwt",
        "huge": real + "A" * 100_000,
        "header is a list": raw_jwt([1, 2], claims),
        "payload is a number": raw_jwt(header, 42),
        "payload is a string": raw_jwt(header, "claims"),
        "header not json": b64(b"{not json") + "." + real.split(".", 1)[1],
        "header not base64": "%%%." + real.split(".", 1)[1],
    }
    for label, value in {"path traversal": "../../../../../../dev/null", "sql": "' OR '1'='1",
                         "empty": "", "integer": 1, "list": [kid], "null": None, "object": {"kid": kid},
                         "very long": "k" * 10_000, "nul byte": kid + "\x00", "url": "http://127.0.0.1:1/key"}.items():
        corpus[f"kid injection: {label}"] = rs256({"alg": "RS256", "typ": "JWT", "kid": value}, evil_claims)
    return corpus


def signed_variants(real: str, sign: Callable[[dict], str], now: int) -> dict[str, str]:
    """Tokens signed with the pool's real key whose claims are wrong in type or time."""
    _, claims, _ = parts(real)

    def variant(**changes: Any) -> str:
        data = dict(claims)
        for key, value in changes.items():
            name = key.replace("__", ":")
            if value is _DROP:
                data.pop(name, None)
            else:
                data[name] = value
        return sign(data)

    return {
        "control: unchanged claims (must pass)": variant(),
        "exp a string": variant(exp=str(now + 3600)),
        "exp a list": variant(exp=[now + 3600]),
        "exp an object": variant(exp={"t": now + 3600}),
        "exp null": variant(exp=None),
        "exp true": variant(exp=True),
        "exp missing": variant(exp=_DROP),
        "exp in the past": variant(exp=now - 1),
        "exp exactly now": variant(exp=now),
        "exp negative": variant(exp=-1),
        "exp 1e308": variant(exp=1e308),
        "exp 10**30": variant(exp=10**30),
        "iat a string": variant(iat=str(now)),
        "iat a list": variant(iat=[now]),
        "iat missing": variant(iat=_DROP),
        "iat in the future": variant(iat=now + 3600),
        "nbf in the future": variant(nbf=now + 3600),
        "nbf a string": variant(nbf="soon"),
        "token_use id": variant(token_use="id"),
        "token_use a list": variant(token_use=["access"]),
        "token_use missing": variant(token_use=_DROP),
        "token_use null": variant(token_use=None),
        "username a dict": variant(username={"a": 1}),
        "username a list": variant(username=["peroper"]),
        "username missing": variant(username=_DROP),
        "username of nobody": variant(username="nobody-here"),
        "username with NUL": variant(username="peroper\x00"),
        "scope a list": variant(scope=["aws.cognito.signin.user.admin"]),
        "scope missing": variant(scope=_DROP),
        "scope null": variant(scope=None),
        "client_id an int": variant(client_id=7),
        "sub null": variant(sub=None),
        "origin_jti a list": variant(origin_jti=["x"]),
        "origin_jti an object": variant(origin_jti={"x": 1}),
        "iss of another pool": variant(iss=claims["iss"].rsplit("/", 1)[0] + "/us-east-1_Other0001"),
        "iss a list": variant(iss=[claims["iss"]]),
        "iss with a trailing slash": variant(iss=claims["iss"] + "/"),
        "iss http": variant(iss=claims["iss"].replace("https://", "http://")),
        "cognito:groups a string": variant(cognito__groups="admin"),
        "auth_time a string": variant(auth_time="yesterday"),
    }


_DROP = object()


def sample() -> tuple[str, dict]:
    """A stand-in token and JWK, for listing the corpus's labels before any emulator runs."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": "sample"}
    claims = {"iss": "https://example/us-east-1_Sample", "exp": 1, "iat": 1, "token_use": "access"}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "sample"}), jwk


FORGED_LABELS = list(forged(*sample()))
SIGNED_LABELS = list(signed_variants(sample()[0], lambda claims: "", 0))
