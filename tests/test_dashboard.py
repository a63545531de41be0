"""The dashboard in headless Chromium: story 1's audience mismatch appears live with its reason and the
highlighted `aud`; the token box explains a token against a route; readable on a phone in dark mode."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.companion.dashboard_page import masked, sample_route
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import cognito_client
from tests.test_companion_cli import story_config
from tests.test_control_api import secret_hash

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(story_config(["managedlogin01"])) as emulator:  # story 1's broken state
        yield emulator


@pytest.fixture(scope="module")
def id_token(server: EmulatorServer) -> str:
    return cognito_client(server.url).initiate_auth(
        ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
                        "SECRET_HASH": secret_hash("peroper@hoge.com")})["AuthenticationResult"]["IdToken"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


def test_a_401_appears_live_with_the_reason_and_the_highlighted_aud(server: EmulatorServer, id_token: str,
                                                                    browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(server.url + "/_emulator/")
    assert "us-east-1_Example01" in page.inner_text("section[aria-labelledby=pools]")
    assert "GET /mogemoge" in page.inner_text("section[aria-labelledby=apis]")
    page.wait_for_selector("#decisions-status:has-text('No refusals yet.')")
    # The 401 happens after the page loaded: it must appear without a reload.
    denied = httpx.get(server.api_url("mogemoge") + "/mogemoge", headers={"Authorization": id_token})
    assert denied.status_code == 401
    item = page.wait_for_selector("li.decision:has-text('GET /mogemoge')", timeout=10000)
    text = item.inner_text()
    assert "401" in text and "Unauthorized" in text
    assert "token aud 'piyopiyo' is not in authorizer 'cognitoAuthorizer' audience [managedlogin01]" in text
    assert denied.headers["apigw-requestid"] in text
    assert "client piyopiyo · user peroper@hoge.com" in text
    highlighted = item.query_selector("tr.mismatch")
    assert highlighted is not None and highlighted.get_attribute("data-claim") == "aud"
    assert 'piyopiyo' in highlighted.inner_text() and 'expected ["managedlogin01"]' in highlighted.inner_text()
    page.screenshot(path=str(tmp_path / "dashboard-decision.png"), full_page=False)
    print(f"screenshot: {tmp_path / 'dashboard-decision.png'}")  # shown with -rP
    assert errors == []


def test_the_token_box_explains_a_token_against_a_route(server: EmulatorServer, id_token: str, browser: Any,
                                                        tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, color_scheme="dark")  # a phone, dark mode
    page.goto(server.url + "/_emulator/#token")
    page.get_by_label("Token (ID or access token").fill("Bearer " + id_token)
    page.get_by_label("Route").select_option("mogemoge|GET /mogemoge")
    page.get_by_role("button", name="Decode and check").click()
    result = page.wait_for_selector("#token-result .verdict-deny")
    assert result.inner_text().startswith("DENY 401: GET /mogemoge (cognitoAuthorizer)")
    box = page.inner_text("#token-result")
    assert "Pool: us-east-1_Example01" in box and "signature: valid" in box and "valid now: yes" in box
    assert page.query_selector("#token-result tr.mismatch[data-claim=aud]") is not None
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 20, 23)"  # the dark palette
    page.screenshot(path=str(tmp_path / "dashboard-token-phone-dark.png"), full_page=True)
    print(f"screenshot: {tmp_path / 'dashboard-token-phone-dark.png'}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling of the page on a phone


def test_pieces() -> None:
    assert sample_route("ANY /pets/{id}/{proxy+}") == "GET /pets/x/x"
    assert sample_route("$default") == "GET /"
    assert masked("amoamo") == "am… (6 characters)" and masked(None) == "none"


def test_the_page_is_guarded_and_escapes(server: EmulatorServer) -> None:
    assert httpx.get(server.url + "/_emulator/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    page = httpx.get(server.url + "/_emulator/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "amoamo" not in page.text  # secrets are masked
