"""Delivering one-time codes: sign-up confirmation, forgot-password, attribute verification, SMS/e-mail MFA
and invitations. Nothing is sent anywhere: each code is kept in the store (with its expiry), written to the
log, and readable through `GET /_emulator/codes`, so tests and developers can use it."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from emulator.cognito import messages
from emulator.cognito.custom_sender_rules import sender_of
from emulator.cognito.custom_senders import hand_to_sender
from emulator.cognito.errors import reject
from emulator.cognito.triggers import client_metadata, configured, fire, user_attributes
from emulator.model import UserPool
from emulator.runtime import Runtime
from emulator.state import Kind, Record, UserRecord

log = logging.getLogger("cognito_emulator")

KIND = Kind.CODE

# Purposes. Attribute verification is `verify:<attribute>` (see verify_purpose).
CONFIRM_SIGN_UP = "confirm_sign_up"
FORGOT_PASSWORD = "forgot_password"
SMS_MFA = "sms_mfa"
EMAIL_OTP = "email_otp"
INVITATION = "invitation"  # AdminCreateUser's welcome message: the "code" is the temporary password

# How long a code stays valid, in seconds. Sign-up and attribute-verification codes: 24 hours, forgot-
# password codes: 1 hour (Cognito developer guide; a maintainer's comment in amazon-cognito-identity-js#380).
# MFA codes live as long as the sign-in session (3 minutes by default).
VALIDITY = {CONFIRM_SIGN_UP: 86400, FORGOT_PASSWORD: 3600, SMS_MFA: 180, EMAIL_OTP: 180, "verify": 86400}

MEDIUM_OF = {"email": "EMAIL", "phone_number": "SMS"}
ATTRIBUTE_OF = {"EMAIL": "email", "SMS": "phone_number"}

CUSTOM_MESSAGE = "CustomMessage"
RESEND_SOURCE = messages.RESEND_SOURCE

CodeCheck = Literal["ok", "mismatch", "expired"]


def verify_purpose(attribute: str) -> str:
    """The purpose of a code that verifies `attribute` (email or phone_number)."""
    return f"verify:{attribute}"


@dataclass(frozen=True)
class CodeDelivery:
    """Where a code went, in AWS's CodeDeliveryDetails terms (the destination masked as AWS masks it)."""

    destination: str
    medium: str  # EMAIL | SMS
    attribute: str  # email | phone_number

    def to_aws(self) -> dict[str, str]:
        return {"Destination": self.destination, "DeliveryMedium": self.medium, "AttributeName": self.attribute}


def mask(medium: str, value: str) -> str:
    """AWS's masked destination: `+*******0008` for a phone, `t***@t***` for an e-mail.

    The phone form is AWS_BEHAVIOR §3. The e-mail form keeps the first letter of the local part and of the
    domain and drops the top-level domain: `test@test.com` -> `t***@t***` in ForgotPassword and SignUp
    (AWS_EVIDENCE.md §1: moto tests run against real AWS)."""
    if medium == "SMS":
        return "+" + "*" * max(len(value) - 5, 0) + value[-4:]
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def simulated_delivery(name: str) -> CodeDelivery:
    """What AWS answers for an unknown user when PreventUserExistenceErrors is ENABLED: a believable but
    simulated destination (UNCONFIRMED: an e-mail-looking name gets an e-mail destination, others SMS)."""
    if "@" in name:
        return CodeDelivery(mask("EMAIL", name), "EMAIL", "email")
    digits = "".join(c for c in name if c.isdigit()) or "0000"
    return CodeDelivery(mask("SMS", "+1555555" + digits[-4:].rjust(4, "0")), "SMS", "phone_number")


def _key(pool: UserPool, username: str, purpose: str) -> str:
    name = username if pool.case_sensitive else username.lower()
    return f"{name}\x00{purpose}"


def _validity(purpose: str) -> int:
    return VALIDITY.get(purpose, VALIDITY.get(purpose.split(":", 1)[0], 86400))


def send_code(rt: Runtime, pool: UserPool, user: UserRecord, purpose: str, medium: str | None = None, *,
              attribute: str | None = None, code: str | None = None,
              validity_seconds: int | None = None, source: str | None = None,
              client_id: str | None = None, template: tuple[str, str | None] | None = None,
              deliver: bool = True) -> CodeDelivery:
    """Make a code for `purpose` (replacing any earlier one), keep it and the message carrying it (the
    CustomMessage trigger's when the pool has one), log it and say where it 'went'. When the pool has a custom
    sender for the medium, the code goes to that trigger instead (encrypted) and Cognito sends no message.
    `deliver` False: nothing is sent (AdminCreateUser's SUPPRESS), the code is only kept for /_emulator/codes.

    `medium` is EMAIL or SMS; either it or `attribute` (email / phone_number) may be left out. `source` is the
    CustomMessage trigger source when the purpose alone does not say it (a resent code). `template` is the
    pool's own (message, subject) for this kind of code, used instead of AWS's default."""
    if attribute is None:
        attribute = ATTRIBUTE_OF.get(medium or "EMAIL", "email")
    medium = medium or MEDIUM_OF.get(attribute, "EMAIL")
    code = code or f"{secrets.randbelow(1_000_000):06d}"
    now = rt.clock()
    lifetime = validity_seconds if validity_seconds is not None else _validity(purpose)
    address = user.attributes.get(attribute, "")
    delivery = CodeDelivery(mask(medium, address) if address else "", medium, attribute)
    # One place decides: Cognito sends the message, or the pool's custom sender gets the code. A sender is
    # invoked "instead of its default behavior" and "must process and deliver all email messages" (the Custom
    # email sender page), so CustomMessage is not asked for a message the sender takes (UNCONFIRMED).
    sender = sender_of(pool.lambda_config, medium) if deliver else None
    if sender is not None:
        handed = hand_to_sender(rt, pool, user, sender, code, source or messages.source_of(purpose), client_id)
        text, subject = f"(no message: the code was handed to {sender[0]} as {handed}, encrypted)", None
    else:
        template, subject = _message(rt, pool, user, purpose, medium, source, client_id, template)
        text = messages.render(template, code, user.username)
    record = {"pool_id": pool.id, "username": user.username, "purpose": purpose, "code": code, "medium": medium,
              "attribute": attribute, "address": address, "destination": delivery.destination,
              "sent_at": now, "used": False, "message": text, "subject": subject if medium == "EMAIL" else None,
              "sender": sender[0] if sender else None}
    # The store keeps it past its expiry for a while (PURGE_GRACE_SECONDS): a late code is "expired", not wrong.
    rt.store.put(KIND, pool.id, _key(pool, user.username, purpose), record, expires=now + lifetime)
    log.info("CODE pool=%s user=%s purpose=%s code=%s via %s to %s: %r", pool.id, user.username, purpose, code,
             medium, address or "(no address)", record["message"])
    return delivery


def _message(rt: Runtime, pool: UserPool, user: UserRecord, purpose: str, medium: str, source: str | None,
             client_id: str | None, own: tuple[str, str | None] | None = None) -> tuple[str, str | None]:
    """(template, subject) of the message: the CustomMessage trigger's when it gives a usable one, else the
    pool's own or AWS's default. The trigger sees only the placeholders, never the code."""
    template, subject = messages.default_message(purpose)
    if own is not None:
        template, subject = own[0] or template, own[1] or subject
    if not configured(pool, CUSTOM_MESSAGE):
        return template, subject
    response = fire(rt, pool, CUSTOM_MESSAGE, source or messages.source_of(purpose), user.username, client_id, {
        "userAttributes": user_attributes(user), "codeParameter": messages.CODE_PARAMETER,
        "linkParameter": messages.LINK_PARAMETER,
        "usernameParameter": messages.USERNAME_PARAMETER if purpose == INVITATION else None,
        "clientMetadata": client_metadata(),
    }, {"smsMessage": None, "emailMessage": None, "emailSubject": None})
    custom = messages.custom_message(response, medium)
    if isinstance(custom, str):
        log.info("CustomMessage of pool %s not used (%s); AWS then sends its default message", pool.id, custom)
        return template, subject
    return custom[0], custom[1] or subject


def check_code(rt: Runtime, pool: UserPool, user: UserRecord, purpose: str, given: str,
               consume: bool = True) -> CodeCheck:
    """Whether `given` is the user's live code for `purpose`; a matching code is used up when `consume`."""
    key = _key(pool, user.username, purpose)
    with rt.store.transaction():  # read and use up in one step: a code works once, even in parallel
        found = rt.store.lookup(KIND, pool.id, key)
        if found is None or not secrets.compare_digest(str(found.data["code"]).encode(), given.encode()):
            return "mismatch"
        # A code already used counts as expired: AWS's text asks for a new one (UNCONFIRMED).
        if found.data["used"] or _expired(found, rt.clock()):
            return "expired"
        if consume:
            rt.store.put(KIND, pool.id, key, {**found.data, "used": True}, expires=found.expires)
        return "ok"


def require_code(rt: Runtime, pool: UserPool, user: UserRecord, purpose: str, given: str,
                 mismatch_key: str = "verification_code_mismatch", consume: bool = True) -> None:
    """check_code, raising AWS's CodeMismatchException / ExpiredCodeException when it is not 'ok'."""
    outcome = check_code(rt, pool, user, purpose, given, consume)
    if outcome == "mismatch":
        latest = rt.store.lookup(KIND, pool.id, _key(pool, user.username, purpose))
        why = (f"no {purpose} code was sent to user '{user.username}'" if latest is None else
               f"'{given}' is not the {purpose} code last sent to user '{user.username}' "
               "(GET /_emulator/codes shows it)")
        raise reject(mismatch_key, why)
    if outcome == "expired":
        raise reject("expired_code", f"the {purpose} code of user '{user.username}' has expired or was already "
                                     "used; request a new one")


def _expired(record: Record, now: float) -> bool:
    return record.expires is not None and record.expires <= now


def latest_code(rt: Runtime, pool_id: str, username: str, purpose: str | None = None) -> dict[str, Any] | None:
    """The most recent code sent to a user (optionally for one purpose), as kept in the store."""
    codes = codes_sent(rt, pool_id, username)
    if purpose is not None:
        codes = [c for c in codes if c["purpose"] == purpose]
    return codes[0] if codes else None


def codes_sent(rt: Runtime, pool_id: str | None = None, username: str | None = None) -> list[dict[str, Any]]:
    """Every kept code (newest first), optionally of one pool and one user (by username, as stored), with
    its `expires` and whether it has `expired`."""
    scopes = [pool_id] if pool_id else [p.id for p in rt.store.pools()]
    found: list[dict[str, Any]] = []
    now = rt.clock()
    for scope in scopes:
        for _, record in rt.store.records(KIND, scope):
            if username is None or record.data["username"] == username:
                found.append({**record.data, "expires": record.expires, "expired": _expired(record, now)})
    return sorted(found, key=lambda c: c["sent_at"], reverse=True)


def forget_codes(rt: Runtime, pool: UserPool, username: str) -> None:
    """Drop every code of a deleted user."""
    prefix = _key(pool, username, "")
    for key, _ in rt.store.records(KIND, pool.id):
        if key.startswith(prefix):
            rt.store.delete(KIND, pool.id, key)
