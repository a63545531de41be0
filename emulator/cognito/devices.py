"""Remembered devices: NewDeviceMetadata after a sign-in on a pool with DeviceConfiguration, ConfirmDevice,
the DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER challenges with the device SRP proof the AWS SDKs compute
(x = H(salt | H(DeviceGroupKey DeviceKey ":" devicePassword)), the claim HMAC'd over DeviceGroupKey, DeviceKey,
the secret block and the timestamp: amazon-cognito-identity-js's AuthenticationHelper and pycognito's
`process_device_challenge`), a remembered device skipping MFA, and ListDevices / GetDevice / ForgetDevice /
UpdateDeviceStatus with their Admin* variants.

A user's devices live in `UserRecord.mfa["devices"]` (key -> record), their group key in
`mfa["device_group_key"]`. Texts of the refusals are UNCONFIRMED (errors.py)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from emulator.cognito import mfa, password_verifier, srp
from emulator.cognito.access_tokens import authenticate
from emulator.cognito.challenges import Authenticated, Challenge, Outcome, open_challenge, session_user
from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_param
from emulator.cognito.pagination import page
from emulator.cognito.protocol import Call
from emulator.cognito.sessions import ChallengeSession, OpenSession, SrpState
from emulator.cognito.users import require_pool_user
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

SRP_AUTH = "DEVICE_SRP_AUTH"
VERIFIER = "DEVICE_PASSWORD_VERIFIER"


def configuration(rt: Runtime, pool: UserPool) -> dict[str, Any] | None:
    """The pool's DeviceConfiguration, or None when it does not track devices."""
    return rt.store.pool_settings(pool.id).get("DeviceConfiguration")


def new_device_metadata(rt: Runtime, pool: UserPool, user: UserRecord) -> dict[str, str]:
    """NewDeviceMetadata for a sign-in on a new device: a device key the client confirms with ConfirmDevice."""
    group = user.mfa.setdefault("device_group_key", "-" + secrets.token_urlsafe(7).replace("_", "a")[:9])
    key = f"{pool.region}_{uuid.uuid4()}"
    now = rt.clock()
    user.mfa.setdefault("devices", {})[key] = {"confirmed": False, "status": "not_remembered", "name": None,
                                               "verifier": None, "salt": None, "created": now, "modified": now,
                                               "last_auth": now}
    rt.store.put_user(pool, user)
    return {"DeviceKey": key, "DeviceGroupKey": group}


def _device(user: UserRecord, key: str) -> dict[str, Any]:
    found = (user.mfa.get("devices") or {}).get(key)
    if found is None:
        raise reject("device_not_found", f"user '{user.username}' has no device {key!r}")
    return found


def device_challenge(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord,
                     device_key: str | None) -> Challenge | None:
    """DEVICE_SRP_AUTH when the sign-in names a confirmed device of the user; None otherwise."""
    device = (user.mfa.get("devices") or {}).get(device_key or "")
    if not device or not device["confirmed"]:
        return None
    return open_challenge(rt, pool, client, user.username, SRP_AUTH, {"USERNAME": user.username})


def respond_device_srp(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                       responses: dict[str, str]) -> Outcome:
    """DEVICE_SRP_AUTH: SRP_A for the device; DEVICE_PASSWORD_VERIFIER follows with SRP_B, SALT, SECRET_BLOCK."""
    require_param(responses, "USERNAME", "missing_challenge_response")
    user = session_user(rt, pool, opened.data)
    key = require_param(responses, "DEVICE_KEY", "missing_challenge_response")
    a_hex = require_param(responses, "SRP_A", "missing_challenge_response")
    password_verifier.require_valid_srp_a(a_hex)
    device = _device(user, key)
    if not device["confirmed"]:
        raise reject("device_not_found", f"device {key} of user '{user.username}' was never confirmed "
                                         "(ConfirmDevice)")
    step = srp.start_challenge(int(device["verifier"], 16), device["salt"])
    block = srp.new_secret_block()
    session = ChallengeSession(pool.id, client.client_id, user.username, VERIFIER)
    session.srp = SrpState(a=a_hex, b=srp.to_hex(step.b), B=srp.to_hex(step.big_b), salt=step.salt_hex,
                           verifier=device["verifier"], secret_block=block, exists=True, typed_name=key)
    return open_challenge(rt, pool, client, user.username, VERIFIER, {
        "SRP_B": step.srp_b_param, "SALT": step.salt_param, "SECRET_BLOCK": block, "USERNAME": user.username,
        "DEVICE_KEY": key}, session)


def device_claim(key: bytes | None, group: str, device_key: str, secret_block_b64: str, timestamp: str) -> str | None:
    """The PASSWORD_CLAIM_SIGNATURE of a device proof (base64), or None when it cannot be computed."""
    try:
        block = base64.b64decode(secret_block_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    if key is None:
        return None
    message = group.encode() + device_key.encode() + block + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


def respond_device_verifier(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                            responses: dict[str, str]) -> Outcome:
    """DEVICE_PASSWORD_VERIFIER: the device's SRP proof; a remembered device ends the sign-in without MFA."""
    state = opened.data.srp
    for name in ("USERNAME", "DEVICE_KEY", "PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP"):
        require_param(responses, name, "missing_challenge_response")
    user = session_user(rt, pool, opened.data)
    if state is None or responses["DEVICE_KEY"] != state.typed_name:
        raise reject("wrong_password", "DEVICE_KEY is not the device this DEVICE_SRP_AUTH challenge was for")
    if responses["PASSWORD_CLAIM_SECRET_BLOCK"] != state.secret_block:
        raise reject("wrong_password", "PASSWORD_CLAIM_SECRET_BLOCK is not this challenge's SECRET_BLOCK")
    timestamp = responses["TIMESTAMP"]
    now = datetime.fromtimestamp(rt.clock(), UTC)
    if srp.parse_timestamp(timestamp) is None or not srp.timestamp_fresh(timestamp, now):
        raise reject("wrong_password", f"TIMESTAMP {timestamp!r} is not Cognito's format or is stale")
    key = srp.session_key(int(state.verifier, 16), int(state.a, 16), int(state.b, 16), int(state.B, 16))
    expected = device_claim(key, user.mfa.get("device_group_key", ""), state.typed_name, state.secret_block,
                            timestamp)
    if not srp.signature_matches(expected, responses["PASSWORD_CLAIM_SIGNATURE"]):
        raise reject("wrong_password", f"the device SRP proof of {state.typed_name} does not match (wrong device "
                                       "password, group key or SRP values)")
    device = _device(user, state.typed_name)
    device["last_auth"] = rt.clock()
    rt.store.put_user(pool, user)
    if device["status"] == "remembered":
        return Authenticated(user, device=state.typed_name)
    second = mfa.second_factor(rt, pool, client, user)
    return second if second is not None else Authenticated(user, device=state.typed_name)


CHALLENGE_RESPONDERS = {SRP_AUTH: respond_device_srp, VERIFIER: respond_device_verifier}


# -- the operations ----------------------------------------------------------------------------------


def _b64_int(text: str, what: str) -> int:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise reject("device_verifier_invalid", f"DeviceSecretVerifierConfig.{what} is not base64") from None
    if not raw:
        raise reject("device_verifier_invalid", f"DeviceSecretVerifierConfig.{what} is empty")
    return int.from_bytes(raw, "big")


def confirm_device(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    pool, user = found.pool, found.user
    device = _device(user, params["DeviceKey"])
    config = params.get("DeviceSecretVerifierConfig") or {}
    verifier = _b64_int(config.get("PasswordVerifier") or "", "PasswordVerifier")
    salt = _b64_int(config.get("Salt") or "", "Salt")
    # "DeviceOnlyRememberedOnUserPrompt": the user decides (UpdateDeviceStatus); else it is remembered at once.
    prompt = bool((configuration(rt, pool) or {}).get("DeviceOnlyRememberedOnUserPrompt"))
    device.update(confirmed=True, verifier=srp.to_hex(verifier), salt=srp.to_hex(salt), name=params.get("DeviceName"),
                  status="not_remembered" if prompt else "remembered", modified=rt.clock())
    rt.store.put_user(pool, user)
    return {"UserConfirmationNecessary": prompt}


def device_type(key: str, device: dict[str, Any]) -> dict[str, Any]:
    """AWS's DeviceType."""
    attributes = [{"Name": "device_status", "Value": "valid"},
                  {"Name": "dev:device_remembered_status", "Value": device["status"]}]
    if device.get("name"):
        attributes.append({"Name": "device_name", "Value": device["name"]})
    return {"DeviceKey": key, "DeviceAttributes": attributes, "DeviceCreateDate": device["created"],
            "DeviceLastModifiedDate": device["modified"], "DeviceLastAuthenticatedDate": device["last_auth"]}


def _token_user(rt: Runtime, params: dict) -> tuple[UserPool, UserRecord]:
    found = authenticate(rt, params.get("AccessToken") or "")  # optional in GetDevice/ForgetDevice's model
    return found.pool, found.user


def _list(pool_user: tuple[UserPool, UserRecord], params: dict) -> dict[str, Any]:
    devices = [(k, device_type(k, d)) for k, d in (pool_user[1].mfa.get("devices") or {}).items() if d["confirmed"]]
    listing = f"devices:{pool_user[0].id}:{pool_user[1].username}"
    items, token = page(devices, params.get("PaginationToken"), params.get("Limit") or 60, listing)
    return {"Devices": items, **({"PaginationToken": token} if token else {})}


def _get(pool_user: tuple[UserPool, UserRecord], params: dict) -> dict[str, Any]:
    return {"Device": device_type(params["DeviceKey"], _device(pool_user[1], params["DeviceKey"]))}


def _forget(rt: Runtime, pool_user: tuple[UserPool, UserRecord], params: dict) -> dict[str, Any]:
    pool, user = pool_user
    _device(user, params["DeviceKey"])
    del user.mfa["devices"][params["DeviceKey"]]
    rt.store.put_user(pool, user)
    return {}


def _status(rt: Runtime, pool_user: tuple[UserPool, UserRecord], params: dict) -> dict[str, Any]:
    pool, user = pool_user
    device = _device(user, params["DeviceKey"])
    device.update(status=params.get("DeviceRememberedStatus") or "not_remembered", modified=rt.clock())
    rt.store.put_user(pool, user)
    return {}


OPERATIONS = {
    "ConfirmDevice": confirm_device,
    "ListDevices": lambda rt, p, c: _list(_token_user(rt, p), p),
    "AdminListDevices": lambda rt, p, c: _list(require_pool_user(rt, p), p),
    "GetDevice": lambda rt, p, c: _get(_token_user(rt, p), p),
    "AdminGetDevice": lambda rt, p, c: _get(require_pool_user(rt, p), p),
    "ForgetDevice": lambda rt, p, c: _forget(rt, _token_user(rt, p), p),
    "AdminForgetDevice": lambda rt, p, c: _forget(rt, require_pool_user(rt, p), p),
    "UpdateDeviceStatus": lambda rt, p, c: _status(rt, _token_user(rt, p), p),
    "AdminUpdateDeviceStatus": lambda rt, p, c: _status(rt, require_pool_user(rt, p), p),
}
