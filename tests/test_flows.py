"""The flow table: which client may use which AuthFlow on which operation (pure)."""

from __future__ import annotations

import pytest

from emulator.cognito.errors import ERRORS
from emulator.cognito.flows import ADMIN_INITIATE, INITIATE, check_flow, effective_flows
from emulator.model import DEFAULT_EXPLICIT_AUTH_FLOWS

PASSWORD_CLIENT = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
ADMIN_CLIENT = ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")

# (operation, AuthFlow, client's ExplicitAuthFlows, expected error key or None)
CASES = [
    (INITIATE, "USER_PASSWORD_AUTH", PASSWORD_CLIENT, None),
    (INITIATE, "USER_PASSWORD_AUTH", DEFAULT_EXPLICIT_AUTH_FLOWS, "password_flow_disabled"),
    (INITIATE, "USER_PASSWORD_AUTH", ("USER_PASSWORD_AUTH",), None),  # legacy value
    (INITIATE, "USER_SRP_AUTH", DEFAULT_EXPLICIT_AUTH_FLOWS, None),
    (INITIATE, "USER_SRP_AUTH", PASSWORD_CLIENT, "srp_flow_disabled"),
    (INITIATE, "USER_SRP_AUTH", ("USER_PASSWORD_AUTH",), None),  # legacy clients always allowed SRP
    (INITIATE, "CUSTOM_AUTH", DEFAULT_EXPLICIT_AUTH_FLOWS, None),
    (INITIATE, "CUSTOM_AUTH", PASSWORD_CLIENT, "custom_flow_disabled"),
    (INITIATE, "CUSTOM_AUTH", ("CUSTOM_AUTH_FLOW_ONLY",), None),
    (INITIATE, "USER_SRP_AUTH", ("CUSTOM_AUTH_FLOW_ONLY",), "custom_auth_only"),
    (INITIATE, "USER_PASSWORD_AUTH", ("CUSTOM_AUTH_FLOW_ONLY",), "custom_auth_only"),
    (INITIATE, "REFRESH_TOKEN_AUTH", PASSWORD_CLIENT, None),
    (INITIATE, "REFRESH_TOKEN", PASSWORD_CLIENT, None),
    (INITIATE, "REFRESH_TOKEN_AUTH", ("ALLOW_USER_PASSWORD_AUTH",), "refresh_flow_disabled"),
    (INITIATE, "ADMIN_USER_PASSWORD_AUTH", ADMIN_CLIENT, "flow_not_supported"),
    (INITIATE, "ADMIN_NO_SRP_AUTH", ADMIN_CLIENT, "flow_not_supported"),
    (ADMIN_INITIATE, "ADMIN_USER_PASSWORD_AUTH", ADMIN_CLIENT, None),
    (ADMIN_INITIATE, "ADMIN_NO_SRP_AUTH", ADMIN_CLIENT, None),
    (ADMIN_INITIATE, "ADMIN_USER_PASSWORD_AUTH", ("ADMIN_NO_SRP_AUTH",), None),  # legacy value
    (ADMIN_INITIATE, "ADMIN_USER_PASSWORD_AUTH", PASSWORD_CLIENT, "admin_password_flow_disabled"),
    (ADMIN_INITIATE, "USER_PASSWORD_AUTH", PASSWORD_CLIENT, "flow_not_supported"),
    (ADMIN_INITIATE, "USER_SRP_AUTH", DEFAULT_EXPLICIT_AUTH_FLOWS, None),
    (ADMIN_INITIATE, "USER_AUTH", ("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"), None),
    (INITIATE, "USER_AUTH", DEFAULT_EXPLICIT_AUTH_FLOWS, "user_auth_flow_disabled"),
]


@pytest.mark.parametrize(("operation", "flow", "client_flows", "expected"), CASES)
def test_flow_table(operation: str, flow: str, client_flows: tuple[str, ...], expected: str | None) -> None:
    refusal = check_flow(operation, flow, "app", client_flows)
    assert (refusal.error if refusal else None) == expected
    if refusal:
        assert refusal.error in ERRORS
        assert flow in refusal.reason


def test_refusal_reason_names_the_client_its_flows_and_the_missing_one() -> None:
    refusal = check_flow(INITIATE, "USER_PASSWORD_AUTH", "managed-login", DEFAULT_EXPLICIT_AUTH_FLOWS)
    assert refusal is not None
    assert refusal.reason == ("client 'managed-login' allows ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH, "
                              "ALLOW_REFRESH_TOKEN_AUTH; USER_PASSWORD_AUTH needs ALLOW_USER_PASSWORD_AUTH")


def test_password_flow_refused_with_awss_text() -> None:
    refusal = check_flow(INITIATE, "USER_PASSWORD_AUTH", "c", DEFAULT_EXPLICIT_AUTH_FLOWS)
    assert ERRORS[refusal.error] == ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")


def test_admin_flow_on_initiate_auth_is_not_supported_with_awss_text() -> None:
    refusal = check_flow(INITIATE, "ADMIN_USER_PASSWORD_AUTH", "c", ADMIN_CLIENT)
    assert ERRORS[refusal.error] == ("InvalidParameterException", "Initiate Auth method not supported.")


def test_allow_values_are_taken_as_given() -> None:
    assert effective_flows(PASSWORD_CLIENT) == frozenset(PASSWORD_CLIENT)
