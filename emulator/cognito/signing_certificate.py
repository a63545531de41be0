"""GetSigningCertificate: the X.509 certificate a pool signs SAML requests with, as AWS returns it (the
Base64 DER body, no PEM armour). Made once per pool, self-signed, and kept; the emulator signs no SAML
requests with it (federation is not emulated)."""

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


def new_certificate(pool_id: str, now: float) -> str:
    """A self-signed certificate for `pool_id`, Base64 DER."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Amazon Web Services"),
                      x509.NameAttribute(NameOID.COMMON_NAME, pool_id)])
    start = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start)
                   .not_valid_after(start + datetime.timedelta(days=VALID_DAYS)).sign(key, hashes.SHA256()))
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def get_signing_certificate(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    certificate = rt.store.get(Kind.SIGNING_CERTIFICATE, pool_id, "certificate")
    if certificate is None:
        certificate = new_certificate(pool_id, rt.clock())
        rt.store.put(Kind.SIGNING_CERTIFICATE, pool_id, "certificate", certificate)
    return {"Certificate": certificate}


OPERATIONS = {"GetSigningCertificate": get_signing_certificate}
