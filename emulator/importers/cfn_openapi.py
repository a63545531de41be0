"""An API's OpenAPI `Body` (what SAM writes, and what teams write by hand) with API Gateway's
`x-amazon-apigateway-*` extensions -> the authorizers and routes of an `Apis:` entry. Security the
emulator cannot honour (API keys, SigV4, several alternatives) stops the import with its path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.importers.cfn_errors import ImportRefused, Notes
from emulator.importers.cfn_lambda import Function, function_in, route_target

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method")
AUTHORIZER = "x-amazon-apigateway-authorizer"
INTEGRATION = "x-amazon-apigateway-integration"
CORS_NAMES = {"allowOrigins": "AllowOrigins", "allowMethods": "AllowMethods", "allowHeaders": "AllowHeaders",
              "exposeHeaders": "ExposeHeaders", "maxAge": "MaxAge", "allowCredentials": "AllowCredentials"}


class OpenApiTranslator:
    """One resolved Body of one API (`protocol` HTTP or REST) -> (authorizers, routes, CORS)."""

    def __init__(self, logical_id: str, body: Mapping[str, Any], protocol: str,
                 functions: Mapping[str, Function], notes: Notes) -> None:
        self.logical_id = logical_id
        self.body = body
        self.protocol = protocol
        self.functions = functions
        self.notes = notes
        components = body.get("components") if isinstance(body.get("components"), Mapping) else {}
        self.schemes = components.get("securitySchemes") or body.get("securityDefinitions") or {}
        self.authorizers: dict[str, dict[str, Any]] = {}

    def refuse(self, path: str, reason: str) -> ImportRefused:
        return ImportRefused(self.logical_id, f"Properties.Body.{path}", reason)

    def translate(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any] | None]:
        routes = []
        for path, item in (self.body.get("paths") or {}).items():
            for method, operation in (item or {}).items():
                if method in METHODS and isinstance(operation, Mapping):
                    route = self._route(str(path), method, operation)
                    if route is not None:
                        routes.append(route)
        cors = self.body.get("x-amazon-apigateway-cors")
        cors_config = {CORS_NAMES[k]: v for k, v in cors.items() if k in CORS_NAMES} if cors else None
        return list(self.authorizers.values()), routes, cors_config

    def _route(self, path: str, method: str, operation: Mapping[str, Any]) -> dict[str, Any] | None:
        where = f"paths.{path}.{method}"
        verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
        route_key = "$default" if path == "$default" else f"{verb} {path}"
        route: dict[str, Any] = {"RouteKey": route_key}
        security = operation.get("security", self.body.get("security"))
        requirements = [r for r in (security or []) if r]  # `{}` in the list means "no authorization"
        if len(requirements) > 1 or (requirements and len(requirements[0]) > 1):
            raise self.refuse(f"{where}.security", "several security requirements on one method are not "
                                                   "emulated (API Gateway applies one authorizer)")
        if requirements and len(requirements) == len(security or []):
            (name, scopes), = requirements[0].items()
            route["AuthorizerName"] = self._authorizer(str(name), f"{where}.security")
            if scopes:
                route["AuthorizationScopes"] = list(scopes)
        integration = operation.get(INTEGRATION) or {}
        kind, uri = str(integration.get("type", "")).lower(), integration.get("uri")
        if kind == "aws_proxy":
            route["Target"] = route_target(function_in(uri, self.functions), uri, self.notes,
                                           f"{self.logical_id}.Body.{where}")
        elif kind == "http_proxy" and isinstance(uri, str) and uri.startswith(("http://", "https://")):
            route["Target"] = uri
        else:
            self.notes.add(f"{self.logical_id}.Body.{where}: {kind or 'no'} integration is not emulated; "
                           f"{route_key} left out (404)")
            return None
        version = integration.get("payloadFormatVersion")
        if self.protocol == "HTTP" and version is not None and str(route["Target"]).startswith("python:"):
            route["PayloadFormatVersion"] = str(version)
        return route

    def _authorizer(self, name: str, where: str) -> str:
        """The config name of the authorizer a security requirement names, translated once."""
        if name in self.authorizers:
            return name
        scheme = self.schemes.get(name)
        if not isinstance(scheme, Mapping):
            raise self.refuse(where, f"security scheme {name!r} is not defined")
        ext = scheme.get(AUTHORIZER)
        if not isinstance(ext, Mapping):
            kind = scheme.get("x-amazon-apigateway-authtype") or scheme.get("type")
            raise self.refuse(where, f"security scheme {name!r} ({kind}) is not an authorizer the emulator runs; "
                                     "API keys and SigV4 (AWS_IAM) are not emulated")
        kind = str(ext.get("type", "")).lower()
        source = ext.get("identitySource")
        entry: dict[str, Any] = {"Name": name}
        if kind == "jwt" and self.protocol == "HTTP":
            jwt = ext.get("jwtConfiguration") or {}
            entry.update(AuthorizerType="JWT", JwtConfiguration={"Issuer": jwt.get("issuer"),
                                                                 "Audience": jwt.get("audience")})
            if source:
                entry["IdentitySource"] = source
        elif kind == "cognito_user_pools" and self.protocol == "REST":
            header = scheme.get("name", "Authorization")
            entry.update(Type="COGNITO_USER_POOLS", ProviderARNs=ext.get("providerARNs"),
                         IdentitySource=f"method.request.header.{header}")
        elif kind in ("token", "request"):
            function = function_in(ext.get("authorizerUri"), self.functions)
            if function is None or function.spec is None:
                why = f"function {function.logical_id} {function.why}" if function else \
                    f"{ext.get('authorizerUri')!r} is not a function of the template"
                raise self.refuse(f"components.securitySchemes.{name}", f"{why}; Lambda authorizers run only as "
                                                                        "Python handlers here")
            entry["AuthorizerType" if self.protocol == "HTTP" else "Type"] = kind.upper()
            entry["AuthorizerUri"] = function.spec
            if source:
                entry["IdentitySource"] = source
            if self.protocol == "HTTP":
                entry["AuthorizerPayloadFormatVersion"] = str(ext.get("authorizerPayloadFormatVersion", "2.0"))
                if ext.get("enableSimpleResponses") is not None:
                    entry["EnableSimpleResponses"] = bool(ext["enableSimpleResponses"])
        else:
            raise self.refuse(where, f"authorizer {name!r} of type {kind!r} is not one the emulator runs on "
                                     f"{self.protocol} APIs")
        if ext.get("authorizerResultTtlInSeconds") is not None and kind != "jwt":
            entry["AuthorizerResultTtlInSeconds"] = int(ext["authorizerResultTtlInSeconds"])
        self.authorizers[name] = entry
        return name
