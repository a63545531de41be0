"""Groups and memberships: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.
Memberships show up as `cognito:groups` in the tokens issued afterwards."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_pool
from emulator.cognito.pagination import page
from emulator.cognito.protocol import Call
from emulator.cognito.users import require_user, user_type
from emulator.model import Group, UserPool
from emulator.runtime import Runtime


def require_group(rt: Runtime, pool: UserPool, name: str) -> Group:
    group = rt.store.group(pool.id, name)
    if group is None:
        known = ", ".join(g.name for g in rt.store.groups(pool.id)) or "none"
        raise reject("group_not_found", f"pool {pool.id} has no group '{name}' (its groups: {known})")
    return group


def _pool_group(rt: Runtime, params: dict) -> tuple[UserPool, Group]:
    pool = require_pool(rt.store, params["UserPoolId"])
    return pool, require_group(rt, pool, params["GroupName"])


def create_group(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    name = params["GroupName"]
    now = rt.clock()
    group = Group(pool.id, name, params.get("Description"), params.get("Precedence"), params.get("RoleArn"),
                  created=now, modified=now)
    with rt.store.transaction():
        if rt.store.group(pool.id, name) is not None:
            raise reject("group_exists", f"pool {pool.id} already has a group '{name}'", name=name)
        rt.store.put_group(group)
    return {"Group": group.to_aws()}


def get_group(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    _, group = _pool_group(rt, params)
    return {"Group": group.to_aws()}


def list_groups(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    groups, token = page([(g.name, g) for g in rt.store.groups(pool.id)], params.get("NextToken"),
                         params.get("Limit"), json.dumps(["groups", pool.id]))
    result: dict[str, Any] = {"Groups": [g.to_aws() for g in groups]}
    if token:
        result["NextToken"] = token
    return result


def update_group(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    _, group = _pool_group(rt, params)
    # Only the fields the request carries change (UNCONFIRMED: AWS's docs do not say whether an
    # omitted field is cleared).
    changes = {field: params[key] for key, field in (("Description", "description"), ("Precedence", "precedence"),
                                                     ("RoleArn", "role_arn")) if key in params}
    updated = replace(group, **changes, modified=rt.clock())
    rt.store.put_group(updated)
    return {"Group": updated.to_aws()}


def delete_group(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, group = _pool_group(rt, params)
    with rt.store.transaction():
        for username in rt.store.members(pool.id, group.name):
            rt.store.remove_from_group(pool.id, group.name, username)
        rt.store.delete("group", pool.id, group.name)
    return {}


def admin_add_user_to_group(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    user = require_user(rt, pool, params["Username"])
    group = require_group(rt, pool, params["GroupName"])
    rt.store.add_to_group(pool.id, group.name, user.username)
    return {}


def admin_remove_user_from_group(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    user = require_user(rt, pool, params["Username"])
    group = require_group(rt, pool, params["GroupName"])
    rt.store.remove_from_group(pool.id, group.name, user.username)
    return {}


def admin_list_groups_for_user(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    user = require_user(rt, pool, params["Username"])
    groups = [g for g in (rt.store.group(pool.id, n) for n in rt.store.groups_of(pool.id, user.username)) if g]
    chosen, token = page([(g.name, g) for g in groups], params.get("NextToken"), params.get("Limit"),
                         json.dumps(["groups-of", pool.id, user.username]))
    result: dict[str, Any] = {"Groups": [g.to_aws() for g in chosen]}
    if token:
        result["NextToken"] = token
    return result


def list_users_in_group(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, group = _pool_group(rt, params)
    members = [u for u in (rt.store.user(pool, n) for n in rt.store.members(pool.id, group.name)) if u]
    users, token = page([(rt.store.user_key(pool, u.username), u) for u in members], params.get("NextToken"),
                        params.get("Limit"), json.dumps(["members", pool.id, group.name]))
    result: dict[str, Any] = {"Users": [user_type(u) for u in users]}
    if token:
        result["NextToken"] = token
    return result


OPERATIONS = {
    "CreateGroup": create_group,
    "GetGroup": get_group,
    "ListGroups": list_groups,
    "UpdateGroup": update_group,
    "DeleteGroup": delete_group,
    "AdminAddUserToGroup": admin_add_user_to_group,
    "AdminRemoveUserFromGroup": admin_remove_user_from_group,
    "AdminListGroupsForUser": admin_list_groups_for_user,
    "ListUsersInGroup": list_users_in_group,
}
