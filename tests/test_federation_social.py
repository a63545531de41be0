"""Federated sign-in through the simulated social providers over plain HTTP (httpx): /oauth2/authorize with
identity_provider / idp_identifier, the simulated page, /oauth2/idpresponse, the user AWS creates
(`Google_<sub>`, EXTERNAL_PROVIDER, `identities`), the ID token's mapped attributes and `identities` claim
(PyJWT against the JWKS), PreSignUp_ExternalProvider, and the refusals."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import botocore.exceptions
import httpx
import jwt
import pytest

from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.federation_triggers import EVENTS

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Federated"
CLIENT, NARROW, GOOGLE_ONLY = "fedclient", "narrowclient", "googleonlyclient"
CALLBACK = "http://localhost:3000/callback"
GOOGLE_ID, GOOGLE_SECRET = "1234-google.apps.googleusercontent.com", "google-secret"


def _config() -> dict:
    social = {"client_secret": "s", "authorize_scopes": "email profile"}
    return {"Region": "us-east-1", "UserPools": [{
        "Id": POOL, "Name": "federated",
        "LambdaConfig": {"PreSignUp": "python:tests.federation_triggers:record",
                         "PostAuthentication": "python:tests.federation_triggers:record"},
        "IdentityProviders": [
            {"ProviderName": "Google", "ProviderType": "Google",
             "ProviderDetails": {"client_id": GOOGLE_ID, "client_secret": GOOGLE_SECRET,
                                 "authorize_scopes": "openid email profile"},
             "AttributeMapping": {"email": "email", "email_verified": "email_verified", "name": "name",
                                  "given_name": "given_name", "username": "sub"},
             "IdpIdentifiers": ["gmail.com"]},
            {"ProviderName": "Facebook", "ProviderType": "Facebook",
             "ProviderDetails": {"client_id": "fb-app", **social},
             "AttributeMapping": {"email": "email", "name": "name"}},
            {"ProviderName": "LoginWithAmazon", "ProviderType": "LoginWithAmazon",
             "ProviderDetails": {"client_id": "amzn1.application-oa2-client.x", **social},
             "AttributeMapping": {"email": "email"}},
            {"ProviderName": "SignInWithApple", "ProviderType": "SignInWithApple",
             "ProviderDetails": {"client_id": "com.example.web", "team_id": "TEAM123456", "key_id": "KEY1234567",
                                 "private_key": "-----BEGIN PRIVATE KEY-----x", "authorize_scopes": "email name"},
             "AttributeMapping": {"email": "email", "name": "name"}},
        ],
        "Users": [{"Username": "native", "Password": "Passw0rd!", "UserAttributes": {"email": "n@example.com"}}],
        "Clients": [
            {"ClientName": "fed", "ClientId": CLIENT, "AllowedOAuthFlowsUserPoolClient": True,
             "AllowedOAuthFlows": ["code", "implicit"], "AllowedOAuthScopes": ["openid", "email", "profile"],
             "CallbackURLs": [CALLBACK], "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
             "SupportedIdentityProviders": ["COGNITO", "Google", "Facebook", "LoginWithAmazon",
                                            "SignInWithApple"]},
            {"ClientName": "google only", "ClientId": GOOGLE_ONLY, "AllowedOAuthFlowsUserPoolClient": True,
             "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK],
             "SupportedIdentityProviders": ["Google"]},
            {"ClientName": "narrow", "ClientId": NARROW, "AllowedOAuthFlowsUserPoolClient": True,
             "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK],
             "SupportedIdentityProviders": ["COGNITO"]},
        ]}]}


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator(_config()) as server:
        yield server


def authorize(emu: EmulatorServer, http: httpx.Client, client: str = CLIENT, **extra: str) -> httpx.Response:
    query = {"response_type": "code", "client_id": client, "redirect_uri": CALLBACK, "scope": "openid email profile",
             "state": "app-state", "nonce": "app-nonce", **extra}
    return http.get(f"{emu.url}/oauth2/authorize?{urlencode(query)}")


def sign_in_simulated(emu: EmulatorServer, http: httpx.Client, form: dict[str, str],
                      **extra: str) -> httpx.Response:
    """authorize -> simulated page -> post the identity -> /oauth2/idpresponse -> the app's callback."""
    to_idp = authorize(emu, http, **extra)
    assert to_idp.status_code == 302, to_idp.text
    page = http.get(emu.url + to_idp.headers["location"])
    assert "Local simulation of" in page.text
    action = re.search(r'<form method="post" action="([^"]*)" novalidate', page.text).group(1).replace("&amp;", "&")
    back = http.post(emu.url + action, data=form)
    assert back.status_code == 302, back.text
    assert urlsplit(back.headers["location"]).path == "/oauth2/idpresponse"
    return http.get(back.headers["location"])


def tokens_for(emu: EmulatorServer, http: httpx.Client, location: str) -> dict:
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["app-state"], location
    answer = http.post(f"{emu.url}/oauth2/token", data={"grant_type": "authorization_code", "client_id": CLIENT,
                                                          "code": query["code"][0], "redirect_uri": CALLBACK})
    assert answer.status_code == 200, answer.text
    return answer.json()


def verified(emu: EmulatorServer, token: str) -> dict:
    keys = jwt.PyJWKClient(f"{emu.url}/{POOL}/.well-known/jwks.json")
    return jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"], audience=CLIENT)


def test_google_sign_in_creates_the_federated_user_as_aws_does(emu: EmulatorServer, idp_client: object) -> None:
    with httpx.Client() as http:
        callback = sign_in_simulated(emu, http, {"email": "Jane.Doe@gmail.com", "name": "Jane Doe",
                                                 "sub": "109220063452404746097"}, identity_provider="Google")
        assert callback.status_code == 302 and callback.headers["location"].startswith(CALLBACK)
        claims = verified(emu, tokens_for(emu, http, callback.headers["location"])["id_token"])
    # A case-insensitive pool (the default) lowercases the whole name, prefix included.
    assert claims["cognito:username"] == "google_109220063452404746097"
    assert claims["email"] == "Jane.Doe@gmail.com" and claims["email_verified"] is True
    assert claims["name"] == "Jane Doe" and claims["given_name"] == "Jane" and claims["nonce"] == "app-nonce"
    [identity] = claims["identities"]
    assert identity["userId"] == "109220063452404746097" and identity["providerName"] == "Google"
    assert identity["providerType"] == "Google" and identity["issuer"] is None and identity["primary"] == "true"
    assert identity["dateCreated"].isdigit() and len(identity["dateCreated"]) == 13
    assert f"{POOL}_Google" in claims["cognito:groups"]
    user = idp_client.admin_get_user(UserPoolId=POOL, Username="google_109220063452404746097")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    stored = json.loads(attributes["identities"])
    assert stored[0]["primary"] is True and stored[0]["userId"] == "109220063452404746097"
    pre = [e for e in EVENTS if e["triggerSource"] == "PreSignUp_ExternalProvider"]
    assert pre and pre[-1]["userName"] == "google_109220063452404746097"
    assert pre[-1]["request"]["userAttributes"]["email"] == "Jane.Doe@gmail.com"


def test_attributes_follow_the_idp_at_every_sign_in_and_the_page_remembers_identities(
        emu: EmulatorServer, idp_client: object) -> None:
    with httpx.Client() as http:
        sign_in_simulated(emu, http, {"email": "bob@gmail.com", "name": "Bob One"}, identity_provider="Google")
        page = http.get(emu.url + authorize(emu, http, identity_provider="Google").headers["location"])
        assert "bob@gmail.com" in page.text  # offered again as a previous identity
        sub = re.search(r'name="sub" value="(1\d{20})"><input type="hidden" name="email" value="bob@gmail.com"',
                        page.text).group(1)
        callback = sign_in_simulated(emu, http, {"email": "bob@gmail.com", "name": "Bob Two", "sub": sub},
                                     identity_provider="Google")
        claims = verified(emu, tokens_for(emu, http, callback.headers["location"])["id_token"])
    assert claims["name"] == "Bob Two" and claims["cognito:username"] == f"google_{sub}"


def test_idp_identifier_and_other_social_formats(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        assert "/simulated-idp/Google/" in authorize(emu, http, idp_identifier="gmail.com").headers["location"]
        callback = sign_in_simulated(emu, http, {"email": "amy@example.com", "name": "Amy"},
                                     identity_provider="LoginWithAmazon")
        claims = verified(emu, tokens_for(emu, http, callback.headers["location"])["id_token"])
        assert re.fullmatch(r"loginwithamazon_amzn1\.account\.[a-z0-9]{28}", claims["cognito:username"])
        assert claims["identities"][0]["userId"].startswith("amzn1.account.")
        callback = sign_in_simulated(emu, http, {"email": "fb@example.com", "name": "F B"},
                                     identity_provider="Facebook")
        claims = verified(emu, tokens_for(emu, http, callback.headers["location"])["id_token"])
        assert re.fullmatch(r"facebook_\d{17}", claims["cognito:username"]) and claims["email"] == "fb@example.com"


def test_a_provider_the_client_does_not_support_is_not_available(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        refused = authorize(emu, http, client=NARROW, identity_provider="Google", scope="openid")
        assert refused.status_code == 400 and "Login option is not available. Please try another one" in refused.text
        assert "SupportedIdentityProviders" in refused.headers["x-emulator-reason"]
        unknown = authorize(emu, http, identity_provider="Okta")
        assert unknown.status_code == 400 and "no identity provider" in unknown.headers["x-emulator-reason"]
        assert authorize(emu, http, identity_provider="COGNITO").headers["location"].startswith("/login?")


def test_the_login_page_shows_a_button_per_supported_provider(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        page = http.get(emu.url + authorize(emu, http).headers["location"])
        narrow = http.get(emu.url + authorize(emu, http, client=NARROW, scope="openid").headers["location"])
    assert "Continue with Google" in page.text and "Continue with Facebook" in page.text
    assert "identity_provider=Google" in page.text
    assert "Continue with Google" not in narrow.text


def test_idpresponse_refuses_a_wrong_state_a_replayed_code_and_a_bad_user_id(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        answer = http.get(f"{emu.url}/oauth2/idpresponse?code=x&state=forged")
        assert answer.status_code == 400 and "no pending sign-in" in answer.headers["x-emulator-reason"]
        to_idp = authorize(emu, http, identity_provider="Google")
        page = http.get(emu.url + to_idp.headers["location"])
        action = re.search(r'<form method="post" action="([^"]*)" novalidate', page.text).group(1)
        action = action.replace("&amp;", "&")
        wrong = http.post(emu.url + action, data={"email": "x@gmail.com", "sub": "12345"})
        assert wrong.status_code == 400 and "is not a Google user id" in wrong.text
        back = http.post(emu.url + action, data={"email": "x@gmail.com"})
        assert http.get(back.headers["location"]).status_code == 302
        replay = http.get(back.headers["location"])
        assert replay.status_code == 400 and "no pending sign-in" in replay.headers["x-emulator-reason"]


def test_a_federated_user_cannot_sign_in_with_a_password(emu: EmulatorServer, idp_client: object) -> None:
    with httpx.Client() as http:
        sign_in_simulated(emu, http, {"email": "pw@gmail.com", "sub": "100000000000000000042"},
                          identity_provider="Google")
    with pytest.raises(Exception) as raised:
        idp_client.initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "google_100000000000000000042", "PASSWORD": "anything1"})
    assert raised.value.response["Error"]["Code"] == "NotAuthorizedException"


@pytest.fixture(scope="module")
def idp_client(emu: EmulatorServer) -> object:
    import boto3
    return boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=emu.url)


def _refused(call: object) -> tuple[str, str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()  # type: ignore[operator]
    error = raised.value.response["Error"]
    return error["Code"], error["Message"], raised.value.response["ResponseMetadata"]["HTTPHeaders"].get(
        "x-emulator-reason", "")


def _google(sub: str) -> dict[str, str]:
    return {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": sub}


NATIVE = {"ProviderName": "Cognito", "ProviderAttributeValue": "native"}


def test_a_linked_google_identity_signs_in_as_the_native_user(emu: EmulatorServer, idp_client: object) -> None:
    sub = "100000000000000000777"
    idp_client.admin_link_provider_for_user(UserPoolId=POOL, DestinationUser=NATIVE, SourceUser=_google(sub))
    user = idp_client.admin_get_user(UserPoolId=POOL, Username="native")
    linked = json.loads({a["Name"]: a["Value"] for a in user["UserAttributes"]}["identities"])
    assert linked[0]["userId"] == sub and linked[0]["providerName"] == "Google" and linked[0]["primary"] is False
    with httpx.Client() as http:
        callback = sign_in_simulated(emu, http, {"email": "linked@gmail.com", "name": "Linked", "sub": sub},
                                     identity_provider="Google")
        claims = verified(emu, tokens_for(emu, http, callback.headers["location"])["id_token"])
    assert claims["cognito:username"] == "native" and claims["email"] == "linked@gmail.com"
    assert claims["identities"][0]["userId"] == sub and claims["identities"][0]["primary"] == "false"
    assert f"{POOL}_Google" not in claims.get("cognito:groups", [])  # linked users are not added to the group
    # The native user still signs in with its password; no google_<sub> user was made.
    assert idp_client.initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "native", "PASSWORD": "Passw0rd!"})["AuthenticationResult"]["IdToken"]
    assert _refused(lambda: idp_client.admin_get_user(UserPoolId=POOL, Username=f"google_{sub}"))[0] == \
        "UserNotFoundException"
    # Disabling the identity removes the link: the next sign-in makes a federated user of its own.
    idp_client.admin_disable_provider_for_user(UserPoolId=POOL, User=_google(sub))
    user = idp_client.admin_get_user(UserPoolId=POOL, Username="native")
    assert "identities" not in {a["Name"] for a in user["UserAttributes"]}
    with httpx.Client() as http:
        callback = sign_in_simulated(emu, http, {"sub": sub, "email": "linked@gmail.com"}, identity_provider="Google")
        claims = verified(emu, tokens_for(emu, http, callback.headers["location"])["id_token"])
    assert claims["cognito:username"] == f"google_{sub}"
    # ...and disabling that federated identity disables its user.
    idp_client.admin_disable_provider_for_user(UserPoolId=POOL, User=_google(sub))
    assert idp_client.admin_get_user(UserPoolId=POOL, Username=f"google_{sub}")["Enabled"] is False


@pytest.mark.parametrize(("destination", "source", "code", "message"), [
    (NATIVE, _google("109220063452404746097"), "InvalidParameterException",
     "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link"),
    (NATIVE, {**_google("100000000000000000001"), "ProviderAttributeName": "email"}, "InvalidParameterException",
     "ProviderAttributeName must be Cognito_Subject for social identity providers."),
    ({**NATIVE, "ProviderAttributeValue": "nobody"}, _google("100000000000000000002"), "UserNotFoundException",
     "User does not exist."),
    (NATIVE, {**_google("100000000000000000003"), "ProviderName": "Okta"}, "InvalidParameterException",
     "The provider Okta does not exist for this user pool."),
    (NATIVE, {**_google("x"), "ProviderName": "Cognito"}, "InvalidParameterException",
     "SourceUser ProviderName cannot be Cognito."),
])
def test_link_refusals(emu: EmulatorServer, idp_client: object, destination: dict, source: dict, code: str,
                       message: str) -> None:
    if source.get("ProviderAttributeValue") == "109220063452404746097":  # that identity has signed in before
        with httpx.Client() as http:
            sign_in_simulated(emu, http, {"email": "j@gmail.com", "sub": "109220063452404746097"},
                              identity_provider="Google")
    found = _refused(lambda: idp_client.admin_link_provider_for_user(UserPoolId=POOL, DestinationUser=destination,
                                                                     SourceUser=source))
    assert found[:2] == (code, message) and found[2]


def test_link_and_disable_in_an_unknown_pool_or_for_nobody(idp_client: object) -> None:
    assert _refused(lambda: idp_client.admin_link_provider_for_user(
        UserPoolId="us-east-1_Nothing", DestinationUser=NATIVE, SourceUser=_google("1")))[0] == \
        "ResourceNotFoundException"
    assert _refused(lambda: idp_client.admin_disable_provider_for_user(
        UserPoolId=POOL, User=_google("100000000000000000999")))[0] == "UserNotFoundException"


def test_a_failing_pre_sign_up_goes_back_to_the_app_with_its_error(emu: EmulatorServer, idp_client: object) -> None:
    with httpx.Client() as http:
        callback = sign_in_simulated(emu, http, {"email": "blocked@gmail.com", "sub": "100000000000000000555"},
                                     identity_provider="Google")
    assert callback.status_code == 302
    query = parse_qs(urlsplit(callback.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["app-state"]
    assert query["error_description"][0].startswith("PreSignUp failed with error blocked by the test's PreSignUp")
    assert _refused(lambda: idp_client.admin_get_user(UserPoolId=POOL, Username="google_100000000000000000555"))[
        0] == "UserNotFoundException"


def test_the_simulated_page_answers_only_this_emulators_idpresponse(emu: EmulatorServer) -> None:
    query = {"client_id": GOOGLE_ID, "redirect_uri": "https://evil.example/oauth2/idpresponse", "state": "s"}
    with httpx.Client() as http:
        answer = http.get(f"{emu.url}/simulated-idp/Google/authorize?{urlencode(query)}")
        assert answer.status_code == 400 and "not this emulator's" in answer.headers["x-emulator-reason"]
        posted = http.post(f"{emu.url}/simulated-idp/Google/authorize?{urlencode(query)}", data={"email": "a@b.c"})
        assert posted.status_code == 400
        assert http.get(f"{emu.url}/simulated-idp/Okta/authorize?{urlencode(query)}").status_code == 400


def test_the_testing_helper_signs_in_through_a_simulated_provider(emu: EmulatorServer) -> None:
    from emulator.oauth2.testing import simulated_social_sign_in
    location = simulated_social_sign_in(emu.url, "SignInWithApple", email="ann@privaterelay.appleid.com",
                                        name="Ann Apple", response_type="code", client_id=CLIENT,
                                        redirect_uri=CALLBACK, scope="openid email", state="app-state")
    with httpx.Client() as http:
        claims = verified(emu, tokens_for(emu, http, location)["id_token"])
    assert re.fullmatch(r"signinwithapple_\d{6}\.[0-9a-f]{32}\.\d{4}", claims["cognito:username"])
    assert claims["name"] == "Ann Apple"  # Apple sends the name with the first authorization only
    with pytest.raises(AssertionError, match="did not send the browser"):
        simulated_social_sign_in(emu.url, "SignInWithApple", email="a@b.c", response_type="code",
                                 client_id=NARROW, redirect_uri=CALLBACK, scope="openid")


def test_a_client_without_cognito_offers_only_its_providers(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        login = http.get(emu.url + authorize(emu, http, client=GOOGLE_ONLY, scope="openid").headers["location"])
        assert "Continue with Google" in login.text and 'name="password"' not in login.text
        refused = authorize(emu, http, client=GOOGLE_ONLY, scope="openid", identity_provider="COGNITO")
        assert refused.status_code == 400 and "does not list COGNITO" in refused.headers["x-emulator-reason"]
        csrf = http.cookies.get("XSRF-TOKEN")
        query = urlencode({"response_type": "code", "client_id": GOOGLE_ONLY, "redirect_uri": CALLBACK,
                           "scope": "openid", "state": "app-state", "nonce": "app-nonce"})
        posted = http.post(f"{emu.url}/login?{query}", data={"_csrf": csrf, "username": "native",
                                                               "password": "Passw0rd!"})
    assert posted.status_code == 400 and "Login option is not available" in posted.text


def test_the_implicit_grant_returns_the_federated_users_tokens_in_the_fragment(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        callback = sign_in_simulated(emu, http, {"email": "imp@gmail.com", "sub": "100000000000000000321"},
                                     identity_provider="Google", response_type="token")
    fragment = parse_qs(urlsplit(callback.headers["location"]).fragment)
    claims = verified(emu, fragment["id_token"][0])
    assert claims["cognito:username"] == "google_100000000000000000321" and fragment["state"] == ["app-state"]
    assert claims["identities"][0]["userId"] == "100000000000000000321"
