"""User operations that carry an access token (GetUser, ChangePassword, UpdateUserAttributes, ...),
RevokeToken, and the user helpers the sign-up and admin operations share: attribute rules, lookups,
AWS's UserType shape, signing out and deleting."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator.cognito import auth_event_log, codes, messages
from emulator.cognito.access_tokens import authenticate
from emulator.cognito.errors import reject
from emulator.cognito.lookup import find_user, require_client, require_pool
from emulator.cognito.passwords import password_matches, policy_violation, set_password
from emulator.cognito.protocol import Call
from emulator.cognito.schema_rules import write_refusal
from emulator.cognito.sign_in_names import EMAIL, PHONE
from emulator.cognito.temporary_passwords import forget_temporary_password
from emulator.model import AppClient, UserPool
from emulator.refresh_tokens import find_refresh_token, revoke_refresh_token, revoke_user_tokens
from emulator.runtime import Runtime
from emulator.state import UserRecord

VERIFIED_FLAG = {"email": "email_verified", "phone_number": "phone_number_verified"}
CONTACT_OF_FLAG = {flag: contact for contact, flag in VERIFIED_FLAG.items()}


# -- attributes -------------------------------------------------------------------------------


def attribute_list(user: UserRecord, names: Iterable[str] | None = None) -> list[dict[str, str]]:
    """AWS's [{Name, Value}] form, sub first as AWS lists it; only `names` when given."""
    ordered = {"sub": user.sub, **{k: v for k, v in user.attributes.items() if k != "sub"}}
    wanted = None if names is None else set(names)
    return [{"Name": k, "Value": v} for k, v in ordered.items() if wanted is None or k in wanted]


def attributes_from(items: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """AWS's [{Name, Value}] list as a dict (a missing Value is an empty one); boolean flags in one spelling."""
    attributes = {str(item["Name"]): str(item.get("Value") or "") for item in items or ()}
    return {name: boolean_spelling(name, value) for name, value in attributes.items()}


def boolean_spelling(name: str, value: str) -> str:
    """`email_verified` / `phone_number_verified` in the lower-case spelling the emulator compares with.

    AWS takes `True` as well as `true` (reported in issue 15); that any capitalisation is taken is
    UNCONFIRMED. Any other value is left for check_values to refuse."""
    if name in CONTACT_OF_FLAG and value.lower() in ("true", "false"):
        return value.lower()
    return value


def check_writable(pool: UserPool, changes: Mapping[str, str], client: AppClient | None = None, *,
                   admin: bool = False, self_service: bool = False, creating: bool = False) -> None:
    """Raise AWS's error for an attribute write the pool's schema or the app client does not allow.

    `changes` maps names to values ("" deletes). `admin`: an operation signed with AWS credentials (it may
    write developer-only attributes); `creating`: SignUp or AdminCreateUser (immutable attributes are set)."""
    for name, value in changes.items():
        if name == "sub":
            raise reject("immutable_attribute", "sub is assigned by the user pool and never changes", name=name)
        refusal = write_refusal(pool, name, value, by_admin=admin, creating=creating)
        if refusal is not None:
            raise refusal
        if self_service and name in CONTACT_OF_FLAG:
            # UNCONFIRMED: users verify with a code (VerifyUserAttribute); only admins set the flags.
            raise reject("unauthorized_attribute", f"a user cannot set {name} directly; it becomes true through "
                                                   "VerifyUserAttribute (or an admin operation)")
        if client is not None and client.write_attributes and name not in client.write_attributes:
            raise reject("unauthorized_attribute", f"client '{client.client_name}' may write only "
                                                   f"{', '.join(client.write_attributes)}; not {name}")


def check_values(attributes: Mapping[str, str]) -> None:
    """AWS's format checks on e-mail and phone values (empty values are deletions and pass)."""
    email = attributes.get("email")
    if email and not EMAIL.fullmatch(email):
        raise reject("invalid_email", f"email '{email}' is not an e-mail address")
    phone = attributes.get("phone_number")
    if phone and not PHONE.fullmatch(phone):
        raise reject("invalid_phone", f"phone_number '{phone}' is not in E.164 form (+ and digits, "
                                      "e.g. +15555550100)")
    for flag in CONTACT_OF_FLAG:
        value = attributes.get(flag)
        if value and value not in ("true", "false"):
            raise reject("validation", f"{flag} must be 'true' or 'false', got '{value}'",
                         detail=f"Invalid value for {flag}: {value}")  # UNCONFIRMED text


def apply_attributes(user: UserRecord, changes: Mapping[str, str]) -> list[str]:
    """Write attribute changes as AWS does; returns the contact attributes (email, phone_number) whose value
    changed and that are now unverified. An empty value deletes; a changed e-mail or phone loses its
    verified flag unless the same call sets that flag."""
    changed_contacts = []
    for name, value in changes.items():
        if name in CONTACT_OF_FLAG:
            continue
        old = user.attributes.get(name)
        if value == "":
            user.attributes.pop(name, None)
            if name in VERIFIED_FLAG:
                user.attributes.pop(VERIFIED_FLAG[name], None)
            continue
        user.attributes[name] = value
        if name in VERIFIED_FLAG and old != value:
            user.attributes[VERIFIED_FLAG[name]] = "false"
            changed_contacts.append(name)
    for flag, contact in CONTACT_OF_FLAG.items():
        if flag in changes:
            if changes[flag]:
                user.attributes[flag] = changes[flag]
            else:
                user.attributes.pop(flag, None)
            if changes[flag] == "true" and contact in changed_contacts:
                changed_contacts.remove(contact)
    return changed_contacts


def _same(pool: UserPool, a: str, b: str) -> bool:
    return a == b if pool.case_sensitive and "@" not in a else a.lower() == b.lower()


def holder_of(rt: Runtime, pool: UserPool, attribute: str, value: str, verified_only: bool,
              exclude: str | None = None) -> UserRecord | None:
    """Another user whose `attribute` has this value (verified, when `verified_only`), found by the index."""
    for other in rt.store.users_where(pool.id, attribute, value, folded_case=True):
        if other.username == exclude:
            continue
        current = other.attributes.get(attribute)
        if current is None or not _same(pool, current, value):
            continue
        if not verified_only or other.attributes.get(VERIFIED_FLAG.get(attribute, "")) == "true" \
                or attribute == "preferred_username":
            return other
    return None


def check_unique(rt: Runtime, pool: UserPool, user: UserRecord, attributes: Mapping[str, str],
                 error: str = "alias_exists", force_alias: bool = False) -> None:
    """Sign-in attributes stay unique: an e-mail/phone that is the pool's username attribute belongs to one
    user; a verified alias (AliasAttributes) too. `force_alias` moves a taken alias (ForceAliasCreation)."""
    for attribute in pool.username_attributes:
        value = attributes.get(attribute)
        if value and holder_of(rt, pool, attribute, value, False, exclude=user.username):
            raise reject(error, f"{attribute} '{value}' is the sign-in name of another user of pool {pool.id}",
                         attribute=attribute)
    for attribute in pool.alias_attributes:
        value = user.attributes.get(attribute)
        verified = attribute == "preferred_username" or user.attributes.get(VERIFIED_FLAG.get(attribute, "")) == "true"
        if not value or not verified:
            continue
        other = holder_of(rt, pool, attribute, value, True, exclude=user.username)
        if other is None:
            continue
        if force_alias and attribute in VERIFIED_FLAG:
            other.attributes[VERIFIED_FLAG[attribute]] = "false"
            other.modified = rt.clock()
            rt.store.put_user(pool, other)
            continue
        raise reject("alias_exists", f"{attribute} '{value}' is already the verified alias of user "
                                     f"'{other.username}' (ForceAliasCreation moves it)", attribute=attribute)


def send_verification_codes(rt: Runtime, pool: UserPool, user: UserRecord,
                            contacts: Iterable[str]) -> list[codes.CodeDelivery]:
    """Codes for changed contact attributes the pool verifies automatically (AutoVerifiedAttributes)."""
    return [codes.send_code(rt, pool, user, codes.verify_purpose(c), attribute=c, source=messages.UPDATE_SOURCE)
            for c in contacts if c in pool.auto_verified_attributes and user.attributes.get(c)]


# -- users: lookup, shape, sign-out, deletion -------------------------------------------------


def lookup_user(rt: Runtime, pool: UserPool, name: str) -> UserRecord | None:
    """A user by username, alias or sign-in attribute, or by sub (as admin operations accept)."""
    user = find_user(rt.store, pool, name)
    if user is not None:
        return user
    return rt.store.user_by_sub(pool.id, name)


def require_user(rt: Runtime, pool: UserPool, name: str) -> UserRecord:
    """lookup_user, or AWS's UserNotFoundException 'User does not exist.'."""
    user = lookup_user(rt, pool, name)
    if user is None:
        raise reject("user_not_found", f"no user '{name}' in pool {pool.id} (by username, alias or sub)")
    return user


def require_pool_user(rt: Runtime, params: dict) -> tuple[UserPool, UserRecord]:
    """The pool (UserPoolId) and user (Username) an Admin* request names; AWS's errors when either is missing."""
    pool = require_pool(rt.store, params["UserPoolId"])
    return pool, require_user(rt, pool, params["Username"])


def mfa_fields(user: UserRecord) -> dict[str, Any]:
    """UserMFASettingList / PreferredMfaSetting / MFAOptions as AdminGetUser and GetUser show them."""
    result: dict[str, Any] = {}
    enabled = [m for m, on in (("SMS_MFA", user.mfa.get("sms_enabled")),
                               ("SOFTWARE_TOKEN_MFA", user.mfa.get("software_enabled")),
                               ("EMAIL_OTP", user.mfa.get("email_enabled"))) if on]
    if enabled:
        result["UserMFASettingList"] = enabled
        if user.mfa.get("preferred"):
            result["PreferredMfaSetting"] = user.mfa["preferred"]
    if user.mfa.get("sms_enabled"):
        result["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    return result


def user_type(user: UserRecord, names: Iterable[str] | None = None) -> dict[str, Any]:
    """AWS's UserType (ListUsers, AdminCreateUser, ListUsersInGroup)."""
    result: dict[str, Any] = {
        "Username": user.username, "Attributes": attribute_list(user, names),
        "UserCreateDate": user.created, "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled, "UserStatus": user.status,
    }
    if user.mfa.get("sms_enabled"):
        result["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    return result


def save(rt: Runtime, pool: UserPool, user: UserRecord) -> None:
    """Store a changed user, stamping UserLastModifiedDate."""
    user.modified = rt.clock()
    rt.store.put_user(pool, user)


def sign_out(rt: Runtime, pool: UserPool, user: UserRecord) -> None:
    """Revoke every refresh token of the user and every access token issued until now."""
    revoke_user_tokens(rt.store, pool.id, user.username)
    user.tokens_valid_after = rt.clock()
    rt.store.put_user(pool, user)


def delete_user(rt: Runtime, pool: UserPool, user: UserRecord) -> None:
    """Remove a user with its memberships, tokens and codes."""
    with rt.store.transaction():
        revoke_user_tokens(rt.store, pool.id, user.username)
        codes.forget_codes(rt, pool, user.username)
        forget_temporary_password(rt, pool, user.username)
        rt.store.delete_user(pool, user.username)


# -- self-service operations (access token) ---------------------------------------------------


def get_user(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    user = authenticate(rt, params["AccessToken"]).user
    return {"Username": user.username, "UserAttributes": attribute_list(user), **mfa_fields(user)}


def global_sign_out(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    sign_out(rt, found.pool, found.user)
    return {}


def change_password(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    pool, user = found.pool, found.user
    previous = params.get("PreviousPassword")
    if not previous:  # optional in the model only for passwordless users (UNCONFIRMED text)
        raise reject("missing_auth_parameter", "ChangePassword needs PreviousPassword for a user with a password",
                     name="PreviousPassword")
    if not password_matches(user.password_hash, previous):
        auth_event_log.record_activity(rt.store, pool.id, user.username, rt.clock(), "ChangePassword", "Fail")
        raise reject("wrong_password", f"PreviousPassword is not the current password of user '{user.username}'")
    problem = policy_violation(pool.password_policy, params["ProposedPassword"])
    if problem:
        raise reject("invalid_password", f"ProposedPassword breaks pool {pool.id}'s password policy: {problem}",
                     detail=problem)
    set_password(user, pool.id, params["ProposedPassword"])
    save(rt, pool, user)
    auth_event_log.record_activity(rt.store, pool.id, user.username, rt.clock(), "ChangePassword")
    return {}


def delete_self(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    delete_user(rt, found.pool, found.user)
    return {}


def update_user_attributes(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    pool, user = found.pool, found.user
    changes = attributes_from(params["UserAttributes"])
    client = rt.store.client(str(found.claims.get("client_id", "")))
    check_writable(pool, changes, client, self_service=True)
    check_values(changes)
    contacts = apply_attributes(user, changes)
    check_unique(rt, pool, user, changes)
    save(rt, pool, user)
    deliveries = send_verification_codes(rt, pool, user, contacts)
    return {"CodeDeliveryDetailsList": [d.to_aws() for d in deliveries]} if deliveries else {}


def delete_user_attributes(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    names = params["UserAttributeNames"]
    client = rt.store.client(str(found.claims.get("client_id", "")))
    check_writable(found.pool, dict.fromkeys(names, ""), client)
    apply_attributes(found.user, dict.fromkeys(names, ""))
    save(rt, found.pool, found.user)
    return {}


def _verifiable(user: UserRecord, name: str) -> None:
    if name not in VERIFIED_FLAG:
        raise reject("attribute_not_verifiable", f"only email and phone_number are verified with codes, "
                                                 f"not {name}", name=name)
    if not user.attributes.get(name):
        raise reject("attribute_missing", f"user '{user.username}' has no {name} to verify", name=name)


def get_user_attribute_verification_code(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    name = params["AttributeName"]
    _verifiable(found.user, name)
    delivery = codes.send_code(rt, found.pool, found.user, codes.verify_purpose(name), attribute=name)
    return {"CodeDeliveryDetails": delivery.to_aws()}


def verify_user_attribute(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    pool, user, name = found.pool, found.user, params["AttributeName"]
    _verifiable(user, name)
    codes.require_code(rt, pool, user, codes.verify_purpose(name), params["Code"], consume=False)
    user.attributes[VERIFIED_FLAG[name]] = "true"
    check_unique(rt, pool, user, {})
    codes.require_code(rt, pool, user, codes.verify_purpose(name), params["Code"])  # spent only once all else passed
    save(rt, pool, user)
    return {}


# -- RevokeToken (client credentials, no access token) ----------------------------------------


def revoke_token(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, client = require_client(rt.store, params["ClientId"])
    token = params["Token"]
    if client.client_secret and params.get("ClientSecret") not in client.secrets:
        why = "no ClientSecret was sent" if not params.get("ClientSecret") else "ClientSecret is wrong"
        raise reject("revoke_client_unauthorized", f"client '{client.client_name}' has a secret and {why}")
    if not client.enable_token_revocation:
        raise reject("token_revocation_disabled", f"client '{client.client_name}' has EnableTokenRevocation false")
    if token.count(".") == 2:  # a JWT: an ID or access token, which RevokeToken does not take
        raise reject("unsupported_token_type", "RevokeToken takes a refresh token; this is a JWT (an access or "
                                               "ID token)")
    record = find_refresh_token(rt.store, pool.id, token)
    # AWS answers success for a token it does not know, so revocation cannot be used to probe tokens.
    if record is not None and record.client_id == client.client_id and not record.revoked:
        revoke_refresh_token(rt.store, record, token)
    return {}


OPERATIONS = {
    "GetUser": get_user,
    "GlobalSignOut": global_sign_out,
    "ChangePassword": change_password,
    "DeleteUser": delete_self,
    "UpdateUserAttributes": update_user_attributes,
    "DeleteUserAttributes": delete_user_attributes,
    "GetUserAttributeVerificationCode": get_user_attribute_verification_code,
    "VerifyUserAttribute": verify_user_attribute,
    "RevokeToken": revoke_token,
}
