"""A user pool's identity providers: CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider,
DeleteIdentityProvider, ListIdentityProviders and GetIdentityProviderByIdentifier, with AWS's checks of
ProviderDetails per ProviderType (`details_problem`, pure). Federated sign-in itself is not emulated yet:
these records are what it will read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.protocol import Call
from emulator.state import Kind

if TYPE_CHECKING:
    from emulator.runtime import Runtime

# ProviderType -> the ProviderDetails keys it requires (AWS API reference, CreateIdentityProvider ProviderDetails).
REQUIRED_DETAILS: dict[str, tuple[str, ...]] = {
    "Google": ("client_id", "client_secret", "authorize_scopes"),
    "Facebook": ("client_id", "client_secret", "authorize_scopes"),
    "LoginWithAmazon": ("client_id", "client_secret", "authorize_scopes"),
    "SignInWithApple": ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"),
    "OIDC": ("client_id", "attributes_request_method", "oidc_issuer", "authorize_scopes"),
    "SAML": (),
}
SOCIAL = ("Google", "Facebook", "LoginWithAmazon", "SignInWithApple")  # their ProviderName is their type


def _joined(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def details_problem(provider_type: str, provider_name: str, details: Mapping[str, str]) -> tuple[str, dict] | None:
    """(ERRORS key, fields) for ProviderDetails AWS refuses for this type, or None."""
    if provider_type in SOCIAL and provider_name != provider_type:
        return "idp_name_not_type", {"name": provider_name, "type": provider_type}
    missing = tuple(name for name in REQUIRED_DETAILS[provider_type] if not details.get(name))
    if missing:
        return "idp_details_required", {"names": _joined(REQUIRED_DETAILS[provider_type])}
    if provider_type == "OIDC":
        if details["attributes_request_method"] not in ("GET", "POST"):
            return "idp_details_invalid", {"detail": "attributes_request_method must be GET or POST"}
        if not details["oidc_issuer"].startswith(("https://", "http://")):
            return "idp_details_invalid", {"detail": "oidc_issuer must be a URL"}
        if "openid" not in details["authorize_scopes"].split():
            return "idp_details_invalid", {"detail": "authorize_scopes must include openid"}
    if provider_type == "SAML":
        given = [name for name in ("MetadataFile", "MetadataURL") if details.get(name)]
        if len(given) != 1:
            return "idp_details_invalid", {"detail": "Exactly one of MetadataFile or MetadataURL must be provided"}
        if given == ["MetadataFile"] and "EntityDescriptor" not in details["MetadataFile"]:
            return "idp_details_invalid", {"detail": "MetadataFile is not SAML metadata (no EntityDescriptor)"}
    return None


def missing_provider(rt: Runtime, pool_id: str, names: tuple[str, ...]) -> CognitoError | None:
    """AWS's refusal of a client whose SupportedIdentityProviders names a provider the pool does not have."""
    known = {"COGNITO", *(p["ProviderName"] for p in _providers(rt, pool_id))}
    missing = next((name for name in names if name not in known), None)
    if missing is None:
        return None
    return reject("idp_missing_for_client", f"SupportedIdentityProviders names {missing}, and the pool's providers "
                  f"are {sorted(known)} (CreateIdentityProvider, or IdentityProviders: in the config)",
                  name=missing, pool_id=pool_id)


def _check(rt: Runtime, pool_id: str, provider: dict[str, Any]) -> None:
    problem = details_problem(provider["ProviderType"], provider["ProviderName"], provider["ProviderDetails"])
    if problem:
        key, fields = problem
        raise reject(key, f"{provider['ProviderType']} provider {provider['ProviderName']}: ProviderDetails "
                          f"{sorted(provider['ProviderDetails'])} refused", **fields)
    for other in _providers(rt, pool_id):
        if other["ProviderName"] == provider["ProviderName"]:
            continue
        for identifier in provider.get("IdpIdentifiers") or ():
            if identifier in (other.get("IdpIdentifiers") or ()):
                raise reject("idp_identifier_taken", f"{identifier} is an IdpIdentifier of {other['ProviderName']}",
                             identifier=identifier)


def _pool(rt: Runtime, pool_id: str) -> None:
    if rt.store.pool(pool_id) is None:
        raise reject("pool_not_found", f"no user pool {pool_id}", pool_id=pool_id)


def _providers(rt: Runtime, pool_id: str) -> list[dict[str, Any]]:
    return [data for _, _, data in rt.store.items(Kind.IDENTITY_PROVIDER, pool_id)]


def _stored(rt: Runtime, pool_id: str, name: str) -> dict[str, Any]:
    _pool(rt, pool_id)
    provider = rt.store.get(Kind.IDENTITY_PROVIDER, pool_id, name)
    if provider is None:
        raise reject("idp_not_found", f"user pool {pool_id} has no identity provider {name}", name=name)
    return provider


def create_identity_provider(rt: Runtime, params: dict, call: Call) -> dict:
    pool_id, name = params["UserPoolId"], params["ProviderName"]
    _pool(rt, pool_id)
    if rt.store.get(Kind.IDENTITY_PROVIDER, pool_id, name) is not None:
        raise reject("idp_duplicate", f"user pool {pool_id} already has a provider {name}", name=name)
    now = rt.clock()
    default_mapping = {} if params["ProviderType"] == "SAML" else {"username": "sub"}
    provider = {"UserPoolId": pool_id, "ProviderName": name, "ProviderType": params["ProviderType"],
                "ProviderDetails": dict(params["ProviderDetails"]),
                "AttributeMapping": dict(params.get("AttributeMapping") or default_mapping),
                "IdpIdentifiers": list(params.get("IdpIdentifiers") or ()), "LastModifiedDate": now,
                "CreationDate": now}
    _check(rt, pool_id, provider)
    rt.store.put(Kind.IDENTITY_PROVIDER, pool_id, name, provider)
    return {"IdentityProvider": provider}


def describe_identity_provider(rt: Runtime, params: dict, call: Call) -> dict:
    return {"IdentityProvider": _stored(rt, params["UserPoolId"], params["ProviderName"])}


def update_identity_provider(rt: Runtime, params: dict, call: Call) -> dict:
    provider = _stored(rt, params["UserPoolId"], params["ProviderName"])
    for key in ("ProviderDetails", "AttributeMapping", "IdpIdentifiers"):
        if params.get(key) is not None:
            provider[key] = params[key]
    provider["LastModifiedDate"] = rt.clock()
    _check(rt, params["UserPoolId"], provider)
    rt.store.put(Kind.IDENTITY_PROVIDER, params["UserPoolId"], params["ProviderName"], provider)
    return {"IdentityProvider": provider}


def delete_identity_provider(rt: Runtime, params: dict, call: Call) -> dict:
    _stored(rt, params["UserPoolId"], params["ProviderName"])
    rt.store.delete(Kind.IDENTITY_PROVIDER, params["UserPoolId"], params["ProviderName"])
    return {}


def list_identity_providers(rt: Runtime, params: dict, call: Call) -> dict:
    _pool(rt, params["UserPoolId"])
    every = sorted(_providers(rt, params["UserPoolId"]), key=lambda p: p["ProviderName"])
    names = [p["ProviderName"] for p in every]
    start = names.index(params["NextToken"]) if params.get("NextToken") in names else 0
    size = params.get("MaxResults") or 60
    page = every[start:start + size]
    result: dict[str, Any] = {"Providers": [{k: p[k] for k in ("ProviderName", "ProviderType", "LastModifiedDate",
                                                                "CreationDate")} for p in page]}
    if start + size < len(every):
        result["NextToken"] = names[start + size]
    return result


def get_identity_provider_by_identifier(rt: Runtime, params: dict, call: Call) -> dict:
    _pool(rt, params["UserPoolId"])
    identifier = params["IdpIdentifier"]
    found = next((p for p in _providers(rt, params["UserPoolId"]) if identifier in (p.get("IdpIdentifiers") or ())),
                 None)
    if found is None:
        raise reject("idp_identifier_not_found", f"no provider of {params['UserPoolId']} lists IdpIdentifier "
                                                 f"{identifier}", identifier=identifier)
    return {"IdentityProvider": found}


OPERATIONS = {
    "CreateIdentityProvider": create_identity_provider,
    "DescribeIdentityProvider": describe_identity_provider,
    "UpdateIdentityProvider": update_identity_provider,
    "DeleteIdentityProvider": delete_identity_provider,
    "ListIdentityProviders": list_identity_providers,
    "GetIdentityProviderByIdentifier": get_identity_provider_by_identifier,
}
