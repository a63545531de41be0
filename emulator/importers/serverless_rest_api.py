"""The functions' `http` events -> one REST API: its stage, routes, integrations (Lambda proxy, HTTP
proxy) and the authorizers the routes name, each defined once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.gateway.routes import METHODS
from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_authorizers import Authorizer, attach_scopes, iam_route
from emulator.importers.serverless_functions import FunctionTargets, Target
from emulator.importers.serverless_report import Report
from emulator.importers.serverless_rest_authorizers import RestAuthorizerTranslator
from emulator.importers.serverless_service import Service
from emulator.importers.serverless_values import is_url, route_method, stringify
from emulator.importers.serverless_variables import DEFAULT_STAGE


class RestApiTranslator:
    """Builds the service's REST API, warning through `report` about what it leaves out."""

    def __init__(self, service: Service, functions: FunctionTargets, report: Report) -> None:
        self.service = service
        self.functions = functions
        self.report = report
        self.authorizers = RestAuthorizerTranslator(service, functions, report)

    def api(self, port: int, taken: set[str]) -> Node | None:
        """The REST API on `port` (its Name not among `taken`), or None when no function has http events."""
        events = list(self.service.events("http"))
        if not events:
            return None
        provider = self.service.provider
        gateway = provider.get("apiGateway") if isinstance(provider.get("apiGateway"), Mapping) else {}
        name = self.service.api_name(provider.get("apiName") or gateway.get("apiName"))
        if name in taken:
            name = f"{name}-rest"  # the emulator needs unique names; both APIs default to stage-service
        stage = self.service.stage
        if not re.match(r"^[A-Za-z0-9_-]{1,128}$", stage):
            self.report.warn(f"provider.stage {stage!r} is not a REST stage name; the REST API uses "
                             f"'{DEFAULT_STAGE}'")
            stage = DEFAULT_STAGE
        api = Node(Name=name, ProtocolType="REST", StageName=stage, Port=port)
        api.note(None, f"REST API: the functions' http events of {self.service.name} (URLs are /{stage}/...)")
        if gateway.get("restApiId"):
            self.report.warn(f"provider.apiGateway.restApiId {gateway['restApiId']!r}: the REST API is managed "
                             "outside this service; only this service's http events are imported")
        registry: dict[str, Authorizer] = {}
        routes: list[Node] = []
        seen: dict[str, str] = {}
        for fn_name, fn, where, event in events:
            route = self.route(api, fn_name, fn, where, event, registry, seen)
            if route is not None:
                routes.append(route)
        api["Authorizers"] = [a.node for a in registry.values() if a.node is not None]
        api["Routes"] = routes
        return api

    def route(self, api: Node, fn_name: str, fn: Mapping[str, Any], where: str, event: Any,
              registry: dict[str, Authorizer], seen: dict[str, str]) -> Node | None:
        """One http event's route, or None (warned) when it is skipped or left out."""
        if isinstance(event, Mapping):
            method, path = event.get("method"), event.get("path")
        else:
            method, _, path = stringify(event).strip().partition(" ")
        if not method or path is None:
            self.report.warn(f"{where}: needs a method and a path; skipped")
            return None
        method = route_method(method)
        if method not in METHODS:
            self.report.warn(f"{where}: method {method!r} is not an HTTP method; skipped")
            return None
        route_key = f"{method} /{stringify(path).strip().strip('/')}"  # Serverless trims the slashes too
        if route_key in seen:
            self.report.warn(f"{where}: route {route_key} is already {seen[route_key]}'s; skipped")
            return None
        seen[route_key] = where
        conf: Mapping[str, Any] = event if isinstance(event, Mapping) else {}
        if conf.get("cors"):
            self.report.warn(f"{where}: cors on a REST API (an OPTIONS mock method in AWS) is not emulated; "
                             "preflights of this route get 403")
        if conf.get("private"):
            self.report.warn(f"{where}: private: true (API key required) is not emulated; no key is checked")
        route = Node(RouteKey=route_key)
        if conf.get("authorizer") and not self.route_authorizer(api, route, conf["authorizer"], registry, where):
            return None  # left out: its authorizer cannot run here
        target = self.target(api, fn_name, fn, where, conf, route_key)
        if target is None:
            return None
        target.set_on(route)
        return route

    def target(self, api: Node, fn_name: str, fn: Mapping[str, Any], where: str, conf: Mapping[str, Any],
               route_key: str) -> Target | None:
        """The route's Target by its integration, or None when the route is left out (warned)."""
        integration = str(conf.get("integration") or ("lambda" if conf.get("async") else "lambda-proxy"))
        integration = integration.upper().replace("-", "_")
        if integration in ("LAMBDA", "AWS"):
            self.report.warn(f"{where}: integration: lambda (mapping templates) is not emulated; the handler gets "
                             "the Lambda proxy event v1.0 instead")
        elif integration in ("HTTP", "HTTP_PROXY"):
            request = conf.get("request") if isinstance(conf.get("request"), Mapping) else {}
            uri = request.get("uri")
            if not isinstance(uri, str) or not is_url(uri):
                self.report.left_out(api, route_key, where, f"{integration.lower()} integration without an "
                                                            "http(s) request.uri")
                return None
            if integration == "HTTP":
                self.report.warn(f"{where}: integration: http (mapping templates) is imported as an HTTP proxy")
            return Target(uri, False, None)
        elif integration == "MOCK":
            self.report.left_out(api, route_key, where, "mock integrations are not emulated")
            return None
        return self.functions.target(fn_name, fn)

    def route_authorizer(self, api: Node, route: Node, raw: Any, registry: dict[str, Authorizer],
                         where: str) -> bool:
        """Attach the route's REST authorizer (api-gateway validate.js getAuthorizer); False: leave it out."""
        route_key = str(route["RouteKey"])
        conf: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        kind = stringify(conf.get("type") or "").upper()
        if (isinstance(raw, str) and raw.upper() == "AWS_IAM") or kind == "AWS_IAM":
            return iam_route(route, where, self.report)
        authorizer = self.authorizers.authorizer(raw, conf, kind, registry, where)
        if authorizer.node is None:
            self.report.left_out(api, route_key, where, f"its authorizer is not imported: {authorizer.problem}")
            return False
        known = registry.get(authorizer.name)
        if known is None:
            registry[authorizer.name] = authorizer
        elif known.node is not None and dict(known.node) != dict(authorizer.node):
            self.report.warn(f"{where}: authorizer {authorizer.name!r} is defined differently by an earlier "
                             "event; the first definition is kept")
        route["AuthorizerName"] = authorizer.name
        attach_scopes(route, conf, "REST", (known or authorizer).kind, where, self.report)
        return True
