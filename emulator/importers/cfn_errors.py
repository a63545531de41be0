"""What a template import says when it stops, and what it reports without stopping."""

from __future__ import annotations


class TemplateError(ValueError):
    """The file is not a template this importer can read (not JSON/YAML, no Resources)."""


class ImportRefused(ValueError):
    """Something that decides who may call what cannot be honoured: the import stops, naming where."""

    def __init__(self, logical_id: str, path: str, reason: str) -> None:
        where = f"{logical_id}.{path}" if path else logical_id
        super().__init__(f"{where}: {reason}")
        self.logical_id = logical_id
        self.path = path
        self.reason = reason


class Unresolved(ValueError):
    """A value that cannot be known offline (an SSM parameter, an ImportValue, a parameter without value).

    `key` is what `--set KEY=VALUE` would supply, when there is one."""

    def __init__(self, reason: str, key: str | None = None) -> None:
        super().__init__(reason + (f"; pass --set '{key}=<value>'" if key else ""))
        self.key = key


class Notes:
    """Things imported with a caveat or not imported at all, one line each and each once."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.skipped: dict[str, list[str]] = {}  # resource type -> logical ids not emulated

    def add(self, text: str) -> None:
        if text not in self.lines:
            self.lines.append(text)

    def skip(self, resource_type: str, logical_id: str) -> None:
        """A resource the emulator has no use for; listed in the one summary line."""
        self.skipped.setdefault(resource_type, []).append(logical_id)

    def summary(self) -> str | None:
        """`not emulated: AWS::X (A, B); AWS::Y (C)`, or None when nothing was skipped."""
        if not self.skipped:
            return None
        parts = [f"{kind} ({', '.join(ids)})" for kind, ids in sorted(self.skipped.items())]
        return "not emulated, left out: " + "; ".join(parts)
