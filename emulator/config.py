"""config.yaml → validated, immutable model. Every error names its key path and the reason.

Pool and client keys are AWS's own (`DescribeUserPool` / `DescribeUserPoolClient` names),
so `aws cognito-idp describe-user-pool-client` output pastes in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from emulator import config_fields as f
from emulator import config_pastes
from emulator.client_config import parse_client
from emulator.cognito import schema_rules
from emulator.cognito.errors import CognitoError
from emulator.cognito.identity_provider_config import parse_identity_providers
from emulator.cognito.mfa_config_rules import first_auth_factors, mfa_factors_of_config, sign_in_policy_violation
from emulator.cognito.trigger_config import parse_functions, parse_lambda_config
from emulator.config_fields import ALNUM, ConfigError, stable_token
from emulator.config_placeholders import first_placeholder
from emulator.config_yaml import read_yaml
from emulator.lambdas.invoker import LambdaInvoker
from emulator.model import (
    ATTRIBUTE_DATA_TYPES,
    CUSTOM_PREFIX,
    DEFAULT_REGION,
    DEVELOPER_PREFIX,
    STANDARD_BY_NAME,
    AppClient,
    Group,
    PasswordPolicy,
    ResourceServer,
    SchemaAttribute,
    UserPool,
)

log = logging.getLogger("cognito_emulator")

USER_STATUSES = ("CONFIRMED", "FORCE_CHANGE_PASSWORD", "UNCONFIRMED", "RESET_REQUIRED")
REGION_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
POOL_ID_PATTERN = re.compile(r"[\w-]+_[0-9a-zA-Z]+")


@dataclass(frozen=True)
class UserSeed:
    username: str
    password: str | None
    status: str
    enabled: bool
    attributes: tuple[tuple[str, str], ...]
    groups: tuple[str, ...]
    mfa: Mapping[str, Any] = field(default_factory=dict)  # SoftwareTokenSecret / PreferredMfa / PhoneMfa


@dataclass(frozen=True)
class PoolSeed:
    pool: UserPool
    clients: tuple[AppClient, ...]
    generate_secret: frozenset[str]  # client ids whose secret is generated (and then kept in the store)
    resource_servers: tuple[ResourceServer, ...]
    groups: tuple[Group, ...]
    users: tuple[UserSeed, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)  # DescribeUserPool's other settings, as AWS names them
    identity_providers: tuple[Mapping[str, Any], ...] = ()  # CreateIdentityProvider's fields (identity_provider_config)


@dataclass(frozen=True)
class Credential:
    """An AWS key pair the emulator verifies SigV4 signatures with (config `Credentials:`)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


@dataclass(frozen=True)
class Config:
    region: str
    pools: tuple[PoolSeed, ...]
    apis: tuple[Any, ...]  # emulator.gateway.config.ApiConfig
    source: Path | None = None
    functions: Mapping[str, str] = field(default_factory=dict)  # Functions: function name/ARN -> local target
    base_dir: Path | None = None  # where Lambda code (python:, node:) is found: the config file's folder
    # Empty: any well-formed SigV4 signature is accepted, as the emulator has no keys to check it with.
    credentials: tuple[Credential, ...] = ()
    # IdentityPools: (identity/config.py) as pool records; Roles: role ARN -> IAM policy document (AWS_IAM routes).
    identity_pools: tuple[Mapping[str, Any], ...] = ()
    roles: Mapping[str, Any] = field(default_factory=dict)


def load_config(path: str | Path) -> Config:
    """Read and validate a config file; ConfigError names the key path of the first problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    try:
        raw = read_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise ConfigError(str(path), f"not valid YAML at {where}: {getattr(exc, 'problem', exc)}") from None
    return parse_config({} if raw is None else raw, base_dir=path.resolve().parent, source=path)


def parse_config(raw: Any, base_dir: Path | None = None, source: Path | None = None) -> Config:
    """Validate an already-parsed config document."""
    data = f.mapping(raw, "(top level)")
    f.only_keys(data, ("Region", "Credentials", "UserPools", "Apis", "Functions", "IdentityPools", "Roles"), "")
    placeholder = first_placeholder(data)
    if placeholder is not None:  # an import's unresolved value: give it with --set, or write it in
        raise ConfigError(placeholder[0], f"unresolved placeholder {placeholder[1]}; an imported value that "
                                          "was not known offline (pass it with --set, or write the value)")
    region = f.string(data, "Region", "", default=DEFAULT_REGION)
    if not REGION_PATTERN.fullmatch(region):
        raise ConfigError("Region", f"'{region}' is not an AWS region name like us-east-1")
    folder = base_dir if base_dir is not None else Path.cwd()
    functions = parse_functions(data.get("Functions"), "Functions", folder)
    invoker = LambdaInvoker(folder, functions)  # only resolves and checks targets here; starts nothing
    pools = tuple(_pool(item, path, region, invoker) for path, item in f.mapping_list(data, "UserPools", ""))
    _check_unique(((p.pool.id, f"UserPools[{i}].Id") for i, p in enumerate(pools)), "pool id")
    _check_unique(((c.client_id, f"UserPools[{i}].Clients[{j}].ClientId")
                   for i, p in enumerate(pools) for j, c in enumerate(p.clients)),
                  "client id (client ids are unique across all pools)")
    apis: tuple[Any, ...] = ()
    if data.get("Apis") is not None:
        from emulator.gateway.config import parse_apis

        apis = tuple(parse_apis(data["Apis"], "Apis", base_dir=base_dir, region=region))
    from emulator.identity.config import parse_identity_pools, parse_roles

    return Config(region=region, pools=pools, apis=apis, source=source, functions=functions, base_dir=folder,
                  credentials=_credentials(data), identity_pools=parse_identity_pools(data, region),
                  roles=parse_roles(data))


# IAM's AccessKeyIdType is 16 to 128 word characters; shorter ones (`test`) are what local setups use.
ACCESS_KEY_ID_PATTERN = re.compile(r"\w{1,128}")


def _credentials(data: Mapping[str, Any]) -> tuple[Credential, ...]:
    """`Credentials: [{AccessKeyId, SecretAccessKey}]`: the keys SigV4-signed operations must be signed with."""
    found = []
    for path, item in f.mapping_list(data, "Credentials", ""):
        f.only_keys(item, ("AccessKeyId", "SecretAccessKey"), path)
        key_id = f.string(item, "AccessKeyId", path, required=True)
        secret = f.string(item, "SecretAccessKey", path, required=True)
        if not ACCESS_KEY_ID_PATTERN.fullmatch(key_id):
            raise ConfigError(f"{path}.AccessKeyId", f"'{key_id}' is not an access key id: up to 128 letters, "
                                                     "digits or underscores")
        if not secret:
            raise ConfigError(f"{path}.SecretAccessKey", "is empty")
        found.append(Credential(key_id, secret))
    _check_unique(((c.access_key_id, f"Credentials[{i}].AccessKeyId") for i, c in enumerate(found)),
                  "access key id")
    return tuple(found)


def _check_unique(items: Any, what: str) -> None:
    seen: dict[str, str] = {}
    for value, path in items:
        if value in seen:
            raise ConfigError(path, f"duplicate {what} '{value}', already used at {seen[value]}")
        seen[value] = path


POOL_KEYS = (
    "Id", "Name", "Region", "Issuer", "UsernameAttributes", "AliasAttributes", "AutoVerifiedAttributes",
    "UsernameConfiguration", "MfaConfiguration", "SmsMfaConfiguration", "SoftwareTokenMfaConfiguration",
    "EmailMfaConfiguration", "WebAuthnConfiguration", "Policies", "Domain", "LambdaConfig", "Schema",
    "AdminCreateUserConfig", "ResourceServers", "Groups", "Users", "Clients", "IdentityProviders",
    *config_pastes.POOL_SETTINGS_KEYS,
)


def _pool(data: Mapping[str, Any], path: str, default_region: str, functions: LambdaInvoker) -> PoolSeed:
    data = config_pastes.pool_entry(data, path)
    f.only_keys(data, POOL_KEYS, path)
    name = f.string(data, "Name", path, required=True)
    pool_id = f.string(data, "Id", path)
    region = f.string(data, "Region", path)
    if pool_id is not None:
        if not POOL_ID_PATTERN.fullmatch(pool_id) or len(pool_id) > 55:
            raise ConfigError(f"{path}.Id", f"'{pool_id}' is not a user pool id like us-east-1_Example01")
        region = region or pool_id.split("_", 1)[0]
    region = region or default_region
    if not REGION_PATTERN.fullmatch(region):
        raise ConfigError(f"{path}.Region", f"'{region}' is not an AWS region name like us-east-1")
    pool_id = pool_id or f"{region}_{stable_token('pool:' + name, 9, ALNUM)}"
    issuer = f.string(data, "Issuer", path)
    if issuer is not None and not re.match(r"https?://[^/]+", issuer):
        raise ConfigError(f"{path}.Issuer", f"'{issuer}' is not an http(s) URL")
    username_attrs = f.string_list(data, "UsernameAttributes", path) or ()
    alias_attrs = f.string_list(data, "AliasAttributes", path) or ()
    for key, values, allowed in (("UsernameAttributes", username_attrs, ("email", "phone_number")),
                                 ("AliasAttributes", alias_attrs, ("email", "phone_number", "preferred_username"))):
        for i, v in enumerate(values):
            if v not in allowed:
                raise ConfigError(f"{path}.{key}[{i}]", f"'{v}' is not one of {', '.join(allowed)}")
    if username_attrs and alias_attrs:
        raise ConfigError(f"{path}.AliasAttributes", "a pool has UsernameAttributes or AliasAttributes, not both")
    username_config = f.mapping(data.get("UsernameConfiguration") or {}, f"{path}.UsernameConfiguration")
    mfa = f.string(data, "MfaConfiguration", path, default="OFF")
    if mfa not in ("OFF", "ON", "OPTIONAL"):
        raise ConfigError(f"{path}.MfaConfiguration", f"'{mfa}' is not one of OFF, ON, OPTIONAL")
    policies = f.mapping(data.get("Policies") or {}, f"{path}.Policies")
    policy = _password_policy(policies.get("PasswordPolicy") or {}, f"{path}.Policies.PasswordPolicy")
    sign_in = sign_in_policy_violation(policies)
    if sign_in is not None:
        raise _config_error(f"{path}.Policies.SignInPolicy.AllowedFirstAuthFactors", sign_in)
    lambda_config = parse_lambda_config(data.get("LambdaConfig"), f"{path}.LambdaConfig", functions)
    pool = UserPool(
        id=pool_id, name=name, region=region, issuer_override=issuer.rstrip("/") if issuer else None,
        username_attributes=username_attrs, alias_attributes=alias_attrs,
        auto_verified_attributes=f.string_list(data, "AutoVerifiedAttributes", path) or (),
        case_sensitive=f.boolean(username_config, "CaseSensitive", f"{path}.UsernameConfiguration", False),
        mfa_configuration=mfa, password_policy=policy, domain=f.string(data, "Domain", path),
        first_auth_factors=first_auth_factors(policies), **mfa_factors_of_config(dict(data), _raiser(path)),
        lambda_config=lambda_config,
    )
    pool = _schema(pool, data, path)
    servers = tuple(_resource_server(item, p, pool_id) for p, item in f.mapping_list(data, "ResourceServers", path))
    _check_unique(((s.identifier, f"{path}.ResourceServers[{i}].Identifier") for i, s in enumerate(servers)),
                  "resource server identifier")
    custom_scopes = {scope for s in servers for scope in s.scope_names}
    groups = tuple(_group(item, p, pool_id) for p, item in f.mapping_list(data, "Groups", path))
    _check_unique(((g.name, f"{path}.Groups[{i}].GroupName") for i, g in enumerate(groups)), "group name")
    clients, generated = [], set()
    for p, item in f.mapping_list(data, "Clients", path):
        client, generate = parse_client(item, p, pool_id, custom_scopes)
        clients.append(client)
        if generate:
            generated.add(client.client_id)
    group_names = {g.name for g in groups}
    users = tuple(_user(item, p, group_names, pool) for p, item in f.mapping_list(data, "Users", path))
    _check_unique(((u.username if pool.case_sensitive else u.username.lower(), f"{path}.Users[{i}].Username")
                   for i, u in enumerate(users)), "username")
    return PoolSeed(pool, tuple(clients), frozenset(generated), servers, groups, users,
                    config_pastes.acted_on_settings(data, path), parse_identity_providers(data, path, pool_id))


SCHEMA_KEYS = ("Name", "AttributeDataType", "Mutable", "DeveloperOnlyAttribute", "Required",
               "StringAttributeConstraints", "NumberAttributeConstraints")


def _schema(pool: UserPool, data: Mapping[str, Any], path: str) -> UserPool:
    """The pool with its `Schema` (CreateUserPool's list): custom attributes by `name`, `custom:name` or
    `dev:custom:name`, and standard ones (`{Name: email, Required: true}`), as AWS checks them."""
    for p, item in f.mapping_list(data, "Schema", path):
        attribute = _schema_entry(item, p)
        try:
            pool = schema_rules.with_declarations(pool, [attribute])
        except CognitoError as error:  # a name declared twice, or one custom attribute too many
            raise _config_error(f"{p}.Name", error) from None
    return pool


def _schema_entry(item: Mapping[str, Any], path: str) -> SchemaAttribute:
    f.only_keys(item, SCHEMA_KEYS, path)
    name = f.string(item, "Name", path, required=True)
    developer_only = f.boolean(item, "DeveloperOnlyAttribute", path, False)
    custom = name.startswith((CUSTOM_PREFIX, DEVELOPER_PREFIX))
    if name.startswith(DEVELOPER_PREFIX):
        if "DeveloperOnlyAttribute" in item and not developer_only:
            raise ConfigError(f"{path}.DeveloperOnlyAttribute", f"'{name}' names a developer-only attribute")
        developer_only = True
    base = name.removeprefix(DEVELOPER_PREFIX).removeprefix(CUSTOM_PREFIX) if custom else name
    if name.startswith(DEVELOPER_PREFIX) and not name.startswith(DEVELOPER_PREFIX + CUSTOM_PREFIX):
        raise ConfigError(f"{path}.Name", f"a developer-only attribute is named dev:custom:<name>, not '{name}'")
    if custom or base not in STANDARD_BY_NAME:
        problem = schema_rules.custom_name_problem(base)
        if problem:
            raise ConfigError(f"{path}.Name", problem)
    data_type = f.string(item, "AttributeDataType", path)
    if data_type is not None and data_type not in ATTRIBUTE_DATA_TYPES:
        raise ConfigError(f"{path}.AttributeDataType", f"'{data_type}' is not one of {', '.join(ATTRIBUTE_DATA_TYPES)}")
    entry: dict[str, Any] = {
        "Name": base, "AttributeDataType": data_type, "DeveloperOnlyAttribute": developer_only,
        "Mutable": f.boolean(item, "Mutable", path, True), "Required": f.boolean(item, "Required", path, False),
    }
    for key, fields in (("StringAttributeConstraints", ("MinLength", "MaxLength")),
                        ("NumberAttributeConstraints", ("MinValue", "MaxValue"))):
        constraints = f.mapping(item.get(key) or {}, f"{path}.{key}")
        f.only_keys(constraints, fields, f"{path}.{key}")
        entry[key] = {k: f.string(constraints, k, f"{path}.{key}") for k in fields if k in constraints}
    try:
        attribute = schema_rules.declared(entry, custom=True if custom else None)
    except CognitoError as error:
        key = next((k for k in ("Required", "StringAttributeConstraints", "NumberAttributeConstraints")
                    if k in error.message or k in error.reason), None)
        if "standard schema attribute" in error.message:
            key = "AttributeDataType" if "AttributeDataType" in item else "DeveloperOnlyAttribute"
        raise _config_error(f"{path}.{key}" if key else path, error) from None
    if not attribute.custom:
        ignored = [k for k in ("StringAttributeConstraints", "NumberAttributeConstraints") if entry[k]]
        if ignored:  # checked like AWS checks them, but only custom attributes' values are checked
            log.info("%s: %s of standard attribute %s accepted and ignored", path, " and ".join(ignored), base)
    return attribute


def _raiser(path: str) -> Any:
    def error(key: str, message: str) -> None:
        raise ConfigError(f"{path}.{key}", message)
    return error


def _config_error(path: str, error: CognitoError) -> ConfigError:
    return ConfigError(path, f"{error.type}: {error.message.strip()}"
                       + ("" if error.reason == error.message else f" ({error.reason})"))


def _password_policy(raw: Any, path: str) -> PasswordPolicy:
    data = f.mapping(raw, path)
    f.only_keys(data, ("MinimumLength", "RequireUppercase", "RequireLowercase", "RequireNumbers",
                       "RequireSymbols", "TemporaryPasswordValidityDays", "PasswordHistorySize"), path)
    if f.integer(data, "PasswordHistorySize", path, 0, 0, 24):
        raise ConfigError(f"{path}.PasswordHistorySize", "the emulator keeps no password history, so it could not "
                          "refuse a reused password; leave it 0 or unset")
    base = PasswordPolicy()
    return PasswordPolicy(
        minimum_length=f.integer(data, "MinimumLength", path, base.minimum_length, 6, 99),
        require_uppercase=f.boolean(data, "RequireUppercase", path, base.require_uppercase),
        require_lowercase=f.boolean(data, "RequireLowercase", path, base.require_lowercase),
        require_numbers=f.boolean(data, "RequireNumbers", path, base.require_numbers),
        require_symbols=f.boolean(data, "RequireSymbols", path, base.require_symbols),
        temporary_password_validity_days=f.integer(
            data, "TemporaryPasswordValidityDays", path, base.temporary_password_validity_days, 0, 365),
    )


def _resource_server(data: Mapping[str, Any], path: str, pool_id: str) -> ResourceServer:
    data = config_pastes.resource_server_entry(data, path, pool_id)
    f.only_keys(data, ("Identifier", "Name", "Scopes"), path)
    identifier = f.string(data, "Identifier", path, required=True)
    if not re.fullmatch(r"[\x21\x23-\x5B\x5D-\x7E]+", identifier) or len(identifier) > 256:
        raise ConfigError(f"{path}.Identifier", f"'{identifier}' has characters AWS does not allow")
    scopes = []
    for p, item in f.mapping_list(data, "Scopes", path):
        f.only_keys(item, ("ScopeName", "ScopeDescription"), p)
        scope_name = f.string(item, "ScopeName", p, required=True)
        if not re.fullmatch(r"[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+", scope_name):
            raise ConfigError(f"{p}.ScopeName", f"'{scope_name}' has characters AWS does not allow (no '/')")
        scopes.append((scope_name, f.string(item, "ScopeDescription", p, default=scope_name)))
    return ResourceServer(pool_id, identifier, f.string(data, "Name", path, default=identifier), tuple(scopes))


def _group(data: Mapping[str, Any], path: str, pool_id: str) -> Group:
    f.only_keys(data, ("GroupName", "Description", "Precedence", "RoleArn"), path)
    return Group(pool_id, f.string(data, "GroupName", path, required=True),
                 f.string(data, "Description", path), f.integer(data, "Precedence", path, minimum=0),
                 f.string(data, "RoleArn", path))


def _user(data: Mapping[str, Any], path: str, group_names: set[str], pool: UserPool) -> UserSeed:
    f.only_keys(data, ("Username", "Password", "TemporaryPassword", "UserStatus", "Enabled", "UserAttributes",
                       "Attributes", "Groups", "MFA"), path)
    username = f.string(data, "Username", path, required=True)
    if not username.strip() or len(username) > 128:
        raise ConfigError(f"{path}.Username", "must be 1 to 128 characters and not blank")
    password = f.string(data, "Password", path)
    temporary = f.string(data, "TemporaryPassword", path)
    if password and temporary:
        raise ConfigError(f"{path}.TemporaryPassword", "give Password (a permanent one) or TemporaryPassword")
    status = f.string(data, "UserStatus", path, default="FORCE_CHANGE_PASSWORD" if temporary else "CONFIRMED")
    if status not in USER_STATUSES:
        raise ConfigError(f"{path}.UserStatus", f"'{status}' is not one of {', '.join(USER_STATUSES)}")
    if status in ("CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD") and not (password or temporary):
        raise ConfigError(f"{path}.Password", f"a {status} user needs a Password")
    attributes = _attributes(data.get("UserAttributes", data.get("Attributes")), f"{path}.UserAttributes")
    _check_schema(pool, username, attributes, f"{path}.UserAttributes")
    groups = f.string_list(data, "Groups", path) or ()
    for i, g in enumerate(groups):
        if g not in group_names:
            raise ConfigError(f"{path}.Groups[{i}]", f"group '{g}' is not in the pool's Groups")
    mfa = f.mapping(data.get("MFA") or {}, f"{path}.MFA")
    f.only_keys(mfa, ("SoftwareTokenSecret", "PreferredMfa", "SmsMfa"), f"{path}.MFA")
    return UserSeed(username=username, password=password or temporary, status=status,
                    enabled=f.boolean(data, "Enabled", path, True), attributes=attributes, groups=groups,
                    mfa=dict(mfa))


def _check_schema(pool: UserPool, username: str, attributes: tuple[tuple[str, str], ...], path: str) -> None:
    """A seed user's attributes fit the pool's schema as AdminCreateUser's would: declared, valid values,
    the Required ones present (the Username counts as the e-mail/phone a pool signs in with)."""
    for name, value in attributes:
        if pool.schema_attribute(name) is None:
            base = name.removeprefix(DEVELOPER_PREFIX).removeprefix(CUSTOM_PREFIX)
            if not name.startswith((CUSTOM_PREFIX, DEVELOPER_PREFIX)):
                why = (f"'{name}' is not a standard attribute; a custom attribute is named custom:<name> and "
                       "declared in the pool's Schema")
            elif pool.schema_attribute(DEVELOPER_PREFIX + name) is not None:
                why = f"{name} is developer-only in the pool's Schema; name it {DEVELOPER_PREFIX}{name}"
            else:
                why = (f"{name} is not in the pool's Schema; declare it there, e.g. "
                       f"Schema: [{{Name: {base}, AttributeDataType: String}}]")
            raise ConfigError(f"{path}.{name}", why)
        refusal = schema_rules.write_refusal(pool, name, value, by_admin=True, creating=True)
        if refusal is not None:
            raise ConfigError(f"{path}.{name}", refusal.reason)
    present = dict(attributes)
    if "email" in pool.username_attributes and "@" in username:
        present.setdefault("email", username)
    if "phone_number" in pool.username_attributes and username.startswith("+"):
        present.setdefault("phone_number", username)
    missing = schema_rules.missing_required(pool, present)
    if missing is not None:
        raise ConfigError(path, f"{missing.reason}; add it to UserAttributes")


def _attributes(raw: Any, path: str) -> tuple[tuple[str, str], ...]:
    """UserAttributes as a mapping or AWS's [{Name, Value}] list; values kept as AWS's strings."""
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = []
        for i, entry in enumerate(raw):
            entry = f.mapping(entry, f"{path}[{i}]")
            f.only_keys(entry, ("Name", "Value"), f"{path}[{i}]")
            items.append((f.string(entry, "Name", f"{path}[{i}]", required=True), entry.get("Value")))
    else:
        raise ConfigError(path, f"expected a mapping or a list of {{Name, Value}}, got {f.type_name(raw)}")
    out = []
    for name, value in items:
        if name == "sub":
            raise ConfigError(f"{path}.sub", "sub is assigned by the user pool and cannot be set")
        if isinstance(value, bool):
            value = "true" if value else "false"
        if value is None or isinstance(value, list | dict):
            raise ConfigError(f"{path}.{name}", f"expected a string, got {f.type_name(value)}")
        out.append((str(name), str(value)))
    return tuple(out)
