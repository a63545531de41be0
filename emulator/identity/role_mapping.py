"""Which IAM role an identity gets: the pool's authenticated/unauthenticated roles, or a role mapping for the
login's provider (Token: `cognito:preferred_role`/`cognito:roles`; Rules: the first rule whose claim matches).
Pure: plain values in, a role ARN or the reason there is none out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.group_roles import GroupRole, group_roles


@dataclass(frozen=True)
class RoleChoice:
    """The role chosen (None: no role, the request is refused) and how it was chosen, in plain words."""

    role_arn: str | None
    how: str


def token_roles(claims: Mapping[str, Any], groups: Sequence[GroupRole]) -> tuple[str | None, list[str]]:
    """(cognito:preferred_role, cognito:roles): from the token when it has them, else as Cognito writes them
    from the user's groups (preferred: the role of the group with the lowest Precedence)."""
    roles = claims.get("cognito:roles")
    preferred = claims.get("cognito:preferred_role")
    if isinstance(roles, list):
        return (preferred if isinstance(preferred, str) else None), [r for r in roles if isinstance(r, str)]
    return group_roles(groups)


def rule_matches(rule: Mapping[str, Any], claims: Mapping[str, Any]) -> bool:
    """A Rules entry: Claim compared with Value by MatchType (Equals, Contains, StartsWith, NotEqual)."""
    value = claims.get(rule.get("Claim", ""))
    if value is None:
        return False
    text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    wanted = str(rule.get("Value", ""))
    match rule.get("MatchType"):
        case "Equals":
            return text == wanted
        case "Contains":
            return wanted in text
        case "StartsWith":
            return text.startswith(wanted)
        case "NotEqual":
            return text != wanted
    return False


def choose_role(roles: Mapping[str, str], mapping: Mapping[str, Any] | None, authenticated: bool,
                claims: Mapping[str, Any], groups: Sequence[GroupRole], custom_role: str | None) -> RoleChoice:
    """The role for one GetCredentialsForIdentity call."""
    default_key = "authenticated" if authenticated else "unauthenticated"
    default = roles.get(default_key)
    if not authenticated or not mapping:
        if custom_role and custom_role != default:
            return RoleChoice(None, f"CustomRoleArn {custom_role} is only honoured with a Token role mapping "
                                    f"whose cognito:roles include it; the pool's {default_key} role is {default}")
        return RoleChoice(default, f"the pool's {default_key} role") if default else \
            RoleChoice(None, f"the identity pool has no {default_key} role (SetIdentityPoolRoles Roles.{default_key})")
    fallback = mapping.get("AmbiguousRoleResolution")
    if mapping.get("Type") == "Token":
        preferred, listed = token_roles(claims, groups)
        if custom_role:
            return RoleChoice(custom_role, "CustomRoleArn, one of the token's cognito:roles") \
                if custom_role in listed else \
                RoleChoice(None, f"CustomRoleArn {custom_role} is not one of the token's cognito:roles {listed}")
        if preferred:
            return RoleChoice(preferred, "the token's cognito:preferred_role (Token role mapping)")
        why = "no cognito:roles" if not listed else f"several cognito:roles {listed} and no preferred role"
    else:
        for index, rule in enumerate((mapping.get("RulesConfiguration") or {}).get("Rules") or ()):
            if rule_matches(rule, claims):
                return RoleChoice(rule.get("RoleARN"), f"rule {index + 1} of the Rules role mapping "
                                                       f"({rule.get('Claim')} {rule.get('MatchType')} "
                                                       f"{rule.get('Value')!r})")
        why = "no rule of the Rules role mapping matches the token's claims"
    if fallback == "AuthenticatedRole" and default:
        return RoleChoice(default, f"{why}; AmbiguousRoleResolution AuthenticatedRole gives the pool's "
                                   "authenticated role")
    return RoleChoice(None, f"{why}; AmbiguousRoleResolution is {fallback or 'not set'}, so no role is given")
