"""describe-user-pool / describe-user-pool-client / describe-resource-server output pasted into the config
as it stands: taken from a running emulator through the AWS CLI's JSON (dates as text), loaded into a new
emulator, and described again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator.config import parse_config
from emulator.config_fields import ConfigError
from emulator.testing import running_emulator
from tests.conftest import cognito_client

pytestmark = pytest.mark.e2e


def as_cli_json(value: Any) -> Any:
    """What `aws ... --output json` prints: dates as ISO text, no ResponseMetadata."""
    return json.loads(json.dumps({k: v for k, v in value.items() if k != "ResponseMetadata"},
                                 default=lambda v: v.isoformat()))


@pytest.fixture(scope="module")
def pasted(idp: Any) -> dict[str, Any]:
    """The three describe outputs of a pool made with many settings."""
    pool_id = idp.create_user_pool(
        PoolName="pasted", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
        UserPoolTags={"team": "auth"}, UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"},
        DeletionProtection="ACTIVE", EmailVerificationSubject="Your code",
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="API",
                               Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", GenerateSecret=True, AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["api/read"], AllowedOAuthFlowsUserPoolClient=True)["UserPoolClient"]["ClientId"]
    return {
        "pool": as_cli_json(idp.describe_user_pool(UserPoolId=pool_id)),
        "client": as_cli_json(idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)),
        "server": as_cli_json(idp.describe_resource_server(UserPoolId=pool_id, Identifier="api")),
    }


def test_a_pasted_pool_client_and_resource_server_load_and_describe_alike(pasted: dict[str, Any]) -> None:
    entry = {**pasted["pool"], "ResourceServers": [pasted["server"]], "Clients": [pasted["client"]]}
    original = pasted["pool"]["UserPool"]
    with running_emulator({"UserPools": [entry]}) as emulator:
        idp = cognito_client(emulator.url)
        again = idp.describe_user_pool(UserPoolId=original["Id"])["UserPool"]
        for key in ("Name", "UsernameAttributes", "AutoVerifiedAttributes", "UserPoolTags", "UserPoolAddOns",
                    "DeletionProtection", "EmailVerificationSubject"):
            assert again[key] == original[key], key
        assert again["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
        assert {"custom:tier"} <= {a["Name"] for a in again["SchemaAttributes"]}
        client = idp.describe_user_pool_client(UserPoolId=original["Id"],
                                               ClientId=pasted["client"]["UserPoolClient"]["ClientId"])
        assert client["UserPoolClient"]["ClientSecret"] == pasted["client"]["UserPoolClient"]["ClientSecret"]
        server = idp.describe_resource_server(UserPoolId=original["Id"], Identifier="api")["ResourceServer"]
        assert server["Scopes"] == [{"ScopeName": "read", "ScopeDescription": "read"}]
        assert idp.list_tags_for_resource(ResourceArn=again["Arn"])["Tags"] == {"team": "auth"}


def test_the_inner_objects_paste_too(pasted: dict[str, Any]) -> None:
    pool = {**pasted["pool"]["UserPool"], "Clients": [pasted["client"]["UserPoolClient"]],
            "ResourceServers": [pasted["server"]["ResourceServer"]]}
    config = parse_config({"UserPools": [pool]})
    assert config.pools[0].pool.name == "pasted"


def test_settings_the_emulator_cannot_honour_are_refused_with_their_path(pasted: dict[str, Any]) -> None:
    pool = json.loads(json.dumps(pasted["pool"]))
    pool["UserPool"]["Policies"]["SignInPolicy"] = {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}  # PASSWORD is required
    with pytest.raises(ConfigError) as info:
        parse_config({"UserPools": [pool]})
    assert "SignInPolicy.AllowedFirstAuthFactors" in str(info.value)
    both = {**pasted["pool"]["UserPool"], "Schema": []}
    with pytest.raises(ConfigError) as info:
        parse_config({"UserPools": [both]})
    assert "SchemaAttributes" in str(info.value)
    dcr = {**pasted["pool"]["UserPool"], "DcrConfiguration": {"EnableStatus": "Enabled"}}
    with pytest.raises(ConfigError) as info:
        parse_config({"UserPools": [dcr]})
    assert "DcrConfiguration.EnableStatus" in str(info.value)
    unknown = {**pasted["pool"]["UserPool"], "Color": "blue"}
    with pytest.raises(ConfigError) as info:
        parse_config({"UserPools": [unknown]})
    assert "Color" in str(info.value)


def test_a_pasted_identity_provider_and_client_analytics_load_as_described(idp: Any) -> None:
    """describe-identity-provider output (wrapper, dates, pool id and all) is an IdentityProviders entry; a
    client's AnalyticsConfiguration and EnablePropagateAdditionalUserContextData paste in and describe back."""
    pool_id = idp.create_user_pool(PoolName="pasted-idp")["UserPool"]["Id"]
    idp.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Corp", ProviderType="OIDC", IdpIdentifiers=["corp.example.com"],
        ProviderDetails={"client_id": "corp-client", "client_secret": "s3cret", "attributes_request_method": "GET",
                         "oidc_issuer": "https://login.corp.example.com", "authorize_scopes": "openid email"},
        AttributeMapping={"email": "email", "username": "sub"})
    analytics = {"ApplicationId": "0123456789abcdef0123456789abcdef", "RoleArn": "arn:aws:iam::123456789012:role/p",
                 "UserDataShared": False}
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=["COGNITO", "Corp"],
        AnalyticsConfiguration=analytics, EnablePropagateAdditionalUserContextData=True)["UserPoolClient"]["ClientId"]
    provider = as_cli_json(idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp"))
    assert {"LastModifiedDate", "CreationDate", "UserPoolId"} <= set(provider["IdentityProvider"])
    entry = {**as_cli_json(idp.describe_user_pool(UserPoolId=pool_id)), "IdentityProviders": [provider],
             "Clients": [as_cli_json(idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id))]}
    with running_emulator({"UserPools": [entry]}) as emulator:
        again = cognito_client(emulator.url)
        described = again.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")["IdentityProvider"]
        for key in ("ProviderType", "ProviderDetails", "AttributeMapping", "IdpIdentifiers"):
            assert described[key] == provider["IdentityProvider"][key], key
        client = again.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
        assert client["AnalyticsConfiguration"] == analytics
        assert client["EnablePropagateAdditionalUserContextData"] is True
