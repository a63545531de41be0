"""Input checks that cannot be super-linear: every botocore pattern classified, each linear rewrite equal
to its regular expression, the SigV4 header read without one, echoed header values capped."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.cognito import patterns, sigv4
from emulator.cognito.pool_rules import region_from_authorization
from emulator.cognito.protocol import service_model, validation_errors
from emulator.decisions import HEADER_LIMIT, header_safe

MODEL_PATTERNS = sorted({shape["pattern"] for shape in service_model()["shapes"].values()
                         if shape["type"] == "string" and "pattern" in shape})


@pytest.mark.parametrize("pattern", MODEL_PATTERNS)
def test_every_model_pattern_is_classified_and_readable(pattern: str) -> None:
    # "unreviewed" would mean a new botocore brought a pattern nobody has shown to be linear.
    assert patterns.kind(pattern) in ("simple", "reviewed", "rewritten")
    assert patterns.compiled(pattern) is not None


def test_the_tables_name_only_patterns_the_model_has() -> None:
    assert set(patterns.REWRITTEN) <= set(MODEL_PATTERNS)
    assert set(patterns.REVIEWED_LINEAR) <= set(MODEL_PATTERNS)


@pytest.mark.parametrize(("pattern", "count", "repeats_group"), [
    (r"[\w+]+", 1, False), (r"[\w-]+_[0-9a-zA-Z]+", 2, False), (r"(a|aa)*b", 1, True), (r"[a*+]{2,}x+", 2, False),
    (r"\d{3}", 0, False), (r"[\]]+a*", 2, False), (r"(?s).*", 1, False), (r"(ab){1,}", 1, True),
])
def test_unbounded_repeats_are_counted_outside_classes(pattern: str, count: int, repeats_group: bool) -> None:
    assert patterns.unbounded_repeats(pattern) == (count, repeats_group)


def test_a_group_repeat_is_never_simple() -> None:
    assert patterns.kind(r"(a|aa)*b") == "unreviewed"
    # Unreviewed patterns fail closed past the limit instead of risking exponential backtracking.
    assert patterns.matches(r"(a|aa)*b", "a" * (patterns.UNREVIEWED_LIMIT + 1)) is False
    assert patterns.matches(r"(a|aa)*b", "aab") is True


_SPECIALS = st.sampled_from(list("@{}#* \n\t\x00\u3000é.-_a") + ["{##", "##}", "{####}"])


@pytest.mark.parametrize("pattern", list(patterns.REWRITTEN))
@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(pieces=st.lists(_SPECIALS, max_size=14))
def test_each_rewrite_answers_as_its_regular_expression(pattern: str, pieces: list[str]) -> None:
    value = "".join(pieces)
    regex = patterns.compiled(pattern)
    assert regex is not None
    assert patterns.matches(pattern, value) == (regex.fullmatch(value) is not None), repr(value)


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+@[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "a@b", True),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+@[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "@@@", True),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+@[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "@ab", False),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+@[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "a@b c", False),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{##[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*##\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*",
     "Click {##here##}", True),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{##[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*##\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*",
     "{###}", False),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*", "Your code is {####}", True),
    (r".*\{####\}.*", "code\n{####}\n", True),
])
def test_rewrites_on_the_values_people_send(pattern: str, value: str, expected: bool) -> None:
    assert patterns.matches(pattern, value) is expected


@pytest.mark.parametrize("value", ["@" * 200_000 + " ", "{##" * 60_000, "{####}" * 30_000 + "\x00"])
def test_the_values_that_once_stalled_the_port_are_judged(value: str) -> None:
    # These took seconds with the backtracking patterns (n² or worse); now each is one linear pass.
    for pattern in patterns.REWRITTEN:
        assert patterns.matches(pattern, value) in (True, False)


def test_a_value_too_long_is_still_matched_against_its_pattern_as_aws_reports_both() -> None:
    # AWS lists every constraint a value breaks (length and pattern); the linear match makes that affordable.
    errors = validation_errors("AdminGetUserRequest", {"UserPoolId": "x!" * 40, "Username": "u"})
    assert [e.split("failed to satisfy constraint: ", 1)[1] for e in errors] == [
        "Member must have length less than or equal to 55",
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"]


@pytest.mark.parametrize(("header", "region"), [
    ("AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/cognito-idp/aws4_request, SignedHeaders=host, "
     "Signature=00", "eu-west-1"),
    ("AWS4-HMAC-SHA256 Credential=AKID/20240101/EU-WEST-1/cognito-idp/aws4_request", None),
    ("AWS4-HMAC-SHA256 Credential=AKID/2024/eu-west-1/cognito-idp/aws4_request", None),
    ("AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/cognito-idp/aws4", None),
    ("Credential=" * 12_000, None),
    ("AWS4-HMAC-SHA256 Credential=AKID/20240101/" + "a" * 9000 + "/cognito-idp/aws4_request", None),
    (None, None), ("", None),
])
def test_the_signing_region_is_read_by_splits(header: str | None, region: str | None) -> None:
    assert region_from_authorization(header) == region


@pytest.mark.parametrize(("header", "has_date", "missing", "message"), [
    (None, True, True, ""),
    ("Bearer abc", True, True, ""),
    ("AWS4-HMAC-SHA256", True, False, "Authorization header requires 'Credential' parameter. Authorization header "
     "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
     "Authorization=AWS4-HMAC-SHA256"),
    ("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00", False, False,
     "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="
     "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00"),
    ("AWS4-HMAC-SHA1 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00", True, False,
     "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). "),
    ("AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=00", True, False,
     "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b'"),
    ("AWS4-HMAC-SHA256 Credential=" + "a" * 9000, True, False, "Authorization header is too long."),
])
def test_malformed_signature_headers(header: str | None, has_date: bool, missing: bool, message: str) -> None:
    parsed = sigv4.parse(header, has_date)
    assert isinstance(parsed, sigv4.Malformed)
    assert (parsed.missing, parsed.message) == (missing, message)
    assert parsed.reason


def test_a_well_formed_header_is_parsed() -> None:
    parsed = sigv4.parse("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/aws4_request, "
                         "SignedHeaders=Host;X-Amz-Date, Signature=abc", True)
    assert parsed == sigv4.Authorization("AWS4-HMAC-SHA256", "AKID/20260101/us-east-1/cognito-idp/aws4_request",
                                         ("host", "x-amz-date"), "abc")


@pytest.mark.parametrize(("reason", "expected"), [
    ("plain", "plain"),
    ("two\nlines\tand  spaces", "two lines and spaces"),
    ("nul \x00 and del \x7f", "nul \\x00 and del \\x7f"),
    ("snowman \u2603", "snowman ?"),
])
def test_header_safe_keeps_short_reasons_readable(reason: str, expected: str) -> None:
    assert header_safe(reason) == expected


@pytest.mark.parametrize("reason", ["x" * 3_600_000, "\x00" * 50_000, " " * 10_000 + "y" * 5000, "a" * 1025])
def test_header_safe_caps_what_it_echoes(reason: str) -> None:
    shown = header_safe(reason)
    assert len(shown) <= HEADER_LIMIT
    assert shown.endswith(f"({len(reason)} characters; the whole text is in the log and /_emulator/decisions)")
