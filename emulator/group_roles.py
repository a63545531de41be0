"""The `cognito:roles` and `cognito:preferred_role` claims a user's groups give (pure).

AWS's rule (CreateGroup/GroupType `Precedence`, cognito-idp API reference and AWS::Cognito::UserPoolGroup):
"Groups with lower Precedence values take precedence over groups with higher or null Precedence values ...
Two groups can have the same Precedence value. If this happens, neither group takes precedence over the
other. If two groups with the same Precedence have the same role ARN, that role is used in the
cognito:preferred_role claim ... If the two groups have different role ARNs, the cognito:preferred_role claim
isn't set." Only ID tokens carry them ("Amazon Cognito ID tokens have a cognito:preferred_role claim ... Both
ID and access tokens also contain a cognito:groups claim", CreateGroup RoleArn); only groups with a RoleArn
count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class GroupRole:
    """A user-pool group the user is in, with the role it grants (what cognito:roles is made of)."""

    name: str
    precedence: int | None
    role_arn: str | None


def _rank(group: GroupRole) -> tuple[int, int]:
    # null Precedence ranks after every number; null groups tie with each other.
    return (1, 0) if group.precedence is None else (0, group.precedence)


def group_roles(groups: Sequence[GroupRole]) -> tuple[str | None, list[str]]:
    """(cognito:preferred_role or None, cognito:roles): roles listed by precedence, each once."""
    with_roles = sorted((g for g in groups if g.role_arn), key=lambda g: (_rank(g), g.name))
    roles = list(dict.fromkeys(g.role_arn for g in with_roles if g.role_arn))
    if not with_roles:
        return None, []
    best = _rank(with_roles[0])
    tied = {g.role_arn for g in with_roles if _rank(g) == best}
    return (tied.pop() if len(tied) == 1 else None), roles
