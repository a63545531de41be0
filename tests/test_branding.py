"""The branding decisions as tables: which classic CSS reaches a page (and what never does), the managed
login style's colours, the logo, the terms links, which generation of pages a client gets."""

from __future__ import annotations

import pytest

from emulator.cognito.managed_login_branding import merged_assets, merged_settings
from emulator.oauth2.branding import (
    HEAD_SLOT,
    LOGO_SLOT,
    TERMS_SLOT,
    Look,
    classic_css,
    hosted_ui_generation,
    managed_css,
    managed_logo,
    render,
    terms_links,
)


@pytest.mark.parametrize(("css", "kept", "gone"), [
    (".submitButton-customizable { background-color: #c0392b; }",
     [".card form button:not(.secondary) { background-color: #c0392b; }"], []),
    # a property the template does not give the class is dropped (AWS: "will not be reflected in your UI")
    (".submitButton-customizable { background-color: red; position: fixed; }", ["background-color: red"],
     ["position"]),
    (".label-customizable { font-weight: 400; color: red }", ["font-weight: 400"], ["color"]),
    (".submitButton-customizable:hover { color: #fff; }", [".card form button:not(.secondary):hover"], []),
    (".inputField-customizable:focus { border-color: #66afe9; outline: 0; }", ["border-color: #66afe9; outline: 0"],
     []),
    # only the template's classes, never an element or another selector
    ("body { background-color: red; } .card { color: red; }", [], ["red"]),
    (".logo-customizable, body { max-width: 60%; }", [".banner-logo img { max-width: 60%; }"], ["body {"]),
    # nothing that leaves the stylesheet, fetches, or runs
    (".background-customizable { background-color: red</style><script>alert(1)</script>; }", [], ["script", "red"]),
    (".errorMessage-customizable { background: url(https://evil.example/x.png); }", [], ["url"]),
    (".errorMessage-customizable { background: expression(alert(1)); }", [], ["expression"]),
    # an at-rule before a rule takes that rule with it (SetUICustomization refuses such CSS anyway)
    ("@import url(https://evil.example/a.css); .banner-customizable { padding: 1px; }", [], ["@import", "evil"]),
    ("@media print { .banner-customizable { padding: 1px; } }", [], ["@media"]),
    (".banner-customizable { background-color: \\3c; }", [], ["\\"]),
    (".banner-customizable { /* a note */ padding: 2px 0 2px 0; }", ["padding: 2px 0 2px 0"], ["note"]),
    ("", [], ["{"]),
])
def test_classic_css(css: str, kept: list[str], gone: list[str]) -> None:
    out = classic_css(css)
    assert all(k in out for k in kept), out
    assert not any(g in out for g in gone), out
    assert "<" not in out


def test_the_aws_cli_example_css_is_taken_whole() -> None:
    """Every class of AWS's CSS template (the AWS CLI's set-ui-customization example) reaches the page."""
    css = (".logo-customizable { max-width: 60%; } .idpDescription-customizable { font-size: 16px; }"
           ".socialButton-customizable { border-radius: 2px; } .redirect-customizable { text-align: center; }"
           ".passwordCheck-notValid-customizable { color: #DF3312; } .passwordCheck-valid-customizable "
           "{ color: #19BF00; } .background-customizable { background-color: #fff; }")
    assert classic_css(css).count("{") == 7


SETTINGS = {
    "categories": {"global": {"colorSchemeMode": "LIGHT"}},
    "components": {
        "pageBackground": {"lightMode": {"color": "FFEEDDff"}, "darkMode": {"color": "000000ff"}},
        "primaryButton": {"lightMode": {"defaults": {"backgroundColor": "c0392bff", "textColor": "ffffffff"}},
                          "darkMode": {"defaults": {"backgroundColor": "112233ff"}}},
        "form": {"borderRadius": 4.0, "logo": {"enabled": True}},
    },
    "componentClasses": {"link": {"lightMode": {"defaults": {"textColor": "not-a-colour"}}}},
}


@pytest.mark.parametrize(("scheme", "present", "absent"), [
    ("LIGHT", ["body { background: #ffeeddff; }", "background: #c0392bff", ".card { border-radius: 4px; }"],
     ["#112233ff", "not-a-colour", "@media"]),
    ("DARK", ["background: #112233ff", "body { background: #000000ff; }"], ["#c0392bff"]),
    ("DYNAMIC", ["background: #c0392bff", "@media (prefers-color-scheme: dark)", "#112233ff"], []),
    ("nonsense", ["#c0392bff"], ["#112233ff"]),
])
def test_managed_css(scheme: str, present: list[str], absent: list[str]) -> None:
    settings = {**SETTINGS, "categories": {"global": {"colorSchemeMode": scheme}}}
    out = managed_css(settings)
    assert all(p in out for p in present), out
    assert not any(a in out for a in absent), out


@pytest.mark.parametrize("settings", [{}, {"components": "x"}, {"components": {"form": {"borderRadius": True}}},
                                      {"components": {"form": {"borderRadius": "8px; } body { x"}}}])
def test_managed_css_of_odd_settings_is_empty(settings: dict) -> None:
    assert managed_css(settings) == ""


LOGO = {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": "iVBORw0KGgo="}


@pytest.mark.parametrize(("settings", "assets", "expected"), [
    ({}, [LOGO], ("image/png", "iVBORw0KGgo=")),
    ({"components": {"form": {"logo": {"enabled": False}}}}, [LOGO], None),
    ({}, [{**LOGO, "Category": "PAGE_BACKGROUND"}], None),
    ({}, [{**LOGO, "Extension": "EXE"}], None),
    ({}, [{**LOGO, "Bytes": "\"><script>"}], None),
    ({"categories": {"global": {"colorSchemeMode": "DARK"}}}, [LOGO], None),
    ({"categories": {"global": {"colorSchemeMode": "DARK"}}}, [LOGO, {**LOGO, "ColorMode": "DARK", "Bytes": "QQ=="}],
     ("image/png", "QQ==")),
    ({}, [{**LOGO, "ColorMode": "DYNAMIC", "Extension": "SVG"}], ("image/svg+xml", "iVBORw0KGgo=")),
])
def test_managed_logo(settings: dict, assets: list, expected: tuple | None) -> None:
    assert managed_logo(settings, assets) == expected


TERMS = "https://example.com/terms"
PRIVACY = "https://example.com/privacy"


@pytest.mark.parametrize(("documents", "expected"), [
    ({"terms-of-use": {"cognito:default": TERMS}, "privacy-policy": {"cognito:default": PRIVACY}},
     [("Terms of use", TERMS), ("Privacy policy", PRIVACY)]),
    # both documents, or none shown (CreateTerms in the API reference)
    ({"terms-of-use": {"cognito:default": TERMS}}, None),
    ({}, None),
    # the page's language first, then cognito:default
    ({"terms-of-use": {"cognito:default": TERMS, "cognito:english": TERMS + "/en"},
      "privacy-policy": {"cognito:spanish": PRIVACY + "/es", "cognito:default": PRIVACY}},
     [("Terms of use", TERMS + "/en"), ("Privacy policy", PRIVACY)]),
    ({"terms-of-use": {"cognito:spanish": TERMS}, "privacy-policy": {"cognito:default": PRIVACY}}, None),
    ({"terms-of-use": {"cognito:default": "javascript:alert(1)"}, "privacy-policy": {"cognito:default": PRIVACY}},
     None),
])
def test_terms_links(documents: dict, expected: list | None) -> None:
    assert terms_links(documents) == expected


PAGE = f"<head>{HEAD_SLOT}</head><main>{LOGO_SLOT}<form>{TERMS_SLOT}</form></main>"


def test_render_fills_the_slots_and_escapes() -> None:
    look = Look(css="body { color: red; }", logo=("image/png", "QQ=="),
                terms=[("Terms of use", 'https://x.example/?a=1&b="2"'), ("Privacy policy", PRIVACY)])
    html = render(PAGE, look)
    assert '<style id="brand-style">\nbody { color: red; }\n</style>' in html
    assert 'src="data:image/png;base64,QQ=="' in html
    assert 'href="https://x.example/?a=1&amp;b=&quot;2&quot;"' in html and ">Privacy policy</a>" in html


def test_render_of_the_default_look_changes_nothing() -> None:
    assert render(PAGE, Look()) == PAGE


@pytest.mark.parametrize(("domain_version", "has_style", "expected"), [
    (1, True, 1), (1, False, 1), (2, False, 2), (2, True, 2),
    (None, True, 2), (None, False, 1), (7, False, 1),
])
def test_hosted_ui_generation(domain_version: int | None, has_style: bool, expected: int) -> None:
    assert hosted_ui_generation(domain_version, has_style) == expected


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({}, {"a": 1}, {"a": 1}),
    ({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}, {"a": {"b": 1, "c": 3}}),
    ({"a": {"b": 1}}, {"a": 5}, {"a": 5}),
    ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),  # a list is a value: replaced whole
    ({"a": 1, "b": 2}, {}, {"a": 1, "b": 2}),
])
def test_update_managed_login_branding_merges_settings(old: dict, new: dict, expected: dict) -> None:
    assert merged_settings(old, new) == expected


def test_update_managed_login_branding_replaces_assets_by_category_and_mode() -> None:
    light = {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": "QQ=="}
    dark = {**light, "ColorMode": "DARK"}
    newer = {**light, "Bytes": "Qg=="}
    assert merged_assets([light, dark], [newer]) == [dark, newer]
    assert merged_assets([light], []) == [light]
