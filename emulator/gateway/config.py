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
from urllib.parse import SplitResult, urlsplit

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
from emulator.gateway.authorizers import Authorizer, CognitoAuthorizer, JwtAuthorizer, LambdaAuthorizer
from emulator.gateway.routes import DEFAULT_ROUTE, PARAM, Segment, parse_route_key, shape

PROTOCOLS = ("HTTP", "REST")
# REST APIs have no default stage in AWS; "dev" is the Serverless Framework's default (a choice).
DEFAULT_REST_STAGE = "dev"
HTTP_STAGE = "$default"
DEFAULT_PORT = 8080
# TimeoutInMillis: HTTP APIs 50..30000, default 30000
# (apigatewayv2 model, IntegerWithLengthBetween50And30000);
# REST 50..29000, default 29000 (apigateway model / SDK docs: "between 50 and 29,000 milliseconds").
TIMEOUT_RANGE = {"HTTP": (50, 30000), "REST": (50, 29000)}
# apigateway model: "If this field is not set, the default value is 300"; HTTP APIs alike (UNCONFIRMED).
DEFAULT_TTL = 300
MAX_TTL = 3600

_API_ID = re.compile(r"^[a-z0-9]{10}$")
_STAGE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_STAGE_VARIABLE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_PROVIDER_ARN = re.compile(r"^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+_[0-9A-Za-z]+$")
_JWT_SOURCE = re.compile(r"^\$request\.(header|querystring)\.[^\s.][^\s]*$")
_HTTP_LAMBDA_SOURCE = re.compile(r"^\$(request\.header|request\.querystring|context|stageVariables)\.[^\s]+$")
_REST_HEADER_SOURCE = re.compile(r"^method\.request\.header\.[^\s]+$")
_REST_LAMBDA_SOURCE = re.compile(r"^(method\.request\.header|method\.request\.querystring|stageVariables"
                                 r"|context)\.[^\s]+$")
_URL_VARIABLE = re.compile(r"\{([^{}]+)\}")

API_KEYS = ("Name", "ApiId", "ProtocolType", "Port", "StageName", "StageVariables", "Authorizers", "Routes",
            "CorsConfiguration")
AUTHORIZER_KEYS = ("Name", "AuthorizerType", "Type", "IdentitySource", "JwtConfiguration", "ProviderARNs",
                   "IdentityValidationExpression", "AuthorizerResultTtlInSeconds", "AuthorizerUri",
                   "EnableSimpleResponses", "AuthorizerPayloadFormatVersion")
ROUTE_KEYS = ("RouteKey", "AuthorizerName", "AuthorizationScopes", "Target", "PayloadFormatVersion",
              "TimeoutInMillis")
CORS_KEYS = ("AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders", "MaxAge", "AllowCredentials")

# Which authorizer type fits which protocol, and which keys each type uses beyond Name/type.
AUTHORIZER_RULES: dict[tuple[str, str], tuple[str, ...]] = {
    ("HTTP", "JWT"): ("IdentitySource", "JwtConfiguration"),
    ("HTTP", "REQUEST"): ("IdentitySource", "AuthorizerUri", "AuthorizerResultTtlInSeconds",
                          "EnableSimpleResponses", "AuthorizerPayloadFormatVersion"),
    ("REST", "COGNITO_USER_POOLS"): ("IdentitySource", "ProviderARNs", "IdentityValidationExpression",
                                     "AuthorizerResultTtlInSeconds"),
    ("REST", "TOKEN"): ("IdentitySource", "AuthorizerUri", "IdentityValidationExpression",
                        "AuthorizerResultTtlInSeconds"),
    ("REST", "REQUEST"): ("IdentitySource", "AuthorizerUri", "AuthorizerResultTtlInSeconds"),
}
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
    target_kind: str  # "http" | "python"
    function: Callable[..., Any] | None  # the loaded handler for python targets
    payload_format_version: str  # "1.0" | "2.0"
    timeout_ms: int

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
        if api.port in seen_ports:
            raise ConfigError(f"{path}[{i}].Port",
                              f"port {api.port} is already used by {path}[{seen_ports[api.port]}]; "
                              "each API listens on its own port")
        seen_names[api.name] = seen_ids[api.api_id] = seen_ports[api.port] = i


def _one_of(data: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...],
            default: str | None) -> str:
    value = string(data, key, path, default=default, required=default is None)
    assert value is not None
    if value not in allowed:
        raise ConfigError(f"{path}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _parse_api(data: Mapping[str, Any], path: str, base_dir: Path | None, region: str) -> ApiConfig:
    only_keys(data, API_KEYS, path)
    name = string(data, "Name", path, required=True)
    assert name is not None
    protocol = _one_of(data, "ProtocolType", path, PROTOCOLS, "HTTP")
    api_id = string(data, "ApiId", path) or generated_api_id(name)
    if not _API_ID.match(api_id):
        raise ConfigError(f"{path}.ApiId", f"{api_id!r} is not 10 lowercase letters or digits, "
                                           "like AWS's ids")
    port = integer(data, "Port", path, default=DEFAULT_PORT, minimum=1, maximum=65535)
    assert port is not None
    stage = _stage_name(data, path, protocol)
    stage_variables = _stage_variables(data, path)
    authorizers = _parse_authorizers(data, path, protocol, base_dir)
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


# --- authorizers --------------------------------------------------------------------------------------

def _parse_authorizers(data: Mapping[str, Any], path: str, protocol: str,
                       base_dir: Path | None) -> tuple[Authorizer, ...]:
    result: list[Authorizer] = []
    names: set[str] = set()
    for item_path, item in mapping_list(data, "Authorizers", path):
        authorizer = _parse_authorizer(item, item_path, protocol, base_dir)
        if authorizer.name in names:
            raise ConfigError(f"{item_path}.Name", f"another authorizer is already named {authorizer.name!r}")
        names.add(authorizer.name)
        result.append(authorizer)
    return tuple(result)


def _authorizer_type(data: Mapping[str, Any], path: str, protocol: str) -> str:
    # ApiGatewayV2 calls it AuthorizerType, API Gateway (REST) calls it Type; accept either.
    new = string(data, "AuthorizerType", path)
    old = string(data, "Type", path)
    if new and old and new != old:
        raise ConfigError(f"{path}.Type", f"says {old!r} but AuthorizerType says {new!r}; keep one")
    kind = new or old
    key = "AuthorizerType" if new else "Type"
    if not kind:
        raise ConfigError(f"{path}.AuthorizerType",
                          "is required (JWT | COGNITO_USER_POOLS | REQUEST | TOKEN)")
    if (protocol, kind) not in AUTHORIZER_RULES:
        fits = [t for (p, t) in AUTHORIZER_RULES if p == protocol]
        known = {t for (_, t) in AUTHORIZER_RULES}
        if kind in known:
            raise ConfigError(f"{path}.{key}", f"{kind} authorizers are not available on {protocol} APIs; "
                                               f"{protocol} APIs support {', '.join(fits)}")
        raise ConfigError(f"{path}.{key}", f"{kind!r} is not one of {', '.join(sorted(known))}")
    return kind


def _parse_authorizer(data: Mapping[str, Any], path: str, protocol: str, base_dir: Path | None) -> Authorizer:
    only_keys(data, AUTHORIZER_KEYS, path)
    name = string(data, "Name", path, required=True)
    assert name is not None
    kind = _authorizer_type(data, path, protocol)
    usable = AUTHORIZER_RULES[(protocol, kind)]
    for key in data:
        if key not in ("Name", "AuthorizerType", "Type") and key not in usable:
            raise ConfigError(f"{path}.{key}", f"does not apply to a {protocol} {kind} authorizer "
                                               f"(it uses {', '.join(usable)})")
    if kind == "JWT":
        return _jwt_authorizer(data, path, name)
    if kind == "COGNITO_USER_POOLS":
        return _cognito_authorizer(data, path, name)
    return _lambda_authorizer(data, path, name, protocol, kind, base_dir)


def _identity_sources(data: Mapping[str, Any], path: str, default: str | None) -> tuple[str, ...]:
    """A list, or a string (REST writes several as one comma-separated string)."""
    sources = string_list(data, "IdentitySource", path)
    if sources is None:
        return (default,) if default else ()
    split = tuple(s.strip() for item in sources for s in item.split(",") if s.strip())
    if not split:
        raise ConfigError(f"{path}.IdentitySource", "is empty")
    return split


def _check_sources(sources: tuple[str, ...], pattern: re.Pattern[str], path: str, expected: str) -> None:
    for source in sources:
        if not pattern.match(source):
            raise ConfigError(f"{path}.IdentitySource", f"{source!r} is not {expected}")


def _jwt_authorizer(data: Mapping[str, Any], path: str, name: str) -> JwtAuthorizer:
    sources = _identity_sources(data, path, "$request.header.Authorization")
    _check_sources(sources, _JWT_SOURCE, path, "$request.header.<name> or $request.querystring.<name>")
    if len(sources) != 1:
        raise ConfigError(f"{path}.IdentitySource", "a JWT authorizer reads the token from exactly one place")
    jwt_path = f"{path}.JwtConfiguration"
    jwt = mapping(data.get("JwtConfiguration"), jwt_path) if "JwtConfiguration" in data else None
    if jwt is None:
        raise ConfigError(jwt_path, "is required for a JWT authorizer (Issuer and Audience)")
    only_keys(jwt, ("Issuer", "Audience"), jwt_path)
    issuer = string(jwt, "Issuer", jwt_path, required=True)
    assert issuer is not None
    parts = _url_parts(issuer, f"{jwt_path}.Issuer")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{jwt_path}.Issuer", f"{issuer!r} is not a URL like "
                                                "https://cognito-idp.<region>.amazonaws.com/<poolId>")
    audience = string_list(jwt, "Audience", jwt_path)
    if not audience:
        raise ConfigError(f"{jwt_path}.Audience", "needs at least one entry (the app client ids allowed)")
    return JwtAuthorizer(name=name, identity_source=sources, issuer=issuer, audience=audience)


def _ttl(data: Mapping[str, Any], path: str) -> int:
    ttl = integer(data, "AuthorizerResultTtlInSeconds", path, default=DEFAULT_TTL, minimum=0, maximum=MAX_TTL)
    assert ttl is not None
    return ttl


def _validation_expression(data: Mapping[str, Any], path: str) -> str | None:
    expression = string(data, "IdentityValidationExpression", path)
    if expression is not None:
        try:
            re.compile(expression)
        except re.error as exc:
            raise ConfigError(f"{path}.IdentityValidationExpression",
                              f"is not a valid regular expression: {exc}") from exc
    return expression


def _cognito_authorizer(data: Mapping[str, Any], path: str, name: str) -> CognitoAuthorizer:
    sources = _identity_sources(data, path, "method.request.header.Authorization")
    _check_sources(sources, _REST_HEADER_SOURCE, path, "method.request.header.<name>")
    if len(sources) != 1:
        raise ConfigError(f"{path}.IdentitySource",
                          "a Cognito authorizer reads the token from exactly one header")
    arns = string_list(data, "ProviderARNs", path)
    if not arns:
        raise ConfigError(f"{path}.ProviderARNs", "needs at least one user pool ARN, "
                                                  "arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>")
    for i, arn in enumerate(arns):
        if not _PROVIDER_ARN.match(arn):
            raise ConfigError(f"{path}.ProviderARNs[{i}]",
                              f"{arn!r} is not "
                              "arn:aws:cognito-idp:<region>:<12-digit account>:userpool/<poolId>")
    return CognitoAuthorizer(name=name, identity_source=sources[0], provider_arns=arns,
                             identity_validation_expression=_validation_expression(data, path),
                             result_ttl_seconds=_ttl(data, path))


def _load(spec: str, key_path: str, base_dir: Path | None) -> Callable[..., Any]:
    try:
        return lambda_runtime.load_function(spec, base_dir)
    except ValueError as exc:
        raise ConfigError(key_path, str(exc)) from exc


def _lambda_authorizer(data: Mapping[str, Any], path: str, name: str, protocol: str, kind: str,
                       base_dir: Path | None) -> LambdaAuthorizer:
    uri = string(data, "AuthorizerUri", path, required=True)
    assert uri is not None
    function = _load(uri, f"{path}.AuthorizerUri", base_dir)
    ttl = _ttl(data, path)
    if kind == "TOKEN":
        sources = _identity_sources(data, path, "method.request.header.Authorization")
        _check_sources(sources, _REST_HEADER_SOURCE, path, "method.request.header.<name>")
        if len(sources) != 1:
            raise ConfigError(f"{path}.IdentitySource", "a TOKEN authorizer reads exactly one header")
    elif protocol == "REST":
        sources = _identity_sources(data, path, None)
        _check_sources(sources, _REST_LAMBDA_SOURCE, path,
                       "method.request.header.<name>, method.request.querystring.<name>, "
                       "stageVariables.<name> or context.<name>")
    else:
        sources = _identity_sources(data, path, None)
        _check_sources(sources, _HTTP_LAMBDA_SOURCE, path,
                       "$request.header.<name>, $request.querystring.<name>, $context.<name> "
                       "or $stageVariables.<name>")
    if kind == "REQUEST" and ttl > 0 and not sources:
        # apigateway model: identitySource "is required when authorization caching is enabled".
        raise ConfigError(f"{path}.IdentitySource", f"is required while caching is on (TTL {ttl}s); "
                                                    "list the sources or set AuthorizerResultTtlInSeconds: 0")
    version, simple = "1.0", False
    if protocol == "HTTP":
        # apigatewayv2 model: AuthorizerPayloadFormatVersion is "Required for HTTP API Lambda authorizers".
        version = _one_of(data, "AuthorizerPayloadFormatVersion", path, ("1.0", "2.0"), None)
        simple = boolean(data, "EnableSimpleResponses", path, default=False)
        if simple and version != "2.0":
            raise ConfigError(f"{path}.EnableSimpleResponses", "simple responses need "
                                                              "AuthorizerPayloadFormatVersion: '2.0'")
    return LambdaAuthorizer(name=name, type=kind, function_name=uri, function=function,
                            identity_source=sources,
                            result_ttl_seconds=ttl, enable_simple_responses=simple,
                            payload_format_version=version,
                            identity_validation_expression=(_validation_expression(data, path)
                                                            if kind == "TOKEN" else None))


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
    scopes = string_list(data, "AuthorizationScopes", path) or ()
    if scopes:
        kind = _authorizer_kind(authorizer)
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
                       timeout_ms=timeout)


def _authorizer_kind(authorizer: Authorizer | None) -> str | None:
    if isinstance(authorizer, JwtAuthorizer):
        return "JWT"
    if isinstance(authorizer, CognitoAuthorizer):
        return "COGNITO_USER_POOLS"
    if isinstance(authorizer, LambdaAuthorizer):
        return authorizer.type
    return None


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


def _url_parts(url: str, key_path: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port only raises when read
    except ValueError as exc:
        raise ConfigError(key_path, f"{url!r} is not a valid URL: {exc}") from None
    return parts


def _target(target: str, key_path: str, segments: tuple[Segment, ...],
            base_dir: Path | None) -> tuple[str, Callable[..., Any] | None]:
    if target.startswith(("http://", "https://")):
        parts = _url_parts(target, key_path)
        if not parts.netloc:
            raise ConfigError(key_path, f"{target!r} has no host")
        variables = {s.text for s in segments if s.kind != 0}
        for name in _URL_VARIABLE.findall(parts.path):
            if name not in variables:
                raise ConfigError(key_path, f"{{{name}}} in the URL is not a path variable of this route "
                                            f"({', '.join(sorted(variables)) or 'it has none'})")
        return "http", None
    if target.startswith("python:"):
        return "python", _load(target, key_path, base_dir)
    raise ConfigError(key_path, f"{target!r} is neither an http(s):// URL nor python:package.module:function")


def _payload_version(data: Mapping[str, Any], path: str, protocol: str, target_kind: str) -> str:
    # HTTP APIs: 2.0 by default for Lambda (python) targets; REST Lambda proxy events are always 1.0.
    default = "2.0" if protocol == "HTTP" and target_kind == "python" else "1.0"
    version = _one_of(data, "PayloadFormatVersion", path, ("1.0", "2.0"), default)
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
