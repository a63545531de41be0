"""What HTTP and REST authorizers share: the outcome of translating one, and the rule for routes
whose authorizer is aws_iam (SigV4): an AWS_IAM route, checked as gateway/iam_authorizer.py checks it."""

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


def iam_route(route: Node, where: str, report: Report) -> bool:
    """An aws_iam route becomes an AWS_IAM route: SigV4 from identity-pool or config credentials, and the
    role's policy from the config's Roles: (which the template does not carry); True."""
    route["AuthorizationType"] = "AWS_IAM"
    route.note("AuthorizationType", "aws_iam: callers sign with identity-pool credentials or Credentials:; their "
                                    "role's policy comes from the config's Roles:")
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
