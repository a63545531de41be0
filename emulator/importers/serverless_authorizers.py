"""What HTTP and REST authorizers share: the outcome of translating one, and the rule for routes
whose authorizer is aws_iam (SigV4), which the emulator does not check."""

from __future__ import annotations

from typing import NamedTuple

from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_report import Report


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
