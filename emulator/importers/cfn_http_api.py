"""`AWS::ApiGatewayV2::Api` (HTTP) with its `Authorizer`, `Route`, `Integration` and `Stage` resources ->
entries of `Apis:` (ApiGatewayV2's names, which the config uses). A route whose authorization cannot be
honoured (an authorizer that cannot run here) stops the import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.importers.cfn_errors import ImportRefused
from emulator.importers.cfn_lambda import Function, function_in, route_target
from emulator.importers.cfn_openapi import OpenApiTranslator
from emulator.importers.cfn_template import Template

API = "AWS::ApiGatewayV2::Api"
AUTHORIZER_KEYS = ("IdentitySource", "JwtConfiguration", "AuthorizerResultTtlInSeconds", "EnableSimpleResponses",
                   "AuthorizerPayloadFormatVersion")
CORS_KEYS = ("AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders", "MaxAge", "AllowCredentials")
# AuthorizationType -> the AuthorizerType its authorizer must have (NONE: no authorizer).
ROUTE_AUTH = {"JWT": "JWT", "CUSTOM": "REQUEST"}


class HttpApiTranslator:
    """The HTTP APIs of one template; `origins` maps `Apis[i].Routes[j]`-style paths to logical ids."""

    def __init__(self, template: Template, functions: Mapping[str, Function]) -> None:
        self.t = template
        self.functions = functions

    def translate(self) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
        """(api logical id, the Apis: entry, origins relative to the entry) for each HTTP API."""
        out = []
        for logical_id, _ in self.t.of_type(API):
            # An API defined by an OpenAPI Body (as SAM writes it) has no ProtocolType: it is an HTTP API.
            protocol = self.t.value(logical_id, "ProtocolType", "HTTP" if self.t.value(logical_id, "Body") else None)
            if protocol != "HTTP":
                self.t.notes.skip(f"{API} ({protocol})", logical_id)
                continue
            if self.t.value(logical_id, "BodyS3Location"):
                raise ImportRefused(logical_id, "Properties.BodyS3Location", "an OpenAPI file in S3 is not read; "
                                    "define routes and authorizers as resources")
            out.append(self._api(logical_id))
        return out

    def _of_api(self, kind: str, api_logical: str) -> list[str]:
        api_id = self.t.physical_id(api_logical)
        return [lid for lid, _ in self.t.of_type(kind) if self.t.value(lid, "ApiId") == api_id]

    def _api(self, logical_id: str) -> tuple[str, dict[str, Any], dict[str, str]]:
        t = self.t
        api: dict[str, Any] = {"Name": t.value(logical_id, "Name", logical_id), "ApiId": t.physical_id(logical_id),
                               "ProtocolType": "HTTP"}
        origins: dict[str, str] = {"": logical_id}
        cors = t.value(logical_id, "CorsConfiguration")
        if cors:
            api["CorsConfiguration"] = {k: v for k, v in cors.items() if k in CORS_KEYS}
            origins["CorsConfiguration"] = logical_id
        authorizers: dict[str, dict[str, Any]] = {}
        for authorizer_logical in self._of_api("AWS::ApiGatewayV2::Authorizer", logical_id):
            authorizers[t.physical_id(authorizer_logical)] = self._authorizer(authorizer_logical)
            origins[f"Authorizers[{len(authorizers) - 1}]"] = authorizer_logical
        if authorizers:
            api["Authorizers"] = list(authorizers.values())
        routes = []
        for route_logical in self._of_api("AWS::ApiGatewayV2::Route", logical_id):
            route = self._route(route_logical, authorizers)
            if route is not None:
                origins[f"Routes[{len(routes)}]"] = route_logical
                routes.append(route)
        body = t.value(logical_id, "Body")
        if body:  # an OpenAPI definition (SAM writes one); its routes follow the resources' own
            more_authorizers, more_routes, cors = OpenApiTranslator(logical_id, body, "HTTP", self.functions,
                                                                    t.notes).translate()
            if more_authorizers:
                api["Authorizers"] = api.get("Authorizers", []) + more_authorizers
            routes += more_routes
            if cors and "CorsConfiguration" not in api:
                api["CorsConfiguration"] = cors
            if not t.value(logical_id, "Name") and isinstance((body.get("info") or {}).get("title"), str):
                api["Name"] = body["info"]["title"]
        api["Routes"] = routes
        for stage_logical in self._of_api("AWS::ApiGatewayV2::Stage", logical_id):
            stage = t.value(stage_logical, "StageName")
            if stage != "$default":
                t.notes.add(f"{stage_logical}: stage {stage} is served as $default (URLs without a stage prefix)")
        return logical_id, api, origins

    def _authorizer(self, logical_id: str) -> dict[str, Any]:
        t = self.t
        kind = t.value(logical_id, "AuthorizerType")
        entry: dict[str, Any] = {"Name": t.value(logical_id, "Name", logical_id), "AuthorizerType": kind}
        if kind not in ("JWT", "REQUEST"):
            raise ImportRefused(logical_id, "Properties.AuthorizerType", f"{kind!r} is not an HTTP API authorizer "
                                                                         "type the emulator runs (JWT, REQUEST)")
        for key in AUTHORIZER_KEYS:
            value = t.value(logical_id, key)
            if value is not None:
                entry[key] = value
        if kind == "REQUEST":
            uri = t.value(logical_id, "AuthorizerUri")
            function = function_in(uri, self.functions)
            if function is None or function.spec is None:
                why = f"function {function.logical_id} {function.why}" if function else \
                    f"{uri!r} is not a function of the template"
                raise ImportRefused(logical_id, "Properties.AuthorizerUri",
                                    f"{why}; Lambda authorizers run only as Python handlers here")
            entry["AuthorizerUri"] = function.spec
        if t.value(logical_id, "AuthorizerCredentialsArn"):
            t.notes.add(f"{logical_id}: AuthorizerCredentialsArn not needed locally; ignored")
        return entry

    def _route(self, logical_id: str, authorizers: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
        t = self.t
        route_key = t.value(logical_id, "RouteKey")
        auth_type = t.value(logical_id, "AuthorizationType", "NONE")
        route: dict[str, Any] = {"RouteKey": route_key}
        if auth_type == "AWS_IAM":  # checked by the gateway (iam_authorizer.py)
            route["AuthorizationType"] = "AWS_IAM"
        elif auth_type != "NONE":
            if auth_type not in ROUTE_AUTH:
                raise ImportRefused(logical_id, "Properties.AuthorizationType", f"{auth_type!r} is not one of "
                                    "NONE, JWT, CUSTOM, AWS_IAM")
            authorizer = authorizers.get(t.value(logical_id, "AuthorizerId"))
            if authorizer is None:
                raise ImportRefused(logical_id, "Properties.AuthorizerId",
                                    f"AuthorizationType {auth_type} needs an authorizer of this API, and "
                                    f"{t.value(logical_id, 'AuthorizerId')!r} is none")
            route["AuthorizerName"] = authorizer["Name"]
            scopes = t.value(logical_id, "AuthorizationScopes")
            if scopes:
                route["AuthorizationScopes"] = scopes
        elif t.value(logical_id, "AuthorizationScopes"):
            raise ImportRefused(logical_id, "Properties.AuthorizationScopes", "scopes on a route without an "
                                "authorizer are not checked by anything")
        target = t.value(logical_id, "Target")
        integration = t.logical_for(str(target).removeprefix("integrations/")) if target else None
        if integration is None:
            t.notes.add(f"{logical_id}: route {route_key} has no integration of the template; left out (404)")
            return None
        return self._integrate(route, integration, logical_id)

    def _integrate(self, route: dict[str, Any], integration: str, route_logical: str) -> dict[str, Any] | None:
        t = self.t
        kind = t.value(integration, "IntegrationType")
        uri = t.value(integration, "IntegrationUri")
        if kind == "AWS_PROXY":
            route["Target"] = route_target(function_in(uri, self.functions), uri, t.notes, route_logical)
        elif kind == "HTTP_PROXY" and isinstance(uri, str) and uri.startswith(("http://", "https://")):
            route["Target"] = uri
        else:
            t.notes.add(f"{route_logical}: integration {integration} ({kind}) is not emulated; route "
                        f"{route['RouteKey']} left out (404)")
            return None
        version = t.value(integration, "PayloadFormatVersion")
        # A function standing in as an HTTP placeholder receives the HTTP request itself (1.0 only).
        if version is not None and (str(version) == "1.0" or str(route["Target"]).startswith("python:")):
            route["PayloadFormatVersion"] = str(version)
        timeout = t.value(integration, "TimeoutInMillis")
        if timeout is not None:
            route["TimeoutInMillis"] = int(timeout)
        return route
