"""`AWS::ApiGateway::RestApi` with its `Resource`, `Method`, `Authorizer`, `Stage` and `Deployment`
resources -> entries of `Apis:` (ProtocolType REST). A method whose authorization cannot be honoured
(API keys, a resource policy, an authorizer that cannot run here) stops the import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.importers.cfn_errors import ImportRefused
from emulator.importers.cfn_lambda import Function, function_in, route_target
from emulator.importers.cfn_openapi import OpenApiTranslator
from emulator.importers.cfn_template import Template

API = "AWS::ApiGateway::RestApi"
METHOD_AUTH = {"COGNITO_USER_POOLS": "COGNITO_USER_POOLS", "CUSTOM": ("TOKEN", "REQUEST")}


class RestApiTranslator:
    """The REST APIs of one template, as (logical id, Apis: entry, origins) like HttpApiTranslator's."""

    def __init__(self, template: Template, functions: Mapping[str, Function]) -> None:
        self.t = template
        self.functions = functions

    def translate(self) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
        out = []
        for logical_id, _ in self.t.of_type(API):
            if self.t.value(logical_id, "BodyS3Location"):
                raise ImportRefused(logical_id, "Properties.BodyS3Location", "an OpenAPI file in S3 is not read; "
                                    "define resources, methods and authorizers as resources")
            if self.t.value(logical_id, "Policy"):
                raise ImportRefused(logical_id, "Properties.Policy", "resource policies are not enforced by the "
                                    "emulator; serving the API without it would let callers in that AWS refuses")
            out.append(self._api(logical_id))
        return out

    def _of_api(self, kind: str, api_logical: str) -> list[str]:
        api_id = self.t.physical_id(api_logical)
        return [lid for lid, _ in self.t.of_type(kind) if self.t.value(lid, "RestApiId") == api_id]

    def _api(self, logical_id: str) -> tuple[str, dict[str, Any], dict[str, str]]:
        t = self.t
        api: dict[str, Any] = {"Name": t.value(logical_id, "Name", logical_id), "ApiId": t.physical_id(logical_id),
                               "ProtocolType": "REST"}
        origins: dict[str, str] = {"": logical_id}
        stages = [t.value(s, "StageName") for s in self._of_api("AWS::ApiGateway::Stage", logical_id)]
        if not stages:  # a Deployment's StageName only counts without Stage resources (SAM writes a dummy one)
            stages = [t.value(d, "StageName") for d in self._of_api("AWS::ApiGateway::Deployment", logical_id)]
        stages = [s for s in dict.fromkeys(stages) if s]
        if stages:
            api["StageName"] = stages[0]
            if len(stages) > 1:
                t.notes.add(f"{logical_id}: served on stage {stages[0]} only (also defined: {', '.join(stages[1:])})")
        authorizers: dict[str, dict[str, Any]] = {}
        for authorizer_logical in self._of_api("AWS::ApiGateway::Authorizer", logical_id):
            authorizers[t.physical_id(authorizer_logical)] = self._authorizer(authorizer_logical)
            origins[f"Authorizers[{len(authorizers) - 1}]"] = authorizer_logical
        if authorizers:
            api["Authorizers"] = list(authorizers.values())
        paths = self._paths(logical_id)
        routes = []
        for method_logical in self._of_api("AWS::ApiGateway::Method", logical_id):
            route = self._method(method_logical, paths, authorizers)
            if route is not None:
                origins[f"Routes[{len(routes)}]"] = method_logical
                routes.append(route)
        body = t.value(logical_id, "Body")
        if body:  # an OpenAPI definition (SAM writes one); its routes follow the resources' own
            more_authorizers, more_routes, cors = OpenApiTranslator(logical_id, body, "REST", self.functions,
                                                                    t.notes).translate()
            if more_authorizers:
                api["Authorizers"] = api.get("Authorizers", []) + more_authorizers
            routes += more_routes
            if cors and "CorsConfiguration" not in api:
                api["CorsConfiguration"] = cors
            if not t.value(logical_id, "Name") and isinstance((body.get("info") or {}).get("title"), str):
                api["Name"] = body["info"]["title"]
        api["Routes"] = routes
        return logical_id, api, origins

    def _paths(self, api_logical: str) -> dict[str, str]:
        """Resource id -> its path (`/orders/{id}`), the root included."""
        t = self.t
        root = t.scope.attribute(api_logical, "RootResourceId")
        parents = {t.physical_id(r): (t.value(r, "ParentId"), t.value(r, "PathPart"), r)
                   for r in self._of_api("AWS::ApiGateway::Resource", api_logical)}
        paths: dict[str, str] = {root: "/"}

        def path_of(resource_id: str, seen: tuple[str, ...] = ()) -> str:
            if resource_id in paths:
                return paths[resource_id]
            if resource_id not in parents or resource_id in seen:
                raise KeyError(resource_id)
            parent, part, _ = parents[resource_id]
            paths[resource_id] = path_of(parent, (*seen, resource_id)).rstrip("/") + "/" + str(part)
            return paths[resource_id]

        for resource_id, (_, _, logical) in parents.items():
            try:
                path_of(resource_id)
            except KeyError:
                raise ImportRefused(logical, "Properties.ParentId", "is not a resource of this API") from None
        return paths

    def _authorizer(self, logical_id: str) -> dict[str, Any]:
        t = self.t
        kind = t.value(logical_id, "Type")
        entry: dict[str, Any] = {"Name": t.value(logical_id, "Name", logical_id), "Type": kind}
        if kind not in ("COGNITO_USER_POOLS", "TOKEN", "REQUEST"):
            raise ImportRefused(logical_id, "Properties.Type", f"{kind!r} is not a REST authorizer type the "
                                                               "emulator runs (COGNITO_USER_POOLS, TOKEN, REQUEST)")
        for key in ("IdentitySource", "ProviderARNs", "IdentityValidationExpression", "AuthorizerResultTtlInSeconds"):
            value = t.value(logical_id, key)
            if value is not None:
                entry[key] = int(value) if key == "AuthorizerResultTtlInSeconds" else value
        if kind != "COGNITO_USER_POOLS":
            uri = t.value(logical_id, "AuthorizerUri")
            function = function_in(uri, self.functions)
            if function is None or function.spec is None:
                why = f"function {function.logical_id} {function.why}" if function else \
                    f"{uri!r} is not a function of the template"
                raise ImportRefused(logical_id, "Properties.AuthorizerUri",
                                    f"{why}; Lambda authorizers run only as Python handlers here")
            entry["AuthorizerUri"] = function.spec
        return entry

    def _method(self, logical_id: str, paths: Mapping[str, str],
                authorizers: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
        t = self.t
        method = str(t.value(logical_id, "HttpMethod")).upper()
        path = paths.get(t.value(logical_id, "ResourceId"))
        if path is None:
            raise ImportRefused(logical_id, "Properties.ResourceId", "is not a resource of this API")
        route: dict[str, Any] = {"RouteKey": f"{method} {path}"}
        auth_type = t.value(logical_id, "AuthorizationType", "NONE")
        if auth_type == "AWS_IAM":  # checked by the gateway (iam_authorizer.py)
            route["AuthorizationType"] = "AWS_IAM"
        if str(t.value(logical_id, "ApiKeyRequired", False)).lower() == "true":
            raise ImportRefused(logical_id, "Properties.ApiKeyRequired", "API keys and usage plans are not emulated; "
                                "serving the method without them would let callers in without a key")
        if auth_type not in ("NONE", "AWS_IAM"):
            authorizer = authorizers.get(t.value(logical_id, "AuthorizerId"))
            if auth_type not in METHOD_AUTH or authorizer is None:
                raise ImportRefused(logical_id, "Properties.AuthorizerId" if auth_type in METHOD_AUTH else
                                    "Properties.AuthorizationType",
                                    f"AuthorizationType {auth_type} needs an authorizer of this API, and "
                                    f"{t.value(logical_id, 'AuthorizerId')!r} is none")
            route["AuthorizerName"] = authorizer["Name"]
            scopes = t.value(logical_id, "AuthorizationScopes")
            if scopes:
                route["AuthorizationScopes"] = scopes
        integration = t.value(logical_id, "Integration") or {}
        kind, uri = integration.get("Type"), integration.get("Uri")
        if kind == "AWS_PROXY":
            route["Target"] = route_target(function_in(uri, self.functions), uri, t.notes, logical_id)
        elif kind == "HTTP_PROXY" and isinstance(uri, str) and uri.startswith(("http://", "https://")):
            route["Target"] = uri
        else:
            t.notes.add(f"{logical_id}: {route['RouteKey']} has a {kind} integration, which is not emulated; left "
                        "out (404)" + (" — a CORS preflight answered by API Gateway itself" if method == "OPTIONS"
                                       else ""))
            return None
        if integration.get("TimeoutInMillis") is not None:
            route["TimeoutInMillis"] = int(integration["TimeoutInMillis"])
        return route
