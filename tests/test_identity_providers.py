"""A user pool's identity providers through boto3 cognito-idp (create, describe, update, delete, list, find by
identifier), AWS's ProviderDetails rules per type as a table, and config entries with the same names."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.cognito.identity_providers import details_problem
from emulator.config import parse_config
from emulator.config_fields import ConfigError
from emulator.server import EmulatorServer
from tests.conftest import bundled_config, refused

POOL = "us-east-1_Example01"
GOOGLE = {"client_id": "id", "client_secret": "secret", "authorize_scopes": "openid email"}
OIDC = {"client_id": "id", "client_secret": "s", "attributes_request_method": "GET",
        "oidc_issuer": "https://issuer.example", "authorize_scopes": "openid email"}
SAML = {"MetadataFile": '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>'}
CONFIG = bundled_config()
CONFIG["UserPools"][0]["IdentityProviders"] = [
    {"ProviderName": "Corp", "ProviderType": "SAML", "ProviderDetails": SAML, "IdpIdentifiers": ["corp.example"],
     "AttributeMapping": {"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}}]


@pytest.mark.parametrize(("kind", "name", "details", "problem"), [
    ("Google", "Google", GOOGLE, None),
    ("Google", "Google", {"client_id": "id"}, "client_id, client_secret and authorize_scopes are all required idp "
                                               "details"),
    ("Google", "MyGoogle", GOOGLE, "Provider MyGoogle cannot be of type Google."),
    ("Facebook", "Facebook", {**GOOGLE, "api_version": "v17.0"}, None),
    ("LoginWithAmazon", "LoginWithAmazon", {"client_id": "a"}, "client_id, client_secret and authorize_scopes are "
                                                                "all required idp details"),
    ("SignInWithApple", "SignInWithApple", {"client_id": "a", "team_id": "t", "key_id": "k", "private_key": "p",
                                            "authorize_scopes": "email"}, None),
    ("SignInWithApple", "SignInWithApple", {"client_id": "a"}, "client_id, team_id, key_id, private_key and "
                                                               "authorize_scopes are all required idp details"),
    ("OIDC", "Corp", OIDC, None),
    ("OIDC", "Corp", {**OIDC, "attributes_request_method": "PUT"}, "attributes_request_method must be GET or POST"),
    ("OIDC", "Corp", {**OIDC, "authorize_scopes": "email"}, "authorize_scopes must include openid"),
    ("OIDC", "Corp", {**OIDC, "oidc_issuer": "issuer"}, "oidc_issuer must be a URL"),
    ("SAML", "Corp", SAML, None),
    ("SAML", "Corp", {"MetadataURL": "https://idp.example/metadata"}, None),
    ("SAML", "Corp", {**SAML, "MetadataURL": "https://idp.example/metadata"},
     "Exactly one of MetadataFile or MetadataURL must be provided"),
    ("SAML", "Corp", {"MetadataFile": "<html/>"}, "MetadataFile is not SAML metadata (no EntityDescriptor)"),
])
def test_details_problem(kind: str, name: str, details: dict, problem: str | None) -> None:
    from emulator.cognito.errors import ERRORS
    found = details_problem(kind, name, details)
    assert (ERRORS[found[0]][1].format(**found[1]) if found else None) == problem


@pytest.mark.e2e
def test_crud_through_boto3(server: EmulatorServer, idp: Any) -> None:
    assert idp.get_identity_provider_by_identifier(UserPoolId=POOL, IdpIdentifier="corp.example")[
        "IdentityProvider"]["ProviderName"] == "Corp"  # from the config
    created = idp.create_identity_provider(UserPoolId=POOL, ProviderName="Google", ProviderType="Google",
                                           ProviderDetails=GOOGLE, IdpIdentifiers=["gmail.com"])["IdentityProvider"]
    assert created["AttributeMapping"] == {"username": "sub"} and created["ProviderDetails"] == GOOGLE
    assert refused(lambda: idp.create_identity_provider(
        UserPoolId=POOL, ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE))[:2] == (
        "DuplicateProviderException", "A provider with the name Google already exists in this user pool.")
    assert refused(lambda: idp.create_identity_provider(
        UserPoolId=POOL, ProviderName="Facebook", ProviderType="Facebook", ProviderDetails={"client_id": "x"}))[:2] \
        == ("InvalidParameterException", "client_id, client_secret and authorize_scopes are all required idp details")
    updated = idp.update_identity_provider(UserPoolId=POOL, ProviderName="Google",
                                           AttributeMapping={"email": "email", "username": "sub"})
    assert updated["IdentityProvider"]["AttributeMapping"]["email"] == "email"
    listed = idp.list_identity_providers(UserPoolId=POOL, MaxResults=1)
    assert [p["ProviderName"] for p in listed["Providers"]] == ["Corp"] and listed["NextToken"]
    rest = idp.list_identity_providers(UserPoolId=POOL, MaxResults=5, NextToken=listed["NextToken"])
    assert [p["ProviderName"] for p in rest["Providers"]] == ["Google"]
    idp.delete_identity_provider(UserPoolId=POOL, ProviderName="Google")
    assert refused(lambda: idp.describe_identity_provider(UserPoolId=POOL, ProviderName="Google"))[0] == \
        "ResourceNotFoundException"
    assert refused(lambda: idp.get_identity_provider_by_identifier(UserPoolId=POOL, IdpIdentifier="gmail.com"))[0] \
        == "ResourceNotFoundException"


@pytest.mark.parametrize(("entry", "path"), [
    ({"ProviderName": "Google", "ProviderType": "Google", "ProviderDetails": {"client_id": "a"}},
     "UserPools[0].IdentityProviders[0].ProviderDetails"),
    ({"ProviderName": "Corp", "ProviderType": "Okta", "ProviderDetails": {}}, "UserPools[0].IdentityProviders[0]"),
    ({"ProviderName": "Corp", "ProviderType": "SAML", "ProviderDetails": SAML, "Extra": 1},
     "UserPools[0].IdentityProviders[0].Extra"),
])
def test_config_errors(entry: dict, path: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"UserPools": [{"Name": "p", "IdentityProviders": [entry]}]})
    assert info.value.path == path, info.value


@pytest.mark.e2e
def test_clients_name_only_providers_the_pool_has(server: EmulatorServer, idp: Any) -> None:
    assert refused(lambda: idp.create_user_pool_client(UserPoolId=POOL, ClientName="web",
                                                       SupportedIdentityProviders=["COGNITO", "Facebook"]))[:2] == (
        "InvalidParameterException", f"The provider Facebook does not exist for User Pool {POOL}.")
    client = idp.create_user_pool_client(UserPoolId=POOL, ClientName="web",
                                         SupportedIdentityProviders=["COGNITO", "Corp"])["UserPoolClient"]
    assert client["SupportedIdentityProviders"] == ["COGNITO", "Corp"]
