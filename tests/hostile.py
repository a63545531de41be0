"""Hypothesis strategies for cognito-idp input, generated from botocore's service model (never a hand
list of operations or fields), and the assertions every hostile answer must pass."""

from __future__ import annotations

import base64
import contextlib
from typing import Any

import httpx
from hypothesis import strategies as st

from emulator.cognito.patterns import translated
from emulator.cognito.protocol import is_unsigned, service_model

TARGET = "AWSCognitoIdentityProviderService."
POOL_ID = "us-east-1_Example01"
# Real names of the bundled config, so generated calls get past "no such pool" into the operations.
KNOWN: dict[str, list[Any]] = {
    "UserPoolId": [POOL_ID, "us-east-1_Nope00000"],
    "ClientId": ["piyopiyo", "managedlogin01", "testserver01"],
    "Username": ["peroper@hoge.com", "newbie@hoge.com", "nobody"],
    "GroupName": ["admin", "nogroup"],
    "Identifier": ["test_resource"],
    "ClientSecret": ["amoamo", "testserversecret0123456789"],
    # Provider links: the destination is always Cognito; the bundled pool has no IdP, so a source is refused
    # by name, and Cognito_Subject reaches the link checks.
    "ProviderName": ["Cognito", "Google", "NoSuchIdP"],
    "ProviderAttributeName": ["Cognito_Subject", "email"],
    "ProviderAttributeValue": ["peroper@hoge.com", "109220063452404746097"],
    "SessionId": ["tkn" + "0" * 25, "sso" + "a" * 25],
}
# A well-formed SigV4 header: any signature passes when the config declares no Credentials.
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, "
                           "SignedHeaders=host;x-amz-date, Signature=00", "X-Amz-Date": "20260101T000000Z"}
MAX_DEPTH = 6
LONG_VALUES = ["@" * 5000 + " ", "{##" * 2000, "a" * 3000, "{####}" * 600 + "\x00", " " * 4000]


def _generating(pattern: str) -> str:
    """The pattern with Java's Unicode classes narrowed to a few characters: hypothesis takes seconds to
    build a strategy for a class spanning most of Unicode, and the matcher is tested on the full one."""
    return translated(pattern.replace(r"\p{L}\p{M}\p{S}\p{N}\p{P}", "!-~\u00e9\u4e00\U0001f600")
                      .replace(r"\p{Z}", " \u3000"))


def _string(shape: dict[str, Any], member: str = "", known: dict[str, list[Any]] | None = None
            ) -> st.SearchStrategy[str]:
    """Mostly values AWS would accept (so calls reach the operations), some that it would not."""
    known = KNOWN if known is None else known
    low, high = shape.get("min", 0), shape.get("max", 64)
    likely: list[st.SearchStrategy[str]] = []
    if "enum" in shape:
        likely.append(st.sampled_from(shape["enum"]))
    if member in known:  # twice: real names are what gets a call past "no such pool" into the operation
        likely.extend([st.sampled_from(known[member])] * 2)
    if shape.get("pattern"):
        # A pattern hypothesis cannot generate from leaves the other options.
        with contextlib.suppress(Exception):
            likely.append(st.from_regex(_generating(shape["pattern"]), fullmatch=True).filter(
                lambda s: low <= len(s) <= high))
    if not likely:
        likely.append(st.text(min_size=low, max_size=min(high, 48)))
    unlikely = [st.text(max_size=min(high + 2, 48)), st.text(alphabet="@{}#*.-_:/ \n\x00é", max_size=40),
                # Long values, past any length limit, still answered in linear time and in AWS's shape.
                st.sampled_from(LONG_VALUES)]
    return st.one_of(*likely, *likely, *likely, *unlikely)


def _number(shape: dict[str, Any]) -> st.SearchStrategy[int]:
    low, high = shape.get("min", 0), shape.get("max", 10**6)
    return st.one_of(st.integers(low, high), st.integers(low, high), st.integers(low - 3, low),
                     st.integers(high, high + 3), st.integers(-(2**63), 2**63))


WRONG_TYPES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5),
                        st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                           max_size=2))


def for_shape(name: str, member: str = "", depth: int = 0, wrong_types: bool = False, model: dict | None = None,
              known: dict[str, list[Any]] | None = None) -> st.SearchStrategy[Any]:
    """Values for one model shape: mostly the right JSON type (within and beyond its constraints), often
    the bundled config's real names; with `wrong_types`, any member may also be of another JSON type.
    `model` and `known`: another service's model (KMS) and its real values; cognito-idp's by default."""
    model = model or service_model()
    shape = model["shapes"][name]
    kind = shape["type"]
    if depth > MAX_DEPTH:
        return st.none()

    def inner(shape_name: str, name: str = "") -> st.SearchStrategy[Any]:
        return for_shape(shape_name, name, depth + 1, wrong_types, model, known)

    if kind == "structure":
        members = {m: inner(spec["shape"], m) for m, spec in shape.get("members", {}).items()}
        required = [m for m in shape.get("required", ()) if m in members]
        full = st.fixed_dictionaries({m: members[m] for m in required},
                                     optional={m: s for m, s in members.items() if m not in required})
        typed = st.one_of(full, full, full, st.fixed_dictionaries({}, optional=members))
    elif kind == "string":
        typed = _string(shape, member, known)
    elif kind in ("integer", "long"):
        typed = _number(shape)
    elif kind == "boolean":
        typed = st.booleans()
    elif kind == "list":
        typed = st.lists(inner(shape["member"]["shape"]), max_size=3)
    elif kind == "map":  # JSON keys are strings, whatever the model says
        typed = st.dictionaries(_string(model["shapes"][shape["key"]["shape"]], "", known),
                                inner(shape["value"]["shape"]), max_size=3)
    elif kind in ("timestamp", "double", "float"):
        typed = st.one_of(st.integers(), st.floats(allow_nan=False))
    elif kind == "blob":  # Base64 on the wire: real values, any bytes, and text that is no Base64
        choices = [st.binary(max_size=shape.get("max", 64) + 2).map(lambda b: base64.b64encode(b).decode()),
                   st.text(max_size=20)]
        if known and member in known:
            choices.append(st.sampled_from(known[member]))
        typed = st.one_of(*choices, *choices[2:])
    else:  # anything newer: a string on the wire
        typed = st.text(max_size=20)
    if wrong_types and depth:
        return st.one_of(typed, typed, typed, typed, typed, WRONG_TYPES)
    return typed


def implemented_operations() -> list[str]:
    from emulator.cognito.app import operation_table

    return sorted(operation_table())


def input_shape(operation: str) -> str | None:
    return service_model()["operations"][operation].get("input", {}).get("shape")


def headers_for(operation: str, signed: bool = True) -> dict[str, str]:
    headers = {"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"}
    if signed and not is_unsigned(operation):
        headers.update(SIGNED)
    return headers


def assert_aws_answer(response: httpx.Response, what: str) -> None:
    """Never a 5xx; an error is AWS's JSON shape with __type and message, and a plain-words reason."""
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code == 200:
        assert isinstance(response.json(), dict), what
        return
    assert response.status_code in (400, 413), f"{what}: {response.status_code} {response.text[:300]}"
    body = response.json()
    assert set(body) == {"__type", "message"}, f"{what}: {body}"
    assert isinstance(body["__type"], str) and body["__type"] and isinstance(body["message"], str), what
    assert response.headers["content-type"] == "application/x-amz-json-1.1", what
    assert response.headers["x-amzn-errortype"] == body["__type"] + ":", what
    assert response.headers.get("x-emulator-reason"), what
    assert len(response.headers["x-emulator-reason"]) <= 1024 and len(response.headers["x-amzn-errormessage"]) <= 1024
