"""What the way to the first token imports: botocore's HTTP stack, httpx and fido2 are loaded by the first request
that needs them (a signed call, a Lambda or proxy target, a passkey), not by every start (bench/startup.py
measures the start); botocore's models read directly are the ones its Loader returns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.loaders import Loader

from emulator.botocore_models import load_service_model

ROOT = Path(__file__).resolve().parent.parent
SERVE_PATH = ("emulator.cli", "emulator.runtime", "emulator.server", "emulator.workers", "emulator.config_cross_refs",
              "emulator.request_log", "emulator.gateway.app", "emulator.gateway.authorizers", "emulator.cognito.port")
LATER = ("botocore", "urllib3", "httpx", "fido2", "fastapi", "pydantic")


def test_the_serve_path_leaves_botocore_httpx_and_fido2_to_the_requests_that_need_them() -> None:
    probe = (f"import sys\nfor m in {SERVE_PATH!r}: __import__(m)\n"
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({LATER!r})))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=ROOT).stdout.strip()
    assert loaded == "[]", f"imported on the way to the first token: {loaded}"


@pytest.mark.parametrize("service", ["cognito-idp", "cognito-identity", "kms"])
def test_models_read_directly_are_botocores_own(service: str) -> None:
    assert json.dumps(load_service_model(service), sort_keys=True) == json.dumps(
        Loader().load_service_model(service, "service-2"), sort_keys=True)
