"""`UserPools[].IdentityProviders:` entries, named as CreateIdentityProvider names them (ProviderName,
ProviderType, ProviderDetails, AttributeMapping, IdpIdentifiers), checked against botocore's model and AWS's
ProviderDetails rules; every error names its key path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator import config_fields as f
from emulator import config_pastes
from emulator.cognito.errors import ERRORS
from emulator.cognito.identity_providers import details_problem
from emulator.cognito.protocol import type_error, validation_errors
from emulator.config_fields import ConfigError

KEYS = ("ProviderName", "ProviderType", "ProviderDetails", "AttributeMapping", "IdpIdentifiers")


def _provider(item: Mapping[str, Any], path: str, pool_id: str) -> dict[str, Any]:
    item = config_pastes.identity_provider_entry(item, path, pool_id)
    f.only_keys(item, KEYS, path)
    request = {**{k: item[k] for k in KEYS if item.get(k) is not None}, "UserPoolId": pool_id}
    problem = type_error("CreateIdentityProviderRequest", request)
    errors = validation_errors("CreateIdentityProviderRequest", request) if not problem else []
    if problem or errors:
        raise ConfigError(path, problem or errors[0])
    refused = details_problem(request["ProviderType"], request["ProviderName"], request["ProviderDetails"])
    if refused:
        key, fields = refused
        raise ConfigError(f"{path}.ProviderDetails", ERRORS[key][1].format(**fields))
    default_mapping = {} if request["ProviderType"] == "SAML" else {"username": "sub"}
    return {"UserPoolId": pool_id, "ProviderName": request["ProviderName"], "ProviderType": request["ProviderType"],
            "ProviderDetails": dict(request["ProviderDetails"]),
            "AttributeMapping": dict(request.get("AttributeMapping") or default_mapping),
            "IdpIdentifiers": list(request.get("IdpIdentifiers") or ())}


def parse_identity_providers(data: Mapping[str, Any], path: str, pool_id: str) -> tuple[dict[str, Any], ...]:
    """The pool's IdentityProviders, names and IdpIdentifiers unique within it."""
    found: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for item_path, item in f.mapping_list(data, "IdentityProviders", path):
        provider = _provider(item, item_path, pool_id)
        for value, where in ((provider["ProviderName"], "ProviderName"),
                             *((i, "IdpIdentifiers") for i in provider["IdpIdentifiers"])):
            if value in seen:
                raise ConfigError(f"{item_path}.{where}", f"'{value}' is already used at {seen[value]}")
            seen[value] = f"{item_path}.{where}"
        found.append(provider)
    return tuple(found)
