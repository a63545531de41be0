"""Which IdP an authorize request names, and the login page's provider buttons (pure).

`identity_provider=NAME` names a provider by its ProviderName (COGNITO: the login page), `idp_identifier=ID` by
one of its IdpIdentifiers (authorization-endpoint.md); either must be one of the client's
SupportedIdentityProviders. A provider the request names that the pool lacks or the client does not support is
refused with the managed login's "Login option is not available. Please try another one" (the exact text is
quoted from AWS's hosted UI in several public notes; how AWS serves it, as a page, is UNCONFIRMED)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from emulator.model import AppClient

NOT_AVAILABLE = "Login option is not available. Please try another one"
COGNITO = "COGNITO"
# The social providers' button labels (their ProviderName is their type).
LABELS = {"Google": "Continue with Google", "Facebook": "Continue with Facebook",
          "LoginWithAmazon": "Continue with Amazon", "SignInWithApple": "Continue with Apple"}


@dataclass(frozen=True)
class Unavailable:
    """The request names a provider it may not use."""

    reason: str


def chosen_provider(params: Mapping[str, str], client: AppClient,
                    providers: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | Unavailable | None:
    """The provider the request sends the user to, None for the pool's own login page, or why not."""
    name, identifier = params.get("identity_provider") or None, params.get("idp_identifier") or None
    if name is None and identifier is None:
        return None
    if name == COGNITO:
        return None if cognito_allowed(client) else Unavailable(
            f"identity_provider COGNITO: client '{client.client_name}' does not list COGNITO in its "
            f"SupportedIdentityProviders ({', '.join(client.supported_identity_providers)})")
    if name is not None:
        provider = next((p for p in providers if p["ProviderName"] == name), None)
        named = f"identity_provider {name[:40]!r}"
    else:
        assert identifier is not None
        provider = next((p for p in providers if identifier in (p.get("IdpIdentifiers") or ())), None)
        named = f"idp_identifier {identifier[:40]!r}"
    if provider is None:
        known = sorted(p["ProviderName"] for p in providers)
        return Unavailable(f"{named} names no identity provider of pool {client.pool_id} (its providers: "
                           f"{', '.join(known) or 'none'})")
    if provider["ProviderName"] not in client.supported_identity_providers:
        return Unavailable(f"{named} is provider {provider['ProviderName']}, which is not in the "
                           f"SupportedIdentityProviders of client '{client.client_name}' "
                           f"({', '.join(client.supported_identity_providers) or 'none'})")
    return provider


def cognito_allowed(client: AppClient) -> bool:
    """Whether the login page signs in the pool's own users for this client: COGNITO is one of its
    SupportedIdentityProviders (a client that lists none keeps the password form, as the emulator always had)."""
    return not client.supported_identity_providers or COGNITO in client.supported_identity_providers


def provider_buttons(client: AppClient, providers: Sequence[Mapping[str, Any]],
                     params: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, href) of a button per provider the client supports, in the client's order."""
    by_name = {p["ProviderName"]: p for p in providers}
    carried = {k: v for k, v in params.items() if k not in ("identity_provider", "idp_identifier")}
    buttons = []
    for name in client.supported_identity_providers:
        if name == COGNITO or name not in by_name:
            continue
        href = "/oauth2/authorize?" + urlencode({**carried, "identity_provider": name})
        buttons.append((LABELS.get(by_name[name]["ProviderType"], f"Continue with {name}"), href))
    return buttons
