"""GET /oauth2/userInfo: the signed-in user's attributes for an access token from the token endpoint
(one whose scope has openid), limited by the token's scopes and the client's ReadAttributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.cognito.access_tokens import authenticate
from emulator.cognito.errors import CognitoError
from emulator.model import AppClient
from emulator.oauth2.errors import USERINFO_ERRORS
from emulator.runtime import Runtime
from emulator.state import UserRecord

# userinfo-endpoint.md: which attributes each scope returns; openid alone returns all readable ones.
PROFILE_ATTRIBUTES = ("name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
                      "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at")
SCOPE_ATTRIBUTES = {
    "profile": PROFILE_ATTRIBUTES,
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
}


@dataclass
class UserInfoError(Exception):
    """A userInfo rejection: the WWW-Authenticate error (invalid_request or invalid_token) and why."""

    key: str
    reason: str

    @property
    def error(self) -> str:
        return USERINFO_ERRORS[self.key][0]

    @property
    def status(self) -> int:
        return USERINFO_ERRORS[self.key][1]

    @property
    def description(self) -> str:
        return USERINFO_ERRORS[self.key][2]

    def www_authenticate(self) -> str:
        return f'error="{self.error}", error_description="{self.description}"'


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer` header; invalid_request when there is none."""
    if not authorization:
        raise UserInfoError("invalid_request", "the request has no Authorization header; send "
                                               "'Authorization: Bearer <access token>'")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UserInfoError("invalid_request", f"the Authorization header uses scheme {scheme[:20]!r}; userInfo "
                                               "takes 'Bearer <access token>'")
    return token.strip()


def user_info(rt: Runtime, authorization: str | None) -> dict[str, Any]:
    """The JSON of a successful userInfo call; raises UserInfoError."""
    token = bearer_token(authorization)
    try:
        found = authenticate(rt, token, required_scope="openid")
    except CognitoError as error:
        raise UserInfoError("invalid_token", error.reason) from None
    client = rt.store.client(str(found.claims.get("client_id")))
    return visible_attributes(found.user, str(found.claims.get("scope", "")).split(), client)


def visible_attributes(user: UserRecord, scopes: list[str], client: AppClient | None) -> dict[str, Any]:
    """sub, the attributes the scopes select (all with openid alone), and username; values as stored strings."""
    selected = [s for s in SCOPE_ATTRIBUTES if s in scopes]
    readable = set(client.read_attributes) if client and client.read_attributes else None
    body: dict[str, Any] = {"sub": user.sub}
    for name, value in user.attributes.items():
        if name == "sub":
            continue
        if readable is not None and name not in readable:
            continue
        if selected and not any(name in SCOPE_ATTRIBUTES[s] or (s == "profile" and name.startswith("custom:"))
                                for s in selected):
            continue
        body[name] = value  # userInfo returns "email_verified": "true" as a string, unlike the ID token
    body["username"] = user.username
    return body
