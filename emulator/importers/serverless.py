"""`cognito-emulator import serverless.yml`: a Serverless Framework (v3/v4) service -> the `Apis:` section.

The steps, each usable on its own:

1. `serverless_yaml.load_document(text)`: YAML in (CloudFormation short tags read), a plain dict out.
2. `serverless_variables.resolve_variables(doc, sources)`: Serverless variables and the CloudFormation
   functions an authorizer needs, evaluated offline; the rest kept as visible placeholders.
3. `translate(doc, unresolved)` (here): pure; `provider.httpApi` + `functions.*.events[].httpApi` -> one
   HTTP API, `functions.*.events[].http` -> one REST API, with API Gateway's names as the emulator's
   config uses them (see emulator/gateway/config.py). The result always passes `parse_apis`: what
   cannot be translated becomes a warning (and a YAML comment), never a crash and never an
   invalid config.
4. `render(apis)` (here, through commented_yaml) writes the YAML with those comments; `main(argv)` does
   the file I/O.

Faithfulness rules (they decide every "what now?" below):
- Serverless's own defaults are reproduced (http-api.js / api-gateway validate.js): a missing
  authorizer `type` is JWT, `payloadVersion` defaults to 2.0, `cors: true` means origins `*`,
  the seven default headers and OPTIONS plus every route's method, REST authorizer names come
  from the ARN as Serverless derives them.
- Fail closed. A route whose authorizer cannot run here (a Node.js Lambda authorizer, an external
  ARN, a broken JWT definition) is left out (404) rather than served without its authorizer, since
  an emulator that lets through what AWS refuses hides the bug. The one exception is the brief's:
  `aws_iam` routes are kept, open, with a comment and a warning saying so.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import yaml

from emulator.config_fields import ConfigError
from emulator.gateway import lambda_runtime
from emulator.importers import commented_yaml
from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_variables import (
    DEFAULT_STAGE,
    VariableSources,
    is_whole_variable,
    lookup,
    placeholders_in,
    resolve_variables,
    stringify,
    variable_spans,
)
from emulator.importers.serverless_yaml import ServerlessFileError, file_reader, load_document
from emulator.model import DEFAULT_REGION

DEFAULT_PORT = 8080
PLACEHOLDER_BACKEND = "http://127.0.0.1:3000"
# The emulator does not check the account part of a pool ARN; this one is lambda_runtime's own.
STAND_IN_ACCOUNT = lambda_runtime.FAKE_ACCOUNT
# Python targets are not imported while validating (that would run user code from wherever the
# importer happens to be started); this handler stands in for them. It is never called.
STAND_IN_SPEC = "python:emulator.importers.serverless:validation_stand_in"

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ROUTE_METHODS = (*HTTP_METHODS, "ANY")
# http-api.js `defaultCors.allowedHeaders`; REST's getCors uses the same seven.
DEFAULT_CORS_HEADERS = ("Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token",
                        "X-Amz-User-Agent", "X-Amzn-Trace-Id")
REST_DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization"

_COGNITO_ARN = re.compile(r"^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+_[0-9A-Za-z]+$")
_LOOSE_COGNITO_ARN = re.compile(r"^arn:([^:]*):cognito-idp:([^:]*):([^:]*):userpool/(.*)$", re.S)
_POOL_ID = re.compile(r"^[\w-]+_[0-9A-Za-z]+$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_HTTP_API_EVENT = re.compile(r"^(?P<method>\S+)\s+(?P<path>/\S*)$")


class Translation(NamedTuple):
    """The `Apis:` entries (Node mappings, comments attached) and the warnings, one line each."""

    apis: list[Node]
    warnings: list[str]


def validation_stand_in(event: Any, context: Any) -> None:
    """Stands in for python: targets while the importer validates its output; never called."""


# ---------------------------------------------------------------------------------------------
# Translation
# ---------------------------------------------------------------------------------------------

class _Authorizer(NamedTuple):
    """An authorizer of the source file: its Node when it translates, else why not."""

    name: str  # the Name routes refer to
    node: Node | None
    problem: str | None
    kind: str  # JWT, REQUEST, TOKEN, COGNITO_USER_POOLS


class _Refused(NamedTuple):
    """Why a function or an ARN cannot be used here."""

    reason: str


class _Target(NamedTuple):
    target: str
    python: bool
    comment: str | None

    def set_on(self, route: Node) -> None:
        route["Target"] = self.target
        if self.comment:
            route.inline["Target"] = self.comment


def python_handler_spec(handler: Any) -> str | None:
    """`src/auth.handler` -> `python:src.auth:handler`, as Lambda's Python runtime imports it; else None."""
    if not isinstance(handler, str):
        return None
    text = handler.strip()
    while text.startswith("./"):
        text = text[2:]
    module_path, dot, function = text.rpartition(".")
    if not dot or not module_path or not function:
        return None
    spec = f"python:{module_path.replace('/', '.')}:{function}"
    try:
        lambda_runtime.parse_spec(spec)
    except ValueError:
        return None
    return spec


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _method(value: Any) -> str:
    """An event's method as API Gateway writes it: upper case, `*` as ANY."""
    method = stringify(value).upper()
    return "ANY" if method == "*" else method


def _dedupe(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _version(value: Any, default: str) -> str:
    """`2`, `2.0` or `'2.0'` -> '2.0' (YAML reads an unquoted 2.0 as a number)."""
    if value is None:
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value):.1f}"
    return str(value)


def _ttl(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Translator:
    def __init__(self, doc: Mapping[str, Any], unresolved: Mapping[str, str], port: int, backend: str) -> None:
        provider = doc.get("provider")
        if provider is None:
            raise ServerlessFileError("no `provider:` section; is this a Serverless Framework serverless.yml?")
        if not isinstance(provider, Mapping):
            raise ServerlessFileError(f"`provider:` should be a mapping (name: aws, runtime: ..., httpApi: ...), "
                                      f"got {provider!r}")
        name = provider.get("name")
        if name is not None and str(name).lower() != "aws":
            raise ServerlessFileError(f"provider.name is {name!r}; only AWS services can be imported")
        self.doc = doc
        self.provider = provider
        self.unresolved = unresolved
        self.port = port
        self.backend = backend
        self.warnings: list[str] = []
        self._flagged: set[str] = set()
        self._targets: dict[str, _Target] = {}
        service = doc.get("service")
        if isinstance(service, Mapping):  # v1's `service: {name: ...}`
            service = service.get("name")
        self.service = stringify(service) if service is not None else "service"
        self.stage = stringify(provider.get("stage") or DEFAULT_STAGE)
        self.region = stringify(provider.get("region") or DEFAULT_REGION)
        if not _REGION.match(self.region):
            self.warn(f"provider.region {self.region!r} is not a region name; using {DEFAULT_REGION}")
            self.region = DEFAULT_REGION
        self.functions = self._functions(doc.get("functions"))

    # -- helpers --------------------------------------------------------------------------------

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def _functions(self, raw: Any) -> dict[str, Mapping[str, Any]]:
        # v3 takes a mapping; older files (and merged ${file()}s) may give a list of mappings.
        merged: dict[str, Any] = {}
        for chunk in (raw if isinstance(raw, list) else [raw]):
            if isinstance(chunk, Mapping):
                merged.update(chunk)
            elif chunk is not None:
                self.warn(f"functions: {stringify(chunk)!r} is not a mapping of functions; skipped")
        out: dict[str, Mapping[str, Any]] = {}
        for name, fn in merged.items():
            if isinstance(fn, Mapping):
                out[str(name)] = fn
            else:
                self.warn(f"functions.{name} is not a mapping; skipped")
        return out

    def events(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any], str, Any]]:
        """(function name, function, where, event value) of every `kind` event, in file order."""
        for fn_name, fn in self.functions.items():
            for index, event in enumerate(_as_list(fn.get("events"))):
                if isinstance(event, Mapping) and kind in event:
                    yield fn_name, fn, f"functions.{fn_name}.events[{index}].{kind}", event[kind]

    def flag(self, node: Node, key: str, value: Any, what: str, owner: str, hint: str,
             value_name: str = "value") -> None:
        """Warn (once per placeholder) and comment on the unresolved placeholders inside value.

        The warning reads `audience entry `${ssm:/x}` (authorizer a): cannot resolve ssm: parameters
        offline; <hint>, or pass --set 'ssm:/x=<client id>'`: what, why, and both ways out.
        """
        found = [p for item in _as_list(value) if isinstance(item, str) for p in placeholders_in(item, self.unresolved)]
        for placeholder in found:
            node.note(key, f"unresolved {placeholder}: {self.unresolved[placeholder]}")
            if placeholder in self._flagged:
                continue
            self._flagged.add(placeholder)
            inner = placeholder[2:-1]
            if inner in ("AWS::AccountId", "aws:accountId"):
                advice = f"the emulator does not check the account ({STAND_IN_ACCOUNT} stands in)"
            else:
                advice = f"{hint}, or pass --set '{inner.split(', ')[0]}=<{value_name}>'"
            self.warn(f"{what} `{placeholder}`{f' ({owner})' if owner else ''}: "
                      f"{self.unresolved[placeholder]}; {advice}")

    def runtime(self, fn: Mapping[str, Any]) -> tuple[str, str | None]:
        """The function's runtime, and its handler as a python: spec when the runtime is Python's."""
        runtime = stringify(fn.get("runtime") or self.provider.get("runtime") or "nodejs (the default)")
        return runtime, python_handler_spec(fn.get("handler")) if runtime.startswith("python") else None

    def target(self, fn_name: str, fn: Mapping[str, Any]) -> _Target:
        """The route Target for a function: its Python handler, else an HTTP placeholder (one warning)."""
        if fn_name in self._targets:
            return self._targets[fn_name]
        runtime, spec = self.runtime(fn)
        if fn.get("image") is not None:
            why = "is a container image"
        elif spec is not None:
            result = self._targets[fn_name] = _Target(spec, True, None)
            return result
        elif runtime.startswith("python"):
            why = f"has handler {fn.get('handler')!r}, which is not path/module.function"
        else:
            why = f"runs {runtime}, not Python"
        placeholder = " (a placeholder)" if self.backend == PLACEHOLDER_BACKEND else ""
        self.warn(f"function {fn_name} {why}: its routes forward to {self.backend}{placeholder}; "
                  "serve it there or edit Target")
        result = self._targets[fn_name] = _Target(
            self.backend, False, f"function {fn_name} {why}: serve it here{placeholder}")
        return result

    def open_iam_route(self, route: Node, where: str) -> bool:
        """An aws_iam route is kept without an authorizer (open), with a comment and a warning; True."""
        route.note("RouteKey", "authorizer: aws_iam (SigV4) is not emulated: this route is OPEN here")
        self.warn(f"{where}: route {route['RouteKey']} uses an aws_iam authorizer, which the emulator does not "
                  "emulate; the route is imported without an authorizer (open)")
        return True

    def left_out(self, api: Node, route_key: str, where: str, why: str) -> None:
        api.note("Routes", f"left out {route_key} ({where}): {why}")
        self.warn(f"{where}: route {route_key} left out: {why}")

    def next_port(self) -> int:
        port, self.port = self.port, self.port + 1
        return port

    def api_name(self, configured: Any) -> str:
        # Serverless names both APIs `${stage}-${service}` unless configured otherwise.
        return stringify(configured) if configured else f"{self.stage}-{self.service}"

    # -- the whole service ------------------------------------------------------------------------

    def translate(self) -> Translation:
        apis: list[Node] = []
        http = self.http_api()
        if http is not None:
            apis.append(http)
        rest = self.rest_api(taken={str(a["Name"]) for a in apis})
        if rest is not None:
            apis.append(rest)
        if not apis:
            self.warn("no provider.httpApi authorizers and no httpApi or http events: nothing to import")
        self.sweep(apis)
        return Translation(_validated(apis, self.warnings, self.region), self.warnings)

    def sweep(self, apis: list[Node]) -> None:
        """Warn about placeholders in any other output value (names, paths, targets)."""
        def walk(value: Any, node: Node | None, key: str, where: str) -> None:
            if isinstance(value, Mapping):
                for k, v in value.items():
                    walk(v, value if isinstance(value, Node) else node, k, f"{where}.{k}")
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(v, node, key, f"{where}[{i}]")
            elif isinstance(value, str) and node is not None:
                self.flag(node, key, value, where, "", "replace it by hand")

        for i, api in enumerate(apis):
            walk(api, api, "", f"Apis[{i}]")

    # -- HTTP API ---------------------------------------------------------------------------------

    def http_api(self) -> Node | None:
        config = self.provider.get("httpApi") or {}
        if not isinstance(config, Mapping):
            self.warn("provider.httpApi is not a mapping; ignored")
            config = {}
        events = list(self.events("httpApi"))
        if not events and not config.get("authorizers"):
            return None
        api = Node(Name=self.api_name(config.get("name")), ProtocolType="HTTP", Port=self.next_port())
        api.note(None, f"HTTP API: provider.httpApi and the functions' httpApi events of {self.service} "
                       f"(stage {self.stage})")
        if config.get("id"):
            self.warn(f"provider.httpApi.id {config['id']!r}: the API is managed outside this service; "
                      "its routes are imported, its own authorizers and CORS are not known")
        authorizers = self.http_authorizers(config.get("authorizers"))
        routes, methods = self.http_routes(api, events, authorizers)
        cors = self.http_cors(config.get("cors"), methods)
        if cors is not None:
            api["CorsConfiguration"] = cors
        api["Authorizers"] = [a.node for a in authorizers.values() if a.node is not None]
        api["Routes"] = routes
        if not events:
            api.note("Routes", "no function has httpApi events; add routes here")
            self.warn("provider.httpApi has authorizers but no function has httpApi events: the HTTP API "
                      "has no routes (add them under Routes:)")
        return api

    def http_authorizers(self, raw: Any) -> dict[str, _Authorizer]:
        out: dict[str, _Authorizer] = {}
        if raw is None:
            return out
        if not isinstance(raw, Mapping):
            self.warn("provider.httpApi.authorizers is not a mapping; ignored")
            return out
        for key, conf in raw.items():
            where = f"provider.httpApi.authorizers.{key}"
            name = stringify(conf.get("name") or key) if isinstance(conf, Mapping) else str(key)
            kind = str(conf.get("type") or "jwt").lower() if isinstance(conf, Mapping) else "jwt"
            if not isinstance(conf, Mapping):
                authorizer = _Authorizer(name, None, "it is not a mapping", "JWT")
            elif kind == "request":  # http-api.js: a missing type is JWT
                authorizer = self.http_request_authorizer(name, conf, where)
            elif kind == "jwt":
                authorizer = self.jwt_authorizer(name, conf, where)
            else:
                authorizer = _Authorizer(name, None, f"type {kind!r} is not jwt or request", kind.upper())
            if authorizer.problem:
                self.warn(f"{where}: not imported: {authorizer.problem}")
            out[str(key)] = authorizer
        return out

    def jwt_authorizer(self, name: str, conf: Mapping[str, Any], where: str) -> _Authorizer:
        issuer = conf.get("issuerUrl")
        audience = [stringify(a) for a in _dedupe(_as_list(conf.get("audience"))) if a is not None]
        if not isinstance(issuer, str) or not issuer:
            return _Authorizer(name, None, "it has no issuerUrl", "JWT")
        if not audience:
            return _Authorizer(name, None, "its audience is empty (list the app client ids)", "JWT")
        node = Node(Name=name, AuthorizerType="JWT")
        sources = [stringify(s) for s in _as_list(conf.get("identitySource"))]
        if sources:
            node["IdentitySource"] = sources[0] if len(sources) == 1 else sources
        jwt = Node(Issuer=issuer, Audience=audience)
        self.flag(jwt, "Issuer", issuer, "issuerUrl part", f"authorizer {name}",
                  "replace it so that the issuer reads https://cognito-idp.<region>.amazonaws.com/<Id of a "
                  "user pool in config.yaml>", "pool id")
        for entry in audience:
            self.flag(jwt, "Audience", entry, "audience entry", f"authorizer {name}",
                      "replace it with the app client id from config.yaml", "client id")
        if not _is_url(issuer):
            if not placeholders_in(issuer, self.unresolved):
                return _Authorizer(name, None, f"issuerUrl {issuer!r} is not an http(s) URL", "JWT")
            # The validator needs a URL; this stand-in names the region and says what to put in.
            jwt["Issuer"] = f"https://cognito-idp.{self.region}.amazonaws.com/{self.region}_REPLACEME"
            jwt.inline["Issuer"] = f"stands in for {issuer}"
        node["JwtConfiguration"] = jwt
        return _Authorizer(name, node, None, "JWT")

    def http_request_authorizer(self, name: str, conf: Mapping[str, Any], where: str) -> _Authorizer:
        if conf.get("functionArn"):
            return _Authorizer(name, None, f"functionArn {stringify(conf['functionArn'])!r} is a Lambda outside "
                                           "this service; the emulator runs authorizers as Python handlers",
                               "REQUEST")
        if not conf.get("functionName"):
            return _Authorizer(name, None, "a request authorizer needs functionName (or functionArn)", "REQUEST")
        fn_name = stringify(conf.get("functionName"))
        fn = self.functions.get(fn_name)
        if fn is None:
            return _Authorizer(name, None, f"functionName {fn_name!r} is not a function of this service",
                               "REQUEST")
        spec = self.authorizer_spec(fn_name, fn)
        if isinstance(spec, _Refused):
            return _Authorizer(name, None, spec.reason, "REQUEST")
        node = Node(Name=name, AuthorizerType="REQUEST", AuthorizerUri=spec)
        sources = [stringify(s) for s in _as_list(conf.get("identitySource"))]
        if sources:
            node["IdentitySource"] = sources
        node["AuthorizerPayloadFormatVersion"] = _version(conf.get("payloadVersion"), "2.0")
        if conf.get("enableSimpleResponses") is not None:
            node["EnableSimpleResponses"] = bool(conf["enableSimpleResponses"])
        ttl = _ttl(conf.get("resultTtlInSeconds"))
        if ttl is not None:
            node["AuthorizerResultTtlInSeconds"] = ttl
        elif not sources:
            # AWS caches only by identity source, so without one the only deployable TTL is 0.
            node["AuthorizerResultTtlInSeconds"] = 0
            node.inline["AuthorizerResultTtlInSeconds"] = "no identitySource, so no caching"
        return _Authorizer(name, node, None, "REQUEST")

    def authorizer_spec(self, fn_name: str, fn: Mapping[str, Any]) -> str | _Refused:
        runtime, spec = self.runtime(fn)
        if spec is None:
            return _Refused(f"its function {fn_name} runs {runtime} (handler {fn.get('handler')!r}); the "
                            "emulator runs Lambda authorizers only as Python handlers")
        return spec

    def http_routes(self, api: Node, events: list[tuple[str, Mapping[str, Any], str, Any]],
                    authorizers: Mapping[str, _Authorizer]) -> tuple[list[Node], list[str]]:
        routes: list[Node] = []
        methods: list[str] = []
        seen: dict[str, str] = {}
        config = self.provider.get("httpApi")
        payload_default = config.get("payload") if isinstance(config, Mapping) else None
        for fn_name, fn, where, event in events:
            parsed = self.http_route_key(event, where)
            if parsed is None:
                continue
            route_key, method = parsed
            methods.append(method)
            if route_key in seen:
                self.warn(f"{where}: route {route_key} is already {seen[route_key]}'s (Serverless refuses "
                          "duplicates); skipped")
                continue
            seen[route_key] = where
            route = Node(RouteKey=route_key)
            authorizer = event.get("authorizer") if isinstance(event, Mapping) else None
            if authorizer and not self.http_route_authorizer(api, route, authorizer, authorizers, where):
                continue  # left out: its authorizer cannot run here
            target = self.target(fn_name, fn)
            target.set_on(route)
            fn_http = fn.get("httpApi") if isinstance(fn.get("httpApi"), Mapping) else {}
            payload = _version(fn_http.get("payload") or payload_default, "2.0")
            if target.python and payload != "2.0":
                route["PayloadFormatVersion"] = payload
            routes.append(route)
        return routes, methods

    def http_route_key(self, event: Any, where: str) -> tuple[str, str] | None:
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
                    self.warn(f"{where}: {text!r} is not '*' or '<METHOD> /path'; skipped")
                    return None
                method, path = match["method"], match["path"]
        path = stringify(path) if path is not None else None
        if path == "*":
            if method not in (None, "*"):
                self.warn(f"{where}: path '*' takes no method (or '*'); skipped")
                return None
            return "$default", "ANY"
        if not path or not path.startswith("/"):
            self.warn(f"{where}: path {path!r} does not start with '/'; skipped")
            return None
        if method is None:
            self.warn(f"{where}: no method; skipped")
            return None
        method = _method(method)
        if method not in ROUTE_METHODS:
            self.warn(f"{where}: method {method!r} is not an HTTP method API Gateway routes; skipped")
            return None
        return f"{method} {path}", method

    def http_route_authorizer(self, api: Node, route: Node, raw: Any, authorizers: Mapping[str, _Authorizer],
                              where: str) -> bool:
        """Attach the route's authorizer; False when the route must be left out (fail closed)."""
        conf = raw if isinstance(raw, Mapping) else {"name": raw}
        route_key = str(route["RouteKey"])
        if str(conf.get("type") or "").lower() == "aws_iam":
            return self.open_iam_route(route, where)
        if conf.get("id"):
            self.left_out(api, route_key, where, f"its authorizer id {stringify(conf['id'])!r} belongs to an "
                                                 "API outside this service")
            return False
        key = stringify(conf.get("name"))
        authorizer = authorizers.get(key)
        if authorizer is None:
            self.left_out(api, route_key, where, f"authorizer {key!r} is not in provider.httpApi.authorizers")
            return False
        if authorizer.node is None:
            self.left_out(api, route_key, where, f"its authorizer {key!r} is not imported: {authorizer.problem}")
            return False
        route["AuthorizerName"] = authorizer.name
        scopes = [stringify(s) for s in _dedupe(_as_list(conf.get("scopes")))]
        if scopes and authorizer.kind == "JWT":
            route["AuthorizationScopes"] = scopes
        elif scopes:
            self.warn(f"{where}: scopes {scopes} dropped: API Gateway checks scopes only with JWT authorizers")
        return True

    def http_cors(self, raw: Any, methods: list[str]) -> Node | None:
        if not raw:
            return None
        if raw is not True and not isinstance(raw, Mapping):
            self.warn(f"provider.httpApi.cors {raw!r} is not true or a mapping; ignored")
            return None
        conf: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        origins = [stringify(o) for o in _as_list(conf.get("allowedOrigins"))] or ["*"]
        headers = [stringify(h) for h in _as_list(conf.get("allowedHeaders"))] or list(DEFAULT_CORS_HEADERS)
        allowed = [stringify(m).upper() for m in _as_list(conf.get("allowedMethods"))]
        if not allowed:
            # http-api.js: OPTIONS plus the method of every httpApi event (ANY: all of them).
            allowed = ["OPTIONS"]
            for method in methods:
                allowed.extend(HTTP_METHODS if method == "ANY" else [method])
        cors = Node(AllowOrigins=origins, AllowHeaders=headers, AllowMethods=_dedupe(allowed))
        if raw is True:
            cors.note(None, "cors: true, as Serverless expands it")
        if conf.get("allowCredentials"):
            if "*" in origins:
                self.warn("provider.httpApi.cors: allowCredentials with the origin '*' is refused by AWS and "
                          "browsers; imported without AllowCredentials (list the origins to keep it)")
            else:
                cors["AllowCredentials"] = True
        if conf.get("exposedResponseHeaders"):
            cors["ExposeHeaders"] = [stringify(h) for h in _as_list(conf["exposedResponseHeaders"])]
        if _ttl(conf.get("maxAge")) is not None:
            cors["MaxAge"] = _ttl(conf["maxAge"])
        return cors

    # -- REST API ---------------------------------------------------------------------------------

    def rest_api(self, taken: set[str]) -> Node | None:
        events = list(self.events("http"))
        if not events:
            return None
        gateway = self.provider.get("apiGateway") if isinstance(self.provider.get("apiGateway"), Mapping) else {}
        name = self.api_name(self.provider.get("apiName") or gateway.get("apiName"))
        if name in taken:
            name = f"{name}-rest"  # the emulator needs unique names; both APIs default to stage-service
        stage = self.stage
        if not re.match(r"^[A-Za-z0-9_-]{1,128}$", stage):
            self.warn(f"provider.stage {stage!r} is not a REST stage name; the REST API uses '{DEFAULT_STAGE}'")
            stage = DEFAULT_STAGE
        api = Node(Name=name, ProtocolType="REST", StageName=stage, Port=self.next_port())
        api.note(None, f"REST API: the functions' http events of {self.service} (URLs are /{stage}/...)")
        if gateway.get("restApiId"):
            self.warn(f"provider.apiGateway.restApiId {gateway['restApiId']!r}: the REST API is managed outside "
                      "this service; only this service's http events are imported")
        registry: dict[str, _Authorizer] = {}
        routes: list[Node] = []
        seen: dict[str, str] = {}
        for fn_name, fn, where, event in events:
            route = self.rest_route(api, fn_name, fn, where, event, registry, seen)
            if route is not None:
                routes.append(route)
        api["Authorizers"] = [a.node for a in registry.values() if a.node is not None]
        api["Routes"] = routes
        return api

    def rest_route(self, api: Node, fn_name: str, fn: Mapping[str, Any], where: str, event: Any,
                   registry: dict[str, _Authorizer], seen: dict[str, str]) -> Node | None:
        if isinstance(event, Mapping):
            method, path = event.get("method"), event.get("path")
        else:
            method, _, path = stringify(event).strip().partition(" ")
        if not method or path is None:
            self.warn(f"{where}: needs a method and a path; skipped")
            return None
        method = _method(method)
        if method not in ROUTE_METHODS:
            self.warn(f"{where}: method {method!r} is not an HTTP method; skipped")
            return None
        route_key = f"{method} /{stringify(path).strip().strip('/')}"  # Serverless trims the slashes too
        if route_key in seen:
            self.warn(f"{where}: route {route_key} is already {seen[route_key]}'s; skipped")
            return None
        seen[route_key] = where
        conf: Mapping[str, Any] = event if isinstance(event, Mapping) else {}
        if conf.get("cors"):
            self.warn(f"{where}: cors on a REST API (an OPTIONS mock method in AWS) is not emulated; preflights "
                      "of this route get 403")
        if conf.get("private"):
            self.warn(f"{where}: private: true (API key required) is not emulated; no key is checked")
        route = Node(RouteKey=route_key)
        if conf.get("authorizer") and not self.rest_route_authorizer(api, route, conf["authorizer"], registry,
                                                                     where):
            return None  # left out: its authorizer cannot run here
        target = self.rest_target(api, fn_name, fn, where, conf, route_key)
        if target is None:
            return None
        target.set_on(route)
        return route

    def rest_target(self, api: Node, fn_name: str, fn: Mapping[str, Any], where: str, conf: Mapping[str, Any],
                    route_key: str) -> _Target | None:
        integration = str(conf.get("integration") or ("lambda" if conf.get("async") else "lambda-proxy"))
        integration = integration.upper().replace("-", "_")
        if integration in ("LAMBDA", "AWS"):
            self.warn(f"{where}: integration: lambda (mapping templates) is not emulated; the handler gets the "
                      "Lambda proxy event v1.0 instead")
        elif integration in ("HTTP", "HTTP_PROXY"):
            request = conf.get("request") if isinstance(conf.get("request"), Mapping) else {}
            uri = request.get("uri")
            if not isinstance(uri, str) or not _is_url(uri):
                self.left_out(api, route_key, where, f"{integration.lower()} integration without an http(s) "
                                                     "request.uri")
                return None
            if integration == "HTTP":
                self.warn(f"{where}: integration: http (mapping templates) is imported as an HTTP proxy")
            return _Target(uri, False, None)
        elif integration == "MOCK":
            self.left_out(api, route_key, where, "mock integrations are not emulated")
            return None
        return self.target(fn_name, fn)

    def rest_route_authorizer(self, api: Node, route: Node, raw: Any, registry: dict[str, _Authorizer],
                              where: str) -> bool:
        """Attach the route's REST authorizer (api-gateway validate.js getAuthorizer); False: leave it out."""
        route_key = str(route["RouteKey"])
        conf: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        kind = stringify(conf.get("type") or "").upper()
        if (isinstance(raw, str) and raw.upper() == "AWS_IAM") or kind == "AWS_IAM":
            return self.open_iam_route(route, where)
        authorizer = self.rest_authorizer(raw, conf, kind, registry, where)
        if authorizer.node is None:
            self.left_out(api, route_key, where, f"its authorizer is not imported: {authorizer.problem}")
            return False
        known = registry.get(authorizer.name)
        if known is None:
            registry[authorizer.name] = authorizer
        elif known.node is not None and dict(known.node) != dict(authorizer.node):
            self.warn(f"{where}: authorizer {authorizer.name!r} is defined differently by an earlier event; "
                      "the first definition is kept")
        route["AuthorizerName"] = authorizer.name
        scopes = [stringify(s) for s in _dedupe(_as_list(conf.get("scopes")))]
        if scopes and (known or authorizer).kind == "COGNITO_USER_POOLS":
            route["AuthorizationScopes"] = scopes
        elif scopes:
            self.warn(f"{where}: scopes {scopes} dropped: API Gateway checks scopes only with Cognito authorizers")
        return True

    def rest_authorizer(self, raw: Any, conf: Mapping[str, Any], kind: str, registry: Mapping[str, _Authorizer],
                        where: str) -> _Authorizer:
        arn: Any = None
        function_name: str | None = None
        derived = False
        if isinstance(raw, str):
            if ":" in raw:
                arn, name, derived = raw, _name_from_arn(raw), True
            else:
                function_name = name = raw
        elif conf.get("authorizerId"):
            return self.external_rest_authorizer(conf, where)
        elif conf.get("arn"):
            arn = conf["arn"]
            derived = not isinstance(conf.get("name"), str)
            name = stringify(conf["name"]) if not derived else (_name_from_arn(arn) if isinstance(arn, str) else "")
            if not name:
                return _Authorizer("?", None, "a COGNITO_USER_POOLS authorizer with a non-string arn needs a name",
                                   "COGNITO_USER_POOLS")
        elif conf.get("name"):
            function_name = name = stringify(conf["name"])
        else:
            return _Authorizer("?", None, "it has neither a name nor an arn", kind or "TOKEN")
        if function_name is not None and function_name not in self.functions and function_name in registry:
            return registry[function_name]  # a name defined by an earlier event's arn (lenient)
        ttl = _ttl(conf.get("resultTtlInSeconds"))
        sources = [s.strip() for item in _as_list(conf.get("identitySource")) for s in stringify(item).split(",")
                   if s.strip()]
        if not sources and not (kind == "REQUEST" and ttl == 0):
            sources = [REST_DEFAULT_IDENTITY_SOURCE]  # validate.js's default
        is_cognito = kind == "COGNITO_USER_POOLS" or (isinstance(arn, str) and ":cognito-idp:" in arn)
        if is_cognito and arn is not None:
            fixed = self.provider_arn(arn, name)
            if isinstance(fixed, _Refused):
                return _Authorizer(name, None, fixed.reason, "COGNITO_USER_POOLS")
            node = Node(Name=name, Type="COGNITO_USER_POOLS", IdentitySource=sources[0], ProviderARNs=[fixed[0]])
            if fixed[1]:
                node.inline["ProviderARNs"] = fixed[1]
            if derived:
                node.inline["Name"] = "the name Serverless derives from the ARN (set authorizer.name to choose)"
            whole = is_whole_variable(stringify(arn))
            self.flag(node, "ProviderARNs", stringify(arn), "arn" if whole else "arn part", f"authorizer {name}",
                      "replace the arn with a pool of config.yaml's: "
                      "arn:aws:cognito-idp:<region>:<account>:userpool/<Id>", "pool ARN" if whole else "pool id")
            if isinstance(conf.get("identityValidationExpression"), str):
                node["IdentityValidationExpression"] = conf["identityValidationExpression"]
            if ttl is not None:
                node["AuthorizerResultTtlInSeconds"] = ttl
            return _Authorizer(name, node, None, "COGNITO_USER_POOLS")
        if arn is not None:
            return _Authorizer(name, None, f"arn {stringify(arn)!r} is a Lambda outside this service; the "
                                           "emulator runs Lambda authorizers as Python handlers", kind or "TOKEN")
        assert function_name is not None
        fn = self.functions.get(function_name)
        if fn is None:
            return _Authorizer(name, None, f"no function {function_name!r} in this service", kind or "TOKEN")
        spec = self.authorizer_spec(function_name, fn)
        if isinstance(spec, _Refused):
            return _Authorizer(name, None, spec.reason, kind or "TOKEN")
        lambda_kind = kind if kind in ("TOKEN", "REQUEST") else "TOKEN"
        if kind and kind not in ("TOKEN", "REQUEST"):
            self.warn(f"{where}: authorizer type {kind!r} with a function name is imported as TOKEN")
        node = Node(Name=name, Type=lambda_kind, AuthorizerUri=spec)
        if sources:
            node["IdentitySource"] = sources[0] if lambda_kind == "TOKEN" else sources
        if lambda_kind == "TOKEN" and isinstance(conf.get("identityValidationExpression"), str):
            node["IdentityValidationExpression"] = conf["identityValidationExpression"]
        if ttl is not None:
            node["AuthorizerResultTtlInSeconds"] = ttl
        return _Authorizer(name, node, None, lambda_kind)

    def external_rest_authorizer(self, conf: Mapping[str, Any], where: str) -> _Authorizer:
        """`authorizerId: {Ref: X}` naming an AWS::ApiGateway::Authorizer in resources.Resources."""
        raw_id = conf["authorizerId"]
        logical = None
        if isinstance(raw_id, str) and raw_id.startswith("${Ref:") and raw_id.endswith("}"):
            logical = raw_id[len("${Ref:"):-1]
        found, resource = lookup(self.doc, f"resources.Resources.{logical}") if logical else (False, None)
        if not found or not isinstance(resource, Mapping) or resource.get("Type") != "AWS::ApiGateway::Authorizer":
            return _Authorizer(stringify(raw_id), None, f"authorizerId {stringify(raw_id)!r} is not an "
                                                         "AWS::ApiGateway::Authorizer in resources", "?")
        props = resource.get("Properties") if isinstance(resource.get("Properties"), Mapping) else {}
        if str(props.get("Type", "")).upper() != "COGNITO_USER_POOLS":
            return _Authorizer(str(logical), None, f"resources.Resources.{logical} is a {props.get('Type')} "
                                                   "authorizer; only COGNITO_USER_POOLS ones are read from resources",
                               str(props.get("Type")))
        arns = _as_list(props.get("ProviderARNs"))
        synthetic = {"arn": arns[0] if arns else None, "name": stringify(props.get("Name") or logical),
                     "type": "COGNITO_USER_POOLS", "identitySource": props.get("IdentitySource"),
                     "identityValidationExpression": props.get("IdentityValidationExpression"),
                     "resultTtlInSeconds": props.get("AuthorizerResultTtlInSeconds")}
        if len(arns) > 1:
            self.warn(f"{where}: only the first of the ProviderARNs of {logical} is imported")
        return self.rest_authorizer(synthetic, synthetic, "COGNITO_USER_POOLS", {}, where)

    def provider_arn(self, arn: Any, name: str) -> tuple[str, str | None] | _Refused:
        """A pool ARN the validator accepts: as written, or with unresolved parts replaced by stand-ins."""
        text = stringify(arn)
        if _COGNITO_ARN.match(text):
            return text, None
        if not placeholders_in(text, self.unresolved):
            return _Refused(f"arn {text!r} is not arn:aws:cognito-idp:<region>:<12-digit account>:userpool/<Id>")
        # Mask placeholders first: `${AWS::AccountId}` has colons of its own. A masked part is unknown.
        masked, spans = text, variable_spans(text)
        for index, (start, end) in reversed(list(enumerate(spans))):
            masked = f"{masked[:start]}\0{index}\0{masked[end:]}"
        match = _LOOSE_COGNITO_ARN.match(masked)
        partition, region, account, pool = match.groups() if match else ("", "", "", "")
        partition = partition if re.match(r"^aws[a-z-]*$", partition) else "aws"
        region = region if _REGION.match(region) else self.region
        account = account if re.match(r"^\d{12}$", account) else STAND_IN_ACCOUNT
        pool = pool if _POOL_ID.match(pool) else f"{region}_REPLACEME"
        return f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{pool}", f"stands in for {text}"


def _name_from_arn(arn: str) -> str:
    """Serverless's naming.extractAuthorizerNameFromArn: the last ':' part, then its last '-' part."""
    return arn.split(":")[-1].split("-")[-1]


def _is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a bad port only raises when read
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def translate(doc: Mapping[str, Any], unresolved: Mapping[str, str] | None = None, *, port: int = DEFAULT_PORT,
              backend: str = PLACEHOLDER_BACKEND) -> Translation:
    """A resolved serverless.yml document -> the `Apis:` entries and warnings (pure; no file is read).

    `unresolved` (from resolve_variables) tells which `${...}` texts are placeholders; `port` is the
    first API's port (the next API gets port + 1); `backend` is the Target of non-Python functions.
    Raises ServerlessFileError when the document is not a serverless.yml at all.
    """
    return _Translator(doc, unresolved or {}, port, backend).translate()


def import_serverless(text: str, sources: VariableSources | None = None, *, port: int = DEFAULT_PORT,
                      backend: str = PLACEHOLDER_BACKEND) -> Translation:
    """serverless.yml text -> Translation: load, resolve variables, translate. Pure given `sources`."""
    resolved = resolve_variables(load_document(text), sources)
    translation = translate(resolved.doc, resolved.unresolved, port=port, backend=backend)
    return Translation(translation.apis, resolved.warnings + translation.warnings)


def render(apis: list[Node], header: list[str] | None = None) -> str:
    """The `Apis:` section as YAML text, comments included."""
    return commented_yaml.render("Apis", apis, header)


# ---------------------------------------------------------------------------------------------
# Validation: the output must pass the emulator's own parse_apis
# ---------------------------------------------------------------------------------------------

_ERROR_PATH = re.compile(r"^Apis\[(\d+)\](?:\.(Routes|Authorizers)\[(\d+)\]|\.(CorsConfiguration))?")


def _python_specs(apis: list[Any]) -> Iterator[tuple[Any, str, str]]:
    """(item, key, spec) for each python: Target of a route and AuthorizerUri of an authorizer, in order."""
    for api in apis:
        for group, key in (("Routes", "Target"), ("Authorizers", "AuthorizerUri")):
            items = api.get(group)
            for item in items if isinstance(items, list) else []:
                value = item.get(key) if isinstance(item, Mapping) else None
                if isinstance(value, str) and value.startswith(lambda_runtime.PYTHON_PREFIX):
                    yield item, key, value


def stand_in_handlers(apis: list[Any]) -> list[Any]:
    """A copy whose python: targets and authorizers point at validation_stand_in (user code is not imported)."""
    copied = copy.deepcopy([dict(api) for api in apis])
    for item, key, spec in _python_specs(copied):
        try:
            lambda_runtime.parse_spec(spec)
        except ValueError:
            continue  # malformed: let the validator say so
        item[key] = STAND_IN_SPEC
    return copied


def check_apis(apis: list[Any], region: str = DEFAULT_REGION) -> None:
    """Raise ConfigError unless `apis` passes the emulator's own validation (python targets stood in)."""
    from emulator.gateway.config import parse_apis

    parse_apis(stand_in_handlers(apis), "Apis", region=region)


def _validated(apis: list[Node], warnings: list[str], region: str) -> list[Node]:
    """Run the emulator's validation; drop what it refuses (a route, an authorizer and its routes, CORS, or
    an API), with a warning each, until it passes. Translation aims never to get here."""
    for _ in range(1000):
        try:
            check_apis(apis, region)
            return apis
        except ConfigError as exc:
            _prune(apis, exc, warnings)
    raise AssertionError("validation never passed")  # pragma: no cover - each round removes something


def _prune(apis: list[Node], exc: ConfigError, warnings: list[str]) -> None:
    match = _ERROR_PATH.match(exc.path)
    if match is None or int(match[1]) >= len(apis):
        raise exc  # not a path this importer produces: a bug, not a serverless.yml problem
    api = apis[int(match[1])]
    group, index, cors = match[2], match[3], match[4]
    if group == "Routes":
        route = api["Routes"].pop(int(index))
        api.note("Routes", f"left out {route.get('RouteKey')}: the emulator refuses it: {exc.reason}")
        warnings.append(f"route {route.get('RouteKey')} of API {api['Name']} left out: {exc}")
    elif group == "Authorizers":
        authorizer = api["Authorizers"].pop(int(index))
        name = authorizer.get("Name")
        warnings.append(f"authorizer {name} of API {api['Name']} left out, with its routes: {exc}")
        for route in [r for r in api["Routes"] if r.get("AuthorizerName") == name]:
            api["Routes"].remove(route)
            api.note("Routes", f"left out {route.get('RouteKey')}: its authorizer {name} is refused: {exc.reason}")
    elif cors:
        del api["CorsConfiguration"]
        warnings.append(f"CORS of API {api['Name']} left out: {exc}")
    else:
        apis.remove(api)
        warnings.append(f"API {api['Name']} left out: {exc}")


# ---------------------------------------------------------------------------------------------
# main: the file I/O
# ---------------------------------------------------------------------------------------------

def _parse_sets(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if name.startswith("${") and name.endswith("}"):
            name = name[2:-1]  # accept the placeholder as printed
        if not sep or not name:
            raise ValueError(f"--set {item!r}: expected EXPRESSION=VALUE, e.g. 'ssm:/cognito/client-id/dev=piyopiyo'")
        out[name] = value
    return out


def _missing_modules(apis: list[Node], base: Path) -> list[str]:
    """python: targets whose module file is not under `base` (where a config.yaml beside it would load them)."""
    missing: list[str] = []
    for _, _, spec in _python_specs(apis):
        module = lambda_runtime.parse_spec(spec)[0]
        relative = Path(*module.split("."))
        if not (base / relative.with_suffix(".py")).is_file() and not (base / relative / "__init__.py").is_file():
            missing.append(f"{relative}.py")
    return _dedupe(missing)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cognito-emulator import",
        description="Translate a Serverless Framework serverless.yml into the Apis: section of the emulator's "
                    "config (HTTP API from provider.httpApi and httpApi events, REST API from http events).")
    parser.add_argument("file", help="the serverless.yml to read")
    parser.add_argument("--out", metavar="FILE", help="write the Apis: section to FILE instead of stdout")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port of the first API; the next gets port+1 (default {DEFAULT_PORT})")
    parser.add_argument("--stage", help="the --stage you deploy with (${opt:stage})")
    parser.add_argument("--region", help="the --region you deploy with (${opt:region})")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="EXPR=VALUE",
                        help="a value for a variable that cannot be resolved offline, named as inside ${}: "
                             "--set 'ssm:/cognito/client-id/dev=piyopiyo' (repeatable)")
    parser.add_argument("--backend", default=PLACEHOLDER_BACKEND,
                        help=f"Target for functions that are not Python (default {PLACEHOLDER_BACKEND})")
    return parser


def main(argv: list[str]) -> int:
    """`cognito-emulator import serverless.yml [--out FILE] ...`: 0 on success (warnings on stderr), 1 on error."""
    args = _parser().parse_args(argv)
    if not 1 <= args.port <= 65534:
        print(f"cognito-emulator import: --port {args.port} is not 1..65534", file=sys.stderr)
        return 1
    if not _is_url(args.backend):
        print(f"cognito-emulator import: --backend {args.backend!r} is not an http(s) URL", file=sys.stderr)
        return 1
    source = Path(args.file)
    try:
        overrides = _parse_sets(args.sets)
        text = source.read_text(encoding="utf-8")
    except ValueError as exc:
        print(f"cognito-emulator import: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.file}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
        return 1
    options = {k: v for k, v in (("stage", args.stage), ("region", args.region)) if v}
    sources = VariableSources(options=options, env=dict(os.environ), overrides=overrides,
                              read_file=file_reader(source.resolve().parent))
    try:
        translation = import_serverless(text, sources, port=args.port, backend=args.backend)
    except ServerlessFileError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    except ConfigError as exc:  # pragma: no cover - pruning handles every path translate() produces
        print(f"{args.file}: internal error, the translation does not validate: {exc}", file=sys.stderr)
        return 1
    apis, warnings = translation
    missing = _missing_modules(apis, source.resolve().parent)
    if missing:
        warnings.append(f"python: targets load relative to the config file's folder; not found beside "
                        f"{args.file}: {', '.join(missing)}")
    header = [f"Generated by `cognito-emulator import {source.name}`. Paste it into config.yaml beside UserPools:,",
              "then check it with `cognito-emulator check-config config.yaml`."]
    output = render(apis, header)
    try:
        # The text printed is what is checked: a rendering slip must not reach the user as a broken config.
        check_apis((yaml.safe_load(output) or {}).get("Apis") or [])
    except ConfigError as exc:  # pragma: no cover - translate() already validated the same data
        print(f"cognito-emulator import: internal error, the rendered config does not validate: {exc}",
              file=sys.stderr)
        return 1
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.out:
        return _write(Path(args.out), output, len(apis))
    sys.stdout.write(output)
    return 0


def _write(path: Path, output: str, count: int) -> int:
    if path.exists():
        # --out writes only the Apis: section; never clobber a whole config (pools, users) with it.
        try:
            existing = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            existing = False  # unreadable or not YAML: not ours to overwrite
        if existing is not None and (not isinstance(existing, Mapping) or set(existing) - {"Apis"}):
            print(f"cognito-emulator import: {path} exists and is not an Apis:-only file; not overwritten "
                  "(write elsewhere and paste the section in)", file=sys.stderr)
            return 1
    try:
        path.write_text(output, encoding="utf-8")
    except OSError as exc:
        print(f"cognito-emulator import: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {count} API{'s' if count != 1 else ''} to {path}", file=sys.stderr)
    return 0
