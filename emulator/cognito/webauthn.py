"""Passkeys (WebAuthn): StartWebAuthnRegistration / CompleteWebAuthnRegistration / ListWebAuthnCredentials /
DeleteWebAuthnCredential, and the WEB_AUTHN sign-in challenge of USER_AUTH. Every ceremony is verified by
the `fido2` library (attestation object, client data type, origin, challenge, relying-party id hash, user
presence and verification, the assertion's signature against the stored public key); the emulator adds the
signature counter check and AWS's errors.

A user's passkeys live in `UserRecord.mfa["passkeys"]`; an open registration in `mfa["passkey_registration"]`.
The relying party is the pool's WebAuthnConfiguration.RelyingPartyId, else its prefix domain's host (as AWS
falls back to the user pool domain); an origin is accepted when it is https on that host or a subdomain (or
http://localhost for RP id `localhost`), fido2's `verify_rp_id`.

AWS's texts: "Credential data is not valid" (InvalidParameterException) for a credential the pool cannot read
(aws/aws-sdk-net#4386, a raw SDK exception). The types come from the operations' models; their messages, and
NotAuthorizedException for a refused sign-in assertion, are UNCONFIRMED (errors.py)."""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING, Any

from emulator.blocking import may_block
from emulator.cognito.access_tokens import authenticate
from emulator.cognito.challenges import Authenticated, Challenge, Outcome, open_challenge, session_user
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lookup import require_param
from emulator.cognito.pagination import page
from emulator.cognito.protocol import Call
from emulator.cognito.sessions import ChallengeSession, OpenSession
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

if TYPE_CHECKING:  # fido2 is imported where a ceremony needs it: ~30 ms the first sign-in of a run need not wait
    from fido2.server import Fido2Server
    from fido2.webauthn import AttestedCredentialData, UserVerificationRequirement

log = logging.getLogger("cognito_emulator")

NAME = "WEB_AUTHN"
TIMEOUT_MS = 180_000  # the ceremony's timeout in the options (UNCONFIRMED: AWS's value)
# fido2's refusal -> (error key, what it means); anything else it refuses is unreadable credential data.
REGISTRATION_REFUSALS = {
    "Invalid origin": ("webauthn_origin", "the credential's clientDataJSON.origin is not https on the relying "
                                          "party id or a subdomain of it"),
    "Wrong RP ID hash": ("webauthn_rp_mismatch", "the authenticator signed for another relying party id"),
    "Wrong challenge": ("webauthn_challenge_not_found", "the credential answers another challenge than the one "
                                                        "StartWebAuthnRegistration gave"),
}


def relying_party_id(pool: UserPool) -> str:
    """The pool's RP id, or AWS's WebAuthnConfigurationMissingException when it has neither one nor a domain."""
    configured = pool.web_authn.get("RelyingPartyId")
    if configured:
        return configured
    if pool.domain:
        return f"{pool.domain}.auth.{pool.region}.amazoncognito.com"
    raise reject("webauthn_config_missing", f"pool {pool.id} has no WebAuthnConfiguration.RelyingPartyId and no "
                                            "domain; SetUserPoolMfaConfig or CreateUserPoolDomain first")


def _fido2_ready() -> None:
    # Its first import takes ~30 ms: a sign-in on the event loop goes to a thread for it (blocking.py).
    if "fido2.server" not in sys.modules:
        may_block()


def _server(pool: UserPool) -> Fido2Server:
    _fido2_ready()
    from fido2.server import Fido2Server
    from fido2.webauthn import PublicKeyCredentialRpEntity

    return Fido2Server(PublicKeyCredentialRpEntity(name=pool.name, id=relying_party_id(pool)))


def _user_verification(pool: UserPool) -> UserVerificationRequirement:
    _fido2_ready()
    from fido2.webauthn import UserVerificationRequirement

    return UserVerificationRequirement(pool.web_authn.get("UserVerification") or "preferred")


def _credentials(user: UserRecord) -> list[AttestedCredentialData]:
    _fido2_ready()
    from fido2.webauthn import AttestedCredentialData

    return [AttestedCredentialData(_decode(p["data"])) for p in user.mfa.get("passkeys") or ()]


def _decode(value: str) -> bytes:
    _fido2_ready()
    from fido2.utils import websafe_decode

    return websafe_decode(value)


def _plain(value: Any) -> Any:
    """fido2's option objects as plain JSON values."""
    return json.loads(json.dumps(dict(value)))


def _require_enabled(pool: UserPool) -> None:
    if "WEB_AUTHN" not in pool.first_auth_factors:
        raise reject("webauthn_not_enabled", f"pool {pool.id}'s Policies.SignInPolicy.AllowedFirstAuthFactors "
                     f"{list(pool.first_auth_factors)} does not list WEB_AUTHN")


# -- registration -----------------------------------------------------------------------------------


def start_registration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    return {"CredentialCreationOptions": begin_registration(rt, found.pool, found.user, found.claims.get("client_id"))}


def begin_registration(rt: Runtime, pool: UserPool, user: UserRecord, client_id: str | None) -> dict[str, Any]:
    """PublicKeyCredentialCreationOptionsJSON for a new passkey of `user` (the API, and /passkeys/add)."""
    from fido2.webauthn import PublicKeyCredentialUserEntity, ResidentKeyRequirement

    _require_enabled(pool)
    options, state = _server(pool).register_begin(
        PublicKeyCredentialUserEntity(name=user.username, id=user.sub.encode(),
                                      display_name=user.attributes.get("name") or user.username),
        _credentials(user), resident_key_requirement=ResidentKeyRequirement.REQUIRED,
        user_verification=_user_verification(pool))
    user.mfa["passkey_registration"] = {"state": _plain(state), "client_id": client_id,
                                        "expires": rt.clock() + TIMEOUT_MS / 1000}
    rt.store.put_user(pool, user)
    return {**_plain(options.public_key), "timeout": TIMEOUT_MS}


def unreadable(detail: str) -> CognitoError:
    """AWS's error for credential data the pool cannot read."""
    return reject("webauthn_credential_invalid", f"the credential is not RegistrationResponseJSON: {detail}")


def _refusal(error: Exception, refusals: dict[str, tuple[str, str]]) -> CognitoError:
    text = str(error)
    for prefix, (key, reason) in refusals.items():
        if text.startswith(prefix):
            return reject(key, f"{reason} (fido2: {text})")
    return reject("webauthn_credential_invalid", f"fido2 cannot verify the credential: {type(error).__name__}: "
                                                 f"{text or 'malformed'}")


def complete_registration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    finish_registration(rt, found.pool, found.user, found.claims.get("client_id"), params["Credential"])
    return {}


def finish_registration(rt: Runtime, pool: UserPool, user: UserRecord, client_id: str | None,
                        credential: Any) -> None:
    """Verify a RegistrationResponseJSON against the open registration and keep the passkey."""
    from fido2.utils import websafe_encode

    _require_enabled(pool)
    pending = user.mfa.get("passkey_registration")
    if not pending or pending["expires"] <= rt.clock():
        raise reject("webauthn_challenge_not_found", f"user '{user.username}' has no live registration challenge "
                     "(StartWebAuthnRegistration first; its challenge lasts 3 minutes)")
    if pending.get("client_id") != client_id:
        raise reject("webauthn_client_mismatch", "the access token is for another app client than the one "
                                                 "StartWebAuthnRegistration was called with")
    try:
        auth_data = _server(pool).register_complete(pending["state"], credential)
    except Exception as error:  # noqa: BLE001 - fido2 raises ValueError, KeyError, CBOR errors... on bad input
        raise _refusal(error, REGISTRATION_REFUSALS) from None
    data = auth_data.credential_data
    assert data is not None
    passkeys = [p for p in user.mfa.get("passkeys") or () if _decode(p["id"]) != data.credential_id]
    passkeys.append({
        "id": websafe_encode(data.credential_id), "data": websafe_encode(bytes(data)), "counter": auth_data.counter,
        "rp_id": relying_party_id(pool), "created": rt.clock(),
        "attachment": credential.get("authenticatorAttachment") if isinstance(credential, dict) else None,
        "transports": list(((credential.get("response") or {}).get("transports") or ())
                           if isinstance(credential, dict) else ())})
    user.mfa["passkeys"] = passkeys
    user.mfa.pop("passkey_registration", None)
    user.modified = rt.clock()
    rt.store.put_user(pool, user)


def _description(passkey: dict[str, Any]) -> dict[str, Any]:
    described: dict[str, Any] = {"CredentialId": passkey["id"], "FriendlyCredentialName": "passkey",
                                 "RelyingPartyId": passkey["rp_id"], "AuthenticatorTransports": passkey["transports"],
                                 "CreatedAt": passkey["created"]}
    if passkey.get("attachment"):
        described["AuthenticatorAttachment"] = passkey["attachment"]
    return described


def list_credentials(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    passkeys = [(p["id"], _description(p)) for p in found.user.mfa.get("passkeys") or ()]
    listing = f"passkeys:{found.pool.id}:{found.user.username}"
    items, next_token = page(passkeys, params.get("NextToken"), params.get("MaxResults") or 20, listing)
    result: dict[str, Any] = {"Credentials": items}
    if next_token:
        result["NextToken"] = next_token
    return result


def delete_credential(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    passkeys = found.user.mfa.get("passkeys") or []
    kept = [p for p in passkeys if p["id"] != params["CredentialId"]]
    if len(kept) == len(passkeys):
        raise reject("webauthn_credential_not_found", f"user '{found.user.username}' has no passkey "
                     f"{params['CredentialId']!r} (ListWebAuthnCredentials shows theirs)")
    found.user.mfa["passkeys"] = kept
    found.user.modified = rt.clock()
    rt.store.put_user(found.pool, found.user)
    return {}


# -- sign-in ---------------------------------------------------------------------------------------------


def challenge(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord) -> Challenge:
    """The WEB_AUTHN challenge: CREDENTIAL_REQUEST_OPTIONS for the user's passkeys."""
    options, state = _server(pool).authenticate_begin(_credentials(user), user_verification=_user_verification(pool))
    session = ChallengeSession(pool.id, client.client_id, user.username, NAME, webauthn=_plain(state))
    request = {**_plain(options.public_key), "timeout": TIMEOUT_MS}
    return open_challenge(rt, pool, client, user.username, NAME,
                          {"CREDENTIAL_REQUEST_OPTIONS": json.dumps(request)}, session)


def respond(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
            responses: dict[str, str]) -> Outcome:
    """WEB_AUTHN: CREDENTIAL (AuthenticationResponseJSON) verified against the stored public key, then the
    signature counter must have grown (a counter that stays at 0 is an authenticator without one)."""
    require_param(responses, "USERNAME", "missing_challenge_response")
    user = session_user(rt, pool, opened.data)
    raw = require_param(responses, "CREDENTIAL", "missing_challenge_response")
    from fido2.webauthn import AuthenticationResponse

    try:
        assertion = AuthenticationResponse.from_dict(json.loads(raw))
        credential = _server(pool).authenticate_complete(opened.data.webauthn, _credentials(user), assertion)
    except Exception as error:  # noqa: BLE001 - fido2 refuses with ValueError; malformed input raises others
        raise reject("wrong_password", f"the passkey assertion of user '{user.username}' does not verify: "
                     f"{type(error).__name__}: {error}") from None
    counter = assertion.response.authenticator_data.counter
    stored = next(p for p in user.mfa["passkeys"] if _decode(p["id"]) == credential.credential_id)
    if (counter or stored["counter"]) and counter <= stored["counter"]:
        raise reject("wrong_password", f"the passkey's signature counter is {counter}, not above the "
                     f"{stored['counter']} last seen: a replayed assertion or a cloned authenticator")
    stored["counter"] = counter
    user.modified = rt.clock()
    rt.store.put_user(pool, user)
    return Authenticated(user)


OPERATIONS = {
    "StartWebAuthnRegistration": start_registration,
    "CompleteWebAuthnRegistration": complete_registration,
    "ListWebAuthnCredentials": list_credentials,
    "DeleteWebAuthnCredential": delete_credential,
}
