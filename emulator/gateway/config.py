"""The `Apis:` section of the YAML -> immutable ApiConfig objects; every error names its key path.

Keys are API Gateway's own names (ApiGatewayV2 for HTTP APIs, API Gateway for REST APIs, the
latter's `Type` accepted for `AuthorizerType`). Limits come from the botocore service models
(apigatewayv2 2018-11-29, apigateway 2015-07-09) unless a comment says otherwise.

Example:

    Apis:
      - Name: mogemoge
        ProtocolType: HTTP              # or REST (then URLs are /<StageName>/...)
        Port: 8080
        CorsConfiguration: {AllowOrigins: ["http://localhost:3000"], AllowHeaders: [authorization]}
        Authorizers:
          - Name: cognitoAuthorizer
            AuthorizerType: JWT
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              Issuer: https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01
              Audience: [piyopiyo]
        Routes:
          - RouteKey: GET /mogemoge
            AuthorizerName: cognitoAuthorizer
            Target: http://127.0.0.1:3000   # or python:package.module:handler
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from emulator.config_fields import (
    LOWER_ALNUM,
    ConfigError,
    boolean,
    integer,
    mapping,
    mapping_list,
    only_keys,
    stable_token,
    string,
    string_list,
)
from emulator.gateway import lambda_runtime
from emulator.gateway.authorizer_config import (
    Authorizer,
    authorizer_kind,
    load_handler,
    one_of,
    parse_authorizers,
    url_parts,
)
from emulator.gateway.routes import DEFAULT_ROUTE, PARAM, Segment, parse_route_key, shape

PROTOCOLS = ("HTTP", "REST")
# REST APIs have no default stage in AWS; "dev" is the Serverless Framework's default (a choice).
DEFAULT_REST_STAGE = "dev"
HTTP_STAGE = "$default"
DEFAULT_PORT = 8080
FREE_PORT = 0  # `Port: 0`: the system picks a free port (tests, pytest -n); the ready line and fixtures say which
# TimeoutInMillis: HTTP APIs 50..30000, default 30000
# (apigatewayv2 model, IntegerWithLengthBetween50And30000);
# REST 50..29000, default 29000 (apigateway model / SDK docs: "between 50 and 29,000 milliseconds").
TIMEOUT_RANGE = {"HTTP": (50, 30000), "REST": (50, 29000)}

_API_ID = re.compile(r"^[a-z0-9]{10}$")
_STAGE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_STAGE_VARIABLE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_URL_VARIABLE = re.compile(r"\{([^{}]+)\}")

API_KEYS = ("Name", "ApiId", "ProtocolType", "Port", "StageName", "StageVariables", "Authorizers", "Routes",
            "CorsConfiguration")
ROUTE_KEYS = ("RouteKey", "AuthorizationType", "AuthorizerName", "AuthorizationScopes", "Target",
              "PayloadFormatVersion", "TimeoutInMillis")
# AuthorizationType (ApiGatewayV2 route / API Gateway method) -> the authorizer types it goes with.
AUTHORIZATION_TYPES: dict[str, tuple[str, ...]] = {
    "NONE": (), "AWS_IAM": (), "JWT": ("JWT",), "CUSTOM": ("REQUEST", "TOKEN"),
    "COGNITO_USER_POOLS": ("COGNITO_USER_POOLS",)}
CORS_KEYS = ("AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders", "MaxAge", "AllowCredentials")

# Authorization scopes are checked only by these authorizer types (AWS: JWT on HTTP APIs, Cognito on REST).
SCOPED_TYPES = ("JWT", "COGNITO_USER_POOLS")


@dataclass(frozen=True)
class CorsConfig:
    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    max_age: int | None
    allow_credentials: bool


@dataclass(frozen=True)
class RouteConfig:
    route_key: str  # as written: "GET /pets/{id}", "ANY /{proxy+}", "$default"
    method: str  # "GET" ... "ANY", or "$default"
    path: str | None  # "/pets/{id}"; None for $default
    segments: tuple[Segment, ...]
    authorizer: Authorizer | None
    authorization_scopes: tuple[str, ...]
    target: str  # as written
    target_kind: str  # "http" | "lambda" (python:, node: or invoke: code, called with the proxy event)
    function: Callable[..., Any] | None  # the loaded handler for python targets
    payload_format_version: str  # "1.0" | "2.0"
    timeout_ms: int
    iam: bool = False  # AuthorizationType AWS_IAM: SigV4-signed callers whose policy allows execute-api:Invoke

    @property
    def authorizer_name(self) -> str | None:
        return self.authorizer.name if self.authorizer else None


@dataclass(frozen=True)
class ApiConfig:
    name: str
    api_id: str
    protocol_type: str  # "HTTP" | "REST"
    port: int
    stage_name: str  # "$default" for HTTP APIs
    stage_variables: Mapping[str, str]
    authorizers: tuple[Authorizer, ...]
    routes: tuple[RouteConfig, ...]
    cors: CorsConfig | None
    region: str = "us-east-1"


def generated_api_id(name: str) -> str:
    """A stable 10-character lowercase alphanumeric id from the API's name (AWS ids look like this)."""
    return stable_token(f"api:{name}", 10, LOWER_ALNUM)


def parse_apis(raw: Any, path: str = "Apis", base_dir: Path | None = None, *,
               region: str = "us-east-1") -> tuple[ApiConfig, ...]:
    """Validate the `Apis:` list; `base_dir` (the config file's folder) is where python: targets load from."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(path, "expected a list of APIs")
    apis = tuple(_parse_api(mapping(item, f"{path}[{i}]"), f"{path}[{i}]", base_dir, region)
                 for i, item in enumerate(raw))
    _check_unique(apis, path)
    return apis


def _check_unique(apis: tuple[ApiConfig, ...], path: str) -> None:
    seen_names: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    seen_ports: dict[int, int] = {}
    for i, api in enumerate(apis):
        if api.name in seen_names:
            first = seen_names[api.name]
            raise ConfigError(f"{path}[{i}].Name", f"{api.name!r} is already the name of {path}[{first}]")
        if api.api_id in seen_ids:
            first = seen_ids[api.api_id]
            raise ConfigError(f"{path}[{i}].ApiId", f"{api.api_id!r} is already used by {path}[{first}]")
        if api.port in seen_ports and api.port != FREE_PORT:
            raise ConfigError(f"{path}[{i}].Port",
                              f"port {api.port} is already used by {path}[{seen_ports[api.port]}]; "
                              "each API listens on its own port")
        seen_names[api.name] = seen_ids[api.api_id] = seen_ports[api.port] = i


def _parse_api(data: Mapping[str, Any], path: str, base_dir: Path | None, region: str) -> ApiConfig:
    only_keys(data, API_KEYS, path)
    name = string(data, "Name", path, required=True)
    assert name is not None
    protocol = one_of(data, "ProtocolType", path, PROTOCOLS, "HTTP")
    api_id = string(data, "ApiId", path) or generated_api_id(name)
    if not _API_ID.match(api_id):
        raise ConfigError(f"{path}.ApiId", f"{api_id!r} is not 10 lowercase letters or digits, "
                                           "like AWS's ids")
    port = integer(data, "Port", path, default=DEFAULT_PORT, minimum=FREE_PORT, maximum=65535)
    assert port is not None
    stage = _stage_name(data, path, protocol)
    stage_variables = _stage_variables(data, path)
    authorizers = parse_authorizers(data, path, protocol, base_dir)
    routes = _parse_routes(data, path, protocol, {a.name: a for a in authorizers}, base_dir)
    cors = _parse_cors(data, path, protocol)
    return ApiConfig(name, api_id, protocol, port, stage, stage_variables, authorizers, routes, cors, region)


def _stage_name(data: Mapping[str, Any], path: str, protocol: str) -> str:
    if protocol == "HTTP":
        stage = string(data, "StageName", path, default=HTTP_STAGE)
        if stage != HTTP_STAGE:
            raise ConfigError(f"{path}.StageName",
                              "HTTP APIs are served on the $default stage here (URLs without a stage "
                              "prefix); "
                              f"remove StageName {stage!r}")
        return HTTP_STAGE
    stage = string(data, "StageName", path, default=DEFAULT_REST_STAGE)
    assert stage is not None
    if not _STAGE.match(stage):
        raise ConfigError(f"{path}.StageName", f"{stage!r} must be 1-128 letters, digits, '-' or '_'")
    return stage


def _stage_variables(data: Mapping[str, Any], path: str) -> Mapping[str, str]:
    raw = data.get("StageVariables")
    if raw is None:
        return MappingProxyType({})
    variables = mapping(raw, f"{path}.StageVariables")
    out: dict[str, str] = {}
    for key in variables:
        if not _STAGE_VARIABLE.match(str(key)):
            raise ConfigError(f"{path}.StageVariables.{key}",
                              "names are letters, digits and '_' (at most 64)")
        value = string(variables, key, f"{path}.StageVariables", required=True)
        assert value is not None
        out[str(key)] = value
    return MappingProxyType(out)


# --- routes -------------------------------------------------------------------------------------------

def _parse_routes(data: Mapping[str, Any], path: str, protocol: str, authorizers: Mapping[str, Authorizer],
                  base_dir: Path | None) -> tuple[RouteConfig, ...]:
    routes: list[RouteConfig] = []
    seen: dict[str, str] = {}
    for item_path, item in mapping_list(data, "Routes", path):
        route = _parse_route(item, item_path, protocol, authorizers, base_dir)
        key = route.method if route.path is None else f"{route.method} {shape(route.segments)}"
        if key in seen:
            raise ConfigError(f"{item_path}.RouteKey", f"{route.route_key!r} duplicates {seen[key]}")
        seen[key] = f"{item_path} ({route.route_key!r})"
        routes.append(route)
    if protocol == "REST":
        _check_rest_siblings(routes, path)
    return tuple(routes)


def _check_rest_siblings(routes: list[RouteConfig], path: str) -> None:
    """REST resources allow one variable child per parent ("only one is allowed" in AWS's error)."""
    variable_child: dict[str, tuple[str, int]] = {}
    for index, route in enumerate(routes):
        for depth, segment in enumerate(route.segments):
            if segment.kind == 0:
                continue
            parent = shape(route.segments[:depth])
            text = "{" + segment.text + ("}" if segment.kind == PARAM else "+}")
            known = variable_child.setdefault(parent, (text, index))
            if known[0] != text:
                raise ConfigError(f"{path}.Routes[{index}].RouteKey",
                                  f"resource {parent} already has the variable child {known[0]} "
                                  f"(Routes[{known[1]}]); REST allows one variable path part per level, "
                                  f"so {text} conflicts")


def _parse_route(data: Mapping[str, Any], path: str, protocol: str, authorizers: Mapping[str, Authorizer],
                 base_dir: Path | None) -> RouteConfig:
    only_keys(data, ROUTE_KEYS, path)
    route_key = string(data, "RouteKey", path, required=True)
    assert route_key is not None
    try:
        method, route_path, segments = parse_route_key(route_key)
    except ValueError as exc:
        raise ConfigError(f"{path}.RouteKey", str(exc)) from exc
    if protocol == "REST" and method == DEFAULT_ROUTE:
        raise ConfigError(f"{path}.RouteKey", "$default is an HTTP API route; a REST API needs "
                                              "'<METHOD> <resource path>', e.g. 'ANY /{proxy+}'")
    authorizer = _route_authorizer(data, path, authorizers)
    iam = _authorization_type(data, path, authorizer) == "AWS_IAM"
    scopes = string_list(data, "AuthorizationScopes", path) or ()
    if scopes:
        kind = authorizer_kind(authorizer)
        if kind not in SCOPED_TYPES:
            what = f"its authorizer is {kind}" if authorizer else "it has no authorizer"
            raise ConfigError(f"{path}.AuthorizationScopes",
                              f"scopes are only checked by JWT (HTTP) and COGNITO_USER_POOLS (REST) "
                              f"authorizers, and {what}")
    target = string(data, "Target", path, required=True)
    assert target is not None
    target_kind, function = _target(target, f"{path}.Target", segments, base_dir)
    version = _payload_version(data, path, protocol, target_kind)
    low, high = TIMEOUT_RANGE[protocol]
    timeout = integer(data, "TimeoutInMillis", path, default=high, minimum=low, maximum=high)
    assert timeout is not None
    return RouteConfig(route_key=route_key, method=method, path=route_path, segments=segments,
                       authorizer=authorizer, authorization_scopes=scopes, target=target,
                       target_kind=target_kind, function=function, payload_format_version=version,
                       timeout_ms=timeout, iam=iam)


def _authorization_type(data: Mapping[str, Any], path: str, authorizer: Authorizer | None) -> str:
    """AuthorizationType, consistent with the route's authorizer (absent: the authorizer's, or NONE)."""
    kind = authorizer_kind(authorizer)
    given = one_of(data, "AuthorizationType", path, tuple(AUTHORIZATION_TYPES), None) \
        if data.get("AuthorizationType") is not None else None
    if given is None:
        return "NONE" if kind is None else next(t for t, kinds in AUTHORIZATION_TYPES.items() if kind in kinds)
    if given in ("NONE", "AWS_IAM") and authorizer is not None:
        raise ConfigError(f"{path}.AuthorizationType", f"{given} routes have no authorizer, and this one names "
                                                       f"{authorizer.name!r} ({kind})")
    if given not in ("NONE", "AWS_IAM") and kind not in AUTHORIZATION_TYPES[given]:
        raise ConfigError(f"{path}.AuthorizationType", f"{given} needs an authorizer of type "
                                                       f"{' or '.join(AUTHORIZATION_TYPES[given])} in AuthorizerName, "
                                                       f"and the route has {kind or 'none'}")
    return given


def _route_authorizer(data: Mapping[str, Any], path: str,
                      authorizers: Mapping[str, Authorizer]) -> Authorizer | None:
    name = string(data, "AuthorizerName", path)
    if name is None:
        return None
    if name not in authorizers:
        known = ", ".join(authorizers) or "none are defined"
        raise ConfigError(f"{path}.AuthorizerName",
                          f"no authorizer named {name!r} in this API (known: {known})")
    return authorizers[name]


def _target(target: str, key_path: str, segments: tuple[Segment, ...],
            base_dir: Path | None) -> tuple[str, Callable[..., Any] | None]:
    if target.startswith(("http://", "https://")):
        parts = url_parts(target, key_path)
        if not parts.netloc:
            raise ConfigError(key_path, f"{target!r} has no host")
        variables = {s.text for s in segments if s.kind != 0}
        for name in _URL_VARIABLE.findall(parts.path):
            if name not in variables:
                raise ConfigError(key_path, f"{{{name}}} in the URL is not a path variable of this route "
                                            f"({', '.join(sorted(variables)) or 'it has none'})")
        return "http", None
    if lambda_runtime.is_target(target):
        return "lambda", load_handler(target, key_path, base_dir)
    raise ConfigError(key_path, f"{target!r} is neither an http(s):// URL nor Lambda code (python:package.module:"
                                "function, node:path/file.js:export or invoke:http://host:port:FunctionName)")


def _payload_version(data: Mapping[str, Any], path: str, protocol: str, target_kind: str) -> str:
    # HTTP APIs: 2.0 by default for Lambda targets; REST Lambda proxy events are always 1.0.
    default = "2.0" if protocol == "HTTP" and target_kind == "lambda" else "1.0"
    version = one_of(data, "PayloadFormatVersion", path, ("1.0", "2.0"), default)
    if version == "2.0" and protocol == "REST":
        raise ConfigError(f"{path}.PayloadFormatVersion", "REST APIs send payload format 1.0 only")
    if version == "2.0" and target_kind == "http":
        # apigatewayv2 model: "For all other integrations [than Lambda], 1.0 is the only supported value."
        raise ConfigError(f"{path}.PayloadFormatVersion", "HTTP proxy targets support 1.0 only")
    return version


# --- CORS ---------------------------------------------------------------------------------------------

def _parse_cors(data: Mapping[str, Any], path: str, protocol: str) -> CorsConfig | None:
    if data.get("CorsConfiguration") is None:
        return None
    cors_path = f"{path}.CorsConfiguration"
    if protocol != "HTTP":
        raise ConfigError(cors_path, "CorsConfiguration is an HTTP API feature; REST APIs answer "
                                     "preflights with an OPTIONS route of their own")
    cors = mapping(data["CorsConfiguration"], cors_path)
    only_keys(cors, CORS_KEYS, cors_path)
    origins = string_list(cors, "AllowOrigins", cors_path) or ()
    methods = tuple(m.upper() for m in string_list(cors, "AllowMethods", cors_path) or ())
    for i, method in enumerate(methods):
        if method != "*" and method not in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
            raise ConfigError(f"{cors_path}.AllowMethods[{i}]", f"{method!r} is not an HTTP method or '*'")
    credentials = boolean(cors, "AllowCredentials", cors_path, default=False)
    if credentials and "*" in origins:
        raise ConfigError(f"{cors_path}.AllowCredentials",
                          "browsers refuse credentials with the wildcard origin; "
                          "list the origins instead of '*'")
    return CorsConfig(
        allow_origins=origins,
        allow_methods=methods,
        allow_headers=tuple(h.lower() for h in string_list(cors, "AllowHeaders", cors_path) or ()),
        expose_headers=string_list(cors, "ExposeHeaders", cors_path) or (),
        max_age=integer(cors, "MaxAge", cors_path, minimum=-1, maximum=86400),
        allow_credentials=credentials,
    )
