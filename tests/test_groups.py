"""Groups through an unmodified boto3 client: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup, and the
cognito:groups claim that memberships put in tokens."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_GroupTest1"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
ROLE = "arn:aws:iam::123456789012:role/readers"

CONFIG = {
    "UserPools": [{
        "Id": POOL,
        "Name": "groups",
        "Groups": [{"GroupName": "admin", "Description": "Administrators", "Precedence": 1}],
        "Users": [
            {"Username": "alice", "Password": "Correct-Horse1", "Groups": ["admin"]},
            {"Username": "bob", "Password": "Correct-Horse1"},
            {"Username": "carol", "Password": "Correct-Horse1"},
        ],
        "Clients": [{"ClientName": "app", "ClientId": "appclient", "ExplicitAuthFlows": FLOWS}],
    }],
}


def groups_claim(idp: Any, username: str) -> list[str] | None:
    result = idp.initiate_auth(ClientId="appclient", AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": "Correct-Horse1"})
    claims = jwt.decode(result["AuthenticationResult"]["AccessToken"], options={"verify_signature": False})
    return claims.get("cognito:groups")


def test_create_and_get_a_group(idp: Any) -> None:
    created = idp.create_group(UserPoolId=POOL, GroupName="readers", Description="Read only", Precedence=5,
                               RoleArn=ROLE)["Group"]
    assert created["GroupName"] == "readers" and created["UserPoolId"] == POOL
    assert created["Description"] == "Read only" and created["Precedence"] == 5 and created["RoleArn"] == ROLE
    fetched = idp.get_group(UserPoolId=POOL, GroupName="readers")["Group"]
    assert fetched == created


def test_creating_a_group_twice_is_refused(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.create_group(UserPoolId=POOL, GroupName="admin"))
    assert (error, message) == ("GroupExistsException", "A group with the name admin already exists.")
    assert POOL in reason


def test_an_unknown_group_is_not_found(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.get_group(UserPoolId=POOL, GroupName="nobody"))
    assert (error, message) == ("ResourceNotFoundException", "Group not found.")
    assert "admin" in reason  # the reason lists the groups there are
    assert refused(lambda: idp.get_group(UserPoolId="us-east-1_Missing01", GroupName="admin"))[:2] == (
        "ResourceNotFoundException", "User pool us-east-1_Missing01 does not exist.")


def test_update_group_changes_only_what_is_sent(idp: Any) -> None:
    idp.create_group(UserPoolId=POOL, GroupName="editors", Description="Edit", Precedence=3)
    updated = idp.update_group(UserPoolId=POOL, GroupName="editors", Description="Edit all")["Group"]
    assert updated["Description"] == "Edit all" and updated["Precedence"] == 3
    assert updated["LastModifiedDate"] >= updated["CreationDate"]
    assert refused(lambda: idp.update_group(UserPoolId=POOL, GroupName="ghosts", Description="x"))[:2] == (
        "ResourceNotFoundException", "Group not found.")


def test_list_groups_pages_with_limit_and_next_token(idp: Any) -> None:
    for name in ("page-a", "page-b", "page-c"):
        idp.create_group(UserPoolId=POOL, GroupName=name)
    first = idp.list_groups(UserPoolId=POOL, Limit=2)
    assert len(first["Groups"]) == 2 and first["NextToken"]
    seen = [g["GroupName"] for g in first["Groups"]]
    token = first["NextToken"]
    while token:
        following = idp.list_groups(UserPoolId=POOL, Limit=2, NextToken=token)
        seen += [g["GroupName"] for g in following["Groups"]]
        token = following.get("NextToken")
    assert {"admin", "page-a", "page-b", "page-c"} <= set(seen)
    assert len(seen) == len(set(seen))
    paginated = [g["GroupName"] for p in idp.get_paginator("list_groups").paginate(UserPoolId=POOL,
                                                                                   PaginationConfig={"PageSize": 1})
                 for g in p["Groups"]]
    assert sorted(paginated) == sorted(seen)


def test_membership_shows_in_tokens_and_listings(idp: Any) -> None:
    assert groups_claim(idp, "bob") is None
    idp.admin_add_user_to_group(UserPoolId=POOL, Username="bob", GroupName="admin")
    assert groups_claim(idp, "bob") == ["admin"]
    groups = idp.admin_list_groups_for_user(UserPoolId=POOL, Username="bob")["Groups"]
    assert [g["GroupName"] for g in groups] == ["admin"]
    members = idp.list_users_in_group(UserPoolId=POOL, GroupName="admin")["Users"]
    assert {u["Username"] for u in members} == {"alice", "bob"}
    assert all(u["UserStatus"] == "CONFIRMED" and u["Enabled"] for u in members)
    idp.admin_remove_user_from_group(UserPoolId=POOL, Username="bob", GroupName="admin")
    assert groups_claim(idp, "bob") is None
    assert idp.admin_list_groups_for_user(UserPoolId=POOL, Username="bob")["Groups"] == []


def test_adding_to_a_group_needs_the_user_and_the_group(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.admin_add_user_to_group(UserPoolId=POOL, Username="nobody",
                                                                         GroupName="admin"))
    assert (error, message) == ("UserNotFoundException", "User does not exist.")
    assert "nobody" in reason
    error, message, reason = refused(lambda: idp.admin_add_user_to_group(UserPoolId=POOL, Username="carol",
                                                                         GroupName="nogroup"))
    assert (error, message) == ("ResourceNotFoundException", "Group not found.")
    assert "nogroup" in reason
    assert refused(lambda: idp.list_users_in_group(UserPoolId=POOL, GroupName="nogroup"))[:2] == (
        "ResourceNotFoundException", "Group not found.")


def test_deleting_a_group_removes_its_memberships(idp: Any) -> None:
    idp.create_group(UserPoolId=POOL, GroupName="temporary")
    idp.admin_add_user_to_group(UserPoolId=POOL, Username="carol", GroupName="temporary")
    assert groups_claim(idp, "carol") == ["temporary"]
    idp.delete_group(UserPoolId=POOL, GroupName="temporary")
    assert groups_claim(idp, "carol") is None
    assert refused(lambda: idp.delete_group(UserPoolId=POOL, GroupName="temporary"))[:2] == (
        "ResourceNotFoundException", "Group not found.")
