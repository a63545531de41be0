"""Who is calling the token and revoke endpoints: HTTP Basic or client_id/client_secret in the body (pure)."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from emulator.model import AppClient
from emulator.oauth2.errors import oauth_error


@dataclass(frozen=True)
class ClientCredentials:
    """The client id and secret a request presents, and how it presented them."""

    client_id: str
    secret: str | None
    method: str  # "client_secret_basic" | "client_secret_post" | "none"


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """(id, secret) of an `Authorization: Basic` header; None without one; raises OAuthError when it is malformed."""
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise oauth_error("invalid_client", f"the Authorization header uses scheme {scheme[:20]!r}; the token "
                                             "endpoint takes 'Basic base64(client_id:client_secret)'")
    value = value.strip()
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise oauth_error("invalid_client", "the Basic credentials are not valid base64 of "
                                            "'client_id:client_secret' (a line break from `base64` without -w0 "
                                            "breaks it, for example)") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise oauth_error("invalid_client", "the Basic credentials decode to a value without ':'; they must be "
                                             "base64('client_id:client_secret')")
    # RFC 6749 §2.3.1 form-encodes both parts before base64 (Authlib does); Cognito ids and
    # secrets are [\w+]+, so unquoting is harmless for callers that do not encode.
    return unquote(client_id), unquote(secret)


def presented_credentials(basic: tuple[str, str] | None, form: Mapping[str, str]) -> ClientCredentials:
    """The credentials of a request from its Basic header and body; OAuthError when they conflict or are absent."""
    body_id = form.get("client_id") or None
    body_secret = form.get("client_secret") or None
    if basic is not None:
        client_id, secret = basic
        if body_id is not None and body_id != client_id:
            raise oauth_error("invalid_client", f"the Basic header names client '{client_id}' but the body's "
                                                 f"client_id is '{body_id}'")
        if body_secret is not None and body_secret != secret:
            raise oauth_error("invalid_client", "the body's client_secret differs from the one in the Basic header")
        return ClientCredentials(client_id, secret, "client_secret_basic")
    if body_id is None:
        raise oauth_error("invalid_client", "the request names no client: send 'Authorization: Basic "
                                             "base64(client_id:client_secret)' or client_id in the body")
    return ClientCredentials(body_id, body_secret, "client_secret_post" if body_secret else "none")


def check_client_secret(client: AppClient | None, creds: ClientCredentials,
                        error_key: str = "invalid_client") -> AppClient:
    """The client `creds` authenticate; OAuthError otherwise (`error_key` picks invalid_client's status)."""
    if client is None:
        raise oauth_error(error_key, f"no app client with id '{creds.client_id}' in any pool")
    if client.client_secret:
        if not creds.secret:
            raise oauth_error(error_key, f"client '{client.client_name}' has a secret; send it as 'Authorization: "
                                          "Basic base64(client_id:client_secret)' (or client_secret in the body)")
        if not any(hmac.compare_digest(s.encode(), creds.secret.encode()) for s in client.secrets):
            raise oauth_error(error_key, f"the client secret is not the secret of client '{client.client_name}'")
        return client
    if creds.secret:
        raise oauth_error(error_key, f"client '{client.client_name}' has no secret, but the request sends one")
    return client
