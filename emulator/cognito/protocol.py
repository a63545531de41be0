"""The cognito-idp JSON 1.1 wire protocol: X-Amz-Target dispatch, input validation against
botocore's service model, and AWS's error shape."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.blocking import may_block
from emulator.botocore_models import loaded
from emulator.botocore_models import service_model as service_model_of
from emulator.cognito import patterns
from emulator.cognito.errors import CognitoError, reject

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Call:
    """What a handler may know about the HTTP request besides its parameters."""

    operation: str
    request_id: str
    source_ip: str
    region: str | None = None  # the SigV4 credential scope's region, when signed


Handler = Callable[[Any, dict, Call], dict]


def service_model() -> dict:
    """botocore's bundled cognito-idp model: the authority on shapes, lengths, patterns and enums."""
    if not loaded("cognito-idp"):
        may_block()  # reading it (or waiting for the start's read) takes milliseconds: not on the event loop
    return service_model_of("cognito-idp")


def _member_path(parent: str, name: str) -> str:
    name = name[:1].lower() + name[1:]
    return f"{parent}.{name}" if parent else name


def _shown(value: Any, sensitive: bool) -> str:
    if sensitive:
        return "Value at"
    if value is None:
        return "Value null at"
    text = value if isinstance(value, str) else json.dumps(value)
    return f"Value '{text}' at"


def validation_errors(shape_name: str, value: Any, path: str = "", model: dict | None = None) -> list[str]:
    """AWS's constraint violations for `value` against a model shape (InvalidParameterException texts).
    `model`: another service's botocore model (cognito-identity); cognito-idp's by default."""
    shapes = (model or service_model())["shapes"]
    shape = shapes[shape_name]
    errors: list[str] = []
    kind = shape["type"]
    if kind == "structure":
        for required in shape.get("required", ()):
            if value.get(required) is None:
                errors.append(f"Value null at '{_member_path(path, required)}' failed to satisfy constraint: "
                              "Member must not be null")
        for name, member in shape.get("members", {}).items():
            if value.get(name) is not None:
                errors.extend(validation_errors(member["shape"], value[name], _member_path(path, name), model))
        return errors
    sensitive = bool(shape.get("sensitive"))

    def fail() -> str:
        # Only for a value that breaks a rule: showing a big list or map is a json.dumps that holds the GIL.
        return f"{_shown(value, sensitive)} '{path}' failed to satisfy constraint: Member must"

    if kind == "string":
        if "min" in shape and len(value) < shape["min"]:
            errors.append(f"{fail()} have length greater than or equal to {shape['min']}")
        if "max" in shape and len(value) > shape["max"]:
            errors.append(f"{fail()} have length less than or equal to {shape['max']}")
        if "enum" in shape and value not in shape["enum"]:
            errors.append(f"{fail()} satisfy enum value set: [{', '.join(shape['enum'])}]")
        pattern = shape.get("pattern")
        # Linear in the value's length whatever the pattern (patterns.py): AWS reports a pattern miss
        # beside a length miss, so the pattern runs even on a value already too long.
        if pattern and value and patterns.matches(pattern, value) is False:
            errors.append(f"{fail()} satisfy regular expression pattern: {pattern}")
    elif kind in ("integer", "long"):
        if "min" in shape and value < shape["min"]:
            errors.append(f"{fail()} have value greater than or equal to {shape['min']}")
        if "max" in shape and value > shape["max"]:
            errors.append(f"{fail()} have value less than or equal to {shape['max']}")
    elif kind == "list":
        if "min" in shape and len(value) < shape["min"]:
            errors.append(f"{fail()} have length greater than or equal to {shape['min']}")
        if "max" in shape and len(value) > shape["max"]:
            errors.append(f"{fail()} have length less than or equal to {shape['max']}")
        member = shapes[shape["member"]["shape"]]
        if "enum" in member and any(item not in member["enum"] for item in value):
            # AWS reports a list of enums whole, in Java's list notation.
            shown = "Value at" if sensitive else f"Value '[{', '.join(value)}]' at"
            errors.append(f"{shown} '{path}' failed to satisfy constraint: Member must satisfy constraint: "
                          f"[Member must satisfy enum value set: [{', '.join(member['enum'])}]]")
            return errors
        for i, item in enumerate(value):
            errors.extend(validation_errors(shape["member"]["shape"], item, f"{path}.{i + 1}.member", model))
    elif kind == "map":
        if "max" in shape and len(value) > shape["max"]:
            errors.append(f"{fail()} have length less than or equal to {shape['max']}")
        for key, item in value.items():
            errors.extend(validation_errors(shape["key"]["shape"], key, f"{path}.{key}.key", model))
            errors.extend(validation_errors(shape["value"]["shape"], item, f"{path}.{key}.value", model))
    return errors


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,), "list": (list,),
    "map": (dict,), "structure": (dict,), "timestamp": (int, float), "double": (int, float), "float": (int, float),
    "blob": (str,),
}


def type_error(shape_name: str, value: Any, path: str = "", model: dict | None = None) -> str | None:
    """The first JSON type mismatch (AWS answers those with SerializationException), or None."""
    shape = (model or service_model())["shapes"][shape_name]
    kind = shape["type"]
    expected = _JSON_TYPES.get(kind, (object,))
    if isinstance(value, bool) and kind not in ("boolean",) or not isinstance(value, expected):
        where = f" at '{path}'" if path else ""
        return f"Expected {kind}{where}, got {type(value).__name__ if value is not None else 'null'}"
    if kind == "structure":
        for name, member in shape.get("members", {}).items():
            if value.get(name) is not None:
                found = type_error(member["shape"], value[name], _member_path(path, name), model)
                if found:
                    return found
    elif kind == "list":
        for i, item in enumerate(value):
            found = type_error(shape["member"]["shape"], item, f"{path}.{i + 1}.member", model)
            if found:
                return found
    elif kind == "map":
        for key, item in value.items():
            found = type_error(shape["value"]["shape"], item, f"{path}.{key}.value", model)
            if found:
                return found
    return None


def operation_of(target: str | None) -> str:
    """The operation an X-Amz-Target names, or AWS's UnknownOperationException."""
    if not target or not target.startswith(TARGET_PREFIX):
        raise CognitoError("UnknownOperationException", "",
                           f"X-Amz-Target must be '{TARGET_PREFIX}<Operation>', got {target!r}")
    operation = target[len(TARGET_PREFIX):]
    if operation not in service_model()["operations"]:
        raise CognitoError("UnknownOperationException", "",
                           f"'{operation}' is not an operation of the cognito-idp API")
    return operation


def json_params(body: bytes) -> dict:
    """The body as a JSON object, or AWS's SerializationException saying what is wrong with it."""
    if len(body) > MAX_BODY_BYTES:
        raise reject("body_too_large", f"request body is {len(body)} bytes; the emulator accepts at most "
                                       f"{MAX_BODY_BYTES}")
    try:
        params = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise reject("serialization", f"the body is not valid JSON: {exc}", detail="Malformed JSON body") from None
    except RecursionError:
        raise reject("json_too_deep", "the body's JSON nests deeper than the parser follows (about a thousand "
                                      "levels); no cognito-idp input nests more than a few") from None
    bad = _unpaired_surrogate(params)
    if bad is not None:
        # JSON may escape half a UTF-16 pair ("\ud800"); no AWS string can hold one (UNCONFIRMED text).
        raise reject("serialization", f"the value at {bad or 'the top level'} holds an unpaired UTF-16 surrogate, "
                                      "which is not valid Unicode", detail="Invalid UTF-8 in request body")
    if not isinstance(params, dict):
        raise reject("serialization", "the body must be a JSON object",
                     detail="Start of structure or map found where not expected.")
    return params


def validated(operation: str, params: dict, model: dict | None = None) -> dict:
    """The parameters, once they fit the operation's input shape (types, then lengths, patterns, enums)."""
    input_shape = (model or service_model())["operations"][operation].get("input", {}).get("shape")
    if input_shape:
        problem = type_error(input_shape, params, model=model)
        if problem:
            raise reject("serialization", problem, detail=problem)
        errors = validation_errors(input_shape, params, model=model)
        if errors:
            count = len(errors)
            message = f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(errors)
            raise reject("validation", message, detail=message)
    return params


def parse_call(target: str | None, body: bytes) -> tuple[str, dict]:
    """Operation name and validated parameters of a request, or a CognitoError saying what is wrong."""
    operation = operation_of(target)
    return operation, validated(operation, json_params(body))


def _unpaired_surrogate(value: Any) -> str | None:
    """The path of the first string (key or value) that is not encodable Unicode, or None. Iterative:
    a body nested hundreds of levels deep is refused, not a RecursionError."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return path
            continue
        entries = item.items() if isinstance(item, dict) else enumerate(item) if isinstance(item, list) else ()
        children = []
        for key, child in entries:
            where = f"{path}.{key}" if path else str(key)
            children.append((where, key) if isinstance(key, str) else None)
            children.append((where, child))
        stack.extend(reversed([c for c in children if c is not None]))
    return None


def is_unsigned(operation: str, model: dict | None = None) -> bool:
    """Operations AWS serves without SigV4 (`authtype: none` in the model)."""
    op = (model or service_model())["operations"][operation]
    return op.get("authtype") == "none" or "smithy.api#noAuth" in (op.get("auth") or ())


def error_body(error: CognitoError) -> dict[str, str]:
    return {"__type": error.type, "message": error.message}


def error_headers(error: CognitoError, request_id: str) -> dict[str, str]:
    return {
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": f"{error.type}:",
        "x-amzn-ErrorMessage": error.message,
    }


def merge_operations(*tables: Mapping[str, Handler]) -> dict[str, Handler]:
    """One dispatch table from the handler tables of auth, users, pools... (a name twice is a bug)."""
    merged: dict[str, Handler] = {}
    for table in tables:
        for name, handler in table.items():
            if name in merged:
                raise ValueError(f"operation {name} has two handlers")
            merged[name] = handler
    return merged
