"""The built-in, offline stand-ins for Google, Facebook, Login with Amazon and Sign in with Apple: a page on the
emulator, clearly marked as a local simulation, where the developer picks an identity they used before or types
one (email, name, user id), and which returns to /oauth2/idpresponse with a code, as the real provider does. The
code is redeemed in-process for what that provider would give Cognito, in its own claim names and user-id format
(default provider mappings, developer guide provider-mappings.html: Google `109220063452404746097`, Facebook
`1269003884292222976`-like numbers, Amazon `amzn1.account.AGHNIFJQMFSBG3G6XCPVB35ORQAA`, Apple
`001968.a6ca34e9c1e742458a26cf8005854be9.0733`), so the provider's AttributeMapping is exercised.

The code goes only to the provider's ProviderDetails client_id, as the real providers issue codes to a client."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi.responses import HTMLResponse, Response

from emulator.cognito.federated_users import SUBJECT_CLAIMS
from emulator.encoding import digest
from emulator.oauth2 import pages
from emulator.oauth2.httpio import reason_headers, redirect
from emulator.oauth2.oidc_relying_party import IdpFailure
from emulator.runtime import Runtime
from emulator.state import Kind

PATH = "/simulated-idp/{provider}/authorize"
CODE_SECONDS = 300
NAMES = {"Google": "Google", "Facebook": "Facebook", "LoginWithAmazon": "Login with Amazon",
         "SignInWithApple": "Sign in with Apple"}
PROVIDERS = tuple(NAMES)
# Each provider's user-id format: (a pattern it matches, an example, a generator).
SUBJECT_FORMATS: dict[str, tuple[str, str]] = {
    "Google": (r"1\d{20}", "109220063452404746097"),
    "Facebook": (r"\d{15,17}", "10158867312345678"),
    "LoginWithAmazon": (r"amzn1\.account\.[A-Z0-9]{28}", "amzn1.account.AGHNIFJQMFSBG3G6XCPVB35ORQAA"),
    "SignInWithApple": (r"\d{6}\.[0-9a-f]{32}\.\d{4}", "001968.a6ca34e9c1e742458a26cf8005854be9.0733"),
}
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
PAGE_CSS = """
.previous-identities { margin: 0 0 12px; }
.previous-identity button { margin: 0 0 8px; }
.previous-identities .divider { text-align: center; color: var(--muted); font-size: 13px; margin: 4px 0 0; }
"""


def new_subject(provider: str) -> str:
    """A fresh user id in the provider's own format."""
    if provider == "Google":
        return "1" + "".join(secrets.choice("0123456789") for _ in range(20))
    if provider == "Facebook":
        return "10" + "".join(secrets.choice("0123456789") for _ in range(15))
    if provider == "LoginWithAmazon":
        return "amzn1.account." + "".join(secrets.choice(_BASE32) for _ in range(28))
    return f"{secrets.randbelow(10**6):06d}.{secrets.token_hex(16)}.{secrets.randbelow(10**4):04d}"


def subject_problem(provider: str, subject: str) -> str | None:
    pattern, example = SUBJECT_FORMATS[provider]
    if re.fullmatch(pattern, subject):
        return None
    return f"{subject[:60]!r} is not a {NAMES[provider]} user id (like {example})"


def provider_claims(provider: str, subject: str, email: str, name: str, first_time: bool) -> dict[str, Any]:
    """What the provider gives Cognito for this account, in its own attribute names (pure)."""
    given, _, family = name.partition(" ")
    if provider == "Google":  # Google's ID token / userinfo
        claims = {"sub": subject, "email": email, "email_verified": True, "name": name, "given_name": given,
                  "family_name": family, "picture": f"https://lh3.googleusercontent.com/a/{subject}"}
    elif provider == "Facebook":  # the Graph API's /me fields
        claims = {"id": subject, "email": email, "name": name, "first_name": given, "last_name": family}
    elif provider == "LoginWithAmazon":  # the Login with Amazon profile
        claims = {"user_id": subject, "email": email, "name": name}
    else:  # Apple's ID token; the name comes only with the first authorization, as Apple sends it
        claims = {"sub": subject, "email": email, "email_verified": "true", "is_private_email": "false"}
        if first_time:
            claims.update({"firstName": given, "lastName": family, "name": name})
    return {k: v for k, v in claims.items() if v not in ("", None)}


def authorize_location(provider: Mapping[str, Any], redirect_uri: str, state: str, nonce: str) -> str:
    """Where /oauth2/authorize sends the browser for a social provider: the simulated page."""
    details = provider["ProviderDetails"]
    query = {"client_id": details.get("client_id", ""), "redirect_uri": redirect_uri, "response_type": "code",
             "scope": details.get("authorize_scopes", ""), "state": state, "nonce": nonce}
    return PATH.format(provider=provider["ProviderType"]) + "?" + urlencode(query)


def _request_problem(provider: str, params: Mapping[str, str], base_url: str) -> str | None:
    """Why the simulated provider refuses this request; it answers only this emulator's /oauth2/idpresponse
    (the real providers answer only a registered redirect URI)."""
    if provider not in NAMES:
        return f"{provider[:40]!r} is not a simulated provider ({', '.join(PROVIDERS)})"
    for name in ("client_id", "redirect_uri", "state"):
        if not params.get(name):
            return f"the request has no {name}"
    if params["redirect_uri"] != base_url.rstrip("/") + "/oauth2/idpresponse":
        return f"redirect_uri {params['redirect_uri'][:80]!r} is not this emulator's /oauth2/idpresponse"
    return None


def _previous(rt: Runtime, provider: str) -> list[dict[str, Any]]:
    return [data for _, _, data in rt.store.items(Kind.SIMULATED_IDP_IDENTITY, provider)]


def page(rt: Runtime, provider: str, params: Mapping[str, str], base_url: str, error: str | None = None,
         typed: Mapping[str, str] | None = None) -> Response:
    """The simulated sign-in page (or its error)."""
    problem = _request_problem(provider, params, base_url)
    if problem:
        rt.decisions.reject(f"simulated {provider[:40]}", "400 error page", problem)
        html = pages.message_page("Simulated sign-in refused", problem, "This simulated sign-in cannot go on.")
        return HTMLResponse(html, status_code=400, headers=reason_headers(problem))
    action = PATH.format(provider=provider) + "?" + urlencode(dict(params))
    label, typed = NAMES[provider], typed or {}
    previous = "".join(
        f'  <form method="post" action="{escape(action)}" class="previous-identity">'
        f'<input type="hidden" name="sub" value="{escape(p["sub"])}">'
        f'<input type="hidden" name="email" value="{escape(p["email"])}">'
        f'<input type="hidden" name="name" value="{escape(p["name"])}">'
        f'<button type="submit" class="secondary">Continue as {escape(p["name"] or p["email"] or p["sub"])} '
        f'&lt;{escape(p["email"])}&gt; ({escape(p["sub"])})</button></form>\n'
        for p in _previous(rt, provider))
    if previous:
        previous = (f'  <div class="previous-identities"><p class="lead">{escape(label)} accounts used before on this '
                    f'emulator:</p>\n{previous}  <p class="divider">or another account</p></div>\n')
    content = pages.template("social_simulation.html").substitute(
        label=escape(label), client_id=escape(params["client_id"]), sub_example=escape(SUBJECT_FORMATS[provider][1]),
        alert=pages.alert(error), previous=previous, action=escape(action), email=escape(typed.get("email", "")),
        name=escape(typed.get("name", "")), sub=escape(typed.get("sub", "")),
        subject_label=escape(f"{label} user id ({SUBJECT_CLAIMS[provider]})"))
    html = pages.page(f"Local simulation of {label}", content, None, None, PAGE_CSS)
    return HTMLResponse(html, status_code=400 if error else 200, headers=reason_headers(error) if error else {})


def submit(rt: Runtime, provider: str, params: Mapping[str, str], form: Mapping[str, str],
           base_url: str) -> Response:
    """The chosen identity: remembered for next time, and back to Cognito with a code."""
    if _request_problem(provider, params, base_url):
        return page(rt, provider, params, base_url)
    email, name = (form.get("email") or "").strip(), (form.get("name") or "").strip()
    subject = (form.get("sub") or "").strip()
    known = {p["sub"]: p for p in _previous(rt, provider)}
    if not subject:
        same_email = next((p for p in known.values() if email and p["email"] == email), None)
        subject = same_email["sub"] if same_email else new_subject(provider)
    problem = subject_problem(provider, subject) or (None if email or subject in known else
                                                     "type an email (or pick an account above)")
    if problem:
        rt.decisions.reject(f"simulated {provider}", "400 form", problem)
        return page(rt, provider, params, base_url, problem, form)
    previous = known.get(subject)
    email = email or (previous or {}).get("email", "")
    name = name or (previous or {}).get("name", "")
    claims = provider_claims(provider, subject, email, name, first_time=previous is None)
    now = rt.clock()
    rt.store.put(Kind.SIMULATED_IDP_IDENTITY, provider, subject, {"sub": subject, "email": email, "name": name})
    code = secrets.token_urlsafe(24)
    rt.store.put(Kind.SIMULATED_IDP_CODE, "", digest(code),
                 {"provider": provider, "client_id": params["client_id"], "redirect_uri": params["redirect_uri"],
                  "nonce": params.get("nonce"), "claims": claims}, expires=now + CODE_SECONDS)
    separator = "&" if urlsplit(params["redirect_uri"]).query else "?"
    return redirect(params["redirect_uri"] + separator + urlencode({"code": code, "state": params["state"]}))


def redeem(rt: Runtime, provider: Mapping[str, Any], code: str, nonce: str) -> dict[str, Any]:
    """The claims a code stands for, once, for this provider's client and this sign-in's nonce."""
    key = digest(code)
    with rt.store.transaction():
        data = rt.store.get(Kind.SIMULATED_IDP_CODE, "", key)
        rt.store.delete(Kind.SIMULATED_IDP_CODE, "", key)
    if data is None:
        raise IdpFailure(f"the simulated {provider['ProviderType']} code is unknown, used or expired "
                         f"({CODE_SECONDS} s)")
    if data["provider"] != provider["ProviderType"]:
        raise IdpFailure(f"the code was issued by the simulated {data['provider']}, not {provider['ProviderType']}")
    client_id = provider["ProviderDetails"].get("client_id")
    if data["client_id"] != client_id:
        raise IdpFailure(f"the code was issued to client_id {data['client_id']!r}; the provider's ProviderDetails "
                         f"client_id is {client_id!r} (the real provider answers invalid_client)")
    if data.get("nonce") != nonce:
        raise IdpFailure("the code was issued for another sign-in (nonce differs)")
    return data["claims"]
