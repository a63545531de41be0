"""`provider.httpApi` and the functions' `httpApi` events -> one HTTP API: JWT and request (Lambda)
authorizers, routes, and CORS with Serverless's defaults (http-api.js)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.gateway.routes import DEFAULT_ROUTE, METHODS
from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_authorizers import Authorizer, attach_scopes, iam_route
from emulator.importers.serverless_functions import FunctionTargets, Refused
from emulator.importers.serverless_report import Report
from emulator.importers.serverless_service import Event, Service
from emulator.importers.serverless_values import (
    as_list,
    dedupe,
    is_url,
    payload_version,
    route_method,
    stringify,
    strings,
    ttl,
)
from emulator.importers.serverless_variables import placeholders_in

# What `ANY` stands for when CORS lists the methods of the routes.
HTTP_METHODS = tuple(method for method in METHODS if method != "ANY")
# http-api.js `defaultCors.allowedHeaders`; REST's getCors uses the same seven.
DEFAULT_CORS_HEADERS = ("Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token",
                        "X-Amz-User-Agent", "X-Amzn-Trace-Id")

_HTTP_API_EVENT = re.compile(r"^(?P<method>\S+)\s+(?P<path>/\S*)$")


class HttpApiTranslator:
    """Builds the service's HTTP API, warning through `report` about what it leaves out."""

    def __init__(self, service: Service, functions: FunctionTargets, report: Report) -> None:
        self.service = service
        self.functions = functions
        self.report = report

    def api(self, port: int) -> Node | None:
        """The HTTP API on `port`, or None when the service has neither httpApi authorizers nor events."""
        config = self.service.provider.get("httpApi") or {}
        if not isinstance(config, Mapping):
            self.report.warn("provider.httpApi is not a mapping; ignored")
            config = {}
        events = list(self.service.events("httpApi"))
        if not events and not config.get("authorizers"):
            return None
        api = Node(Name=self.service.api_name(config.get("name")), ProtocolType="HTTP", Port=port)
        api.note(None, f"HTTP API: provider.httpApi and the functions' httpApi events of {self.service.name} "
                       f"(stage {self.service.stage})")
        if config.get("id"):
            self.report.warn(f"provider.httpApi.id {config['id']!r}: the API is managed outside this service; "
                             "its routes are imported, its own authorizers and CORS are not known")
        authorizers = self.authorizers(config.get("authorizers"))
        routes, methods = self.routes(api, events, authorizers)
        cors = self.cors(config.get("cors"), methods)
        if cors is not None:
            api["CorsConfiguration"] = cors
        api["Authorizers"] = [a.node for a in authorizers.values() if a.node is not None]
        api["Routes"] = routes
        if not events:
            api.note("Routes", "no function has httpApi events; add routes here")
            self.report.warn("provider.httpApi has authorizers but no function has httpApi events: the HTTP API "
                             "has no routes (add them under Routes:)")
        return api

    # -- authorizers ------------------------------------------------------------------------------

    def authorizers(self, raw: Any) -> dict[str, Authorizer]:
        """provider.httpApi.authorizers, by key; those that do not translate carry their problem (warned)."""
        out: dict[str, Authorizer] = {}
        if raw is None:
            return out
        if not isinstance(raw, Mapping):
            self.report.warn("provider.httpApi.authorizers is not a mapping; ignored")
            return out
        for key, conf in raw.items():
            where = f"provider.httpApi.authorizers.{key}"
            name = stringify(conf.get("name") or key) if isinstance(conf, Mapping) else str(key)
            kind = str(conf.get("type") or "jwt").lower() if isinstance(conf, Mapping) else "jwt"
            if not isinstance(conf, Mapping):
                authorizer = Authorizer(name, None, "it is not a mapping", "JWT")
            elif kind == "request":  # http-api.js: a missing type is JWT
                authorizer = self.request_authorizer(name, conf)
            elif kind == "jwt":
                authorizer = self.jwt_authorizer(name, conf)
            else:
                authorizer = Authorizer(name, None, f"type {kind!r} is not jwt or request", kind.upper())
            if authorizer.problem:
                self.report.warn(f"{where}: not imported: {authorizer.problem}")
            out[str(key)] = authorizer
        return out

    def jwt_authorizer(self, name: str, conf: Mapping[str, Any]) -> Authorizer:
        """A `type: jwt` authorizer; an unresolved issuer gets a stand-in URL that names what to put in."""
        issuer = conf.get("issuerUrl")
        audience = [stringify(a) for a in dedupe(as_list(conf.get("audience"))) if a is not None]
        if not isinstance(issuer, str) or not issuer:
            return Authorizer(name, None, "it has no issuerUrl", "JWT")
        if not audience:
            return Authorizer(name, None, "its audience is empty (list the app client ids)", "JWT")
        node = Node(Name=name, AuthorizerType="JWT")
        sources = strings(conf.get("identitySource"))
        if sources:
            node["IdentitySource"] = sources[0] if len(sources) == 1 else sources
        jwt = Node(Issuer=issuer, Audience=audience)
        self.report.flag(jwt, "Issuer", issuer, "issuerUrl part", f"authorizer {name}",
                         "replace it so that the issuer reads https://cognito-idp.<region>.amazonaws.com/<Id of a "
                         "user pool in config.yaml>", "pool id")
        for entry in audience:
            self.report.flag(jwt, "Audience", entry, "audience entry", f"authorizer {name}",
                             "replace it with the app client id from config.yaml", "client id")
        if not is_url(issuer):
            if not placeholders_in(issuer, self.report.unresolved):
                return Authorizer(name, None, f"issuerUrl {issuer!r} is not an http(s) URL", "JWT")
            # The validator needs a URL; this stand-in names the region and says what to put in.
            region = self.service.region
            jwt["Issuer"] = f"https://cognito-idp.{region}.amazonaws.com/{region}_REPLACEME"
            jwt.inline["Issuer"] = f"stands in for {issuer}"
        node["JwtConfiguration"] = jwt
        return Authorizer(name, node, None, "JWT")

    def request_authorizer(self, name: str, conf: Mapping[str, Any]) -> Authorizer:
        """A `type: request` authorizer: a Python function of this service, with http-api.js's defaults."""
        if conf.get("functionArn"):
            return Authorizer(name, None, f"functionArn {stringify(conf['functionArn'])!r} is a Lambda outside "
                                          "this service; the emulator runs authorizers as Python handlers",
                              "REQUEST")
        if not conf.get("functionName"):
            return Authorizer(name, None, "a request authorizer needs functionName (or functionArn)", "REQUEST")
        fn_name = stringify(conf.get("functionName"))
        fn = self.service.functions.get(fn_name)
        if fn is None:
            return Authorizer(name, None, f"functionName {fn_name!r} is not a function of this service",
                              "REQUEST")
        spec = self.functions.authorizer_spec(fn_name, fn)
        if isinstance(spec, Refused):
            return Authorizer(name, None, spec.reason, "REQUEST")
        node = Node(Name=name, AuthorizerType="REQUEST", AuthorizerUri=spec)
        sources = strings(conf.get("identitySource"))
        if sources:
            node["IdentitySource"] = sources
        node["AuthorizerPayloadFormatVersion"] = payload_version(conf.get("payloadVersion"), "2.0")
        if conf.get("enableSimpleResponses") is not None:
            node["EnableSimpleResponses"] = bool(conf["enableSimpleResponses"])
        seconds = ttl(conf.get("resultTtlInSeconds"))
        if seconds is not None:
            node["AuthorizerResultTtlInSeconds"] = seconds
        elif not sources:
            # AWS caches only by identity source, so without one the only deployable TTL is 0.
            node["AuthorizerResultTtlInSeconds"] = 0
            node.inline["AuthorizerResultTtlInSeconds"] = "no identitySource, so no caching"
        return Authorizer(name, node, None, "REQUEST")

    # -- routes -----------------------------------------------------------------------------------

    def routes(self, api: Node, events: list[Event],
               authorizers: Mapping[str, Authorizer]) -> tuple[list[Node], list[str]]:
        """The routes of the httpApi events, and every event's method (for CORS's default methods)."""
        routes: list[Node] = []
        methods: list[str] = []
        seen: dict[str, str] = {}
        config = self.service.provider.get("httpApi")
        payload_default = config.get("payload") if isinstance(config, Mapping) else None
        for fn_name, fn, where, event in events:
            parsed = self.route_key(event, where)
            if parsed is None:
                continue
            route_key, method = parsed
            methods.append(method)
            if route_key in seen:
                self.report.warn(f"{where}: route {route_key} is already {seen[route_key]}'s (Serverless refuses "
                                 "duplicates); skipped")
                continue
            seen[route_key] = where
            route = Node(RouteKey=route_key)
            authorizer = event.get("authorizer") if isinstance(event, Mapping) else None
            if authorizer and not self.route_authorizer(api, route, authorizer, authorizers, where):
                continue  # left out: its authorizer cannot run here
            target = self.functions.target(fn_name, fn)
            target.set_on(route)
            fn_http = fn.get("httpApi") if isinstance(fn.get("httpApi"), Mapping) else {}
            payload = payload_version(fn_http.get("payload") or payload_default, "2.0")
            if target.lambda_code and payload != "2.0":
                route["PayloadFormatVersion"] = payload
            routes.append(route)
        return routes, methods

    def route_key(self, event: Any, where: str) -> tuple[str, str] | None:
        """(RouteKey, method for CORS) of an httpApi event, or None (warned) when it is not one."""
        if isinstance(event, Mapping):
            method, path = event.get("method"), event.get("path")
        else:
            text = stringify(event).strip()
            if text == "*":
                method, path = None, "*"
            else:
                match = _HTTP_API_EVENT.match(text)
                if not match:
                    self.report.warn(f"{where}: {text!r} is not '*' or '<METHOD> /path'; skipped")
                    return None
                method, path = match["method"], match["path"]
        path = stringify(path) if path is not None else None
        if path == "*":
            if method not in (None, "*"):
                self.report.warn(f"{where}: path '*' takes no method (or '*'); skipped")
                return None
            return DEFAULT_ROUTE, "ANY"
        if not path or not path.startswith("/"):
            self.report.warn(f"{where}: path {path!r} does not start with '/'; skipped")
            return None
        if method is None:
            self.report.warn(f"{where}: no method; skipped")
            return None
        method = route_method(method)
        if method not in METHODS:
            self.report.warn(f"{where}: method {method!r} is not an HTTP method API Gateway routes; skipped")
            return None
        return f"{method} {path}", method

    def route_authorizer(self, api: Node, route: Node, raw: Any, authorizers: Mapping[str, Authorizer],
                         where: str) -> bool:
        """Attach the route's authorizer; False when the route must be left out (fail closed)."""
        conf = raw if isinstance(raw, Mapping) else {"name": raw}
        route_key = str(route["RouteKey"])
        if str(conf.get("type") or "").lower() == "aws_iam":
            return iam_route(route, where, self.report)
        if conf.get("id"):
            self.report.left_out(api, route_key, where, f"its authorizer id {stringify(conf['id'])!r} belongs "
                                                        "to an API outside this service")
            return False
        key = stringify(conf.get("name"))
        authorizer = authorizers.get(key)
        if authorizer is None:
            self.report.left_out(api, route_key, where, f"authorizer {key!r} is not in provider.httpApi.authorizers")
            return False
        if authorizer.node is None:
            self.report.left_out(api, route_key, where,
                                 f"its authorizer {key!r} is not imported: {authorizer.problem}")
            return False
        route["AuthorizerName"] = authorizer.name
        attach_scopes(route, conf, "HTTP", authorizer.kind, where, self.report)
        return True

    # -- CORS -------------------------------------------------------------------------------------

    def cors(self, raw: Any, methods: list[str]) -> Node | None:
        """provider.httpApi.cors as CorsConfiguration; `true` expands as Serverless expands it."""
        if not raw:
            return None
        if raw is not True and not isinstance(raw, Mapping):
            self.report.warn(f"provider.httpApi.cors {raw!r} is not true or a mapping; ignored")
            return None
        conf: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        origins = strings(conf.get("allowedOrigins")) or ["*"]
        headers = strings(conf.get("allowedHeaders")) or list(DEFAULT_CORS_HEADERS)
        allowed = [method.upper() for method in strings(conf.get("allowedMethods"))]
        if not allowed:
            # http-api.js: OPTIONS plus the method of every httpApi event (ANY: all of them).
            allowed = ["OPTIONS"]
            for method in methods:
                allowed.extend(HTTP_METHODS if method == "ANY" else [method])
        cors = Node(AllowOrigins=origins, AllowHeaders=headers, AllowMethods=dedupe(allowed))
        if raw is True:
            cors.note(None, "cors: true, as Serverless expands it")
        if conf.get("allowCredentials"):
            if "*" in origins:
                self.report.warn("provider.httpApi.cors: allowCredentials with the origin '*' is refused by AWS "
                                 "and browsers; imported without AllowCredentials (list the origins to keep it)")
            else:
                cors["AllowCredentials"] = True
        if conf.get("exposedResponseHeaders"):
            cors["ExposeHeaders"] = strings(conf["exposedResponseHeaders"])
        if ttl(conf.get("maxAge")) is not None:
            cors["MaxAge"] = ttl(conf["maxAge"])
        return cors
