"""Physical ids for a template's resources: stable across runs, derived from the stack name and the
logical id in AWS's shapes, and overridable (`Metadata: {emulator:id: ...}`, a tag `emulator:id`, or
`--id LogicalId=value`) so that tests can hard-code them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.config_fields import ALNUM, LOWER_ALNUM, stable_token

ID_KEY = "emulator:id"

# Resource type -> (length, alphabet) of the generated id; AWS's shapes where the emulator checks them.
_SHAPES: dict[str, tuple[int, str]] = {
    "AWS::Cognito::UserPoolClient": (26, LOWER_ALNUM),
    "AWS::ApiGatewayV2::Api": (10, LOWER_ALNUM),
    "AWS::ApiGateway::RestApi": (10, LOWER_ALNUM),
    "AWS::ApiGatewayV2::Authorizer": (6, LOWER_ALNUM),
    "AWS::ApiGateway::Authorizer": (6, LOWER_ALNUM),
    "AWS::ApiGatewayV2::Integration": (7, LOWER_ALNUM),
    "AWS::ApiGatewayV2::Route": (7, LOWER_ALNUM),
    "AWS::ApiGateway::Resource": (6, LOWER_ALNUM),
    "AWS::ApiGateway::Method": (6, LOWER_ALNUM),
}
# Resources whose Ref is a name given in a property (else a generated name, as CloudFormation makes one).
_NAMED_BY: dict[str, str] = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Cognito::UserPoolGroup": "GroupName",
    "AWS::Cognito::UserPoolDomain": "Domain",
    "AWS::Cognito::UserPoolResourceServer": "Identifier",
    "AWS::Cognito::UserPoolUser": "Username",
    "AWS::ApiGatewayV2::Stage": "StageName",
    "AWS::ApiGateway::Stage": "StageName",
}


def explicit_id(logical_id: str, resource: Mapping[str, Any], overrides: Mapping[str, str]) -> str | None:
    """The id pinned by `--id`, by `Metadata: {emulator:id: ...}` or by a tag `emulator:id`, if any."""
    if logical_id in overrides:
        return overrides[logical_id]
    metadata = resource.get("Metadata")
    if isinstance(metadata, Mapping) and isinstance(metadata.get(ID_KEY), str):
        return metadata[ID_KEY]
    tags = (resource.get("Properties") or {}).get("Tags") if isinstance(resource.get("Properties"), Mapping) else None
    if isinstance(tags, Mapping) and isinstance(tags.get(ID_KEY), str):  # Cognito and V2 take a tag map
        return tags[ID_KEY]
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, Mapping) and tag.get("Key") == ID_KEY and isinstance(tag.get("Value"), str):
                return tag["Value"]
    return None


def physical_id(stack: str, region: str, logical_id: str, resource: Mapping[str, Any],
                overrides: Mapping[str, str]) -> str:
    """The resource's Ref value: pinned, else named by its property, else generated from stack and logical id."""
    pinned = explicit_id(logical_id, resource, overrides)
    if pinned is not None:
        return pinned
    kind = str(resource.get("Type"))
    properties = resource.get("Properties") if isinstance(resource.get("Properties"), Mapping) else {}
    named = properties.get(_NAMED_BY.get(kind, ""))
    if isinstance(named, str):
        return named
    seed = f"cfn:{stack}:{logical_id}"
    if kind == "AWS::Cognito::UserPool":
        return f"{region}_{stable_token(seed, 9, ALNUM)}"
    if kind in _SHAPES:
        length, alphabet = _SHAPES[kind]
        return stable_token(seed, length, alphabet)
    # CloudFormation's generated names: <stack>-<logical id>-<suffix>.
    return f"{stack}-{logical_id}-{stable_token(seed, 12, ALNUM[26:])}"[:140]


def client_secret(stack: str, logical_id: str) -> str:
    """A generated client secret (GenerateSecret: true), stable so that Fn::GetAtt ClientSecret agrees."""
    return stable_token(f"cfn-secret:{stack}:{logical_id}", 51, LOWER_ALNUM)
