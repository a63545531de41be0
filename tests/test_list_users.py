"""ListUsers through an unmodified boto3 client (and the AWS CLI): filters, AttributesToGet, Limit and
PaginationToken, and AWS's errors for filters it cannot use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest

from emulator.server import EmulatorServer
from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_ListUsers1"

CONFIG = {
    "UserPools": [{
        "Id": POOL,
        "Name": "list-users",
        "Schema": [{"Name": "tier", "AttributeDataType": "String"}],
        "Users": [
            {"Username": "alice", "Password": "Correct-Horse1",
             "UserAttributes": {"email": "alice@example.com", "given_name": "Alice", "family_name": "Reddy",
                                "custom:tier": "gold"}},
            {"Username": "alfred", "Password": "Correct-Horse1",
             "UserAttributes": {"email": "alfred@example.org", "given_name": "Alfred"}},
            {"Username": "bob", "Password": "Correct-Horse1", "UserStatus": "UNCONFIRMED",
             "UserAttributes": {"email": "bob@example.com", "phone_number": "+15555550100"}},
            {"Username": "carol", "Password": "Correct-Horse1", "Enabled": False,
             "UserAttributes": {"email": "carol@example.com", "family_name": "Reddy"}},
            {"Username": "dave", "TemporaryPassword": "Temp-Passw0rd!"},
        ],
        "Clients": [{"ClientName": "app", "ClientId": "appclient"}],
    }],
}


def names(idp: Any, **params: Any) -> set[str]:
    return {u["Username"] for u in idp.list_users(UserPoolId=POOL, **params)["Users"]}


def test_list_users_without_a_filter_lists_everyone(idp: Any) -> None:
    users = idp.list_users(UserPoolId=POOL)["Users"]
    assert {u["Username"] for u in users} == {"alice", "alfred", "bob", "carol", "dave"}
    alice = next(u for u in users if u["Username"] == "alice")
    assert set(alice) >= {"Username", "Attributes", "UserCreateDate", "UserLastModifiedDate", "Enabled",
                          "UserStatus"}
    assert {a["Name"] for a in alice["Attributes"]} >= {"sub", "email", "custom:tier"}
    assert "PaginationToken" not in idp.list_users(UserPoolId=POOL)


@pytest.mark.parametrize(("filter_text", "expected"), [
    ('email = "alice@example.com"', {"alice"}),
    ('email ^= "al"', {"alice", "alfred"}),
    ('family_name = "Reddy"', {"alice", "carol"}),
    ('given_name ^= "Alf"', {"alfred"}),
    ('phone_number = "+15555550100"', {"bob"}),
    ('username = "dave"', {"dave"}),
    ('cognito:user_status = "unconfirmed"', {"bob"}),
    ('cognito:user_status = "FORCE_CHANGE_PASSWORD"', {"dave"}),
    ('status = "Disabled"', {"carol"}),
    ('email = "nobody@example.com"', set()),
    ("", {"alice", "alfred", "bob", "carol", "dave"}),
])
def test_list_users_filters(idp: Any, filter_text: str, expected: set[str]) -> None:
    assert names(idp, Filter=filter_text) == expected


def test_filter_by_sub(idp: Any) -> None:
    user = idp.admin_get_user(UserPoolId=POOL, Username="alfred")
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    assert names(idp, Filter=f'sub = "{sub}"') == {"alfred"}


def test_attributes_to_get_limits_the_attributes(idp: Any) -> None:
    users = idp.list_users(UserPoolId=POOL, Filter='username = "alice"', AttributesToGet=["email"])["Users"]
    assert users[0]["Attributes"] == [{"Name": "email", "Value": "alice@example.com"}]


def test_limit_and_pagination_token_walk_every_user_once(idp: Any) -> None:
    seen: list[str] = []
    token = None
    while True:
        page = idp.list_users(UserPoolId=POOL, Limit=2, **({"PaginationToken": token} if token else {}))
        assert len(page["Users"]) <= 2
        seen += [u["Username"] for u in page["Users"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert sorted(seen) == ["alfred", "alice", "bob", "carol", "dave"]
    paginated = [u["Username"] for p in idp.get_paginator("list_users").paginate(
        UserPoolId=POOL, Filter='email ^= "al"', PaginationConfig={"PageSize": 1}) for u in p["Users"]]
    assert sorted(paginated) == ["alfred", "alice"]


@pytest.mark.parametrize(("filter_text", "message"), [
    ("foo", "Error while parsing filter."),
    ("email = alice@example.com", "Error while parsing filter."),
    ('email = "a" and given_name = "b"', "Error while parsing filter."),
    ('custom:tier = "gold"', "Invalid search attribute: custom:tier"),
])
def test_filters_aws_cannot_use_are_refused(idp: Any, filter_text: str, message: str) -> None:
    error, got, reason = refused(lambda: idp.list_users(UserPoolId=POOL, Filter=filter_text))
    assert (error, got) == ("InvalidParameterException", message)
    assert reason


def test_limit_above_sixty_is_a_validation_error(idp: Any) -> None:
    error, message, _ = refused(lambda: idp.list_users(UserPoolId=POOL, Limit=61))
    assert error == "InvalidParameterException"
    assert message == ("1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: "
                       "Member must have value less than or equal to 60")


def test_a_foreign_pagination_token_is_refused(idp: Any) -> None:
    token = idp.list_users(UserPoolId=POOL, Limit=1)["PaginationToken"]
    error, message, reason = refused(lambda: idp.list_users(UserPoolId=POOL, Limit=1, PaginationToken=token,
                                                            Filter='email ^= "a"'))
    assert (error, message) == ("InvalidParameterException", "Invalid pagination token.")
    assert "different listing" in reason
    assert refused(lambda: idp.list_users(UserPoolId=POOL, PaginationToken="garbage"))[:2] == (
        "InvalidParameterException", "Invalid pagination token.")


def test_list_users_in_an_unknown_pool(idp: Any) -> None:
    assert refused(lambda: idp.list_users(UserPoolId="us-east-1_Missing01"))[:2] == (
        "ResourceNotFoundException", "User pool us-east-1_Missing01 does not exist.")


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_lists_users_with_a_filter(server: EmulatorServer) -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""}
    out = subprocess.run(["aws", "cognito-idp", "list-users", "--endpoint-url", server.url, "--user-pool-id", POOL,
                          "--filter", 'family_name = "Reddy"', "--output", "json"],
                         capture_output=True, text=True, env=env, timeout=60, check=True)
    assert {u["Username"] for u in json.loads(out.stdout)["Users"]} == {"alice", "carol"}
