"""The installed package's version (`--version`, the dashboard's header)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def installed_version() -> str:
    try:
        return version("cognito-emulator")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"
