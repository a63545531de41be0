"""A user pool as the relying party of its OIDC provider: the IdP's endpoints (explicit ProviderDetails, else
discovery at `oidc_issuer`), the redirect to its authorize endpoint, the code exchange at its token endpoint,
the ID token checked against its JWKS (signature, iss, aud, exp, nonce), and the user's attributes from the ID
token and its userInfo endpoint (`attributes_request_method`). Every failure is an `IdpFailure` with a plain
reason: the sign-in fails closed.

ProviderDetails (API_CreateIdentityProvider): client_id, client_secret, attributes_request_method, oidc_issuer,
authorize_scopes; "authorize_url, token_url, attributes_url, jwks_uri ... are only present if Amazon Cognito
didn't discover them at the oidc_issuer URL" (explicit values are used as given)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import jwt

FETCH_TIMEOUT_SECONDS = 5.0  # each request to the IdP, in all (connect, and every byte of the answer)
MAX_RESPONSE_BYTES = 1024 * 1024  # discovery, token, JWKS and userInfo answers are a few KiB
CLOCK_SKEW_SECONDS = 60  # how far the IdP's clock may be from ours for exp/iat (UNCONFIRMED: AWS's leeway)
EXPLICIT = ("authorize_url", "token_url", "attributes_url", "jwks_uri")
ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512")


class IdpFailure(Exception):
    """The IdP could not be used, or what it sent cannot be trusted; `reason` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OidcEndpoints:
    issuer: str
    authorize_url: str
    token_url: str
    attributes_url: str | None
    jwks_uri: str


def _fetch(http: httpx.Client, method: str, url: str, what: str, **kwargs: Any) -> tuple[int, bytes]:
    """(status, body) of one request to the IdP, within FETCH_TIMEOUT_SECONDS in all and MAX_RESPONSE_BYTES:
    httpx's timeouts bound each read, so an IdP sending a byte at a time would hold the sign-in for ever."""
    # Wall-clock on purpose: a network deadline, not a decision of the emulator's (settable) clock.
    deadline = time.monotonic() + FETCH_TIMEOUT_SECONDS
    body = bytearray()
    try:
        with http.stream(method, url, **kwargs) as response:
            for chunk in response.iter_bytes():  # decoded: a compressed bomb counts as it unpacks
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise IdpFailure(f"the IdP's {what} at {url} answered more than {MAX_RESPONSE_BYTES} bytes "
                                     "(larger than any OIDC answer needs)")
                if time.monotonic() > deadline:
                    raise IdpFailure(f"the IdP's {what} at {url} did not answer within {FETCH_TIMEOUT_SECONDS:g} s")
            return response.status_code, bytes(body)
    except httpx.HTTPError as error:
        raise IdpFailure(f"the IdP's {what} at {url} is unreachable ({type(error).__name__}: {error})") from None


def _get_json(http: httpx.Client, url: str, what: str, **kwargs: Any) -> Any:
    return _json_of(*_fetch(http, "GET", url, what, **kwargs), url, what)


def _json_of(status: int, body: bytes, url: str, what: str) -> Any:
    if status != 200:
        text = body[:200].decode("utf-8", "replace")
        raise IdpFailure(f"the IdP's {what} at {url} answered HTTP {status}: {text}")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than the parser follows
        raise IdpFailure(f"the IdP's {what} at {url} did not answer JSON") from None


def endpoints(http: httpx.Client, details: Mapping[str, str]) -> OidcEndpoints:
    """The IdP's endpoints: discovered at oidc_issuer, each one replaced by an explicit ProviderDetails value."""
    issuer = details["oidc_issuer"].rstrip("/")
    explicit = {key: details[key] for key in EXPLICIT if details.get(key)}
    found: dict[str, Any] = {}
    if len(explicit) < len(EXPLICIT) - 1 or "jwks_uri" not in explicit:
        url = issuer + "/.well-known/openid-configuration"
        found = _get_json(http, url, "discovery document")
        if not isinstance(found, dict):
            raise IdpFailure(f"the IdP's discovery document at {url} is not a JSON object")
        if str(found.get("issuer", "")).rstrip("/") != issuer:
            raise IdpFailure(f"the discovery document at {url} names issuer {found.get('issuer')!r}, not the "
                             f"provider's oidc_issuer {details['oidc_issuer']!r} (OpenID Connect Discovery §4.3)")
    chosen = {"authorize_url": explicit.get("authorize_url") or found.get("authorization_endpoint"),
              "token_url": explicit.get("token_url") or found.get("token_endpoint"),
              "attributes_url": explicit.get("attributes_url") or found.get("userinfo_endpoint"),
              "jwks_uri": explicit.get("jwks_uri") or found.get("jwks_uri")}
    for key in ("authorize_url", "token_url", "jwks_uri"):
        value = chosen[key]
        if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
            raise IdpFailure(f"the IdP has no usable {key} (ProviderDetails or discovery gave {value!r})")
    return OidcEndpoints(issuer, chosen["authorize_url"], chosen["token_url"], chosen["attributes_url"],
                         chosen["jwks_uri"])


def authorize_location(found: OidcEndpoints, details: Mapping[str, str], redirect_uri: str, state: str,
                       nonce: str) -> str:
    """Where the browser goes to sign in at the IdP (the authorization code flow, with the pool's nonce)."""
    query = urlencode({"client_id": details["client_id"], "response_type": "code", "redirect_uri": redirect_uri,
                       "scope": details.get("authorize_scopes") or "openid", "state": state, "nonce": nonce})
    separator = "&" if urlsplit(found.authorize_url).query else "?"
    return f"{found.authorize_url}{separator}{query}"


def exchange_code(http: httpx.Client, found: OidcEndpoints, details: Mapping[str, str], code: str,
                  redirect_uri: str) -> dict[str, Any]:
    """The IdP's token response for `code` (client_secret_basic when the provider has a secret)."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": details["client_id"]}
    auth = (details["client_id"], details["client_secret"]) if details.get("client_secret") else None
    tokens = _json_of(*_fetch(http, "POST", found.token_url, "token endpoint", data=form, auth=auth),
                      found.token_url, "token endpoint")
    if not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
        raise IdpFailure(f"the IdP's token endpoint {found.token_url} answered without an id_token")
    return tokens


def verify_id_token(id_token: str, jwks: Any, issuer: str, client_id: str, nonce: str, now: float) -> dict[str, Any]:
    """The ID token's claims once its signature (a key of the IdP's JWKS) and iss/aud/exp/nonce hold (pure)."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as error:
        raise IdpFailure(f"the IdP's id_token is not a JWT ({error})") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise IdpFailure(f"the IdP's id_token is signed with alg {algorithm!r}; only asymmetric algorithms verified "
                         "against the IdP's JWKS are accepted")
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    candidates = [k for k in keys or () if isinstance(k, dict) and k.get("kid") == header.get("kid")]
    if not candidates:
        kids = [k.get("kid") for k in keys or () if isinstance(k, dict)]
        raise IdpFailure(f"the IdP's id_token names kid {header.get('kid')!r}, which its JWKS does not hold ({kids})")
    try:
        key = jwt.PyJWK(candidates[0], algorithm)
        claims = jwt.decode(id_token, key.key, algorithms=[algorithm], audience=client_id, issuer=issuer,
                            options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_exp": False,
                                     "verify_iat": False})
    except jwt.PyJWTError as error:
        raise IdpFailure(f"the IdP's id_token was refused: {error}") from None
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] + CLOCK_SKEW_SECONDS <= now:
        raise IdpFailure(f"the IdP's id_token expired at {claims.get('exp')} (now {int(now)})")
    if claims.get("nonce") != nonce:
        raise IdpFailure("the IdP's id_token carries another nonce than the one this sign-in sent (a replayed "
                         "or foreign token)")
    return claims


def user_info(http: httpx.Client, found: OidcEndpoints, details: Mapping[str, str], access_token: str | None,
              subject: str) -> dict[str, Any]:
    """The userInfo answer (GET or POST, as attributes_request_method says); its sub must be the token's."""
    if not found.attributes_url or not access_token:
        return {}
    headers = {"Authorization": f"Bearer {access_token}"}
    method = (details.get("attributes_request_method") or "GET").upper()
    info = _json_of(*_fetch(http, "POST" if method == "POST" else "GET", found.attributes_url, "userInfo endpoint",
                            headers=headers), found.attributes_url, "userInfo endpoint")
    if not isinstance(info, dict):
        raise IdpFailure(f"the IdP's userInfo endpoint {found.attributes_url} did not answer a JSON object")
    if "sub" in info and info["sub"] != subject:
        raise IdpFailure(f"the IdP's userInfo names sub {info['sub']!r}, the id_token {subject!r}")
    return info


def signed_in_claims(details: Mapping[str, str], code: str, redirect_uri: str, nonce: str,
                     now: float, http: httpx.Client | None = None) -> dict[str, Any]:
    """The whole exchange for one returned code: the ID token's claims with userInfo's on top."""
    with http or httpx.Client(timeout=FETCH_TIMEOUT_SECONDS) as client:
        found = endpoints(client, details)
        tokens = exchange_code(client, found, details, code, redirect_uri)
        jwks = _get_json(client, found.jwks_uri, "JWKS")
        claims = verify_id_token(tokens["id_token"], jwks, details["oidc_issuer"].rstrip("/"), details["client_id"],
                                 nonce, now)
        info = user_info(client, found, details, tokens.get("access_token"), str(claims["sub"]))
    merged = {**claims, **info}
    # The IdP's tokens are attributes too: they can be mapped to custom attributes (attribute-mapping page).
    merged.update({k: tokens[k] for k in ("id_token", "access_token") if isinstance(tokens.get(k), str)})
    return merged


def redirect_for(details: Mapping[str, str], redirect_uri: str, state: str, nonce: str) -> str:
    """The IdP's authorize URL for this sign-in (its endpoints looked up now)."""
    with httpx.Client(timeout=FETCH_TIMEOUT_SECONDS) as client:
        return authorize_location(endpoints(client, details), details, redirect_uri, state, nonce)

