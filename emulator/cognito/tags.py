"""TagResource / UntagResource / ListTagsForResource on user pools (the only taggable cognito-idp resource).

The tags are the pool's `UserPoolTags` setting (pool_rules.POOL_PASSTHROUGH), the one place they live:
CreateUserPool's UserPoolTags, DescribeUserPool and these operations all read and write it."""

from __future__ import annotations

from typing import Any

from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_pool
from emulator.cognito.protocol import Call
from emulator.runtime import Runtime

# AWS's limit on a user pool's tags ("up to 50 tags", Tagging Amazon Cognito resources, developer guide).
MAX_TAGS = 50


def pool_id_of_arn(arn: str) -> str | None:
    """The user pool id an ARN names (`arn:aws:cognito-idp:<region>:<account>:userpool/<id>`), or None."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "cognito-idp" or not parts[5].startswith("userpool/"):
        return None
    pool_id = parts[5][len("userpool/"):]
    return pool_id or None


def _pool_of(rt: Runtime, arn: str) -> str:
    pool_id = pool_id_of_arn(arn)
    if pool_id is None:
        raise reject("resource_arn_invalid", f"'{arn}' is not a user pool ARN "
                     "(arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>); only user pools take tags",
                     arn=arn)
    pool = require_pool(rt.store, pool_id)
    if pool.arn != arn:
        raise reject("pool_not_found", f"pool {pool_id} exists but its ARN is {pool.arn}, not {arn}",
                     pool_id=pool_id)
    return pool_id


def _tags(rt: Runtime, pool_id: str) -> dict[str, str]:
    return dict(rt.store.pool_settings(pool_id).get("UserPoolTags") or {})


def _save(rt: Runtime, pool_id: str, tags: dict[str, str]) -> None:
    settings = dict(rt.store.pool_settings(pool_id))
    settings["UserPoolTags"] = tags
    rt.store.put_pool_settings(pool_id, settings)


def tag_resource(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = _pool_of(rt, params["ResourceArn"])
    tags = {**_tags(rt, pool_id), **params["Tags"]}
    if len(tags) > MAX_TAGS:
        raise reject("too_many_tags", f"pool {pool_id} would have {len(tags)} tags; AWS allows {MAX_TAGS}",
                     limit=str(MAX_TAGS))
    _save(rt, pool_id, tags)
    return {}


def untag_resource(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = _pool_of(rt, params["ResourceArn"])
    tags = _tags(rt, pool_id)
    for key in params["TagKeys"]:  # a key the pool does not have is no error (AWS's untag is idempotent)
        tags.pop(key, None)
    _save(rt, pool_id, tags)
    return {}


def list_tags_for_resource(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return {"Tags": _tags(rt, _pool_of(rt, params["ResourceArn"]))}


OPERATIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
