"""Which app client may use which AuthFlow, on which operation: one table, one pure decision."""

from __future__ import annotations

from dataclasses import dataclass

INITIATE = "InitiateAuth"
ADMIN_INITIATE = "AdminInitiateAuth"

LEGACY_FLOWS = frozenset({"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"})
ALLOW_FLOWS = frozenset({
    "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH",
})


@dataclass(frozen=True)
class FlowRule:
    operations: frozenset[str]  # where the AuthFlow may be sent at all
    enabled_by: frozenset[str]  # ExplicitAuthFlows values that enable it
    error: str  # key in errors.ERRORS when the client does not enable it
    needs: str  # the value to name in the plain-words reason


_BOTH = frozenset({INITIATE, ADMIN_INITIATE})

FLOW_RULES: dict[str, FlowRule] = {
    "USER_PASSWORD_AUTH": FlowRule(frozenset({INITIATE}), frozenset({"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"}),
                                   "password_flow_disabled", "ALLOW_USER_PASSWORD_AUTH"),
    "ADMIN_USER_PASSWORD_AUTH": FlowRule(frozenset({ADMIN_INITIATE}),
                                         frozenset({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}),
                                         "admin_password_flow_disabled", "ALLOW_ADMIN_USER_PASSWORD_AUTH"),
    "ADMIN_NO_SRP_AUTH": FlowRule(frozenset({ADMIN_INITIATE}),
                                  frozenset({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}),
                                  "admin_password_flow_disabled", "ALLOW_ADMIN_USER_PASSWORD_AUTH"),
    "USER_SRP_AUTH": FlowRule(_BOTH, frozenset({"ALLOW_USER_SRP_AUTH"}), "srp_flow_disabled", "ALLOW_USER_SRP_AUTH"),
    "CUSTOM_AUTH": FlowRule(_BOTH, frozenset({"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"}),
                            "custom_flow_disabled", "ALLOW_CUSTOM_AUTH"),
    "REFRESH_TOKEN_AUTH": FlowRule(_BOTH, frozenset({"ALLOW_REFRESH_TOKEN_AUTH"}),
                                   "refresh_flow_disabled", "ALLOW_REFRESH_TOKEN_AUTH"),
    "REFRESH_TOKEN": FlowRule(_BOTH, frozenset({"ALLOW_REFRESH_TOKEN_AUTH"}),
                              "refresh_flow_disabled", "ALLOW_REFRESH_TOKEN_AUTH"),
    "USER_AUTH": FlowRule(_BOTH, frozenset({"ALLOW_USER_AUTH"}), "user_auth_flow_disabled", "ALLOW_USER_AUTH"),
}


def effective_flows(explicit_auth_flows: tuple[str, ...]) -> frozenset[str]:
    """The ALLOW_ values a client's ExplicitAuthFlows amount to.

    A client configured with the legacy values always allowed SRP and refresh (the
    legacy flags only added flows), unless CUSTOM_AUTH_FLOW_ONLY restricted it to custom
    auth. UNCONFIRMED in detail; this is the documented meaning of the legacy flags.
    """
    flows = set(explicit_auth_flows)
    if flows & ALLOW_FLOWS:
        return frozenset(flows)
    if "CUSTOM_AUTH_FLOW_ONLY" in flows:
        return frozenset({"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"})
    allowed = {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"}
    if "USER_PASSWORD_AUTH" in flows:
        allowed.add("ALLOW_USER_PASSWORD_AUTH")
    if "ADMIN_NO_SRP_AUTH" in flows:
        allowed.add("ALLOW_ADMIN_USER_PASSWORD_AUTH")
    return frozenset(allowed)


@dataclass(frozen=True)
class FlowRefusal:
    error: str  # key in errors.ERRORS
    reason: str


def check_flow(operation: str, auth_flow: str, client_name: str, explicit_auth_flows: tuple[str, ...],
               rotates_refresh_tokens: bool = False) -> FlowRefusal | None:
    """None when `auth_flow` may be used on `operation` by this client; else the refusal and why."""
    rule = FLOW_RULES.get(auth_flow)
    if rule is None or operation not in rule.operations:
        where = " or ".join(sorted(rule.operations)) if rule else "no operation"
        return FlowRefusal("flow_not_supported", f"AuthFlow {auth_flow} is not accepted by {operation}; "
                                                 f"it is sent to {where}")
    if rotates_refresh_tokens and auth_flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        # "You can't authenticate with REFRESH_TOKEN_AUTH in app clients with refresh token rotation
        # enabled." (developer guide, refresh tokens); the text is the flow's own, UNCONFIRMED here.
        return FlowRefusal(rule.error, f"client '{client_name}' rotates refresh tokens (RefreshTokenRotation "
                                       "ENABLED); it renews sessions with GetTokensFromRefreshToken only")
    allowed = effective_flows(explicit_auth_flows)
    if rule.enabled_by & (allowed | set(explicit_auth_flows)):
        return None
    if "CUSTOM_AUTH_FLOW_ONLY" in explicit_auth_flows and not set(explicit_auth_flows) & ALLOW_FLOWS:
        return FlowRefusal("custom_auth_only", f"client '{client_name}' has the legacy CUSTOM_AUTH_FLOW_ONLY: it "
                                               f"signs in with CUSTOM_AUTH only, not {auth_flow}")
    listed = ", ".join(explicit_auth_flows) or "no flows"
    return FlowRefusal(rule.error, f"client '{client_name}' allows {listed}; {auth_flow} needs {rule.needs}")
