"""client_violation: the one table of what CreateUserPoolClient/UpdateUserPoolClient (and the YAML loader) refuse."""

from __future__ import annotations

import pytest

from emulator.cognito.client_rules import client_violation, url_problem
from emulator.model import AppClient

CUSTOM_SCOPES = {"test_resource/test", "test_resource/write"}


def client(**changes: object) -> AppClient:
    return AppClient(pool_id="us-east-1_Example01", client_id="abc", client_name="app").with_changes(**changes)


M2M = {"client_secret": "s3cret", "allowed_oauth_flows_user_pool_client": True,
       "allowed_oauth_flows": ("client_credentials",), "allowed_oauth_scopes": ("test_resource/test",)}
WEB = {"allowed_oauth_flows_user_pool_client": True, "allowed_oauth_flows": ("code",),
       "allowed_oauth_scopes": ("openid", "email"), "callback_urls": ("https://app.example.com/cb",)}

ACCEPTED = [
    ("defaults", {}),
    ("the seed's test-server client", M2M),
    ("a hosted-UI client", WEB),
    ("legacy flows only", {"explicit_auth_flows": ("USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")}),
    ("OAuth settings without the OAuth switch (AWS accepts them; /oauth2 then refuses)",
     {"allowed_oauth_flows": ("client_credentials",), "allowed_oauth_scopes": ("test_resource/test",),
      "client_secret": "s"}),
    ("http on localhost", {**WEB, "callback_urls": ("http://localhost:3000/callback",)}),
    ("http on the loopback IP", {**WEB, "callback_urls": ("http://127.0.0.1:8080/cb",)}),
    ("an app scheme", {**WEB, "callback_urls": ("myapp://callback",)}),
    ("DefaultRedirectURI among the callbacks", {**WEB, "default_redirect_uri": "https://app.example.com/cb"}),
    ("validity at the bounds", {"access_token_validity": 5, "token_validity_units": {"AccessToken": "minutes"},
                                "refresh_token_validity": 3650}),
]

REFUSED = [
    # (case, client fields, __type, AWS message)
    ("ALLOW_ flows without refresh", {"explicit_auth_flows": ("ALLOW_USER_SRP_AUTH",)},
     "InvalidParameterException", "REFRESH_TOKEN_AUTH should always be allowed."),
    ("legacy mixed with ALLOW_", {"explicit_auth_flows": ("USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")},
     "InvalidParameterException", "ExplicitAuthFlows can not have both ALLOW_ and legacy values."),
    ("OAuth switch on, no flows", {"allowed_oauth_flows_user_pool_client": True},
     "InvalidParameterException",
     "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."),
    ("OAuth switch on, no scopes", {**M2M, "allowed_oauth_scopes": ()},
     "InvalidParameterException",
     "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."),
    ("client_credentials with code", {**M2M, "allowed_oauth_flows": ("client_credentials", "code"),
                                      "callback_urls": ("https://a.example/cb",)},
     "InvalidOAuthFlowException",
     "client_credentials flow can not be selected along with code flow or implicit flow."),
    ("client_credentials with implicit", {**M2M, "allowed_oauth_flows": ("implicit", "client_credentials")},
     "InvalidOAuthFlowException",
     "client_credentials flow can not be selected along with code flow or implicit flow."),
    ("client_credentials without a secret", {**M2M, "client_secret": None},
     "InvalidOAuthFlowException",
     "client_credentials flow can not be selected if client does not have a client secret."),
    ("client_credentials with openid", {**M2M, "allowed_oauth_scopes": ("openid", "test_resource/test")},
     "InvalidOAuthFlowException", "openid is not supported with client_credentials flow"),
    ("an unknown custom scope", {**M2M, "allowed_oauth_scopes": ("test_resource/nope",)},
     "ScopeDoesNotExistException", "Invalid scope requested: test_resource/nope"),
    ("an unknown scope on a web client", {**WEB, "allowed_oauth_scopes": ("openid", "admin")},
     "ScopeDoesNotExistException", "Invalid scope requested: admin"),
    ("code flow without callbacks", {**WEB, "callback_urls": ()},
     "InvalidOAuthFlowException", "CallbackUrls can not be empty when code flow or implicit flow is selected"),
    ("DefaultRedirectURI not a callback", {**WEB, "default_redirect_uri": "https://other.example/cb"},
     "InvalidParameterException", "DefaultRedirectURI must be in CallbackURLs."),
    ("a callback with a fragment", {**WEB, "callback_urls": ("https://app.example.com/cb#x",)},
     "InvalidParameterException",
     "https://app.example.com/cb#x is not a valid URL: it must not contain a fragment"),
    ("plain http to a real host", {**WEB, "logout_urls": ("http://app.example.com/",)},
     "InvalidParameterException",
     "http://app.example.com/ is not a valid URL: plain http is allowed only for localhost, 127.0.0.1 and [::1]; "
     "use https"),
    ("access token for 2 days", {"access_token_validity": 2, "token_validity_units": {"AccessToken": "days"}},
     "InvalidParameterException", "Invalid range for token validity."),
    ("ID token for 1 minute", {"id_token_validity": 1, "token_validity_units": {"IdToken": "minutes"}},
     "InvalidParameterException", "Invalid range for token validity."),
    ("refresh token for 11 years", {"refresh_token_validity": 4015}, "InvalidParameterException",
     "Invalid range for token validity."),
    ("auth session of 20 minutes", {"auth_session_validity": 20}, "InvalidParameterException",
     "AuthSessionValidity must be between 3 and 15 minutes."),
]


@pytest.mark.parametrize(("case", "fields"), ACCEPTED, ids=[c for c, _ in ACCEPTED])
def test_client_accepted(case: str, fields: dict) -> None:
    assert client_violation(client(**fields), CUSTOM_SCOPES) is None


@pytest.mark.parametrize(("case", "fields", "error_type", "message"), REFUSED, ids=[c for c, *_ in REFUSED])
def test_client_refused_with_aws_error(case: str, fields: dict, error_type: str, message: str) -> None:
    violation = client_violation(client(**fields), CUSTOM_SCOPES)
    assert violation is not None
    assert (violation.error_type, violation.message) == (error_type, message)
    assert violation.reason  # the plain-words reason for x-emulator-reason


def test_seed_story_refusal_names_the_missing_secret_in_plain_words() -> None:
    violation = client_violation(client(**{**M2M, "client_secret": None}), CUSTOM_SCOPES)
    assert violation is not None and "GenerateSecret" in violation.reason and violation.field == "AllowedOAuthFlows"


@pytest.mark.parametrize(("url", "ok"), [
    ("https://example.com/cb", True), ("http://localhost/cb", True), ("http://[::1]:8080/", True),
    ("com.example.app:/oauth", True), ("/relative", False), ("http://10.0.0.1/cb", False),
    ("https://example.com/#frag", False),
])
def test_url_problem(url: str, ok: bool) -> None:
    assert (url_problem(url) is None) is ok
