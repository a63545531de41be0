"""CreateResourceServer, DescribeResourceServer, ListResourceServers, UpdateResourceServer and
DeleteResourceServer through boto3, and how their scopes gate app clients."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import POOL_ID, rejected

pytestmark = pytest.mark.e2e


@pytest.fixture()
def pool_id(idp: Any) -> str:
    return idp.create_user_pool(PoolName="servers")["UserPool"]["Id"]


SCOPES = [{"ScopeName": "read", "ScopeDescription": "Read"}, {"ScopeName": "write", "ScopeDescription": "Write"}]


def test_resource_server_lifecycle(idp: Any, pool_id: str) -> None:
    created = idp.create_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com", Name="API",
                                         Scopes=SCOPES)["ResourceServer"]
    assert created == {"UserPoolId": pool_id, "Identifier": "https://api.example.com", "Name": "API",
                       "Scopes": SCOPES}
    assert idp.describe_resource_server(UserPoolId=pool_id,
                                        Identifier="https://api.example.com")["ResourceServer"] == created
    updated = idp.update_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com", Name="API v2",
                                         Scopes=SCOPES[:1])["ResourceServer"]
    assert updated["Name"] == "API v2" and updated["Scopes"] == SCOPES[:1]
    assert idp.list_resource_servers(UserPoolId=pool_id, MaxResults=10)["ResourceServers"] == [updated]
    idp.delete_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")
    assert idp.list_resource_servers(UserPoolId=pool_id, MaxResults=10)["ResourceServers"] == []


def test_update_without_scopes_removes_them(idp: Any, pool_id: str) -> None:
    idp.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders", Scopes=SCOPES)
    updated = idp.update_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders")["ResourceServer"]
    assert updated["Scopes"] == []


def test_duplicate_identifier_is_refused(idp: Any, pool_id: str) -> None:
    idp.create_resource_server(UserPoolId=pool_id, Identifier="dup", Name="Dup")
    with pytest.raises(ClientError) as excinfo:
        idp.create_resource_server(UserPoolId=pool_id, Identifier="dup", Name="Dup again")
    assert "UpdateResourceServer" in rejected(excinfo, "InvalidParameterException",
                                              f"dup already exists in user pool {pool_id}.")


@pytest.mark.parametrize("operation", ["describe", "update", "delete"])
def test_unknown_resource_server(idp: Any, pool_id: str, operation: str) -> None:
    call = {"describe": lambda: idp.describe_resource_server(UserPoolId=pool_id, Identifier="ghost"),
            "update": lambda: idp.update_resource_server(UserPoolId=pool_id, Identifier="ghost", Name="Ghost"),
            "delete": lambda: idp.delete_resource_server(UserPoolId=pool_id, Identifier="ghost")}[operation]
    with pytest.raises(ClientError) as excinfo:
        call()
    rejected(excinfo, "ResourceNotFoundException", f"Resource server ghost does not exist in user pool {pool_id}.")


def test_resource_server_in_unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.create_resource_server(UserPoolId="us-east-1_Nope00000", Identifier="x", Name="X")
    rejected(excinfo, "ResourceNotFoundException", "User pool us-east-1_Nope00000 does not exist.")


def test_identifier_pattern_comes_from_the_service_model(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="API",
                                   Scopes=[{"ScopeName": "a/b", "ScopeDescription": "slash"}])
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "scopes.1.member.scopeName" in excinfo.value.response["Error"]["Message"]


def test_list_pages(idp: Any, pool_id: str) -> None:
    for name in ("c", "a", "b"):
        idp.create_resource_server(UserPoolId=pool_id, Identifier=name, Name=name.upper())
    first = idp.list_resource_servers(UserPoolId=pool_id, MaxResults=2)
    second = idp.list_resource_servers(UserPoolId=pool_id, MaxResults=2, NextToken=first["NextToken"])
    assert [s["Identifier"] for s in first["ResourceServers"] + second["ResourceServers"]] == ["a", "b", "c"]
    assert "NextToken" not in second


def test_list_max_results_over_50(idp: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.list_resource_servers(UserPoolId=pool_id, MaxResults=51)
    rejected(excinfo, "InvalidParameterException", "1 validation error detected: Value '51' at 'maxResults' "
             "failed to satisfy constraint: Member must have value less than or equal to 50")


def test_scopes_exist_for_clients_only_while_their_server_lists_them(idp: Any, pool_id: str) -> None:
    m2m = {"GenerateSecret": True, "AllowedOAuthFlowsUserPoolClient": True,
           "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["stock/read"]}
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool_client(UserPoolId=pool_id, ClientName="early", **m2m)
    assert "resource-server scopes: none" in rejected(excinfo, "ScopeDoesNotExistException",
                                                      "Invalid scope requested: stock/read")
    idp.create_resource_server(UserPoolId=pool_id, Identifier="stock", Name="Stock", Scopes=SCOPES)
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="m2m", **m2m)["UserPoolClient"]
    assert client["AllowedOAuthScopes"] == ["stock/read"]
    # Removing the scope leaves existing clients alone (AWS does too) but new ones cannot ask for it.
    idp.update_resource_server(UserPoolId=pool_id, Identifier="stock", Name="Stock", Scopes=SCOPES[1:])
    kept = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])["UserPoolClient"]
    assert kept["AllowedOAuthScopes"] == ["stock/read"]
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool_client(UserPoolId=pool_id, ClientName="late", **m2m)
    rejected(excinfo, "ScopeDoesNotExistException", "Invalid scope requested: stock/read")


def test_bundled_pool_serves_its_seeded_resource_server(idp: Any) -> None:
    servers = idp.list_resource_servers(UserPoolId=POOL_ID, MaxResults=50)["ResourceServers"]
    assert {"UserPoolId": POOL_ID, "Identifier": "test_resource", "Name": "Test Resource",
            "Scopes": [{"ScopeName": "test", "ScopeDescription": "Test"}]} in servers
