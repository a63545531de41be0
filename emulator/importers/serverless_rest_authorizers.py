"""The `authorizer:` of an `http` event -> a REST API authorizer (api-gateway validate.js getAuthorizer):
COGNITO_USER_POOLS from a pool ARN or from an AWS::ApiGateway::Authorizer in resources, TOKEN or
REQUEST from a Python function of the service."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_authorizers import Authorizer
from emulator.importers.serverless_functions import FunctionTargets, Refused
from emulator.importers.serverless_report import STAND_IN_ACCOUNT, Report
from emulator.importers.serverless_service import Service, is_region_name
from emulator.importers.serverless_values import as_list, stringify, ttl
from emulator.importers.serverless_variables import (
    cloudformation_resource,
    is_whole_variable,
    placeholders_in,
    ref_placeholder_target,
    variable_spans,
)

REST_DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization"

_COGNITO_ARN = re.compile(r"^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+_[0-9A-Za-z]+$")
_LOOSE_COGNITO_ARN = re.compile(r"^arn:([^:]*):cognito-idp:([^:]*):([^:]*):userpool/(.*)$", re.S)
_POOL_ID = re.compile(r"^[\w-]+_[0-9A-Za-z]+$")


def stand_in_pool_arn(arn: Any, unresolved: Mapping[str, str],
                      region: str) -> tuple[str, str | None] | Refused:
    """A pool ARN the validator accepts, and the comment for it: as written, or with unresolved parts replaced
    by stand-ins (`region` for an unknown region); Refused when it is no pool ARN at all."""
    text = stringify(arn)
    if _COGNITO_ARN.match(text):
        return text, None
    if not placeholders_in(text, unresolved):
        return Refused(f"arn {text!r} is not arn:aws:cognito-idp:<region>:<12-digit account>:userpool/<Id>")
    # Mask placeholders first: `${AWS::AccountId}` has colons of its own. A masked part is unknown.
    masked, spans = text, variable_spans(text)
    for index, (start, end) in reversed(list(enumerate(spans))):
        masked = f"{masked[:start]}\0{index}\0{masked[end:]}"
    match = _LOOSE_COGNITO_ARN.match(masked)
    partition, arn_region, account, pool = match.groups() if match else ("", "", "", "")
    partition = partition if re.match(r"^aws[a-z-]*$", partition) else "aws"
    arn_region = arn_region if is_region_name(arn_region) else region
    account = account if re.match(r"^\d{12}$", account) else STAND_IN_ACCOUNT
    pool = pool if _POOL_ID.match(pool) else f"{arn_region}_REPLACEME"
    return f"arn:{partition}:cognito-idp:{arn_region}:{account}:userpool/{pool}", f"stands in for {text}"


def name_from_arn(arn: str) -> str:
    """Serverless's naming.extractAuthorizerNameFromArn: the last ':' part, then its last '-' part."""
    return arn.split(":")[-1].split("-")[-1]


class RestAuthorizerTranslator:
    """Translates the authorizers REST routes name; `registry` holds those already made, by Name."""

    def __init__(self, service: Service, functions: FunctionTargets, report: Report) -> None:
        self.service = service
        self.functions = functions
        self.report = report

    def authorizer(self, raw: Any, conf: Mapping[str, Any], kind: str, registry: Mapping[str, Authorizer],
                   where: str) -> Authorizer:
        """An event's `authorizer:` (a name, an ARN or a mapping) as an Authorizer, or why it cannot be one."""
        arn: Any = None
        function_name: str | None = None
        derived = False
        if isinstance(raw, str):
            if ":" in raw:
                arn, name, derived = raw, name_from_arn(raw), True
            else:
                function_name = name = raw
        elif conf.get("authorizerId"):
            return self.external_authorizer(conf, where)
        elif conf.get("arn"):
            arn = conf["arn"]
            derived = not isinstance(conf.get("name"), str)
            name = stringify(conf["name"]) if not derived else (name_from_arn(arn) if isinstance(arn, str) else "")
            if not name:
                return Authorizer("?", None, "a COGNITO_USER_POOLS authorizer with a non-string arn needs a name",
                                  "COGNITO_USER_POOLS")
        elif conf.get("name"):
            function_name = name = stringify(conf["name"])
        else:
            return Authorizer("?", None, "it has neither a name nor an arn", kind or "TOKEN")
        if function_name is not None and function_name not in self.service.functions and function_name in registry:
            return registry[function_name]  # a name defined by an earlier event's arn (lenient)
        seconds = ttl(conf.get("resultTtlInSeconds"))
        sources = [s.strip() for item in as_list(conf.get("identitySource")) for s in stringify(item).split(",")
                   if s.strip()]
        if not sources and not (kind == "REQUEST" and seconds == 0):
            sources = [REST_DEFAULT_IDENTITY_SOURCE]  # validate.js's default
        is_cognito = kind == "COGNITO_USER_POOLS" or (isinstance(arn, str) and ":cognito-idp:" in arn)
        if is_cognito and arn is not None:
            fixed = stand_in_pool_arn(arn, self.report.unresolved, self.service.region)
            if isinstance(fixed, Refused):
                return Authorizer(name, None, fixed.reason, "COGNITO_USER_POOLS")
            node = Node(Name=name, Type="COGNITO_USER_POOLS", IdentitySource=sources[0], ProviderARNs=[fixed[0]])
            if fixed[1]:
                node.inline["ProviderARNs"] = fixed[1]
            if derived:
                node.inline["Name"] = "the name Serverless derives from the ARN (set authorizer.name to choose)"
            whole = is_whole_variable(stringify(arn))
            self.report.flag(node, "ProviderARNs", stringify(arn), "arn" if whole else "arn part",
                             f"authorizer {name}", "replace the arn with a pool of config.yaml's: "
                             "arn:aws:cognito-idp:<region>:<account>:userpool/<Id>", "pool ARN" if whole else "pool id")
            if isinstance(conf.get("identityValidationExpression"), str):
                node["IdentityValidationExpression"] = conf["identityValidationExpression"]
            if seconds is not None:
                node["AuthorizerResultTtlInSeconds"] = seconds
            return Authorizer(name, node, None, "COGNITO_USER_POOLS")
        if arn is not None:
            return Authorizer(name, None, f"arn {stringify(arn)!r} is a Lambda outside this service; the "
                                          "emulator runs Lambda authorizers as Python handlers", kind or "TOKEN")
        assert function_name is not None
        fn = self.service.functions.get(function_name)
        if fn is None:
            return Authorizer(name, None, f"no function {function_name!r} in this service", kind or "TOKEN")
        spec = self.functions.authorizer_spec(function_name, fn)
        if isinstance(spec, Refused):
            return Authorizer(name, None, spec.reason, kind or "TOKEN")
        lambda_kind = kind if kind in ("TOKEN", "REQUEST") else "TOKEN"
        if kind and kind not in ("TOKEN", "REQUEST"):
            self.report.warn(f"{where}: authorizer type {kind!r} with a function name is imported as TOKEN")
        node = Node(Name=name, Type=lambda_kind, AuthorizerUri=spec)
        if sources:
            node["IdentitySource"] = sources[0] if lambda_kind == "TOKEN" else sources
        if lambda_kind == "TOKEN" and isinstance(conf.get("identityValidationExpression"), str):
            node["IdentityValidationExpression"] = conf["identityValidationExpression"]
        if seconds is not None:
            node["AuthorizerResultTtlInSeconds"] = seconds
        return Authorizer(name, node, None, lambda_kind)

    def external_authorizer(self, conf: Mapping[str, Any], where: str) -> Authorizer:
        """`authorizerId: {Ref: X}` naming an AWS::ApiGateway::Authorizer in resources.Resources."""
        raw_id = conf["authorizerId"]
        logical = ref_placeholder_target(raw_id) if isinstance(raw_id, str) else None
        resource = cloudformation_resource(self.service.doc, logical) if logical else None
        if resource is None or resource.get("Type") != "AWS::ApiGateway::Authorizer":
            return Authorizer(stringify(raw_id), None, f"authorizerId {stringify(raw_id)!r} is not an "
                                                        "AWS::ApiGateway::Authorizer in resources", "?")
        props = resource.get("Properties") if isinstance(resource.get("Properties"), Mapping) else {}
        if str(props.get("Type", "")).upper() != "COGNITO_USER_POOLS":
            return Authorizer(str(logical), None, f"resources.Resources.{logical} is a {props.get('Type')} "
                                                  "authorizer; only COGNITO_USER_POOLS ones are read from resources",
                              str(props.get("Type")))
        arns = as_list(props.get("ProviderARNs"))
        synthetic = {"arn": arns[0] if arns else None, "name": stringify(props.get("Name") or logical),
                     "type": "COGNITO_USER_POOLS", "identitySource": props.get("IdentitySource"),
                     "identityValidationExpression": props.get("IdentityValidationExpression"),
                     "resultTtlInSeconds": props.get("AuthorizerResultTtlInSeconds")}
        if len(arns) > 1:
            self.report.warn(f"{where}: only the first of the ProviderARNs of {logical} is imported")
        return self.authorizer(synthetic, synthetic, "COGNITO_USER_POOLS", {}, where)
