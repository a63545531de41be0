"""The README's Python examples run as written (against an emulator on free ports)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from emulator.testing import running_emulator
from tests.conftest import ROOT, bundled_config

pytestmark = pytest.mark.e2e

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def block(containing: str) -> str:
    return next(b for b in BLOCKS if containing in b)


def test_hosted_sign_in_example_returns_a_code() -> None:
    with running_emulator(bundled_config()) as emu:
        namespace: dict[str, Any] = {"emu": emu}
        exec(block("hosted_sign_in("), namespace)  # noqa: S102 - the README's own text
    assert len(namespace["code"]) > 10


def test_running_emulator_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    # The example serves ./config.yaml; here a copy whose gateway ports the system picks.
    import yaml

    config = bundled_config(with_apis=True)
    for api in config["Apis"]:
        api["Port"] = 0
        for route in api["Routes"]:
            route["Target"] = "http://127.0.0.1:9/"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    exec(block("running_emulator(\"config.yaml\") as emu"), namespace)  # noqa: S102
    assert namespace["idp"].meta.endpoint_url.startswith("http://127.0.0.1:")
