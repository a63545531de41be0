"""The hosted UI's OAuth2 errors: one table of what AWS answers, and the value that carries a rejection.

OAuth2 errors are not cognito-idp errors: the token and revoke endpoints answer
`{"error": "<code>"}` (RFC 6749 §5.2), the authorize and login endpoints redirect with
`?error=<code>`, and userInfo answers with a `WWW-Authenticate` header. Each rejection also
carries a plain-words reason for the `x-emulator-reason` header and the decisions log.

Sources (AWS developer guide, awsdocs/amazon-cognito-developer-guide doc_source/):
token-endpoint.md, authorization-endpoint.md, login-endpoint.md, logout-endpoint.md,
userinfo-endpoint.md, revocation-endpoint.md; plus responses people quote from real AWS:
- `{"error":"invalid_scope"}` for a client_credentials scope the client may not use
  (repost.aws QUnhrxb08MRJaH7hIRtUnCKA);
- `{"error":"unauthorized_client"}` for a token-request redirect_uri that differs from the
  registered callback by a trailing slash (stackoverflow 50264679);
- token parameters in the query string are accepted (pilcrowonpaper/arctic#175).

UNCONFIRMED (best guesses, kept here and nowhere else):
- invalid_client at /oauth2/token is HTTP 400 (the developer guide's error sample is one
  400 listing every code; RFC 6749 would allow 401). At /oauth2/revoke it is 401 (documented).
- A token request without any client id, with a malformed Basic header, or with a secret
  for a client that has none: invalid_client.
- Missing code_verifier for a PKCE code: invalid_request; a wrong one: invalid_grant (one
  report on repost.aws QUribd4ytZTnmoxKt_B7DXFg saw invalid_client).
- A registered redirect_uri that differs from the one of the authorize call: invalid_grant.
- A body that is not form-encoded, not UTF-8, repeats a parameter or exceeds
  MAX_FORM_BYTES: invalid_request with HTTP 400.
- /oauth2/authorize without client_id or with an unknown one: the error page
  `/error?error=invalid_request&client_id=...`; a missing redirect_uri is a redirect_mismatch.
- email/phone/profile without openid, or a scope the client does not allow: invalid_scope
  redirected to the app (the older guide says such scopes are "ignored"; current AWS refuses).
- Redirected errors keep `state` (RFC 6749 §4.1.2.1) and ride in the query string even for
  response_type=token, as the developer guide's examples show them.
- The `/error` page, the login page showing a wrong password, and the new-password form
  answer HTTP 200 (they are pages a browser renders); a failed CSRF check answers 403.
- /logout: a logout_uri not in LogoutURLs is a redirect_mismatch error page; no client_id,
  an unknown one, or neither logout_uri nor redirect_uri: `/error?error=invalid_request`.
- userInfo errors also carry a JSON body `{"error", "error_description"}`.
- /oauth2/revoke for a refresh token of another client: 400 invalid_request (RFC 7009 §2.1
  refuses it); it is not revoked.
- The managed-login session cookie lasts one hour.
- Implicit-grant fragments say `token_type=Bearer` (the developer guide's sample shows
  lowercase `bearer`; the token endpoint's JSON says `Bearer`).
- /oauth2/authorize and /login with `prompt=none` and no session redirect
  `error=login_required` (OpenID Connect Core §3.1.2.6).
"""

from __future__ import annotations

from dataclasses import dataclass

# key -> (OAuth2 error code, HTTP status) for the JSON endpoints (token, revoke).
OAUTH_ERRORS: dict[str, tuple[str, int]] = {
    "invalid_request": ("invalid_request", 400),
    "invalid_client": ("invalid_client", 400),  # UNCONFIRMED status, see above
    "invalid_grant": ("invalid_grant", 400),
    "unauthorized_client": ("unauthorized_client", 400),
    "unsupported_grant_type": ("unsupported_grant_type", 400),
    "invalid_scope": ("invalid_scope", 400),
    "revoke_invalid_client": ("invalid_client", 401),  # revocation-endpoint.md: HTTP 401
    "unsupported_token_type": ("unsupported_token_type", 400),
    "server_error": ("server_error", 500),
}

# userInfo (userinfo-endpoint.md): the WWW-Authenticate error and its description.
USERINFO_ERRORS: dict[str, tuple[str, int, str]] = {
    "invalid_request": ("invalid_request", 400, "Bad OAuth2 request at UserInfo Endpoint"),
    "invalid_token": ("invalid_token", 401,
                      "Access token is expired, disabled, or deleted, or the user has globally signed out."),
}

# The body of AWS's hosted-UI error page (`/error`).
ERROR_PAGE_TEXT = "An error was encountered with the requested page."
SERVER_ERROR_REASON = "the emulator failed while handling this request; see its log"


@dataclass
class OAuthError(Exception):
    """A rejection at a JSON OAuth2 endpoint: AWS's error code and status, and why in plain words."""

    error: str
    reason: str
    status: int = 400

    def __str__(self) -> str:
        return f"{self.error}: {self.reason}"

    def body(self) -> dict[str, str]:
        return {"error": self.error}


def oauth_error(key: str, reason: str) -> OAuthError:
    """The rejection named `key` in OAUTH_ERRORS."""
    error, status = OAUTH_ERRORS[key]
    return OAuthError(error, reason, status)
