"""A serverless.yml whose functions are Node.js handlers beside it imports to `node:` targets (routes and a
request authorizer), which the gateway then runs through the same invoker as the triggers."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import httpx
import pytest
import yaml

from emulator.cli import main
from emulator.config import parse_config
from emulator.testing import free_port, running_emulator

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")]

SERVICE = """\
service: nodes
provider:
  name: aws
  runtime: nodejs20.x
  httpApi:
    authorizers:
      gate: {type: request, functionName: gate, enableSimpleResponses: true,
             identitySource: [$request.header.Authorization]}
functions:
  hello:
    handler: src/hello.handler
    events: [{httpApi: {method: get, path: /hello, authorizer: gate}}]
  gate:
    handler: gate.handler
  missing:
    handler: nowhere.handler
    events: [{httpApi: 'GET /missing'}]
"""


def _service(folder: Path) -> Path:
    (folder / "src").mkdir()
    (folder / "src" / "hello.mjs").write_text(textwrap.dedent("""\
        export const handler = async (event) => ({ statusCode: 200, body: `hello from node ${event.rawPath}` });
    """))
    (folder / "gate.js").write_text(textwrap.dedent("""\
        exports.handler = async (event) => ({ isAuthorized: event.headers.authorization === 'open' });
    """))
    path = folder / "serverless.yml"
    path.write_text(SERVICE)
    return path


def test_node_handlers_import_to_node_targets_and_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(_service(tmp_path))]) == 0
    out, err = capsys.readouterr()
    apis = yaml.safe_load(out)["Apis"]
    routes = {r["RouteKey"]: r["Target"] for r in apis[0]["Routes"]}
    assert routes["GET /hello"] == "node:src/hello.mjs:handler"
    assert routes["GET /missing"] == "http://127.0.0.1:3000"
    assert "has no .js/.mjs/.cjs file beside serverless.yml" in err
    assert apis[0]["Authorizers"][0]["AuthorizerUri"] == "node:gate.js:handler"
    apis[0]["Port"] = free_port()
    config = parse_config({"Apis": apis}, base_dir=tmp_path)
    with running_emulator(config) as server:
        url = next(listener.url for listener in server.listeners if listener.name.startswith("api "))
        allowed = httpx.get(f"{url}/hello", headers={"Authorization": "open"})
        denied = httpx.get(f"{url}/hello", headers={"Authorization": "closed"})
    assert (allowed.status_code, allowed.text) == (200, "hello from node /hello")
    assert denied.status_code == 403
