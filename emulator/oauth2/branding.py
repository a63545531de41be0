"""What the hosted pages look like for one app client: the classic hosted UI's CSS (SetUICustomization) made
safe, the managed login style's colours and radii (Settings) turned into CSS, the logo, and the terms links
of the sign-up page. Pure: plain values in, strings out; every value that reaches the page is checked here.

Sources: the classic CSS classes and the properties each takes are the developer guide's "Customizing the
built-in sign-in and sign-up webpages" (awsdocs/amazon-cognito-developer-guide, doc_source/
cognito-user-pools-app-ui-customization.md) plus the CSS template AWS ships (the AWS CLI's
set-ui-customization example uses every class of it); the guide says keys outside the template "will not be
reflected in your UI", so they are dropped, not refused. The Settings paths are those of the AWS CLI's
update-managed-login-branding example."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

_COLOUR_TEXT = frozenset({"color", "background-color"})
# class (with its pseudo-class) -> the properties the template lets it set
CLASSIC_PROPERTIES: dict[str, frozenset[str]] = {
    "background-customizable": frozenset({"background-color"}),
    "banner-customizable": frozenset({"padding", "background-color"}),
    "errorMessage-customizable": frozenset({"margin", "padding", "font-size", "width", "background", "border",
                                            "color", "box-sizing"}),
    "idpButton-customizable": frozenset({"height", "width", "text-align", "margin-bottom", "color",
                                         "background-color", "border-color"}),
    "idpButton-customizable:hover": _COLOUR_TEXT,
    "idpDescription-customizable": frozenset({"padding-top", "padding-bottom", "display", "font-size"}),
    "inputField-customizable": frozenset({"width", "height", "color", "background-color", "border",
                                          "border-radius"}),
    "inputField-customizable:focus": frozenset({"border-color", "outline"}),
    "label-customizable": frozenset({"font-weight"}),
    "legalText-customizable": frozenset({"color", "font-size"}),
    "logo-customizable": frozenset({"max-width", "max-height"}),
    "passwordCheck-notValid-customizable": frozenset({"color"}),
    "passwordCheck-valid-customizable": frozenset({"color"}),
    "redirect-customizable": frozenset({"text-align"}),
    "socialButton-customizable": frozenset({"border-radius", "height", "margin-bottom", "padding", "text-align",
                                            "width"}),
    "submitButton-customizable": frozenset({"font-size", "font-weight", "margin", "width", "height", "color",
                                            "background-color", "text-align"}),
    "submitButton-customizable:hover": _COLOUR_TEXT,
    "textDescription-customizable": frozenset({"padding-top", "padding-bottom", "display", "font-size"}),
}
# Where each class lands on the emulator's pages (the class itself is kept too, for elements that carry it).
EMULATOR_ELEMENTS: dict[str, str] = {
    "background-customizable": ".card",
    "banner-customizable": ".brand, .banner-logo",
    "errorMessage-customizable": ".card .alert:not(.note)",
    "inputField-customizable": ".card input:not([type=hidden]):not([type=radio])",
    "inputField-customizable:focus": ".card input:not([type=hidden]):not([type=radio]):focus",
    "label-customizable": ".card label",
    "legalText-customizable": ".card .terms",
    "logo-customizable": ".banner-logo img",
    "redirect-customizable": ".card .links, .card .switch",
    "submitButton-customizable": ".card form button:not(.secondary)",
    "submitButton-customizable:hover": ".card form button:not(.secondary):hover",
    "textDescription-customizable": ".card .lead",
}
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
# What a value may never hold: markup, another rule or at-rule, escapes, or anything that fetches or runs.
_UNSAFE_VALUE = re.compile(r"[<>{}\\@;\"'`]|url\s*\(|expression\s*\(|javascript:|image-set|/\*", re.I)
_PROPERTY = re.compile(r"^[a-z-]+$")


def classic_css(css: str) -> str:
    """The classic hosted UI's CSS as the page may carry it: only the template's classes and each class's own
    properties, values with no markup, URL or at-rule; rewritten onto the emulator's elements."""
    out: list[str] = []
    for selectors, body in _RULE.findall(_COMMENT.sub("", css or "")):
        for raw in (s.strip() for s in selectors.split(",")):
            key = raw[1:] if raw.startswith(".") else ""
            allowed = CLASSIC_PROPERTIES.get(key)
            if not allowed:
                continue
            declarations = []
            for declaration in body.split(";"):
                name, _, value = declaration.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name in allowed and _PROPERTY.match(name) and value and len(value) <= 200 \
                        and not _UNSAFE_VALUE.search(value):
                    declarations.append(f"{name}: {value}")
            if declarations:
                target = ", ".join(filter(None, (f".{key}", EMULATOR_ELEMENTS.get(key))))
                out.append(f"{target} {{ {'; '.join(declarations)}; }}")
    return "\n".join(out)


# -- managed login (Settings document of a branding style) --------------------------------------------

# (path to the component, path below its colour mode, CSS selector, CSS property)
MANAGED_COLOURS: tuple[tuple[tuple[str, ...], tuple[str, ...], str, str], ...] = (
    (("components", "pageBackground"), ("color",), "body", "background"),
    (("components", "form"), ("backgroundColor",), ".card", "background"),
    (("components", "form"), ("borderColor",), ".card", "border-color"),
    (("components", "pageText"), ("headingColor",), ".card h1", "color"),
    (("components", "pageText"), ("bodyColor",), ".card", "color"),
    (("components", "pageText"), ("descriptionColor",), ".card .lead", "color"),
    (("components", "primaryButton"), ("defaults", "backgroundColor"), ".card form button:not(.secondary)",
     "background"),
    (("components", "primaryButton"), ("defaults", "textColor"), ".card form button:not(.secondary)", "color"),
    (("components", "primaryButton"), ("hover", "backgroundColor"), ".card form button:not(.secondary):hover",
     "background"),
    (("components", "primaryButton"), ("hover", "textColor"), ".card form button:not(.secondary):hover", "color"),
    (("components", "alert"), ("error", "backgroundColor"), ".card .alert:not(.note)", "background"),
    (("components", "alert"), ("error", "borderColor"), ".card .alert:not(.note)", "border-color"),
    (("componentClasses", "input"), ("defaults", "backgroundColor"), ".card input", "background"),
    (("componentClasses", "input"), ("defaults", "borderColor"), ".card input", "border-color"),
    (("componentClasses", "inputLabel"), ("textColor",), ".card label", "color"),
    (("componentClasses", "inputDescription"), ("textColor",), ".card .hint", "color"),
    (("componentClasses", "focusState"), ("borderColor",), ".card input:focus", "border-color"),
    (("componentClasses", "link"), ("defaults", "textColor"), ".card a", "color"),
    (("componentClasses", "link"), ("hover", "textColor"), ".card a:hover", "color"),
)
MANAGED_RADII: tuple[tuple[tuple[str, ...], str], ...] = (
    (("components", "form", "borderRadius"), ".card"),
    (("componentClasses", "buttons", "borderRadius"), ".card button"),
    (("componentClasses", "input", "borderRadius"), ".card input"),
    (("components", "alert", "borderRadius"), ".card .alert"),
)
# \Z, not $: $ also matches before a final newline, which would reach the page.
_HEX_RGBA = re.compile(r"^[0-9a-fA-F]{8}\Z")  # Settings colours are RRGGBBAA
MODES = {"LIGHT": "lightMode", "DARK": "darkMode"}


def _at(document: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if not isinstance(document, Mapping):
            return None
        document = document.get(name)
    return document


def colour_scheme(settings: Mapping[str, Any]) -> str:
    """LIGHT, DARK or DYNAMIC (follows the browser); LIGHT when the style does not say (AWS's default)."""
    mode = _at(settings, ("categories", "global", "colorSchemeMode"))
    return mode if mode in ("LIGHT", "DARK", "DYNAMIC") else "LIGHT"


def _mode_rules(settings: Mapping[str, Any], mode: str) -> list[str]:
    rules = []
    for component, below, selector, prop in MANAGED_COLOURS:
        value = _at(settings, (*component, mode, *below))
        if isinstance(value, str) and _HEX_RGBA.match(value):
            rules.append(f"{selector} {{ {prop}: #{value.lower()}; }}")
    return rules


def managed_css(settings: Mapping[str, Any]) -> str:
    """The style's colours (for its colour scheme) and corner radii as CSS; values that are not RRGGBBAA
    colours or numbers are left out."""
    scheme = colour_scheme(settings)
    rules = _mode_rules(settings, MODES.get(scheme, "lightMode"))
    if scheme == "DYNAMIC":
        rules.append("@media (prefers-color-scheme: dark) {\n" + "\n".join(_mode_rules(settings, "darkMode")) + "\n}")
    for path, selector in MANAGED_RADII:
        radius = _at(settings, path)
        if isinstance(radius, int | float) and not isinstance(radius, bool) and 0 <= radius <= 100:
            rules.append(f"{selector} {{ border-radius: {float(radius):g}px; }}")
    return "\n".join(rules)


LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "SVG": "image/svg+xml", "ICO": "image/x-icon",
              "WEBP": "image/webp"}
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}\Z")


def managed_logo(settings: Mapping[str, Any], assets: list[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The FORM_LOGO asset for the style's colour scheme (media type, Base64), unless the style turns the
    form logo off."""
    if _at(settings, ("components", "form", "logo", "enabled")) is False:
        return None
    wanted = {"LIGHT": ("LIGHT", "DYNAMIC"), "DARK": ("DARK", "DYNAMIC")}.get(colour_scheme(settings),
                                                                             ("DYNAMIC", "LIGHT"))
    logos = [a for a in assets if a.get("Category") == "FORM_LOGO" and a.get("Extension") in LOGO_TYPES
             and isinstance(a.get("Bytes"), str) and _BASE64.match(a["Bytes"])]
    for mode in wanted:
        for asset in logos:
            if asset.get("ColorMode") == mode:
                return LOGO_TYPES[asset["Extension"]], asset["Bytes"]
    return None


# -- terms documents on the sign-up page ---------------------------------------------------------------

TERMS_LABELS = (("terms-of-use", "Terms of use"), ("privacy-policy", "Privacy policy"))
PAGE_LANGUAGE = "cognito:english"  # the emulator's pages are in English
_WEB_URL = re.compile(r"^https?://[^\s<>\"']+\Z", re.I)


def terms_links(documents: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]] | None:
    """(label, URL) of both terms documents, in the page's language or cognito:default; None unless both exist
    (AWS: "You must provide both types of terms documents in at least one language before Amazon Cognito
    displays your terms documents", CreateTerms in the API reference)."""
    links = []
    for name, label in TERMS_LABELS:
        urls = documents.get(name) or {}
        url = urls.get(PAGE_LANGUAGE) or urls.get("cognito:default")
        if not url or not _WEB_URL.match(url):
            return None
        links.append((label, url))
    return links


# -- the look of one client's pages ------------------------------------------------------------------

@dataclass(frozen=True)
class Look:
    """What a client's pages carry beyond the emulator's own style (all empty: the default look)."""

    css: str = ""
    logo: tuple[str, str] | None = None  # media type, Base64
    terms: list[tuple[str, str]] | None = None
    source: str = "the emulator's default look"


HEAD_SLOT = "<!--brand-style-->"
LOGO_SLOT = "<!--brand-logo-->"
TERMS_SLOT = "<!--brand-terms-->"
# The managed login sign-up page's sentence (UNCONFIRMED wording: AWS documents that links are shown, not
# the words around them).
TERMS_SENTENCE = "By signing up, you agree to the {0} and the {1}."


def render(html: str, look: Look) -> str:
    """The page with the look's CSS in its head, its logo above the form and, on sign-up, the terms links.
    Slots are HTML comments the templates carry; escaped user text can never contain one."""
    if look.css:
        html = html.replace(HEAD_SLOT, f'<style id="brand-style">\n{look.css.replace("</", "")}\n</style>', 1)
    if look.logo:
        media, data = look.logo
        html = html.replace(LOGO_SLOT, f'<div class="banner-logo banner-customizable"><img class="logo-customizable" '
                                       f'id="brandLogo" alt="" src="data:{media};base64,{data}"></div>', 1)
    if look.terms:
        anchors = [f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(label)}</a>'
                   for label, url in look.terms]
        html = html.replace(TERMS_SLOT, f'<p class="terms legalText-customizable" id="termsLinks">'
                                        f'{TERMS_SENTENCE.format(*anchors)}</p>', 1)
    return html


def hosted_ui_generation(domain_version: int | None, has_style: bool) -> int:
    """Which pages the client gets: the domain's ManagedLoginVersion (1 classic hosted UI, 2 managed login);
    a pool without a domain record gets managed login when the client has a branding style."""
    if domain_version in (1, 2):
        return domain_version
    return 2 if has_style else 1
