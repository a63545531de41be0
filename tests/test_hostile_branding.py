"""The standing hostile suite for branding on the hosted pages: CSS injection in SetUICustomization's CSS (closing
the style element, expression(), url(javascript:), escapes, @import, comments, Unicode look-alikes), logos that
are huge, not images, or SVG with script, and a managed login style's odd Settings and Assets. What reaches a
page is never unsanitised: checked on the decisions (pure), through boto3, and in headless Chromium."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.oauth2 import branding
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e

CALLBACK = "http://localhost:3000/callback"
# What no sanitised CSS may carry: markup, fetches, script, escapes, at-rules, comments, quotes.
FORBIDDEN = re.compile(r"<|>|url\s*\(|expression|javascript|@|\\|/\*|[\"'`]|image-set|behavior|binding", re.I)
CLASS = ".submitButton-customizable"
ATTACKS = [
    f"{CLASS} {{ color: red; }} </style><script>alert(1)</script>",
    f"{CLASS} {{ color: </style><script>alert(1)</script>; }}",
    f"{CLASS} {{ background-color: expression(alert(1)); }}",
    f"{CLASS} {{ background-color: EXPRESSION (alert(1)); }}",
    f"{CLASS} {{ background-color: url(javascript:alert(1)); }}",
    f"{CLASS} {{ background-color: u\\72l(javascript:alert(1)); }}",
    f"{CLASS} {{ background-color: \\75rl(x); }}",
    f"{CLASS} {{ background-color: red/**/; color: u/**/rl(x); }}",
    f"@import url(https://evil.example/x.css); {CLASS} {{ color: red; }}",
    f"{CLASS} {{ color: red; @import 'x'; }}",
    f"{CLASS} {{ font-size: 10px; behavior: url(x.htc); -moz-binding: url(x.xml#y); }}",
    f"{CLASS} {{ color: red }} .x {{ }} {CLASS}{{color:blue;}}",
    f"{CLASS} {{ color: \uff55\uff52\uff4c(x); }}",  # full-width 'url(' is no CSS function: kept as a bad value
    f"{CLASS} {{ color: red\u2028; background-color: \u202eder; }}",
    f"{CLASS} {{ color: image-set(x 1x); }}",
    f"{CLASS} {{ color: \"red\"; }}",
    f"{CLASS}:hover {{ color: red; }} {CLASS} {{ width: 1px; }}",
    f"{CLASS} {{ color: red; }}" * 5000,
    "{" * 10000 + "}" * 10000,
    f"{CLASS} {{ color: " + "a" * 100_000 + "; }",
]


@pytest.mark.parametrize("css", ATTACKS)
def test_classic_css_keeps_no_injection(css: str) -> None:
    out = branding.classic_css(css)
    assert not FORBIDDEN.search(out), out[:300]
    page = branding.render("<head><!--brand-style--></head>", branding.Look(css=out))
    assert "<script" not in page and page.count("</style>") <= 1


FRAGMENTS = ["</style>", "<script>", "url(", "expression(", "javascript:", "\\", "@import", "/*", "*/", "'", '"',
             ";", "{", "}", ":", "color", "background-color", " ", "red", "\u0000", "\ufeff", "\n", "<!--", "-->",
             CLASS, ".logo-customizable", "!important"]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_any_mix_of_css_fragments_is_sanitised(css: str) -> None:
    out = branding.classic_css(css)
    assert not FORBIDDEN.search(out) and "<!--" not in out, out


@pytest.mark.parametrize("asset", [
    {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "SVG", "Bytes": 'PHN2Zz4=" onerror="alert(1)'},
    {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "SVG", "Bytes": "PHN2Zz4=\n"},
    {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "HTML", "Bytes": "PHN2Zz4="},
    {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "SVG", "Bytes": ["PHN2Zz4="]},
    {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "SVG;charset=x", "Bytes": "PHN2Zz4="},
])
def test_a_logo_never_breaks_out_of_its_attribute(asset: dict) -> None:
    logo = branding.managed_logo({}, [asset])
    page = branding.render("<body><!--brand-logo--></body>", branding.Look(logo=logo))
    assert "onerror" not in page and page.count('"') % 2 == 0 and "\n" not in page
    if logo:
        assert logo[0] in branding.LOGO_TYPES.values()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://x.example/\n", 'https://x.example/"onmouseover="x',
                                 "data:text/html,<script>", "https://x.example/<script>"])
def test_terms_links_take_only_plain_web_urls(url: str) -> None:
    links = branding.terms_links({"terms-of-use": {"cognito:default": url},
                                  "privacy-policy": {"cognito:default": "https://x.example/p"}})
    page = branding.render("<p><!--brand-terms--></p>", branding.Look(terms=links))
    assert "<script" not in page and "javascript:" not in page and "onmouseover=\"" not in page


# -- through the API and on the page -------------------------------------------------------------------

SVG_WITH_SCRIPT = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="top.__pwned=1" width="10" height="10">'
                   b'<script>top.__pwned=2</script><rect width="10" height="10"/></svg>')


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator({"Region": "us-east-1", "UserPools": []}) as server:
        yield server


@pytest.fixture(scope="module")
def branded(emu: EmulatorServer) -> dict[str, str]:
    idp = cognito_client(emu.url)
    pool_id = idp.create_user_pool(PoolName="hostile-branding")["UserPool"]["Id"]

    def client(name: str) -> str:
        return idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=name, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid"], CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"],
        )["UserPoolClient"]["ClientId"]

    ids = {"pool": pool_id, "classic": client("classic"), "managed": client("managed")}
    idp.set_ui_customization(UserPoolId=pool_id, ClientId=ids["classic"],
                             CSS=f"{CLASS} {{ background-color: red; color: expression(alert(1)); }}")
    idp.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=ids["managed"],
        Settings={"components": {"form": {"logo": {"enabled": True}, "lightMode": {
            "backgroundColor": "ffffffff</style><script>top.__pwned=3</script>"}}}},
        Assets=[{"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "SVG", "Bytes": SVG_WITH_SCRIPT}])
    return ids


@pytest.mark.parametrize(("image", "why"), [
    (b"<svg onload=alert(1)></svg>", "PNG or JPEG"),
    (b"GIF89a" + b"\x00" * 100, "PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * (100 * 1024), "at most"),
    (b"", ""),
])
def test_set_ui_customization_refuses_what_is_no_logo(image: bytes, why: str, emu: EmulatorServer,
                                                      branded: dict) -> None:
    idp = cognito_client(emu.url)

    def call() -> object:
        return idp.set_ui_customization(UserPoolId=branded["pool"], ImageFile=image)  # the pool's ALL

    if not image:
        call()  # an empty file is no logo, as it is no change
        return
    code, _, reason = refused(call)
    assert code == "InvalidParameterException" and why in reason


@pytest.mark.parametrize("css", ["</style><script>alert(1)</script>", "@import url(x);", "body { color: red; }",
                                 f"{CLASS} {{ color: red; }} <script>", "a" * 200_000])
def test_set_ui_customization_refuses_css_that_is_not_its_classes(css: str, emu: EmulatorServer,
                                                                  branded: dict) -> None:
    idp = cognito_client(emu.url)
    code, _, reason = refused(lambda: idp.set_ui_customization(UserPoolId=branded["pool"], CSS=css))
    assert code == "InvalidParameterException" and reason


def _page(emu: EmulatorServer, client_id: str) -> httpx.Response:
    return httpx.get(f"{emu.url}/login", params={"client_id": client_id, "response_type": "code",
                                                 "redirect_uri": CALLBACK, "scope": "openid"})


def test_the_pages_carry_only_sanitised_branding(emu: EmulatorServer, branded: dict) -> None:
    classic = _page(emu, branded["classic"])
    assert classic.status_code == 200 and "background-color: red" in classic.text
    assert "expression" not in classic.text
    managed = _page(emu, branded["managed"]).text
    assert "__pwned" not in managed and "<script>top" not in managed
    logo = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', managed)
    assert logo and base64.b64decode(logo.group(1)) == SVG_WITH_SCRIPT  # only ever an <img>: no script runs


@pytest.mark.browser
def test_chromium_runs_no_branding_script(emu: EmulatorServer, branded: dict) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page()
            dialogs: list[Any] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for client in ("classic", "managed"):
                page.goto(f"{emu.url}/login?client_id={branded[client]}&response_type=code&redirect_uri={CALLBACK}")
                page.wait_for_load_state("load")
                assert page.evaluate("window.__pwned") is None and not dialogs, client
            assert page.eval_on_selector("#brandLogo", "i => i.complete && i.naturalWidth") == 10  # it did load
        finally:
            browser.close()


def test_a_trailing_newline_passes_no_check() -> None:
    # `$` matches before a final newline: each check anchors with \Z, so nothing unchecked reaches the page.
    settings = {"components": {"form": {"lightMode": {"backgroundColor": "ffffffff\n"}}}}
    assert branding.managed_css(settings) == ""
    assert branding.terms_links({"terms-of-use": {"cognito:default": "https://x.example/t\n"},
                                 "privacy-policy": {"cognito:default": "https://x.example/p"}}) is None
    assert branding.managed_logo({}, [{"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG",
                                       "Bytes": "iVBORw0KGgo=\n"}]) is None
