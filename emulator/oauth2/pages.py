"""The hosted UI's HTML: templates under oauth2/templates, styles from oauth2/static inlined so each
page is one self-contained response. Every dynamic value is HTML-escaped here."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from html import escape
from importlib.resources import files
from string import Template

from emulator.model import AppClient, PasswordPolicy, UserPool

ERROR_ICON = ('<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="7" '
              'fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M8 4.2v4.6M8 10.9v.9" '
              'stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/></svg>')


@functools.cache
def _template(name: str) -> Template:
    return Template(files("emulator.oauth2").joinpath("templates", name).read_text(encoding="utf-8"))


def template(name: str) -> Template:
    """A template of oauth2/templates (for pages built outside this module, such as the simulated IdPs')."""
    return _template(name)


@functools.cache
def _css() -> str:
    return files("emulator.oauth2").joinpath("static", "login.css").read_text(encoding="utf-8")


@functools.cache
def _mfa_css() -> str:
    """The few extra rules of the MFA pages (choices, the secret key), in the login page's style."""
    return files("emulator.oauth2").joinpath("templates", "mfa.css").read_text(encoding="utf-8")


def alert(message: str | None, kind: str = "error") -> str:
    """An alert box (role=alert, so browsers and tests can find it), or nothing."""
    if not message:
        return ""
    css = "alert" if kind == "error" else "alert note"
    return f'  <div class="{css}" role="alert" id="loginErrorMessage">{ERROR_ICON}<span>{escape(message)}</span></div>'


def page(title: str, content: str, pool: UserPool | None, client: AppClient | None, extra_css: str = "") -> str:
    """A full page around `content` (already HTML), branded with the client and pool."""
    app_name = client.client_name if client else "Cognito user pool"
    return _template("page.html").substitute(
        title=escape(title), css=_css() + extra_css, content=content, initial=escape((app_name[:1] or "C").upper()),
        app_name=escape(app_name), pool_name=escape(f"User pool {pool.name}" if pool else "Hosted UI"),
        pool_id=escape(pool.id if pool else "cognito-emulator"),
    )


def note(message: str | None) -> str:
    """A notice (what went right: a confirmed account, a changed password), or nothing."""
    if not message:
        return ""
    return f'  <div class="alert note" role="status" id="loginNote"><span>{escape(message)}</span></div>'


# USER_AUTH's other first factors, offered on the login page when the pool's sign-in policy allows them.
FIRST_FACTOR_BUTTONS = (("SMS_OTP", "Sign in with a text message code", "smsCodeSignIn"),
                        ("EMAIL_OTP", "Sign in with an email code", "emailCodeSignIn"),
                        ("WEB_AUTHN", "Sign in with a passkey", "passkeySignIn"))


# The login page's identity-provider buttons (links to /oauth2/authorize?identity_provider=...).
IDP_CSS = """
.idp-buttons { margin: 0 0 16px; display: flex; flex-direction: column; gap: 8px; }
.idp-buttons a { display: block; text-align: center; padding: 10px 12px; border: 1px solid var(--border);
  border-radius: var(--radius); color: var(--text); text-decoration: none; font-weight: 600; }
.idp-buttons a:hover { background: var(--note-bg); }
.idp-buttons .divider { text-align: center; color: var(--muted); font-size: 13px; margin: 4px 0 0; }
"""


def idp_buttons(providers: Sequence[tuple[str, str]], divider: bool = True) -> str:
    """A button per (label, href) identity provider, above the password form, or nothing."""
    if not providers:
        return ""
    links = "".join(f'    <a href="{escape(href)}" class="idp-button">{escape(label)}</a>\n'
                    for label, href in providers)
    below = '    <p class="divider">or</p>\n' if divider else ""
    return f'  <div class="idp-buttons" id="identityProviders">\n{links}{below}  </div>\n'


def login_page(pool: UserPool, client: AppClient, action: str, csrf: str, username: str = "",
               error: str | None = None, query: str = "", sign_up: bool = True, notice: str | None = None,
               providers: Sequence[tuple[str, str]] = (), password: bool = True) -> str:
    """The sign-in form, with the links to the forgot-password page and (when users may sign up) sign-up; a
    passkey button where the pool allows WEB_AUTHN as a first factor; a button per identity provider (only
    those when the client does not sign in the pool's own users: `password` False)."""
    if not password:
        content = f"  <h1>Sign in</h1>\n{alert(error)}{idp_buttons(providers, divider=False)}"
        return page("Signin", content, pool, client, IDP_CSS)
    links = f'  <p class="links"><a href="/forgotPassword?{escape(query)}">Forgot your password?</a>'
    if sign_up:
        links += f'<span>Need an account? <a href="/signup?{escape(query)}">Sign up</a></span>'
    for factor, label, element in FIRST_FACTOR_BUTTONS:
        if factor in pool.first_auth_factors:
            links = (f'  <button type="submit" name="factor" value="{factor}" class="secondary" form="loginForm" '
                     f'id="{element}">{label}</button>\n' + links)
    content = _template("login.html").substitute(action=escape(action), csrf=escape(csrf), username=escape(username),
                                                 alert=alert(error), note=note(notice), links=links + "</p>")
    if providers:  # above the form, as the managed login places them
        content = content.replace('  <form method="post"', idp_buttons(providers) + '  <form method="post"', 1)
    return page("Signin", content, pool, client, IDP_CSS if providers else "")


# -- self-service account pages (sign-up, confirmation, forgotten password) ---------------------------

INPUT_TYPES = {"email": "email", "phone_number": "tel", "birthdate": "date", "website": "url", "profile": "url",
               "picture": "url"}
LABELS = {"phone_number": "Phone number", "given_name": "Given name", "family_name": "Family name",
          "middle_name": "Middle name", "preferred_username": "Preferred username", "zoneinfo": "Time zone"}


def label_of(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def field(name: str, attribute: str, label: str, value: str = "", autofocus: bool = False) -> str:
    """One labelled input of the sign-up form, typed for the attribute it holds (email, tel, date...)."""
    kind = INPUT_TYPES.get(attribute, "text")
    auto = {"email": "email", "phone_number": "tel", "username": "username", "name": "name"}.get(attribute, "on")
    return (f'    <div class="field">\n      <label for="signUp_{escape(name)}">{escape(label)}</label>\n'
            f'      <input id="signUp_{escape(name)}" name="{escape(name)}" type="{kind}" value="{escape(value)}" '
            f'autocomplete="{auto}" autocapitalize="none" spellcheck="false" required'
            f'{" autofocus" if autofocus else ""}>\n    </div>')


def signup_page(pool: UserPool, client: AppClient, action: str, csrf: str,
                fields: list[tuple[str, str, str, str]], login: str, error: str | None = None) -> str:
    """Sign-up: the sign-in name, the pool's required attributes (`fields`: form name, attribute, label, value)
    and a password."""
    inputs = "\n".join(field(*entry, autofocus=i == 0) for i, entry in enumerate(fields))
    content = _template("signup.html").substitute(
        action=escape(action), csrf=escape(csrf), fields=inputs, policy=escape(policy_hint(pool.password_policy)),
        login=escape(login), alert=alert(error))
    return page("Signup", content, pool, client)


def confirm_user_page(pool: UserPool, client: AppClient, action: str, csrf: str, username: str, destination: str,
                      error: str | None = None) -> str:
    lead = (f"We have sent a code by email to {destination}. Enter it below to confirm your account."
            if "@" in destination else
            f"We have sent a code by SMS to {destination}. Enter it below to confirm your account." if destination
            else "Enter the verification code you were sent to confirm your account.")
    content = _template("confirm_user.html").substitute(
        action=escape(action), csrf=escape(csrf), username=escape(username), lead=escape(lead), alert=alert(error))
    return page("Confirm account", content, pool, client)


def forgot_password_page(pool: UserPool, client: AppClient, action: str, csrf: str, login: str, username: str = "",
                         error: str | None = None) -> str:
    by_email = pool.username_attributes == ("email",)
    name_label = "email" if by_email else "username"
    content = _template("forgot_password.html").substitute(
        action=escape(action), csrf=escape(csrf), username=escape(username), login=escape(login),
        name_label=name_label, name_label_cap=name_label.capitalize(), name_type="email" if by_email else "text",
        alert=alert(error))
    return page("Forgot password", content, pool, client)


def reset_password_page(pool: UserPool, client: AppClient, action: str, csrf: str, username: str, destination: str,
                        error: str | None = None) -> str:
    lead = (f"We have sent a password reset code to {destination}. Enter it below to reset your password."
            if destination else "Enter the password reset code you were sent and a new password.")
    content = _template("reset_password.html").substitute(
        action=escape(action), csrf=escape(csrf), username=escape(username), lead=escape(lead),
        policy=escape(policy_hint(pool.password_policy)), alert=alert(error))
    return page("Reset password", content, pool, client)


def new_password_page(pool: UserPool, client: AppClient, action: str, csrf: str, challenge: str, username: str,
                      error: str | None = None) -> str:
    content = _template("new_password.html").substitute(
        action=escape(action), csrf=escape(csrf), challenge=escape(challenge), username=escape(username),
        policy=escape(policy_hint(pool.password_policy)), alert=alert(error))
    return page("Change password", content, pool, client)


# -- the second factor -------------------------------------------------------------------------------

SOFTWARE = "SOFTWARE_TOKEN_MFA"
SMS = "SMS_MFA"
EMAIL = "EMAIL_OTP"
SMS_OTP = "SMS_OTP"
MFA_TITLE = "Multi-factor authentication"
# The managed login's wording. The SMS sentence is the classic hosted UI's (apps that imitate that page
# quote it word for word); the other texts are UNCONFIRMED, written in the same voice.
MFA_LEAD = {
    SOFTWARE: "Enter the code from your authenticator app to complete authentication.",
    SMS: "We have delivered the authentication code by SMS to {destination}. Please enter the code to complete "
         "authentication.",
    EMAIL: "We have delivered the authentication code by email to {destination}. Please enter the code to "
           "complete authentication.",
    SMS_OTP: "We have delivered the authentication code by SMS to {destination}. Please enter the code to "
             "complete authentication.",
}
FACTOR_CHOICES = {  # value -> (label, hint); shown in MFAS_CAN_CHOOSE's order
    SMS: ("Text message (SMS)", "Get a code sent to your phone number."),
    SOFTWARE: ("Authenticator app", "Use the code your authenticator app shows."),
    EMAIL: ("Email", "Get a code sent to your email address."),
}
SETUP_LEAD = "Your account requires multi-factor authentication. Set up an authenticator app to continue."


def mfa_code_page(pool: UserPool, client: AppClient, action: str, csrf: str, step: str, challenge: str,
                  destination: str = "", error: str | None = None) -> str:
    """The code form of SOFTWARE_TOKEN_MFA (authenticator app), SMS_MFA or EMAIL_OTP (a code sent to
    `destination`)."""
    lead = MFA_LEAD[challenge].format(destination=destination or ("your email" if challenge == EMAIL else
                                                                  "your phone"))
    content = _template("mfa_code.html").substitute(
        action=escape(action), csrf=escape(csrf), step=escape(step), challenge=escape(challenge),
        lead=escape(lead), alert=alert(error))
    return page(MFA_TITLE, content, pool, client, _mfa_css())


def mfa_select_page(pool: UserPool, client: AppClient, action: str, csrf: str, step: str, choices: list[str],
                    error: str | None = None) -> str:
    """SELECT_MFA_TYPE: one radio button per factor the user can choose."""
    options = "\n".join(
        f'      <label class="choice"><input type="radio" name="mfaType" value="{escape(name)}"'
        f'{" checked" if i == 0 else ""}><span><strong>{escape(FACTOR_CHOICES.get(name, (name, ""))[0])}</strong>'
        f'<span class="hint">{escape(FACTOR_CHOICES.get(name, (name, ""))[1])}</span></span></label>'
        for i, name in enumerate(choices))
    content = _template("mfa_select.html").substitute(
        action=escape(action), csrf=escape(csrf), step=escape(step), options=options, alert=alert(error))
    return page(MFA_TITLE, content, pool, client, _mfa_css())


def mfa_setup_page(pool: UserPool, client: AppClient, action: str, csrf: str, step: str, secret: str,
                   otpauth_uri: str, error: str | None = None) -> str:
    """MFA_SETUP: the new TOTP secret (grouped for reading, and as an otpauth:// link) and a code field."""
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    content = _template("mfa_setup.html").substitute(
        action=escape(action), csrf=escape(csrf), step=escape(step), secret=escape(secret),
        grouped=escape(grouped), uri=escape(otpauth_uri), lead=escape(SETUP_LEAD), alert=alert(error))
    return page("Set up multi-factor authentication", content, pool, client, _mfa_css())


def passkey_page(pool: UserPool, client: AppClient, action: str, csrf: str, step: str, username: str,
                 options: str, error: str | None = None) -> str:
    """WEB_AUTHN: the browser's navigator.credentials.get with CREDENTIAL_REQUEST_OPTIONS, posted back."""
    safe = options.replace("<", "\\u003c")  # JSON inside <script>: no "</script>" can end it early
    content = _template("passkey.html").substitute(action=escape(action), csrf=escape(csrf), step=escape(step),
                                                   username=escape(username), options=safe, alert=alert(error))
    return page("Passkey", content, pool, client)


def passkey_add_page(pool: UserPool, client: AppClient, action: str, csrf: str, username: str, options: str,
                     skip: str, error: str | None = None) -> str:
    """/passkeys/add: navigator.credentials.create with the CredentialCreationOptions, posted back."""
    content = _template("passkey_add.html").substitute(
        action=escape(action), csrf=escape(csrf), username=escape(username), skip=escape(skip),
        options=options.replace("<", "\\u003c"), alert=alert(error))
    return page("Add passkey", content, pool, client)


def message_page(heading: str, text: str, error: str | None = None, pool: UserPool | None = None,
                 client: AppClient | None = None) -> str:
    content = _template("message.html").substitute(heading=escape(heading), text=escape(text), alert=alert(error))
    return page(heading, content, pool, client)


def policy_hint(policy: PasswordPolicy) -> str:
    """The pool's password policy in one sentence."""
    needs = [label for label, on in (("an uppercase letter", policy.require_uppercase),
                                     ("a lowercase letter", policy.require_lowercase),
                                     ("a number", policy.require_numbers),
                                     ("a symbol", policy.require_symbols)) if on]
    text = f"At least {policy.minimum_length} characters"
    if needs:
        text += ", with " + (", ".join(needs[:-1]) + " and " + needs[-1] if len(needs) > 1 else needs[0])
    return text + "."
