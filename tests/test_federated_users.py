"""The pure decisions of federated sign-in: the username, attribute mapping, the `identities` attribute and
claim (cognito/federated_users.py), and which provider an authorize request names (oauth2/idp_choice.py)."""

from __future__ import annotations

import json

import pytest

from emulator.cognito import federated_users as fu
from emulator.model import AppClient
from emulator.oauth2.idp_choice import Unavailable, chosen_provider, provider_buttons


@pytest.mark.parametrize(("provider", "subject", "case_sensitive", "expected"), [
    ("Google", "109220063452404746097", False, "google_109220063452404746097"),
    ("Google", "109220063452404746097", True, "Google_109220063452404746097"),
    ("MyOIDCIdP", "AbC-123", False, "myoidcidp_abc-123"),
    ("MyOIDCIdP", "AbC-123", True, "MyOIDCIdP_AbC-123"),
    ("LoginWithAmazon", "amzn1.account.AGHNIFJQMFSBG3G6XCPVB35ORQAA", True,
     "LoginWithAmazon_amzn1.account.AGHNIFJQMFSBG3G6XCPVB35ORQAA"),
    ("Corp", "Jane@Corp.example", False, "corp_jane@corp.example"),
])
def test_federated_username(provider: str, subject: str, case_sensitive: bool, expected: str) -> None:
    assert fu.federated_username(provider, subject, case_sensitive) == expected


@pytest.mark.parametrize(("value", "text"), [
    (True, "true"), (False, "false"), (None, ""), (42, "42"), ("x", "x"),
    (["admins", "dev ops"], "[admins,dev%20ops]"), (["a.b-c_d*e"], "[a.b-c_d*e]"),
    ({"country": "NZ"}, '{"country":"NZ"}'),
])
def test_attribute_text(value: object, text: str) -> None:
    assert fu.attribute_text(value) == text


@pytest.mark.parametrize(("mapping", "idp", "expected"), [
    ({"email": "email", "username": "sub"}, {"sub": "1", "email": "a@b"}, {"email": "a@b"}),
    ({"email": "emailaddress", "custom:dept": "department"}, {"emailaddress": "a@b"}, {"email": "a@b"}),
    ({"name": "name", "given_name": "name"}, {"name": "Jo"}, {"name": "Jo", "given_name": "Jo"}),
    ({}, {"email": "a@b"}, {}),
])
def test_mapped_attributes(mapping: dict, idp: dict, expected: dict) -> None:
    assert fu.mapped_attributes(mapping, idp) == expected


@pytest.mark.parametrize(("mapped", "required", "existing", "problem"), [
    ({"email": "a@b"}, ("email",), {}, None),
    ({}, ("email",), {"email": "old@b"}, None),  # kept from an earlier sign-in
    ({}, ("email", "name"), {}, "email, name: required"),
    ({"custom:token": "x" * 2049}, (), {}, "more than 2048"),
])
def test_mapping_problem(mapped: dict, required: tuple, existing: dict, problem: str | None) -> None:
    found = fu.mapping_problem(mapped, required, existing)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_identities_attribute_and_claim() -> None:
    entry = fu.identity_entry("Google", "Google", "1092", 1642699117273)
    value = fu.with_identity(None, entry)
    assert json.loads(value) == [{"userId": "1092", "providerName": "Google", "providerType": "Google",
                                  "issuer": None, "primary": True, "dateCreated": 1642699117273}]
    # The same identity again keeps its place and date; another one is added.
    again = fu.with_identity(value, fu.identity_entry("Google", "Google", "1092", 1700000000000))
    assert json.loads(again)[0]["dateCreated"] == 1642699117273
    both = fu.with_identity(again, fu.identity_entry("Corp", "OIDC", "u-1", 1700000000000, primary=False))
    assert [e["providerName"] for e in json.loads(both)] == ["Google", "Corp"]
    assert fu.has_identity(both, "Corp", "u-1") and not fu.has_identity(both, "Corp", "u-2")
    # The documented claim: primary and dateCreated as strings.
    assert fu.identities_claim(both) == [
        {"userId": "1092", "providerName": "Google", "providerType": "Google", "issuer": None, "primary": "true",
         "dateCreated": "1642699117273"},
        {"userId": "u-1", "providerName": "Corp", "providerType": "OIDC", "issuer": None, "primary": "false",
         "dateCreated": "1700000000000"}]
    assert fu.without_identity(both, "Corp", "u-1") == value
    assert fu.without_identity(value, "Google", "1092") is None
    assert fu.identities_claim("not json") == [] and fu.parse_identities('{"a": 1}') == []


CLIENT = AppClient(client_id="c1", pool_id="p1", client_name="web",
                   supported_identity_providers=("COGNITO", "Google", "Corp"))
PROVIDERS = [{"ProviderName": "Google", "ProviderType": "Google", "IdpIdentifiers": ["gmail.com"]},
             {"ProviderName": "Corp", "ProviderType": "OIDC", "IdpIdentifiers": ["corp.example"]},
             {"ProviderName": "Other", "ProviderType": "SAML", "IdpIdentifiers": ["other.example"]}]


@pytest.mark.parametrize(("params", "expected"), [
    ({}, None),
    ({"identity_provider": "COGNITO"}, None),
    ({"identity_provider": "Google"}, "Google"),
    ({"idp_identifier": "corp.example"}, "Corp"),
    ({"identity_provider": "Corp", "idp_identifier": "gmail.com"}, "Corp"),  # the name wins
    ({"identity_provider": "Other"}, "not in the SupportedIdentityProviders"),
    ({"idp_identifier": "other.example"}, "not in the SupportedIdentityProviders"),
    ({"identity_provider": "google"}, "names no identity provider"),  # names are case-sensitive
    ({"idp_identifier": "nowhere.example"}, "names no identity provider"),
])
def test_chosen_provider(params: dict, expected: str | None) -> None:
    chosen = chosen_provider(params, CLIENT, PROVIDERS)
    if expected is None:
        assert chosen is None
    elif isinstance(chosen, Unavailable):
        assert expected in chosen.reason
    else:
        assert chosen is not None and chosen["ProviderName"] == expected


def test_provider_buttons_follow_the_clients_list() -> None:
    buttons = provider_buttons(CLIENT, PROVIDERS, {"client_id": "c1", "identity_provider": "x", "state": "s"})
    assert [label for label, _ in buttons] == ["Continue with Google", "Continue with Corp"]
    assert buttons[0][1] == "/oauth2/authorize?client_id=c1&state=s&identity_provider=Google"


@pytest.mark.parametrize("provider", ["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"])
def test_simulated_user_ids_have_the_providers_format(provider: str) -> None:
    from emulator.oauth2.social_simulation import SUBJECT_FORMATS, new_subject, subject_problem
    assert all(subject_problem(provider, new_subject(provider)) is None for _ in range(20))
    assert subject_problem(provider, SUBJECT_FORMATS[provider][1]) is None
    assert "is not a" in (subject_problem(provider, "user-1") or "")


@pytest.mark.parametrize(("provider", "first_time", "expected"), [
    ("Google", False, {"sub", "email", "email_verified", "name", "given_name", "family_name", "picture"}),
    ("Facebook", False, {"id", "email", "name", "first_name", "last_name"}),
    ("LoginWithAmazon", False, {"user_id", "email", "name"}),
    ("SignInWithApple", True, {"sub", "email", "email_verified", "is_private_email", "firstName", "lastName",
                               "name"}),
    ("SignInWithApple", False, {"sub", "email", "email_verified", "is_private_email"}),
])
def test_simulated_claims_use_each_providers_names(provider: str, first_time: bool, expected: set) -> None:
    from emulator.oauth2.social_simulation import provider_claims
    claims = provider_claims(provider, "S", "a@b.c", "Ann Lee", first_time)
    assert set(claims) == expected and claims[fu.SUBJECT_CLAIMS[provider]] == "S"
