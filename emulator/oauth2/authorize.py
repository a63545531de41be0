"""The authorize/login request: which parameters AWS accepts and where each refusal goes (pure).

A refusal goes to one of two places (authorization-endpoint.md): when the client or the
redirect_uri cannot be trusted, AWS shows its own error page (`/error?error=...`); once both
are known good, the error is redirected to the app (`redirect_uri?error=...&state=...`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from emulator.model import AppClient
from emulator.oauth2.pkce import challenge_problem
from emulator.oauth2.scopes import split_scope, user_scopes

# The parameters the authorize and login endpoints take (and carry from one to the other).
AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "state", "scope", "nonce",
                    "code_challenge", "code_challenge_method", "identity_provider", "idp_identifier", "prompt",
                    "lang")
RESPONSE_FLOWS = {"code": "code", "token": "implicit"}


@dataclass(frozen=True)
class AuthorizeRequest:
    """A valid authorize request: what the sign-in at its end will grant."""

    client_id: str
    pool_id: str
    response_type: str  # code | token
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    prompt: str | None

    @property
    def scope(self) -> str:
        return " ".join(self.scopes)

    @property
    def openid(self) -> bool:
        return "openid" in self.scopes


@dataclass(frozen=True)
class ErrorPage:
    """Refused before the redirect_uri can be trusted: AWS's own error page."""

    error: str
    client_id: str | None
    reason: str

    def location(self) -> str:
        query = {"error": self.error}
        if self.client_id:
            query["client_id"] = self.client_id
        return "/error?" + urlencode(query)


@dataclass(frozen=True)
class RedirectError:
    """Refused with a trusted redirect_uri: the error goes back to the app."""

    redirect_uri: str
    error: str
    state: str | None
    reason: str

    def location(self) -> str:
        return redirect_location(self.redirect_uri, {"error": self.error, "state": self.state})


def redirect_location(redirect_uri: str, params: Mapping[str, str | None], fragment: bool = False) -> str:
    """`redirect_uri` with `params` (None values dropped) added to its query, or as its fragment."""
    encoded = urlencode({k: v for k, v in params.items() if v is not None})
    if fragment:
        return f"{redirect_uri}#{encoded}"
    return f"{redirect_uri}{'&' if urlsplit(redirect_uri).query else '?'}{encoded}"


def decide_authorize(params: Mapping[str, str], client: AppClient | None,
                     existing_custom: Collection[str]) -> AuthorizeRequest | ErrorPage | RedirectError:
    """Validate an authorize (or login) request against the client, in the order AWS checks."""
    client_id = params.get("client_id") or None
    if client_id is None:
        return ErrorPage("invalid_request", None, "the request has no client_id")
    if client is None:
        return ErrorPage("invalid_request", client_id, f"no app client with id '{client_id}' in any pool")
    redirect_uri = params.get("redirect_uri") or None
    if redirect_uri is None:
        return ErrorPage("redirect_mismatch", client_id, "the request has no redirect_uri; it must be one of the "
                                                         f"client's CallbackURLs ({_listed(client.callback_urls)})")
    if redirect_uri not in client.callback_urls:
        return ErrorPage("redirect_mismatch", client_id,
                         f"redirect_uri {redirect_uri!r} is not one of the CallbackURLs of client "
                         f"'{client.client_name}' ({_listed(client.callback_urls)}); Cognito compares them character "
                         "for character")
    state = params.get("state")

    def refuse(error: str, reason: str) -> RedirectError:
        return RedirectError(redirect_uri, error, state, reason)

    if not client.allowed_oauth_flows_user_pool_client:
        return refuse("unauthorized_client", f"client '{client.client_name}' has AllowedOAuthFlowsUserPoolClient "
                                             "false, so it cannot use the hosted UI")
    response_type = params.get("response_type") or None
    if response_type not in RESPONSE_FLOWS:
        shown = "no response_type" if response_type is None else f"response_type {response_type[:20]!r}"
        return refuse("invalid_request", f"the request has {shown}; it must be code or token")
    flow = RESPONSE_FLOWS[response_type]
    if flow not in client.allowed_oauth_flows:
        return refuse("unauthorized_client", f"response_type={response_type} needs '{flow}' in the client's "
                                             f"AllowedOAuthFlows ({_listed(client.allowed_oauth_flows)})")
    challenge = params.get("code_challenge") or None
    pkce = challenge_problem(challenge, params.get("code_challenge_method") or None)
    if pkce:
        return refuse("invalid_request", pkce)
    # identity_provider / idp_identifier are chosen by federation_start.py (idp_choice.py), after these checks.
    scopes = user_scopes(split_scope(params.get("scope")), client.allowed_oauth_scopes, existing_custom)
    if isinstance(scopes, str):
        return refuse("invalid_scope", scopes)
    return AuthorizeRequest(client_id=client.client_id, pool_id=client.pool_id, response_type=response_type,
                            redirect_uri=redirect_uri, scopes=scopes, state=state, nonce=params.get("nonce") or None,
                            code_challenge=challenge, prompt=params.get("prompt") or None)


def carried_params(params: Mapping[str, str]) -> dict[str, str]:
    """The authorize parameters of a request, to carry to /login (AWS passes the same query on)."""
    return {name: params[name] for name in AUTHORIZE_PARAMS if params.get(name) is not None}


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(values) or "none"
