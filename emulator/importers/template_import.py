"""A CloudFormation template (SAM and `cdk synth` output included) -> a complete config (UserPools and
Apis), validated with the emulator's own parse_config; every refusal names a logical id and a property.

Steps: load (cfn_yaml) -> SAM transform when the template declares it (sam_transform) -> bind names
(cfn_template) -> functions (cfn_lambda) -> pools (cfn_cognito) -> HTTP and REST APIs (cfn_http_api,
cfn_rest_api) -> validate, mapping a config path back to the resource it came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from emulator.config import parse_config
from emulator.config_fields import ConfigError
from emulator.importers.apis_check import stand_in_handlers
from emulator.importers.cfn_cognito import CognitoTranslator
from emulator.importers.cfn_errors import ImportRefused, Notes
from emulator.importers.cfn_http_api import HttpApiTranslator
from emulator.importers.cfn_lambda import functions
from emulator.importers.cfn_rest_api import RestApiTranslator
from emulator.importers.cfn_template import Options, Template

DEFAULT_PORT = 8080
# Resource types translated by the modules above.
TRANSLATED = {
    "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolResourceServer",
    "AWS::Cognito::UserPoolGroup", "AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolUser",
    "AWS::Cognito::UserPoolUserToGroupAttachment", "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Authorizer", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment", "AWS::Lambda::Function",
}
# Read by nothing: the emulator invokes functions and serves APIs without these.
NOT_NEEDED = {
    "AWS::Lambda::Permission": "the emulator invokes functions without resource policies",
    "AWS::IAM::Role": "no IAM locally", "AWS::IAM::Policy": "no IAM locally",
    "AWS::ApiGateway::Account": "account-wide logging settings",
    "AWS::ApiGatewayV2::Deployment": "HTTP APIs are served as defined",
}
_PATH = re.compile(r"^(UserPools|Apis)\[(\d+)\](?:\.(\w+)\[(\d+)\])?")


class Imported(NamedTuple):
    """The config produced, and config path prefix -> logical id (to name a refusal's resource)."""

    config: dict[str, Any]
    origins: dict[str, str]


def import_template(doc: Mapping[str, Any], options: Options, notes: Notes, *, source_dir: Path, base_dir: Path,
                    first_port: int = DEFAULT_PORT) -> Imported:
    """Translate one parsed template (pure but for checking which handler files exist)."""
    if _is_sam(doc):
        from emulator.importers.sam_transform import transform

        doc = transform(doc, options, notes)
    template = Template(doc, options, notes)
    known = functions(template, source_dir, base_dir)
    cognito = CognitoTranslator(template, known)
    pools = cognito.translate()
    pool_index = {pool_logical: i for i, pool_logical in enumerate(cognito.pools)}
    origins = {f"UserPools[{i}]": lid for lid, i in pool_index.items()}
    for key, logical_id in cognito.origins.items():
        pool_logical, _, rest = key.partition(":")
        origins[f"UserPools[{pool_index[pool_logical]}].{rest}"] = logical_id
    apis = []
    for translator in (HttpApiTranslator(template, known), RestApiTranslator(template, known)):
        for logical_id, api, api_origins in translator.translate():
            if any(a["Name"] == api["Name"] for a in apis):  # SAM titles every API with the stack name
                api["Name"] = f"{api['Name']}-{logical_id}"
            api["Port"] = first_port + len(apis)
            prefix = f"Apis[{len(apis)}]"
            origins.update({f"{prefix}.{k}" if k else prefix: v for k, v in api_origins.items()})
            apis.append(api)
    for logical_id, resource in template.resources.items():
        kind = str(resource["Type"])
        if kind in NOT_NEEDED:
            notes.add(f"{kind} ignored ({NOT_NEEDED[kind]})")
        elif kind not in TRANSLATED:
            notes.skip(kind, logical_id)
    config: dict[str, Any] = {"Region": options.region}
    if pools:
        config["UserPools"] = pools
    if apis:
        config["Apis"] = apis
    return Imported(config, origins)


def _is_sam(doc: Mapping[str, Any]) -> bool:
    transform = doc.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return any(isinstance(n, str) and n.startswith("AWS::Serverless") for n in names)


def resource_for(path: str, origins: Mapping[str, str]) -> tuple[str, str]:
    """(logical id, property path) for a config path like `Apis[0].Routes[1].AuthorizationScopes`."""
    best = max((p for p in origins if path == p or path.startswith(p + ".") or path.startswith(p + "[")),
               key=len, default=None)
    if best is None:
        return "(template)", path
    rest = path[len(best):].lstrip(".")
    return origins[best], f"Properties.{rest}" if rest else ""


def validate(config: Mapping[str, Any], origins: Mapping[str, str], base_dir: Path) -> None:
    """Run the emulator's own validation (python targets stood in); a failure names the resource."""
    checked = dict(config)
    if config.get("Apis"):
        checked["Apis"] = stand_in_handlers(config["Apis"])
    try:
        parse_config(checked, base_dir=base_dir)
    except ConfigError as exc:
        logical_id, prop = resource_for(exc.path, origins)
        raise ImportRefused(logical_id, prop, f"{exc.reason} (config path {exc.path})") from None
