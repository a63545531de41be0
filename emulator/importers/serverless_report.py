"""What a translation tells the user: warnings, one line each and each once, and the comments on the
output that say which values are placeholders and which routes were left out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_values import as_list
from emulator.importers.serverless_variables import placeholders_in
from emulator.lambdas import context as lambda_context

# The emulator does not check the account part of a pool ARN; this one is the Lambda context's own.
STAND_IN_ACCOUNT = lambda_context.FAKE_ACCOUNT


class Report:
    """The warnings of one translation, and the placeholders (`unresolved`) it comments on."""

    def __init__(self, unresolved: Mapping[str, str]) -> None:
        self.unresolved = unresolved
        self.warnings: list[str] = []
        self._flagged: set[str] = set()

    def warn(self, text: str) -> None:
        """Add a warning unless the same line is already there."""
        if text not in self.warnings:
            self.warnings.append(text)

    def flag(self, node: Node, key: str, value: Any, what: str, owner: str, hint: str,
             value_name: str = "value") -> None:
        """Warn (once per placeholder) and comment on the unresolved placeholders inside value.

        The warning reads `audience entry `${ssm:/x}` (authorizer a): cannot resolve ssm: parameters
        offline; <hint>, or pass --set 'ssm:/x=<client id>'`: what, why, and both ways out.
        """
        found = [p for item in as_list(value) if isinstance(item, str) for p in placeholders_in(item, self.unresolved)]
        for placeholder in found:
            node.note(key, f"unresolved {placeholder}: {self.unresolved[placeholder]}")
            if placeholder in self._flagged:
                continue
            self._flagged.add(placeholder)
            inner = placeholder[2:-1]
            if inner in ("AWS::AccountId", "aws:accountId"):
                advice = f"the emulator does not check the account ({STAND_IN_ACCOUNT} stands in)"
            else:
                advice = f"{hint}, or pass --set '{inner.split(', ')[0]}=<{value_name}>'"
            self.warn(f"{what} `{placeholder}`{f' ({owner})' if owner else ''}: "
                      f"{self.unresolved[placeholder]}; {advice}")

    def left_out(self, api: Node, route_key: str, where: str, why: str) -> None:
        """Say, as a comment on the API's Routes and as a warning, that a route was left out and why."""
        api.note("Routes", f"left out {route_key} ({where}): {why}")
        self.warn(f"{where}: route {route_key} left out: {why}")
