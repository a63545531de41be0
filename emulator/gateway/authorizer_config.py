"""The `Authorizers:` of an API in the YAML -> immutable authorizer configs; every error names its key path.

Keys are API Gateway's own names (ApiGatewayV2 `AuthorizerType`, REST's `Type` accepted alike);
the dataclasses are what the authorizer decisions read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

from emulator.config_fields import (
    ConfigError,
    boolean,
    integer,
    mapping,
    mapping_list,
    only_keys,
    string,
    string_list,
)
from emulator.gateway import lambda_runtime


@dataclass(frozen=True)
class JwtAuthorizer:  # HTTP API, AuthorizerType: JWT
    """An HTTP API JWT authorizer's configuration."""

    name: str
    # e.g. ("$request.header.Authorization",) or ("$request.querystring.token",)
    identity_source: tuple[str, ...]
    issuer: str  # JwtConfiguration.Issuer
    audience: tuple[str, ...]  # JwtConfiguration.Audience


@dataclass(frozen=True)
class CognitoAuthorizer:  # REST, Type COGNITO_USER_POOLS
    """A REST COGNITO_USER_POOLS authorizer's configuration."""

    name: str
    identity_source: str  # "method.request.header.Authorization" (any header name)
    provider_arns: tuple[str, ...]
    identity_validation_expression: str | None
    result_ttl_seconds: int  # AuthorizerResultTtlInSeconds, default 300


@dataclass(frozen=True)
class LambdaAuthorizer:  # REST Type TOKEN | REQUEST; HTTP API AuthorizerType REQUEST
    """A Lambda authorizer's configuration, its handler already loaded."""

    name: str
    type: str  # "TOKEN" | "REQUEST"
    function_name: str  # the spec as written, e.g. "python:auth.handlers:authorize"
    function: Callable[..., Any] | None  # a python: handler, loaded at start; None: run by the invoker
    identity_source: tuple[str, ...]  # REST: "method.request.header.X", "method.request.querystring.x";
    # HTTP: "$request.header.X", "$request.querystring.x", "$context.x", "$stageVariables.x"
    result_ttl_seconds: int  # default 300; 0 disables caching
    enable_simple_responses: bool  # HTTP API only
    payload_format_version: str  # HTTP API: "1.0" | "2.0" (AuthorizerPayloadFormatVersion); REST: "1.0"
    identity_validation_expression: str | None  # TOKEN only


Authorizer = JwtAuthorizer | CognitoAuthorizer | LambdaAuthorizer

# apigateway model: "If this field is not set, the default value is 300"; HTTP APIs alike (UNCONFIRMED).
DEFAULT_TTL = 300
MAX_TTL = 3600

_PROVIDER_ARN = re.compile(r"^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+_[0-9A-Za-z]+$")
_JWT_SOURCE = re.compile(r"^\$request\.(header|querystring)\.[^\s.][^\s]*$")
_HTTP_LAMBDA_SOURCE = re.compile(r"^\$(request\.header|request\.querystring|context|stageVariables)\.[^\s]+$")
_REST_HEADER_SOURCE = re.compile(r"^method\.request\.header\.[^\s]+$")
_REST_LAMBDA_SOURCE = re.compile(r"^(method\.request\.header|method\.request\.querystring|stageVariables"
                                 r"|context)\.[^\s]+$")

AUTHORIZER_KEYS = ("Name", "AuthorizerType", "Type", "IdentitySource", "JwtConfiguration", "ProviderARNs",
                   "IdentityValidationExpression", "AuthorizerResultTtlInSeconds", "AuthorizerUri",
                   "EnableSimpleResponses", "AuthorizerPayloadFormatVersion")

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


def authorizer_kind(authorizer: Authorizer | None) -> str | None:
    """The AWS type name of an authorizer config ("JWT", "COGNITO_USER_POOLS", "TOKEN", "REQUEST")."""
    if isinstance(authorizer, JwtAuthorizer):
        return "JWT"
    if isinstance(authorizer, CognitoAuthorizer):
        return "COGNITO_USER_POOLS"
    if isinstance(authorizer, LambdaAuthorizer):
        return authorizer.type
    return None


def one_of(data: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...], default: str | None) -> str:
    """data[key], which must be one of `allowed`; required when there is no default."""
    value = string(data, key, path, default=default, required=default is None)
    assert value is not None
    if value not in allowed:
        raise ConfigError(f"{path}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
    return value


def url_parts(url: str, key_path: str) -> SplitResult:
    """`url` split, or a ConfigError at `key_path` (a bad port only shows when read)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port only raises when read
    except ValueError as exc:
        raise ConfigError(key_path, f"{url!r} is not a valid URL: {exc}") from None
    return parts


def load_handler(spec: str, key_path: str, base_dir: Path | None) -> Callable[..., Any] | None:
    """Check Lambda code at start, so a typo fails before any port opens: a python: handler is loaded (the
    callable), a node: or invoke: target is checked and run later by the runtime's invoker (None)."""
    try:
        return lambda_runtime.load_target(spec, base_dir)
    except ValueError as exc:
        raise ConfigError(key_path, str(exc)) from exc


def parse_authorizers(data: Mapping[str, Any], path: str, protocol: str,
                      base_dir: Path | None) -> tuple[Authorizer, ...]:
    """The API's `Authorizers` list; names are unique within the API."""
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
    parts = url_parts(issuer, f"{jwt_path}.Issuer")
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


def _lambda_authorizer(data: Mapping[str, Any], path: str, name: str, protocol: str, kind: str,
                       base_dir: Path | None) -> LambdaAuthorizer:
    uri = string(data, "AuthorizerUri", path, required=True)
    assert uri is not None
    function = load_handler(uri, f"{path}.AuthorizerUri", base_dir)
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
        version = one_of(data, "AuthorizerPayloadFormatVersion", path, ("1.0", "2.0"), None)
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
