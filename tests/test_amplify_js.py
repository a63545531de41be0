"""Amplify v6 (aws-amplify from npm, in Node) against the emulator: sign in, refresh the session (it calls
GetTokensFromRefreshToken), sign out globally, as an app does."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from tests.conftest import POOL_ID

pytestmark = [pytest.mark.e2e, pytest.mark.cli,
              pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None,
                                 reason="Node.js and npm are not installed")]

JS = Path(__file__).resolve().parent / "js"


@pytest.fixture(scope="module")
def node_clients() -> Path:
    """tests/js with its pinned packages installed (once; npm's cache makes later installs fast)."""
    if not (JS / "node_modules" / "aws-amplify").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS, check=True,
                       capture_output=True, timeout=600)
    return JS


def test_amplify_signs_in_refreshes_and_signs_out(server: EmulatorServer, node_clients: Path) -> None:
    result = subprocess.run(["node", "amplify_session.mjs", server.url, POOL_ID, "managedlogin01",
                             "peroper@hoge.com", "munyamunya"], cwd=node_clients, capture_output=True, text=True,
                            timeout=120)
    steps: dict[str, dict] = {}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            steps[entry["step"]] = entry
    assert "error" not in steps, steps.get("error")
    assert steps["signIn"]["next"] == "DONE"
    assert steps["refresh"]["newAccessToken"] is True
    assert "signOut" in steps
    refused = [d["component"] for d in server.runtime.decisions.recent()]
    assert refused == [], refused  # nothing was refused on the way (before GetTokensFromRefreshToken, this was)
