"""The user pool schema's rules, pure: what a `Schema` / `CustomAttributes` entry declares, how a pool's schema
grows, and whether one attribute write fits it. Shared by the API (pools.py, users.py) and the YAML loader.

What the emulator records from a Schema entry: a custom attribute whole (type, mutability, developer-only,
constraints); for a standard attribute only Required and Mutable. A standard attribute's constraints are
checked as AWS checks them, then ignored: DescribeUserPool shows the standard defaults, and only custom
attributes' values are checked against constraints.

UNCONFIRMED choices, kept here in one place:
- A Number value is a decimal number (`-12`, `3.5`); exponents, `NaN` and spaces are refused.
- A developer-only attribute written by an app client (SignUp, UpdateUserAttributes) is refused as an
  unauthorized attribute write.
- Deleting an immutable attribute (DeleteUserAttributes) counts as updating it.
- The texts after "Attributes did not conform to the schema: <name>: " for a value that breaks a constraint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from emulator.cognito.errors import CognitoError, reject
from emulator.model import CUSTOM_PREFIX, DEVELOPER_PREFIX, STANDARD_BY_NAME, SchemaAttribute, UserPool

MAX_CUSTOM_ATTRIBUTES = 50  # Cognito's quota (not adjustable)
MAX_CUSTOM_NAME_LENGTH = 20  # CustomAttributeNameType in the service model
MAX_STRING_LENGTH = 2048
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_LENGTH = re.compile(r"[0-9]+")


# -- declaring attributes ---------------------------------------------------------------------------------


def custom_name_problem(name: str) -> str | None:
    """Why `name` cannot name a custom attribute (1 to 20 characters, no spaces or control characters)."""
    if not 1 <= len(name) <= MAX_CUSTOM_NAME_LENGTH:
        return f"a custom attribute name has 1 to {MAX_CUSTOM_NAME_LENGTH} characters; '{name}' has {len(name)}"
    if any(c.isspace() or not c.isprintable() for c in name):
        return f"'{name}' has a space or a control character, which attribute names may not"
    return None


def declared(entry: Mapping[str, Any], custom: bool | None = None) -> SchemaAttribute:
    """The attribute one SchemaAttributeType entry declares, under its full name; AWS's error if it may not.

    `custom` None decides by the name as CreateUserPool does (a standard attribute's name declares that
    standard attribute); True makes every entry custom, as AddCustomAttributes does."""
    if entry.get("Name") is None:  # callers name the entry's place first (unnamed_entry); belt and braces
        raise reject("schema_name_missing", "a schema entry has no Name", path="name")
    name = str(entry["Name"])
    lengths, values = _constraints(name, entry)
    if not custom and name in STANDARD_BY_NAME:
        return _standard(name, entry)
    if entry.get("Required"):
        raise reject("required_custom_attribute", f"custom attribute '{name}' has Required true, and Cognito has "
                                                  "no required custom attributes; check the value in your app")
    data_type = str(entry.get("AttributeDataType") or "String")
    developer_only = bool(entry.get("DeveloperOnlyAttribute", False))
    full = (DEVELOPER_PREFIX if developer_only else "") + CUSTOM_PREFIX + name
    return SchemaAttribute(
        name=full, data_type=data_type, mutable=bool(entry.get("Mutable", True)), developer_only=developer_only,
        # AWS keeps only the constraints of the attribute's own type.
        min_length=lengths[0] if data_type == "String" else None,
        max_length=lengths[1] if data_type == "String" else None,
        min_value=values[0] if data_type == "Number" else None,
        max_value=values[1] if data_type == "Number" else None,
    )


def unnamed_entry(entries: Iterable[Mapping[str, Any]], member: str) -> CognitoError | None:
    """AWS's error for the first entry without a Name (the model does not require one; AWS does), or None.
    `member` is the request's list: `schema` (CreateUserPool) or `customAttributes`."""
    for i, entry in enumerate(entries):
        if entry.get("Name") is None:
            path = f"{member}.{i + 1}.member.name"
            return reject("schema_name_missing", f"{member} entry {i + 1} has no Name; every attribute is named",
                          path=path)
    return None


def _standard(name: str, entry: Mapping[str, Any]) -> SchemaAttribute:
    base = STANDARD_BY_NAME[name]
    data_type = entry.get("AttributeDataType")
    if (data_type and data_type != base.data_type) or entry.get("DeveloperOnlyAttribute"):
        raise reject("standard_attribute_changed", f"{name} is a standard attribute of type {base.data_type}; its "
                     "type is fixed and it cannot be developer-only (name a custom attribute differently)", name=name)
    if name == "sub":  # always required and immutable
        return base
    return replace(base, required=bool(entry.get("Required", False)), mutable=bool(entry.get("Mutable", True)))


def _constraints(name: str, entry: Mapping[str, Any]) -> tuple[tuple[str | None, str | None],
                                                               tuple[str | None, str | None]]:
    """The entry's (MinLength, MaxLength) and (MinValue, MaxValue), checked; AWS's error for a bad one."""
    lengths = entry.get("StringAttributeConstraints") or {}
    values = entry.get("NumberAttributeConstraints") or {}
    low, high = _text(lengths.get("MinLength")), _text(lengths.get("MaxLength"))
    for value in (low, high):
        if value is None:
            continue
        if not _LENGTH.fullmatch(value):
            raise reject("schema_constraint_invalid", f"{name}: StringAttributeConstraints length '{value}' is not "
                                                      "a whole number",
                         constraint="StringAttributeConstraints", name=name)
        if int(value) > MAX_STRING_LENGTH:
            raise reject("schema_string_too_long", f"{name}: StringAttributeConstraints go up to "
                         f"{MAX_STRING_LENGTH}, not {value}", name=name, limit=str(MAX_STRING_LENGTH))
    if low is not None and high is not None and int(high) < int(low):
        raise reject("schema_length_range", f"{name}: StringAttributeConstraints MaxLength {high} is below "
                     f"MinLength {low}", name=name)
    least, most = _text(values.get("MinValue")), _text(values.get("MaxValue"))
    for value in (least, most):
        if value is not None and not _NUMBER.fullmatch(value):
            raise reject("schema_constraint_invalid", f"{name}: NumberAttributeConstraints value '{value}' is not "
                                                      "a number",
                         constraint="NumberAttributeConstraints", name=name)
    if least is not None and most is not None and Decimal(most) < Decimal(least):
        raise reject("schema_value_range", f"{name}: NumberAttributeConstraints MaxValue {most} is below "
                     f"MinValue {least}", name=name)
    return (low, high), (least, most)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def with_declarations(pool: UserPool, attributes: Iterable[SchemaAttribute]) -> UserPool:
    """The pool with these attributes added to its schema: custom ones appended (a name taken, counting
    `custom:x` and `dev:custom:x` as one, is AWS's error), standard ones setting Required and Mutable."""
    customs = list(pool.custom_attributes)
    required, immutable = list(pool.required_attributes), list(pool.immutable_attributes)
    for attribute in attributes:
        if attribute.custom:
            existing = next((c for c in customs if c.base_name == attribute.base_name), None)
            if existing is not None:
                raise reject("custom_attribute_exists", f"pool {pool.id} already has {existing.name}; a custom "
                             "attribute is never changed or removed once added",
                             name=CUSTOM_PREFIX + attribute.base_name, existing=existing.name)
            customs.append(attribute)
            continue
        if attribute.name == "sub":
            continue
        required = [n for n in required if n != attribute.name] + ([attribute.name] if attribute.required else [])
        immutable = [n for n in immutable if n != attribute.name] + ([] if attribute.mutable else [attribute.name])
    if len(customs) > MAX_CUSTOM_ATTRIBUTES:
        raise reject("too_many_custom_attributes", f"pool {pool.id} would have {len(customs)} custom attributes; "
                     f"Cognito allows {MAX_CUSTOM_ATTRIBUTES}", limit=str(MAX_CUSTOM_ATTRIBUTES))
    return replace(pool, custom_attributes=tuple(customs), required_attributes=tuple(required),
                   immutable_attributes=tuple(immutable))


# -- writing attributes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueProblem:
    detail: str  # AWS's words (UNCONFIRMED)
    reason: str  # plain words


def value_problem(attribute: SchemaAttribute, value: str) -> ValueProblem | None:
    """Why `value` does not fit the attribute's type and constraints (Number: a number in range; String: a
    length in range), or None. Other types are not checked."""
    if attribute.data_type == "Number":
        if not _NUMBER.fullmatch(value):
            return ValueProblem("Attribute value is not a number.",
                                f"{attribute.name} is a Number attribute and '{value}' is not a number")
        number = Decimal(value)
        if attribute.min_value is not None and number < _decimal(attribute.min_value):
            return ValueProblem(f"Number is less than the minimum value of {attribute.min_value}.",
                                f"{attribute.name} is at least {attribute.min_value} (MinValue); got {value}")
        if attribute.max_value is not None and number > _decimal(attribute.max_value):
            return ValueProblem(f"Number is greater than the maximum value of {attribute.max_value}.",
                                f"{attribute.name} is at most {attribute.max_value} (MaxValue); got {value}")
    if attribute.data_type == "String":
        if attribute.min_length is not None and len(value) < int(attribute.min_length):
            return ValueProblem(f"String is shorter than the minimum length of {attribute.min_length}.",
                                f"{attribute.name} has at least {attribute.min_length} characters (MinLength); "
                                f"the value has {len(value)}")
        if attribute.max_length is not None and len(value) > int(attribute.max_length):
            return ValueProblem(f"String is longer than the maximum length of {attribute.max_length}.",
                                f"{attribute.name} has at most {attribute.max_length} characters (MaxLength); "
                                f"the value has {len(value)}")
    return None


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # a stored constraint is always checked; this is belt and braces
        return Decimal(0)


def write_refusal(pool: UserPool, name: str, value: str, *, by_admin: bool, creating: bool) -> CognitoError | None:
    """AWS's error for writing `value` ("" deletes) to attribute `name`, or None. `by_admin`: an operation
    signed with AWS credentials; `creating`: SignUp or AdminCreateUser, where immutable attributes are set."""
    attribute = pool.schema_attribute(name)
    if attribute is None:
        return reject("attribute_not_in_schema", unknown_reason(pool, name), name=name)
    if attribute.developer_only and not by_admin:
        return reject("unauthorized_attribute", f"{name} is developer-only (DeveloperOnlyAttribute): only admin "
                                                "operations signed with AWS credentials write it")
    if not attribute.mutable and not creating:
        return reject("attribute_cannot_be_updated", f"{name} is not Mutable in pool {pool.id}'s schema: it is set "
                      "when the user is created (SignUp, AdminCreateUser) and never changes after", name=name)
    problem = value_problem(attribute, value) if value and attribute.custom else None
    if problem is not None:
        return reject("attribute_value_invalid", problem.reason, name=name, detail=problem.detail)
    return None


def unknown_reason(pool: UserPool, name: str) -> str:
    """Plain words for an attribute name the pool's schema does not have."""
    if name.startswith(CUSTOM_PREFIX) and pool.schema_attribute(DEVELOPER_PREFIX + name) is not None:
        return f"{name} is developer-only in pool {pool.id}'s schema; write it as {DEVELOPER_PREFIX}{name} " \
               "with an admin operation"
    if name.startswith((CUSTOM_PREFIX, DEVELOPER_PREFIX)):
        known = ", ".join(a.name for a in pool.custom_attributes) or "none"
        base = name.removeprefix(DEVELOPER_PREFIX).removeprefix(CUSTOM_PREFIX)
        return (f"pool {pool.id}'s schema has no {name} (its custom attributes: {known}); declare it first: "
                f"CreateUserPool Schema or AddCustomAttributes with {{Name: {base}}}, or the config's "
                f"UserPools[].Schema")
    return f"'{name}' is neither a standard attribute nor custom:<name>"


def missing_required(pool: UserPool, attributes: Mapping[str, str]) -> CognitoError | None:
    """AWS's error when a new user lacks attributes the schema makes Required, or None."""
    missing = [a.name for a in pool.schema
               if a.name in pool.required_attributes and not attributes.get(a.name)]
    if not missing:
        return None
    return reject("attribute_required", f"pool {pool.id}'s schema requires {', '.join(missing)}, and the new user "
                  "has no value for it", detail="\n".join(f"{n}: The attribute is required" for n in missing))
