"""GetSigningCertificate: the X.509 certificate a pool signs SAML requests with, as AWS returns it (the
Base64 DER body, no PEM armour). Made once per pool, self-signed, and kept with its private key, which signs
the AuthnRequests of SAML providers with RequestSigningAlgorithm (oauth2/saml_sign_in.py)."""

from __future__ import annotations

import base64
import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from emulator.cognito.lookup import require_pool
from emulator.cognito.protocol import Call
from emulator.runtime import Runtime
from emulator.state import Kind

VALID_DAYS = 3650  # AWS's pool certificates are valid for 10 years (UNCONFIRMED: seen in SAML metadata)


def new_certificate(pool_id: str, now: float) -> tuple[str, str]:
    """A self-signed certificate for `pool_id` (Base64 DER) and its private key (PKCS#8 PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Amazon Web Services"),
                      x509.NameAttribute(NameOID.COMMON_NAME, pool_id)])
    start = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start)
                   .not_valid_after(start + datetime.timedelta(days=VALID_DAYS)).sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode(), pem


def signing_pair(rt: Runtime, pool_id: str) -> tuple[str, str]:
    """The pool's (certificate, private key), made on first use. A certificate stored without its key (by an
    older emulator) is replaced: nothing was ever signed with it."""
    with rt.store.transaction():  # two first uses at once must not store one's certificate with the other's key
        certificate = rt.store.get(Kind.SIGNING_CERTIFICATE, pool_id, "certificate")
        key = rt.store.get(Kind.SIGNING_CERTIFICATE, pool_id, "private_key")
        if certificate is None or key is None:
            certificate, key = new_certificate(pool_id, rt.clock())
            rt.store.put(Kind.SIGNING_CERTIFICATE, pool_id, "certificate", certificate)
            rt.store.put(Kind.SIGNING_CERTIFICATE, pool_id, "private_key", key)
    return certificate, key


def get_signing_certificate(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return {"Certificate": signing_pair(rt, require_pool(rt.store, params["UserPoolId"]).id)[0]}


OPERATIONS = {"GetSigningCertificate": get_signing_certificate}
