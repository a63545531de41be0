"""ListUsers' Filter syntax: the pure parser and evaluator, table-driven."""

from __future__ import annotations

import pytest

from emulator.cognito.errors import reject
from emulator.cognito.list_users_filter import FilterError, UserFilter, matches, parse_filter, searchable_values


@pytest.mark.parametrize(("text", "expected"), [
    ('email = "alice@example.com"', UserFilter("email", False, "alice@example.com")),
    ('email="alice@example.com"', UserFilter("email", False, "alice@example.com")),
    ('  given_name ^= "Jo"  ', UserFilter("given_name", True, "Jo")),
    ('family_name = "Reddy"', UserFilter("family_name", False, "Reddy")),
    ('name = "say \\"hi\\""', UserFilter("name", False, 'say "hi"')),
    ('name = "back\\\\slash"', UserFilter("name", False, "back\\slash")),
    ('cognito:user_status = "UNCONFIRMED"', UserFilter("cognito:user_status", False, "UNCONFIRMED")),
    ('status = "Disabled"', UserFilter("status", False, "Disabled")),
    ('sub ^= ""', UserFilter("sub", True, "")),
    ('username = "a b"', UserFilter("username", False, "a b")),
    ('phone_number ^= "+1555"', UserFilter("phone_number", True, "+1555")),
    ('preferred_username = "x"', UserFilter("preferred_username", False, "x")),
])
def test_filters_of_the_documented_form_parse(text: str, expected: UserFilter) -> None:
    assert parse_filter(text) == expected


@pytest.mark.parametrize("text", [None, "", "   "])
def test_an_empty_filter_means_every_user(text: str | None) -> None:
    assert parse_filter(text) is None


@pytest.mark.parametrize(("text", "key"), [
    ("foo", "filter_unparsable"),
    ('email "x"', "filter_unparsable"),
    ("email = x", "filter_unparsable"),  # the value must be quoted
    ("email = 'x'", "filter_unparsable"),
    ('email == "x"', "filter_unparsable"),
    ('email != "x"', "filter_unparsable"),
    ('email = "x', "filter_unparsable"),  # no closing quote
    ('email = "x" and name = "y"', "filter_unparsable"),  # one attribute at a time
    ('= "x"', "filter_unparsable"),
    ('custom:tier = "gold"', "filter_attribute"),  # custom attributes are not searchable
    ('address = "x"', "filter_attribute"),
    ('email_verified = "true"', "filter_attribute"),
])
def test_filters_aws_refuses_raise_the_right_error(text: str, key: str) -> None:
    with pytest.raises(FilterError) as info:
        parse_filter(text)
    assert info.value.key == key
    error = reject(info.value.key, info.value.reason, name=info.value.name)
    assert error.type == "InvalidParameterException"
    expected = "Error while parsing filter." if key == "filter_unparsable" else \
        f"Invalid search attribute: {text.split()[0]}"
    assert error.message == expected


ALICE = searchable_values("alice", "CONFIRMED", True, {
    "sub": "1111-aaaa", "email": "alice@example.com", "given_name": "Alice", "custom:tier": "gold"})
BOB = searchable_values("Bob", "UNCONFIRMED", False, {"sub": "2222-bbbb", "phone_number": "+15555550100"})


@pytest.mark.parametrize(("text", "alice", "bob"), [
    ('email = "alice@example.com"', True, False),
    ('email = "alice@example"', False, False),
    ('email ^= "alice@"', True, False),
    ('given_name ^= "Al"', True, False),
    ('given_name ^= "al"', False, False),  # attribute values match case-sensitively
    ('username = "alice"', True, False),
    ('username = "bob"', False, False),  # username is case-sensitive (AWS docs)
    ('username ^= "B"', False, True),
    ('cognito:user_status = "unconfirmed"', False, True),  # status is case-insensitive (AWS docs)
    ('cognito:user_status = "CONFIRMED"', True, False),
    ('status = "Enabled"', True, False),
    ('status = "Disabled"', False, True),
    ('status = "disabled"', False, False),  # Enabled/Disabled is case-sensitive (AWS docs)
    ('sub = "2222-bbbb"', False, True),
    ('sub ^= ""', True, True),
    ('phone_number ^= "+1555"', False, True),
    ('family_name = ""', False, False),  # a user without the attribute never matches
    ("", True, True),
])
def test_filters_match_users_as_aws_documents(text: str, alice: bool, bob: bool) -> None:
    parsed = parse_filter(text)
    assert (matches(parsed, ALICE), matches(parsed, BOB)) == (alice, bob)


def test_custom_attributes_are_not_searchable_values() -> None:
    assert "custom:tier" not in ALICE
