"""What the way to the first token imports: botocore's HTTP stack, httpx and fido2 are loaded by the first request
that needs them (a signed call, a Lambda or proxy target, a passkey), not by every start (bench/startup.py
measures the start); botocore's models read directly are the ones its Loader returns."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def test_libyaml_reads_the_shipped_configs_as_pyyaml_does() -> None:
    import yaml

    from emulator.config_yaml import read_yaml

    texts = [p.read_text() for p in (ROOT / "config.yaml", *sorted((ROOT / "tests").rglob("*.yaml")),
                                      *sorted((ROOT / "tests").rglob("*.yml")))]
    texts += ["a: 1\nb: [x, 'y', 2024-01-01, 0o17, .inf, ~]\n", "key: |\n  two\n  lines\n", ""]
    assert len(texts) > 3

    def outcome(read: Callable[[str], Any], text: str) -> Any:
        try:
            return read(text)
        except yaml.YAMLError as exc:  # CloudFormation's !Ref and such: the same refusal, word for word
            return str(exc)

    for text in texts:
        assert outcome(read_yaml, text) == outcome(yaml.safe_load, text)


def test_a_document_libyaml_refuses_gets_pyyamls_error() -> None:
    import yaml

    from emulator.config_yaml import read_yaml

    with pytest.raises(yaml.YAMLError) as ours:
        read_yaml("a: [1, 2\nb: 3\n")
    with pytest.raises(yaml.YAMLError) as theirs:
        yaml.safe_load("a: [1, 2\nb: 3\n")
    assert str(ours.value) == str(theirs.value)


def test_a_preloaded_model_is_the_one_requests_validate_against() -> None:
    from emulator.botocore_models import preload, service_model
    from emulator.cognito import protocol

    preload("cognito-idp").join()
    assert protocol.service_model() is service_model("cognito-idp")
    assert protocol.validated("InitiateAuth", {"ClientId": "abc", "AuthFlow": "USER_PASSWORD_AUTH"})
