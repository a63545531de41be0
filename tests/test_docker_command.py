"""No Docker engine runs here, so the image's own command line and health check run as plain
processes, with the image's paths (/config, /data) mapped to temporary folders."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from emulator.testing import free_port
from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.cli]

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def dockerfile_instruction(name: str) -> str:
    """The (continued) text of the last instruction `name`."""
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.startswith(name + " ")][-1][len(name) + 1:].strip()


def test_dockerfile_runs_as_non_root_on_a_slim_python_base() -> None:
    assert re.search(r"^FROM python:3\.1[1-9]-slim", DOCKERFILE, re.M)
    assert dockerfile_instruction("USER") != "root"
    assert "--host" in dockerfile_instruction("CMD") and "0.0.0.0" in dockerfile_instruction("CMD")


def test_compose_mounts_config_publishes_ports_and_keeps_state_in_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["cognito-emulator"]
    assert "127.0.0.1:9229:9229" in service["ports"]
    config_ports = {api["Port"] for api in yaml.safe_load((ROOT / "config.yaml").read_text())["Apis"]}
    assert {f"127.0.0.1:{p}:{p}" for p in config_ports} <= set(service["ports"])
    assert any(v.startswith("./config.yaml:/config/config.yaml") for v in service["volumes"])
    assert any(v.endswith(":/data") and not v.startswith(".") for v in service["volumes"])
    assert "cognito-state" in compose["volumes"]


def test_the_images_command_serves_and_passes_its_health_check(tmp_path: Path) -> None:
    config_dir, data_dir = tmp_path / "config", tmp_path / "data"
    config_dir.mkdir()
    shutil.copytree(ROOT / "examples", config_dir / "examples")
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    for api in config["Apis"]:
        api["Port"] = free_port()
    (config_dir / "config.yaml").write_text(yaml.safe_dump(config))
    port = free_port()
    mapped = {"/config": config_dir, "/data": data_dir}
    command = [next((str(d) + arg[len(p):] for p, d in mapped.items() if arg.startswith(p)), arg)
               for arg in json.loads(dockerfile_instruction("CMD"))]
    command[command.index("--port") + 1] = str(port)
    process = subprocess.Popen(command, cwd=config_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert "cognito-emulator ready" in line, process.stderr.read()
        health = dockerfile_instruction("HEALTHCHECK").split(" CMD ", 1)[1]
        check = re.sub(r"127\.0\.0\.1:9229", f"127.0.0.1:{port}", health)
        args = json.loads(check) if check.startswith("[") else ["sh", "-c", check]
        args = [sys.executable if a == "python" else a for a in args]
        assert subprocess.run(args, timeout=30).returncode == 0
        assert (data_dir / "state.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(10)
