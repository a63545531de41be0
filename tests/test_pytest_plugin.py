"""The pytest plugin, as another project uses it: loaded by the entry point (no -p), config found from the
rootdir or the ini option, each xdist worker with its own emulator on free ports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emulator.config import load_config
from emulator.pytest_plugin import with_free_ports

pytestmark = pytest.mark.cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "pytest_project"


def run_pytest(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=where,
                          capture_output=True, text=True, timeout=240)


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_the_example_project_passes(workers: tuple[str, ...]) -> None:
    done = run_pytest(EXAMPLE, *workers)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def test_config_yaml_in_the_rootdir_and_the_option(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text((ROOT / "config.yaml").read_text().replace(
        "python:examples.backend:", "http://127.0.0.1:9/"))
    (tmp_path / "test_it.py").write_text(
        "def test_pools(cognito_idp, cognito_api_urls):\n"
        "    assert [p['Id'] for p in cognito_idp.list_user_pools(MaxResults=10)['UserPools']] == "
        "['us-east-1_Example01']\n"
        "    assert sorted(cognito_api_urls) == ['mogemoge', 'test-api']\n"
        "    assert ':8080' not in cognito_api_urls['mogemoge']\n")
    assert run_pytest(tmp_path).returncode == 0
    missing = run_pytest(tmp_path, "--cognito-emulator-config", "nowhere.yaml")
    assert missing.returncode != 0 and "nowhere.yaml: invalid config" in missing.stdout + missing.stderr


def test_every_gateway_port_is_freed() -> None:
    config = with_free_ports(load_config(ROOT / "config.yaml"))
    assert {api.port for api in config.apis} == {0}
