"""What HTTP and REST authorizers share: the outcome of translating one, and the rule for routes
whose authorizer is aws_iam (SigV4), which the emulator does not check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_report import Report
from emulator.importers.serverless_values import as_list, dedupe, stringify

# The authorizer type API Gateway checks a route's scopes with, and its name in the warning.
SCOPE_CHECKERS = {"HTTP": ("JWT", "JWT"), "REST": ("COGNITO_USER_POOLS", "Cognito")}


class Authorizer(NamedTuple):
    """An authorizer of the source file: its Node when it translates, else why not."""

    name: str  # the Name routes refer to
    node: Node | None
    problem: str | None
    kind: str  # JWT, REQUEST, TOKEN, COGNITO_USER_POOLS


def open_iam_route(route: Node, where: str, report: Report) -> bool:
    """An aws_iam route is kept without an authorizer (open), with a comment and a warning; True."""
    route.note("RouteKey", "authorizer: aws_iam (SigV4) is not emulated: this route is OPEN here")
    report.warn(f"{where}: route {route['RouteKey']} uses an aws_iam authorizer, which the emulator does not "
                "emulate; the route is imported without an authorizer (open)")
    return True


def attach_scopes(route: Node, conf: Mapping[str, Any], protocol: str, kind: str, where: str,
                  report: Report) -> None:
    """Put the event's `scopes` on the route when its authorizer (`kind`) is the one that checks them, else
    warn that they are dropped."""
    scopes = [stringify(s) for s in dedupe(as_list(conf.get("scopes")))]
    checker, checker_name = SCOPE_CHECKERS[protocol]
    if scopes and kind == checker:
        route["AuthorizationScopes"] = scopes
    elif scopes:
        report.warn(f"{where}: scopes {scopes} dropped: API Gateway checks scopes only with {checker_name} "
                    "authorizers")
