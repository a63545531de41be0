"""/_emulator/ (codes, reset, decisions) is never driven by another web page or, by default, another host:
no CORS grant, cross-origin and cross-site browser requests refused, state changes only as JSON, and a
non-loopback bind keeps it local unless --expose-emulator-endpoints. The API on / keeps its CORS."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from emulator.cli import bind_warning
from emulator.cognito.emulator_access import AccessPolicy, is_local_host, is_loopback_address, refusal
from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.app_callback import serving_app
from tests.conftest import bundled_config, cognito_client

LOCAL = {"host": "127.0.0.1:9229"}
CLOSED, OPEN = AccessPolicy(expose=False), AccessPolicy(expose=True)


@pytest.mark.parametrize(("method", "headers", "peer", "policy", "refused"), [
    ("GET", LOCAL, "127.0.0.1", CLOSED, False),  # curl, httpx, a test on this machine
    ("GET", {"host": "localhost:9229"}, "::1", CLOSED, False),
    ("GET", {"host": "[::1]:9229"}, "::ffff:127.0.0.1", CLOSED, False),
    ("GET", {"host": "app.localhost:9229"}, "127.0.0.1", CLOSED, False),
    ("GET", LOCAL, "192.0.2.7", CLOSED, True),  # another host, not opted in
    ("GET", LOCAL, None, CLOSED, True),
    ("GET", {"host": "192.0.2.2:9229"}, "192.0.2.7", OPEN, False),  # --expose-emulator-endpoints
    ("GET", {"host": "evil.example:9229"}, "127.0.0.1", CLOSED, True),  # DNS rebinding
    ("GET", {"host": "evil.example:9229"}, "192.0.2.7", OPEN, False),
    ("GET", {**LOCAL, "origin": "http://127.0.0.1:9229"}, "127.0.0.1", CLOSED, False),  # its own page
    ("GET", {**LOCAL, "origin": "http://127.0.0.1:3000"}, "127.0.0.1", CLOSED, True),  # another port, same site
    ("GET", {**LOCAL, "origin": "null"}, "127.0.0.1", CLOSED, True),  # a sandboxed frame or file:
    ("GET", {**LOCAL, "origin": "http://evil.example"}, "192.0.2.7", OPEN, True),
    ("GET", {**LOCAL, "sec-fetch-site": "same-origin"}, "127.0.0.1", CLOSED, False),
    ("GET", {**LOCAL, "sec-fetch-site": "none"}, "127.0.0.1", CLOSED, False),  # typed into the address bar
    ("GET", {**LOCAL, "sec-fetch-site": "same-site"}, "127.0.0.1", CLOSED, True),
    ("GET", {**LOCAL, "sec-fetch-site": "cross-site"}, "127.0.0.1", CLOSED, True),
    ("POST", {**LOCAL, "content-type": "application/json"}, "127.0.0.1", CLOSED, False),
    ("POST", {**LOCAL, "content-type": "application/json; charset=utf-8"}, "127.0.0.1", CLOSED, False),
    ("POST", LOCAL, "127.0.0.1", CLOSED, True),  # no content type: a simple request
    ("POST", {**LOCAL, "content-type": "text/plain"}, "127.0.0.1", CLOSED, True),
    ("POST", {**LOCAL, "content-type": "application/x-www-form-urlencoded"}, "127.0.0.1", CLOSED, True),
    ("POST", {**LOCAL, "content-type": "multipart/form-data; boundary=x"}, "127.0.0.1", CLOSED, True),
    ("DELETE", {**LOCAL, "content-type": "application/json"}, "127.0.0.1", CLOSED, False),
])
def test_refusal_table(method: str, headers: dict[str, str], peer: str | None, policy: AccessPolicy,
                       refused: bool) -> None:
    why = refusal(method, headers, peer, policy)
    assert (why is not None) == refused
    if why is not None:
        assert len(why) > 40  # a reason in plain words


@pytest.mark.parametrize(("host", "local"), [("localhost", True), ("LOCALHOST:1", True), ("a.localhost.", True),
                                             ("127.1.2.3:80", True), ("[::1]", True), ("::1", False),
                                             ("localhost.evil.example", False), ("10.0.0.1", False), ("", False)])
def test_local_host_names(host: str, local: bool) -> None:
    assert is_local_host(host) is local


def test_loopback_addresses() -> None:
    assert is_loopback_address("127.0.0.1") and is_loopback_address("::1") and is_loopback_address("::ffff:127.0.0.2")
    assert not is_loopback_address("192.0.2.1") and not is_loopback_address("localhost")


@pytest.mark.parametrize(("host", "expose", "warns"), [("127.0.0.1", False, False), ("localhost", False, False),
                                                       ("::1", False, False), ("0.0.0.0", False, True),
                                                       ("::", True, True), ("192.0.2.2", False, True)])
def test_bind_warning(host: str, expose: bool, warns: bool) -> None:
    warning = bind_warning(host, expose)
    assert (warning is not None) is warns
    if warning:
        assert "other machines" in warning and ("--expose-emulator-endpoints" in warning)


# -- over HTTP ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(bundled_config()) as emu:
        yield emu


def test_emulator_endpoints_carry_no_cors_and_refuse_other_origins(server: EmulatorServer) -> None:
    for path in ("/_emulator/codes", "/_emulator/decisions", "/_emulator/health"):
        mine = httpx.get(server.url + path)
        assert mine.status_code == 200 and "access-control-allow-origin" not in mine.headers
        other = httpx.get(server.url + path, headers={"Origin": "http://evil.example"})
        assert other.status_code == 403 and "access-control-allow-origin" not in other.headers
        assert "another origin" in other.headers["x-emulator-reason"]
        assert other.json() == {"message": other.headers["x-emulator-reason"]}
    preflight = httpx.options(server.url + "/_emulator/reset", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers


def test_the_api_keeps_cors_for_browsers(server: EmulatorServer) -> None:
    preflight = httpx.options(server.url + "/", headers={"Origin": "http://localhost:3000",
                                                         "Access-Control-Request-Method": "POST",
                                                         "Access-Control-Request-Headers": "x-amz-target"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"


def test_reset_needs_json(server: EmulatorServer) -> None:
    for kwargs in ({}, {"data": {"a": "b"}}, {"content": b"{}", "headers": {"Content-Type": "text/plain"}}):
        response = httpx.post(server.url + "/_emulator/reset", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 403 and "application/json" in response.headers["x-emulator-reason"]
    assert httpx.post(server.url + "/_emulator/reset", json={}).json()["status"] == "reset"


def test_a_real_browser_on_another_origin_can_neither_read_codes_nor_reset(server: EmulatorServer) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    idp = cognito_client(server.url)
    idp.admin_create_user(UserPoolId="us-east-1_Example01", Username="survivor")  # reset would remove it
    with serving_app(free_port()) as app_url, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page()
            page.goto(app_url)
            read = page.evaluate("""url => fetch(url + '/_emulator/codes').then(r => r.text(), e => 'blocked')""",
                                 server.url)
            assert read == "blocked"
            api = page.evaluate("""url => fetch(url + '/', {method: 'POST', body: '{}', headers: {
                'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
                'Content-Type': 'application/x-amz-json-1.1'}}).then(r => r.json(), e => 'blocked')""", server.url)
            assert api["__type"] == "InvalidParameterException"  # the API itself stays open to browsers
            page.evaluate("""url => fetch(url + '/_emulator/reset', {method: 'POST', mode: 'no-cors',
                body: '{}', headers: {'Content-Type': 'text/plain'}}).then(() => 0, () => 0)""", server.url)
            page.set_content(f"""<form method=post action="{server.url}/_emulator/reset" enctype="text/plain">
                <input name='{{"a":"' value='"}}'></form>""")
            with page.expect_navigation():
                page.evaluate("document.forms[0].submit()")
        finally:
            browser.close()
    assert idp.admin_get_user(UserPoolId="us-east-1_Example01", Username="survivor")["Username"] == "survivor"
    refusals = [d for d in httpx.get(server.url + "/_emulator/decisions").json()["decisions"]
                if d["component"] == "cognito port /_emulator/"]
    assert len(refusals) >= 3


# -- a process bound to every interface -------------------------------------------------------------------
def _outside_address() -> str | None:
    """An address of this machine that is not loopback (requests to it arrive from it, not from 127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.255", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if is_loopback_address(address) else address


@pytest.mark.parametrize("expose", [False, True])
def test_a_wildcard_bind_warns_shows_its_address_and_keeps_emulator_endpoints_local(tmp_path: Path,
                                                                                   expose: bool) -> None:
    config = bundled_config()
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    port = free_port()
    command = [sys.executable, "-m", "emulator", "--config", str(tmp_path / "config.yaml"), "--host", "0.0.0.0",
               "--port", str(port), "--in-memory", "--log-level", "warning"]
    process = subprocess.Popen(command + (["--expose-emulator-endpoints"] if expose else []),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = process.stdout.readline()
        assert f"cognito-idp http://0.0.0.0:{port}" in ready and "127.0.0.1" not in ready
        assert httpx.get(f"http://127.0.0.1:{port}/_emulator/health").status_code == 200
        outside = _outside_address()
        if outside is not None:
            response = httpx.get(f"http://{outside}:{port}/_emulator/health")
            assert response.status_code == (200 if expose else 403)
            if not expose:
                assert "--expose-emulator-endpoints" in response.headers["x-emulator-reason"]
            # The API itself answers other hosts either way: that is what --host 0.0.0.0 asks for.
            assert httpx.get(f"http://{outside}:{port}/{config['UserPools'][0]['Id']}/.well-known/jwks.json"
                             ).status_code == 200
    finally:
        process.terminate()
        process.wait(10)
    stderr = process.stderr.read()
    assert "warning: listening on every interface" in stderr
