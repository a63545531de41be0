"""Branding set through the API changes what the hosted pages show: SetUICustomization's CSS and logo (per
client, or the pool's ALL), a managed login branding style's colours and logo, and the terms links of the
managed sign-up page; boto3 and the AWS CLI set them, httpx and headless Chromium look at the pages."""

from __future__ import annotations

import base64
import json
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.server import EmulatorServer
from tests.test_aws_cli_management import Cli

pytestmark = pytest.mark.e2e

CALLBACK = "http://localhost:3000/callback"
CHROMIUM = "/usr/bin/chromium"


def png(rgb: tuple[int, int, int], width: int = 160, height: int = 48) -> bytes:
    """A solid-colour PNG (the logo)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _client(idp: Any, pool_id: str, name: str) -> str:
    return idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=name, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"], CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]


@pytest.fixture(scope="module")
def pool(idp: Any) -> dict[str, str]:
    pool_id = idp.create_user_pool(PoolName="branded")["UserPool"]["Id"]
    return {"pool": pool_id, "classic": _client(idp, pool_id, "classic"), "plain": _client(idp, pool_id, "plain"),
            "managed": _client(idp, pool_id, "managed")}


def _page(server: EmulatorServer, path: str, client_id: str) -> str:
    answer = httpx.get(f"{server.url}{path}", params={"client_id": client_id, "response_type": "code",
                                                      "redirect_uri": CALLBACK, "scope": "openid"})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_classic_customization_of_a_client_and_of_all(server: EmulatorServer, idp: Any, pool: dict) -> None:
    logo = png((200, 30, 30))
    idp.set_ui_customization(UserPoolId=pool["pool"], ClientId=pool["classic"], ImageFile=logo,
                             CSS=".submitButton-customizable { background-color: #c0392b; position: fixed; }")
    page = _page(server, "/login", pool["classic"])
    assert ".card form button:not(.secondary) { background-color: #c0392b; }" in page
    assert "position: fixed" not in page  # not a property the template gives the submit button
    assert f'src="data:image/png;base64,{base64.b64encode(logo).decode()}"' in page
    # a client without its own customization gets the pool's ALL one, on every page
    assert 'id="brand-style"' not in _page(server, "/login", pool["plain"])
    idp.set_ui_customization(UserPoolId=pool["pool"], CSS=".background-customizable { background-color: #eaf2e3; }")
    for path in ("/login", "/signup", "/forgotPassword"):
        assert ".card { background-color: #eaf2e3; }" in _page(server, path, pool["plain"])
    # ...while a client with its own never falls back to ALL
    assert "#eaf2e3" not in _page(server, "/login", pool["classic"])


SETTINGS = {
    "categories": {"global": {"colorSchemeMode": "LIGHT"}},
    "components": {"primaryButton": {"lightMode": {"defaults": {"backgroundColor": "1e8449ff",
                                                                "textColor": "ffffffff"}}},
                   "pageBackground": {"lightMode": {"color": "fdf2e9ff"}}},
}


@pytest.fixture(scope="module")
def cli(server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    if shutil.which("aws") is None:
        pytest.skip("the AWS CLI is not installed")
    return Cli(server.url, tmp_path_factory.mktemp("aws-home"))


def test_managed_login_style_and_terms_set_with_the_cli(server: EmulatorServer, cli: Cli, idp: Any, pool: dict,
                                                        tmp_path: Path) -> None:
    (tmp_path / "style.json").write_text(json.dumps({"UserPoolId": pool["pool"], "ClientId": pool["managed"],
                                                     "Settings": SETTINGS}))
    style = cli.ok("create-managed-login-branding", "--cli-input-json", f"file://{tmp_path / 'style.json'}")
    page = _page(server, "/login", pool["managed"])
    assert "background: #1e8449ff" in page and "body { background: #fdf2e9ff; }" in page
    # the logo as an asset (boto3: AWS CLI v1 would Base64 a blob given in --cli-input-json once more)
    logo = png((30, 132, 73))
    idp.update_managed_login_branding(
        UserPoolId=pool["pool"], ManagedLoginBrandingId=style["ManagedLoginBranding"]["ManagedLoginBrandingId"],
        Settings=SETTINGS, Assets=[{"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": logo}])
    assert f"data:image/png;base64,{base64.b64encode(logo).decode()}" in _page(server, "/login", pool["managed"])
    # an update sends only what changes; the rest of the style stays ("preserves existing style settings")
    idp.update_managed_login_branding(
        UserPoolId=pool["pool"], ManagedLoginBrandingId=style["ManagedLoginBranding"]["ManagedLoginBrandingId"],
        Settings={"components": {"pageBackground": {"lightMode": {"color": "eef6ffff"}}}})
    page = _page(server, "/login", pool["managed"])
    assert "body { background: #eef6ffff; }" in page and "background: #1e8449ff" in page
    # terms show on sign-up only once both documents exist
    for name, url in (("terms-of-use", "https://example.com/terms"), ("privacy-policy", "https://example.com/p")):
        assert "termsLinks" not in _page(server, "/signup", pool["managed"])
        cli.ok("create-terms", "--user-pool-id", pool["pool"], "--client-id", pool["managed"], "--terms-name", name,
               "--terms-source", "LINK", "--enforcement", "NONE", "--links", f"cognito:default={url}")
    signup = _page(server, "/signup", pool["managed"])
    assert '<a href="https://example.com/terms" target="_blank"' in signup and "https://example.com/p" in signup
    assert "termsLinks" not in _page(server, "/login", pool["managed"])


def test_the_domain_generation_decides(server: EmulatorServer, idp: Any) -> None:
    """A domain on ManagedLoginVersion 1 serves the classic hosted UI: a branding style does not show there."""
    pool_id = idp.create_user_pool(PoolName="classic-domain")["UserPool"]["Id"]
    client_id = _client(idp, pool_id, "web")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="classic-domain-test", ManagedLoginVersion=1)
    idp.create_managed_login_branding(UserPoolId=pool_id, ClientId=client_id, Settings=SETTINGS)
    assert "#1e8449ff" not in _page(server, "/login", client_id)
    idp.update_user_pool_domain(UserPoolId=pool_id, Domain="classic-domain-test", ManagedLoginVersion=2)
    assert "#1e8449ff" in _page(server, "/login", client_id)


def test_use_cognito_provided_values_shows_the_default_look(server: EmulatorServer, idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="defaults")["UserPool"]["Id"]
    client_id = _client(idp, pool_id, "web")
    idp.create_managed_login_branding(UserPoolId=pool_id, ClientId=client_id, UseCognitoProvidedValues=True)
    assert 'id="brand-style"' not in _page(server, "/login", client_id)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.mark.browser
def test_chromium_shows_the_branding(server: EmulatorServer, idp: Any, pool: dict, browser: Any,
                                    tmp_path: Path) -> None:
    """The colour, the logo and the terms links as a person sees them (and a screenshot of each page)."""
    idp.set_ui_customization(UserPoolId=pool["pool"], ClientId=pool["classic"], ImageFile=png((200, 30, 30)),
                             CSS=".submitButton-customizable { background-color: #c0392b; }")
    for name, url in (("terms-of-use", "https://example.com/terms"), ("privacy-policy", "https://example.com/p")):
        if not any(t["TermsName"] == name for t in idp.list_terms(UserPoolId=pool["pool"])["Terms"]):
            idp.create_terms(UserPoolId=pool["pool"], ClientId=pool["managed"], TermsName=name, TermsSource="LINK",
                             Enforcement="NONE", Links={"cognito:default": url})
    if not _has_style(idp, pool):
        idp.create_managed_login_branding(UserPoolId=pool["pool"], ClientId=pool["managed"], Settings=SETTINGS)
    context = browser.new_context(color_scheme="light")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/login?client_id={pool['classic']}&response_type=code&redirect_uri={CALLBACK}")
        assert page.eval_on_selector("button[type=submit]", "b => getComputedStyle(b).backgroundColor") == \
            "rgb(192, 57, 43)"
        assert page.eval_on_selector("#brandLogo", "i => i.naturalWidth") == 160
        page.screenshot(path=str(tmp_path / "classic-login.png"), full_page=True)
        page.goto(f"{server.url}/signup?client_id={pool['managed']}&response_type=code&redirect_uri={CALLBACK}")
        assert page.eval_on_selector("button[type=submit]", "b => getComputedStyle(b).backgroundColor") == \
            "rgb(30, 132, 73)"
        terms = page.locator("#termsLinks a")
        assert terms.count() == 2 and terms.first.is_visible()
        assert terms.first.get_attribute("href") == "https://example.com/terms"
        page.screenshot(path=str(tmp_path / "managed-signup.png"), full_page=True)
        assert all((tmp_path / f).stat().st_size > 10_000 for f in ("classic-login.png", "managed-signup.png"))
    finally:
        context.close()


def _has_style(idp: Any, pool: dict) -> bool:
    try:
        idp.describe_managed_login_branding_by_client(UserPoolId=pool["pool"], ClientId=pool["managed"])
        return True
    except idp.exceptions.ResourceNotFoundException:
        return False
