"""One template as the translators read it: its parameters, conditions, the resources that exist,
their physical ids and attributes, and `value(logical_id, path)`, which resolves a property or stops
the import naming the logical id and property path."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.importers import cfn_ids
from emulator.importers.cfn_errors import ImportRefused, Notes, TemplateError, Unresolved
from emulator.importers.cfn_intrinsics import NO_VALUE, Scope, condition, resolve
from emulator.model import DEFAULT_REGION

FAKE_ACCOUNT = "123456789012"
_MISSING = object()


@dataclass(frozen=True)
class Options:
    """What the command line supplies: `--stack-name`, `--region`, `--parameter K=V`, `--set K=V`, `--id L=V`."""

    stack_name: str = "stack"
    region: str = DEFAULT_REGION
    account: str = FAKE_ACCOUNT
    parameters: Mapping[str, str] = field(default_factory=dict)
    outside: Mapping[str, str] = field(default_factory=dict)
    ids: Mapping[str, str] = field(default_factory=dict)


def pseudo_parameters(options: Options) -> dict[str, str]:
    """AWS's pseudo parameters, with the emulator's stand-ins for what only a deployment knows."""
    partition = "aws-cn" if options.region.startswith("cn-") else (
        "aws-us-gov" if options.region.startswith("us-gov-") else "aws")
    return {"AWS::Region": options.region, "AWS::AccountId": options.account, "AWS::StackName": options.stack_name,
            "AWS::StackId": f"arn:{partition}:cloudformation:{options.region}:{options.account}:stack/"
                            f"{options.stack_name}/00000000-0000-0000-0000-000000000000",
            "AWS::Partition": partition, "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn"
            else "amazonaws.com", "AWS::NotificationARNs": []}  # type: ignore[dict-item]


class Template:
    """A parsed template with its names bound; resources whose Condition is false are left out."""

    def __init__(self, doc: Mapping[str, Any], options: Options, notes: Notes) -> None:
        resources = doc.get("Resources")
        if not isinstance(resources, Mapping) or not resources:
            raise TemplateError("no Resources: section; is this a CloudFormation template?")
        self.options = options
        self.notes = notes
        self.region = options.region
        parameters, missing = _parameters(doc.get("Parameters") or {}, options)
        all_ids = {str(k): cfn_ids.physical_id(options.stack_name, options.region, str(k), v, options.ids)
                   for k, v in resources.items() if isinstance(v, Mapping)}
        self.scope = Scope(parameters={**parameters, **pseudo_parameters(options)}, refs=all_ids,
                           attribute=self._attribute, conditions=doc.get("Conditions") or {},
                           mappings=doc.get("Mappings") or {}, outside=options.outside,
                           missing_parameters=missing)
        self.resources: dict[str, Mapping[str, Any]] = {}
        for logical_id, resource in resources.items():
            if not isinstance(resource, Mapping) or not isinstance(resource.get("Type"), str):
                raise TemplateError(f"Resources.{logical_id} has no Type")
            when = resource.get("Condition")
            if when is not None:
                try:
                    exists = condition(when, self.scope)
                except Unresolved as exc:
                    raise ImportRefused(str(logical_id), "Condition", str(exc)) from None
                if not exists:
                    notes.add(f"{logical_id}: condition {when} is false; not created")
                    continue
            self.resources[str(logical_id)] = resource
        self.attributes: dict[tuple[str, str], Any] = {}  # filled by the translators (ClientSecret, ...)

    def of_type(self, *kinds: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(logical id, resource) of every existing resource of these types, in template order."""
        for logical_id, resource in self.resources.items():
            if resource["Type"] in kinds:
                yield logical_id, resource

    def physical_id(self, logical_id: str) -> str:
        return self.scope.refs[logical_id]

    def type_of(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        return str(resource["Type"]) if resource else None

    def value(self, logical_id: str, path: str, default: Any = None) -> Any:
        """The resolved property at `path` (`JwtConfiguration.Audience`); ImportRefused when it cannot be known."""
        node: Any = self.resources[logical_id].get("Properties") or {}
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        try:
            resolved = resolve(node, self.scope)
        except Unresolved as exc:
            raise ImportRefused(logical_id, f"Properties.{path}{_failing_part(node, self.scope)}", str(exc)) from None
        return default if resolved is NO_VALUE else resolved

    def properties(self, logical_id: str) -> Mapping[str, Any]:
        """The resource's property names (unresolved values: use value() to read one)."""
        props = self.resources[logical_id].get("Properties")
        return props if isinstance(props, Mapping) else {}

    def logical_for(self, physical: Any) -> str | None:
        """The logical id whose physical id is `physical` (a resolved Ref), if any."""
        for logical_id, ref in self.scope.refs.items():
            if ref == physical and logical_id in self.resources:
                return logical_id
        return None

    def _attribute(self, logical_id: str, name: str) -> Any:
        if (logical_id, name) in self.attributes:
            return self.attributes[(logical_id, name)]
        resource = self.resources.get(logical_id)
        if resource is None:
            raise Unresolved(f"Fn::GetAtt {logical_id}.{name}: {logical_id} is not created (its Condition is false)")
        value = known_attribute(str(resource["Type"]), self.physical_id(logical_id), name,
                                self.scope.parameters, self.options.stack_name, logical_id)
        if value is _MISSING:
            raise Unresolved(f"Fn::GetAtt {logical_id}.{name} ({resource['Type']}) is not known to the importer")
        return value


def _failing_part(node: Any, scope: Scope) -> str:
    """`.Audience[0]`: where inside `node` resolution fails, so that a refusal names the exact property."""
    if isinstance(node, Mapping) and not (len(node) == 1 and (next(iter(node)) == "Ref"
                                                            or str(next(iter(node))).startswith("Fn::"))):
        items: list[tuple[str, Any]] = [(f".{k}", v) for k, v in node.items()]
    elif isinstance(node, list):
        items = [(f"[{i}]", v) for i, v in enumerate(node)]
    else:
        return ""
    for suffix, item in items:
        try:
            resolve(item, scope)
        except Unresolved:
            return suffix + _failing_part(item, scope)
    return ""


def known_attribute(kind: str, physical: str, name: str, pseudo: Mapping[str, Any], stack: str,
                    logical_id: str) -> Any:
    """A Fn::GetAtt value as AWS forms it from the physical id (a sentinel when the importer does not know it)."""
    region, account, partition = pseudo["AWS::Region"], pseudo["AWS::AccountId"], pseudo["AWS::Partition"]
    suffix = pseudo["AWS::URLSuffix"]
    table: dict[tuple[str, str], Any] = {
        ("AWS::Cognito::UserPool", "Arn"): f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{physical}",
        ("AWS::Cognito::UserPool", "ProviderName"): f"cognito-idp.{region}.{suffix}/{physical}",
        ("AWS::Cognito::UserPool", "ProviderURL"): f"https://cognito-idp.{region}.{suffix}/{physical}",
        ("AWS::Cognito::UserPool", "UserPoolId"): physical,
        ("AWS::Cognito::UserPoolClient", "ClientId"): physical,
        ("AWS::Cognito::UserPoolClient", "ClientSecret"): cfn_ids.client_secret(stack, logical_id),
        ("AWS::Cognito::UserPoolClient", "Name"): physical,
        ("AWS::Lambda::Function", "Arn"): f"arn:{partition}:lambda:{region}:{account}:function:{physical}",
        ("AWS::KMS::Key", "Arn"): f"arn:{partition}:kms:{region}:{account}:key/{physical}",
        ("AWS::KMS::Key", "KeyId"): physical,
        ("AWS::ApiGatewayV2::Api", "ApiId"): physical,
        ("AWS::ApiGatewayV2::Api", "ApiEndpoint"): f"https://{physical}.execute-api.{region}.{suffix}",
        ("AWS::ApiGateway::RestApi", "RestApiId"): physical,
        ("AWS::ApiGateway::RestApi", "RootResourceId"): f"root-{physical}",
        ("AWS::ApiGatewayV2::Authorizer", "AuthorizerId"): physical,
        ("AWS::ApiGateway::Authorizer", "AuthorizerId"): physical,
        ("AWS::ApiGatewayV2::Integration", "IntegrationId"): physical,
        ("AWS::ApiGateway::Resource", "ResourceId"): physical,
    }
    return table.get((kind, name), _MISSING)


def _parameters(section: Any, options: Options) -> tuple[dict[str, Any], dict[str, str]]:
    """Parameter values (--parameter, else Default) and, for those without one, why."""
    values: dict[str, Any] = {}
    missing: dict[str, str] = {}
    if not isinstance(section, Mapping):
        raise TemplateError("Parameters: should be a mapping")
    for name, spec in section.items():
        spec = spec if isinstance(spec, Mapping) else {}
        kind = str(spec.get("Type", "String"))
        raw = options.parameters.get(str(name), spec.get("Default"))
        if raw is None:
            missing[str(name)] = f"parameter {name} has no Default and no value was given"
            continue
        allowed = spec.get("AllowedValues")
        if isinstance(allowed, list) and str(raw) not in [str(a) for a in allowed]:
            raise TemplateError(f"parameter {name}: {raw!r} is not one of its AllowedValues {allowed}")
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            key = f"ssm:{raw}"  # the value is an SSM parameter's name; its content is what Ref gives
            if key not in options.outside:
                missing[str(name)] = (f"parameter {name} is the SSM parameter {raw}, read at deploy time; "
                                      f"pass --set '{key}=<value>'")
                continue
            raw = options.outside[key]
        if kind.startswith(("List<", "CommaDelimitedList", "AWS::SSM::Parameter::Value<List")):
            values[str(name)] = raw if isinstance(raw, list) else [s.strip() for s in str(raw).split(",")]
        else:
            values[str(name)] = raw if isinstance(raw, list) else str(raw)
    unknown = sorted(set(options.parameters) - {str(n) for n in section})
    if unknown:
        raise TemplateError(f"--parameter {', '.join(unknown)}: not a parameter of the template")
    return values, missing
