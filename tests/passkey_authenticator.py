"""A software passkey authenticator for tests: an EC P-256 key (cryptography) producing real WebAuthn
structures (fido2's AuthenticatorData, AttestedCredentialData, AttestationObject "none", CollectedClientData),
as a browser's PublicKeyCredential.toJSON() shows them. Knobs let a test tamper, change the origin or replay a
signature counter."""

from __future__ import annotations

import os
from hashlib import sha256
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import Aaguid, AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

FLAGS = AuthenticatorData.FLAG


class SoftwareAuthenticator:
    """One passkey on one software 'device'."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0

    def _ids(self) -> dict[str, Any]:
        encoded = websafe_encode(self.credential_id)
        return {"id": encoded, "rawId": encoded, "type": "public-key", "authenticatorAttachment": "platform",
                "clientExtensionResults": {}}

    def register(self, options: dict[str, Any], origin: str | None = None, rp_id: str | None = None) -> dict[str, Any]:
        """RegistrationResponseJSON for PublicKeyCredentialCreationOptionsJSON `options`."""
        client_data = CollectedClientData.create(type="webauthn.create", challenge=websafe_decode(options["challenge"]),
                                                 origin=origin or self.origin)
        public_key = ES256.from_cryptography_key(self.key.public_key())
        attested = AttestedCredentialData.create(Aaguid.NONE, self.credential_id, public_key)
        auth_data = AuthenticatorData.create(sha256((rp_id or options["rp"]["id"]).encode()).digest(),
                                             FLAGS.UP | FLAGS.UV | FLAGS.AT, self.counter, attested)
        attestation = AttestationObject.create("none", auth_data, {})
        return {**self._ids(), "response": {"clientDataJSON": websafe_encode(client_data),
                                            "attestationObject": websafe_encode(attestation),
                                            "transports": ["internal"]}}

    def assertion(self, options: dict[str, Any], origin: str | None = None, counter: int | None = None,
                  tamper: bool = False) -> dict[str, Any]:
        """AuthenticationResponseJSON for PublicKeyCredentialRequestOptionsJSON `options`; the counter goes up
        by one unless a test fixes it."""
        self.counter = self.counter + 1 if counter is None else counter
        client_data = CollectedClientData.create(type="webauthn.get", challenge=websafe_decode(options["challenge"]),
                                                 origin=origin or self.origin)
        auth_data = AuthenticatorData.create(sha256(options["rpId"].encode()).digest(), FLAGS.UP | FLAGS.UV,
                                             self.counter)
        signature = self.key.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        if tamper:  # one flipped bit in what was signed
            auth_data = AuthenticatorData(bytes(auth_data)[:-1] + bytes([bytes(auth_data)[-1] ^ 1]))
        return {**self._ids(), "response": {"clientDataJSON": websafe_encode(client_data),
                                            "authenticatorData": websafe_encode(auth_data),
                                            "signature": websafe_encode(signature)}}
