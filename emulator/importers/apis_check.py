"""Checking a produced `Apis:` section with the emulator's own parse_apis, without importing user code;
and pruning what it refuses, so that an importer's output always loads."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

from emulator.config_fields import ConfigError
from emulator.importers.commented_yaml import Node
from emulator.lambdas import targets
from emulator.model import DEFAULT_REGION

_ERROR_PATH = re.compile(r"^Apis\[(\d+)\](?:\.(Routes|Authorizers)\[(\d+)\]|\.(CorsConfiguration))?")


def validation_stand_in(event: Any, context: Any) -> None:
    """Stands in for python: targets while the importer validates its output; never called."""


# Python targets are not imported while validating (that would run user code from wherever the
# importer happens to be started); this handler stands in for them. Named from the function itself
# so that moving it cannot leave a spec that no longer imports.
STAND_IN_SPEC = f"{targets.PYTHON_PREFIX}{validation_stand_in.__module__}:{validation_stand_in.__name__}"


def python_specs(apis: list[Any]) -> Iterator[tuple[Any, str, str]]:
    """(item, key, spec) for each python: Target of a route and AuthorizerUri of an authorizer, in order."""
    return ((item, key, spec) for item, key, spec in lambda_specs(apis) if spec.startswith(targets.PYTHON_PREFIX))


def lambda_specs(apis: list[Any]) -> Iterator[tuple[Any, str, str]]:
    """(item, key, spec) for each Lambda-code Target of a route and AuthorizerUri of an authorizer, in order."""
    for api in apis:
        for group, key in (("Routes", "Target"), ("Authorizers", "AuthorizerUri")):
            items = api.get(group)
            for item in items if isinstance(items, list) else []:
                value = item.get(key) if isinstance(item, Mapping) else None
                if isinstance(value, str) and targets.is_target(value):
                    yield item, key, value


def stand_in_handlers(apis: list[Any]) -> list[Any]:
    """A copy whose Lambda code (python:, node:, invoke: targets and authorizers) points at validation_stand_in:
    user code is neither imported nor looked for while the structure is checked."""
    copied = copy.deepcopy([dict(api) for api in apis])
    for item, key, spec in lambda_specs(copied):
        try:
            targets.parse_target(spec)
        except ValueError:
            continue  # malformed: let the validator say so
        item[key] = STAND_IN_SPEC
    return copied


def check_apis(apis: list[Any], region: str = DEFAULT_REGION) -> None:
    """Raise ConfigError unless `apis` passes the emulator's own validation (python targets stood in)."""
    from emulator.gateway.config import parse_apis

    parse_apis(stand_in_handlers(apis), "Apis", region=region)


def prune_until_valid(apis: list[Node], warnings: list[str], region: str) -> list[Node]:
    """Run the emulator's validation; drop what it refuses (a route, an authorizer and its routes, CORS, or
    an API), with a warning each, until it passes. Translation aims never to get here."""
    for _ in range(1000):
        try:
            check_apis(apis, region)
            return apis
        except ConfigError as exc:
            _prune(apis, exc, warnings)
    raise AssertionError("validation never passed")  # pragma: no cover - each round removes something


def _prune(apis: list[Node], exc: ConfigError, warnings: list[str]) -> None:
    match = _ERROR_PATH.match(exc.path)
    if match is None or int(match[1]) >= len(apis):
        raise exc  # not a path an importer produces: a bug, not a problem of the imported file
    api = apis[int(match[1])]
    group, index, cors = match[2], match[3], match[4]
    if group == "Routes":
        route = api["Routes"].pop(int(index))
        api.note("Routes", f"left out {route.get('RouteKey')}: the emulator refuses it: {exc.reason}")
        warnings.append(f"route {route.get('RouteKey')} of API {api['Name']} left out: {exc}")
    elif group == "Authorizers":
        authorizer = api["Authorizers"].pop(int(index))
        name = authorizer.get("Name")
        warnings.append(f"authorizer {name} of API {api['Name']} left out, with its routes: {exc}")
        for route in [r for r in api["Routes"] if r.get("AuthorizerName") == name]:
            api["Routes"].remove(route)
            api.note("Routes", f"left out {route.get('RouteKey')}: its authorizer {name} is refused: {exc.reason}")
    elif cors:
        del api["CorsConfiguration"]
        warnings.append(f"CORS of API {api['Name']} left out: {exc}")
    else:
        apis.remove(api)
        warnings.append(f"API {api['Name']} left out: {exc}")
