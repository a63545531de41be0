"""User pools, app clients and resource servers as typed, immutable values, each kept in the store in AWS's own
Describe* shape (`to_aws`) so a runtime `UpdateUserPoolClient` and a YAML entry are the same thing."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"

# ExplicitAuthFlows of a client created without them (service-2.json ExplicitAuthFlows doc).
DEFAULT_EXPLICIT_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")

# The schema's custom and developer-only attribute name prefixes (`custom:tier`, `dev:custom:tier`).
CUSTOM_PREFIX = "custom:"
DEVELOPER_PREFIX = "dev:"
ATTRIBUTE_DATA_TYPES = ("String", "Number", "DateTime", "Boolean")

# Seconds per TokenValidityUnits value.
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    temporary_password_validity_days: int = 7

    def to_aws(self) -> dict[str, Any]:
        return {
            "MinimumLength": self.minimum_length,
            "RequireUppercase": self.require_uppercase,
            "RequireLowercase": self.require_lowercase,
            "RequireNumbers": self.require_numbers,
            "RequireSymbols": self.require_symbols,
            "TemporaryPasswordValidityDays": self.temporary_password_validity_days,
        }

    @classmethod
    def from_aws(cls, data: dict[str, Any] | None) -> PasswordPolicy:
        data = data or {}
        base = cls()
        return cls(
            minimum_length=data.get("MinimumLength", base.minimum_length),
            require_uppercase=data.get("RequireUppercase", base.require_uppercase),
            require_lowercase=data.get("RequireLowercase", base.require_lowercase),
            require_numbers=data.get("RequireNumbers", base.require_numbers),
            require_symbols=data.get("RequireSymbols", base.require_symbols),
            temporary_password_validity_days=data.get("TemporaryPasswordValidityDays",
                                                      base.temporary_password_validity_days),
        )


@dataclass(frozen=True)
class SchemaAttribute:
    """One attribute of a pool's schema (AWS's SchemaAttributeType), by its full name: `email`,
    `custom:tier`, or `dev:custom:tier` for a developer-only one. Constraints are kept as AWS's strings."""

    name: str
    data_type: str = "String"
    mutable: bool = True
    required: bool = False
    developer_only: bool = False
    min_length: str | None = None
    max_length: str | None = None
    min_value: str | None = None
    max_value: str | None = None

    @property
    def custom(self) -> bool:
        return self.name.startswith((CUSTOM_PREFIX, DEVELOPER_PREFIX))

    @property
    def base_name(self) -> str:
        """The name without `dev:` and `custom:` (what CreateUserPool's Schema entry named)."""
        return self.name.removeprefix(DEVELOPER_PREFIX).removeprefix(CUSTOM_PREFIX)

    def to_aws(self) -> dict[str, Any]:
        data: dict[str, Any] = {"Name": self.name, "AttributeDataType": self.data_type,
                                "DeveloperOnlyAttribute": self.developer_only, "Mutable": self.mutable,
                                "Required": self.required}
        lengths = {k: v for k, v in (("MinLength", self.min_length), ("MaxLength", self.max_length)) if v is not None}
        values = {k: v for k, v in (("MinValue", self.min_value), ("MaxValue", self.max_value)) if v is not None}
        # A custom String attribute always shows its (possibly empty) string constraints; a Number one only
        # the number constraints it was given (UNCONFIRMED: as another emulator's AWS-verified tests show it).
        if self.data_type == "String" and (lengths or self.custom):
            data["StringAttributeConstraints"] = lengths
        if self.data_type == "Number" and values:
            data["NumberAttributeConstraints"] = values
        return data

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> SchemaAttribute:
        lengths = data.get("StringAttributeConstraints") or {}
        values = data.get("NumberAttributeConstraints") or {}
        return cls(
            name=data["Name"], data_type=data.get("AttributeDataType") or "String",
            mutable=bool(data.get("Mutable", True)), required=bool(data.get("Required", False)),
            developer_only=bool(data.get("DeveloperOnlyAttribute", False)),
            min_length=lengths.get("MinLength"), max_length=lengths.get("MaxLength"),
            min_value=values.get("MinValue"), max_value=values.get("MaxValue"),
        )


def _standard(name: str, data_type: str = "String", **fields: Any) -> SchemaAttribute:
    if data_type == "String":
        fields = {"min_length": "0", "max_length": "2048", **fields}
    return SchemaAttribute(name, data_type, **fields)


# The standard attributes of every user pool, as DescribeUserPool lists them (its order, types, mutability
# and constraints; the AWS CLI's describe-user-pool example and the SDKs' CreateUserPool example response).
STANDARD_SCHEMA: tuple[SchemaAttribute, ...] = (
    _standard("sub", mutable=False, required=True, min_length="1"),
    *(_standard(n) for n in ("name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
                              "profile", "picture", "website", "email")),
    _standard("email_verified", "Boolean"),
    _standard("gender"),
    _standard("birthdate", min_length="10", max_length="10"),
    *(_standard(n) for n in ("zoneinfo", "locale", "phone_number")),
    _standard("phone_number_verified", "Boolean"),
    _standard("address"),
    _standard("updated_at", "Number", min_value="0"),
)
STANDARD_BY_NAME: dict[str, SchemaAttribute] = {a.name: a for a in STANDARD_SCHEMA}


def pool_issuer(pool_id: str, region: str, override: str | None = None) -> str:
    """The `iss` of a pool's tokens: AWS's form unless the pool overrides it."""
    return override or f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


@dataclass(frozen=True)
class UserPool:
    id: str
    name: str
    region: str = DEFAULT_REGION
    issuer_override: str | None = None
    username_attributes: tuple[str, ...] = ()  # sign in with email/phone instead of a username
    alias_attributes: tuple[str, ...] = ()  # email/phone/preferred_username also accepted
    auto_verified_attributes: tuple[str, ...] = ()
    case_sensitive: bool = False
    mfa_configuration: str = "OFF"
    # The second factors SetUserPoolMfaConfig turns on. A pool never configured by it keeps SMS and TOTP on
    # (the emulator's behaviour before the operation existed; UNCONFIRMED as AWS's default for such pools).
    sms_mfa: bool = True
    software_token_mfa: bool = True
    email_mfa: dict[str, str] | None = None  # EmailMfaConfiguration (Message, Subject); None: no e-mail codes
    web_authn: dict[str, str] = field(default_factory=dict)  # WebAuthnConfiguration as set
    # Policies.SignInPolicy.AllowedFirstAuthFactors: what USER_AUTH may start with (AWS's default: PASSWORD).
    first_auth_factors: tuple[str, ...] = ("PASSWORD",)
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    domain: str | None = None
    # AWS's LambdaConfig: trigger name -> function ARN or local target; PreTokenGenerationConfig a mapping.
    lambda_config: dict[str, Any] = field(default_factory=dict)
    custom_attributes: tuple[SchemaAttribute, ...] = ()  # the schema's custom:/dev:custom: attributes
    required_attributes: tuple[str, ...] = ()  # standard attributes the schema makes Required (besides sub)
    immutable_attributes: tuple[str, ...] = ()  # standard attributes the schema makes not Mutable (besides sub)
    created: float = 0.0
    modified: float = 0.0

    @property
    def schema(self) -> tuple[SchemaAttribute, ...]:
        """Every attribute of the pool: the standard ones (with the schema's Required/Mutable), then custom."""
        standard = tuple(
            replace(a, required=a.required or a.name in self.required_attributes,
                    mutable=a.mutable and a.name not in self.immutable_attributes)
            for a in STANDARD_SCHEMA)
        return standard + self.custom_attributes

    def schema_attribute(self, name: str) -> SchemaAttribute | None:
        """The schema attribute of this full name (`email`, `custom:tier`, `dev:custom:tier`), or None."""
        return next((a for a in self.schema if a.name == name), None)

    @property
    def issuer(self) -> str:
        return pool_issuer(self.id, self.region, self.issuer_override)

    @property
    def arn(self) -> str:
        return f"arn:aws:cognito-idp:{self.region}:{DEFAULT_ACCOUNT}:userpool/{self.id}"

    def to_aws(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "Id": self.id,
            "Name": self.name,
            "Arn": self.arn,
            "Status": "Enabled",
            "Policies": {"PasswordPolicy": self.password_policy.to_aws(),
                         "SignInPolicy": {"AllowedFirstAuthFactors": list(self.first_auth_factors)}},
            "LambdaConfig": copy.deepcopy(self.lambda_config),
            "MfaConfiguration": self.mfa_configuration,
            "UsernameConfiguration": {"CaseSensitive": self.case_sensitive},
            "SchemaAttributes": [a.to_aws() for a in self.schema],
            "CreationDate": self.created,
            "LastModifiedDate": self.modified,
        }
        if self.username_attributes:
            data["UsernameAttributes"] = list(self.username_attributes)
        if self.alias_attributes:
            data["AliasAttributes"] = list(self.alias_attributes)
        if self.auto_verified_attributes:
            data["AutoVerifiedAttributes"] = list(self.auto_verified_attributes)
        if self.domain:
            data["Domain"] = self.domain
        return data

    def to_record(self) -> dict[str, Any]:
        """The stored form: AWS's shape plus the emulator's own fields."""
        return {**self.to_aws(), "Region": self.region, "Issuer": self.issuer_override,
                "MfaFactors": {"Sms": self.sms_mfa, "SoftwareToken": self.software_token_mfa,
                               "Email": self.email_mfa, "WebAuthn": self.web_authn}}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> UserPool:
        schema = [SchemaAttribute.from_aws(a) for a in data.get("SchemaAttributes") or ()]
        standard = [a for a in schema if not a.custom and a.name != "sub"]
        factors, sign_in = data.get("MfaFactors") or {}, (data.get("Policies") or {}).get("SignInPolicy") or {}
        return cls(
            id=data["Id"],
            name=data["Name"],
            region=data.get("Region") or data["Id"].split("_", 1)[0],
            issuer_override=data.get("Issuer"),
            username_attributes=tuple(data.get("UsernameAttributes") or ()),
            alias_attributes=tuple(data.get("AliasAttributes") or ()),
            auto_verified_attributes=tuple(data.get("AutoVerifiedAttributes") or ()),
            case_sensitive=bool((data.get("UsernameConfiguration") or {}).get("CaseSensitive", False)),
            mfa_configuration=data.get("MfaConfiguration") or "OFF",
            sms_mfa=bool(factors.get("Sms", True)), software_token_mfa=bool(factors.get("SoftwareToken", True)),
            email_mfa=factors.get("Email"), web_authn=dict(factors.get("WebAuthn") or {}),
            first_auth_factors=tuple(sign_in.get("AllowedFirstAuthFactors") or ("PASSWORD",)),
            password_policy=PasswordPolicy.from_aws((data.get("Policies") or {}).get("PasswordPolicy")),
            domain=data.get("Domain"),
            lambda_config=dict(data.get("LambdaConfig") or {}),
            custom_attributes=tuple(a for a in schema if a.custom),
            required_attributes=tuple(a.name for a in standard if a.required),
            immutable_attributes=tuple(a.name for a in standard if not a.mutable),
            created=float(data.get("CreationDate") or 0),
            modified=float(data.get("LastModifiedDate") or 0),
        )


@dataclass(frozen=True)
class AppClient:
    pool_id: str
    client_id: str
    client_name: str
    client_secret: str | None = None
    explicit_auth_flows: tuple[str, ...] = DEFAULT_EXPLICIT_AUTH_FLOWS
    allowed_oauth_flows: tuple[str, ...] = ()
    allowed_oauth_scopes: tuple[str, ...] = ()
    allowed_oauth_flows_user_pool_client: bool = False
    callback_urls: tuple[str, ...] = ()
    logout_urls: tuple[str, ...] = ()
    default_redirect_uri: str | None = None
    supported_identity_providers: tuple[str, ...] = ()
    prevent_user_existence_errors: str = "LEGACY"
    access_token_validity: int | None = None
    id_token_validity: int | None = None
    refresh_token_validity: int = 30
    token_validity_units: dict[str, str] = field(default_factory=dict)
    enable_token_revocation: bool = True
    auth_session_validity: int = 3
    read_attributes: tuple[str, ...] = ()
    write_attributes: tuple[str, ...] = ()
    refresh_token_rotation: dict[str, Any] = field(default_factory=dict)  # AWS's RefreshTokenRotationType
    analytics_configuration: dict[str, Any] = field(default_factory=dict)  # stored, returned; Pinpoint gets nothing
    propagate_user_context_data: bool = False  # EnablePropagateAdditionalUserContextData (stored, returned)
    created: float = 0.0
    modified: float = 0.0
    secret_created: float = 0.0  # when client_secret was made (0: with the client); its ClientSecretId says it
    added_secrets: tuple[tuple[str, str, float], ...] = ()  # AddUserPoolClientSecret's (id, value, created)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every active secret: SECRET_HASH, ClientSecret and Basic auth are accepted with any of them."""
        return tuple(s for s in (self.client_secret, *(v for _, v, _ in self.added_secrets)) if s)

    @property
    def rotates_refresh_tokens(self) -> bool:
        return self.refresh_token_rotation.get("Feature") == "ENABLED"

    @property
    def rotation_grace_seconds(self) -> int:
        """How long a rotated-out refresh token still works (RetryGracePeriodSeconds, 0 to 60)."""
        return int(self.refresh_token_rotation.get("RetryGracePeriodSeconds") or 0)

    def validity_seconds(self, token: str) -> int:
        """Lifetime of 'AccessToken', 'IdToken' or 'RefreshToken' from the client's validity and units."""
        value = {
            "AccessToken": self.access_token_validity,
            "IdToken": self.id_token_validity,
            "RefreshToken": self.refresh_token_validity,
        }[token]
        if value is None:  # AWS's default when unset: one hour for access and ID tokens
            return 3600
        unit = self.token_validity_units.get(token) or DEFAULT_UNITS[token]
        return value * UNIT_SECONDS[unit]

    def with_changes(self, **changes: Any) -> AppClient:
        return replace(self, **changes)

    def to_aws(self, include_secret: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "UserPoolId": self.pool_id,
            "ClientName": self.client_name,
            "ClientId": self.client_id,
            "LastModifiedDate": self.modified,
            "CreationDate": self.created,
            "RefreshTokenValidity": self.refresh_token_validity,
            "TokenValidityUnits": {**DEFAULT_UNITS, **self.token_validity_units},
            "ExplicitAuthFlows": list(self.explicit_auth_flows),
            "AllowedOAuthFlowsUserPoolClient": self.allowed_oauth_flows_user_pool_client,
            "PreventUserExistenceErrors": self.prevent_user_existence_errors,
            "EnableTokenRevocation": self.enable_token_revocation,
            "EnablePropagateAdditionalUserContextData": self.propagate_user_context_data,
            "AuthSessionValidity": self.auth_session_validity,
            "ClientType": "REGULAR",  # made by CreateUserPoolClient or the config, never by DCR
        }
        optional = {
            "ClientSecret": self.client_secret if include_secret else None,
            "AccessTokenValidity": self.access_token_validity,
            "IdTokenValidity": self.id_token_validity,
            "DefaultRedirectURI": self.default_redirect_uri,
            "AnalyticsConfiguration": dict(self.analytics_configuration) or None,
        }
        data.update({k: v for k, v in optional.items() if v is not None})
        lists = {
            "AllowedOAuthFlows": self.allowed_oauth_flows,
            "AllowedOAuthScopes": self.allowed_oauth_scopes,
            "CallbackURLs": self.callback_urls,
            "LogoutURLs": self.logout_urls,
            "SupportedIdentityProviders": self.supported_identity_providers,
            "ReadAttributes": self.read_attributes,
            "WriteAttributes": self.write_attributes,
        }
        data.update({k: list(v) for k, v in lists.items() if v})
        if self.refresh_token_rotation:
            data["RefreshTokenRotation"] = dict(self.refresh_token_rotation)
        return data

    def to_record(self) -> dict[str, Any]:
        """The stored form: AWS's shape plus the secrets AddUserPoolClientSecret added."""
        return {**self.to_aws(), "SecretCreated": self.secret_created, "AddedSecrets": list(self.added_secrets)}

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> AppClient:
        return cls(
            secret_created=float(data.get("SecretCreated") or 0),
            added_secrets=tuple(tuple(s) for s in data.get("AddedSecrets") or ()),  # type: ignore[misc]
            pool_id=data["UserPoolId"],
            client_id=data["ClientId"],
            client_name=data["ClientName"],
            client_secret=data.get("ClientSecret"),
            explicit_auth_flows=tuple(data.get("ExplicitAuthFlows") or ()),
            allowed_oauth_flows=tuple(data.get("AllowedOAuthFlows") or ()),
            allowed_oauth_scopes=tuple(data.get("AllowedOAuthScopes") or ()),
            allowed_oauth_flows_user_pool_client=bool(data.get("AllowedOAuthFlowsUserPoolClient", False)),
            callback_urls=tuple(data.get("CallbackURLs") or ()),
            logout_urls=tuple(data.get("LogoutURLs") or ()),
            default_redirect_uri=data.get("DefaultRedirectURI"),
            supported_identity_providers=tuple(data.get("SupportedIdentityProviders") or ()),
            prevent_user_existence_errors=data.get("PreventUserExistenceErrors") or "LEGACY",
            access_token_validity=data.get("AccessTokenValidity"),
            id_token_validity=data.get("IdTokenValidity"),
            refresh_token_validity=data.get("RefreshTokenValidity") or 30,
            token_validity_units=dict(data.get("TokenValidityUnits") or {}),
            enable_token_revocation=bool(data.get("EnableTokenRevocation", True)),
            auth_session_validity=data.get("AuthSessionValidity") or 3,
            read_attributes=tuple(data.get("ReadAttributes") or ()),
            write_attributes=tuple(data.get("WriteAttributes") or ()),
            refresh_token_rotation=dict(data.get("RefreshTokenRotation") or {}),
            analytics_configuration=dict(data.get("AnalyticsConfiguration") or {}),
            propagate_user_context_data=bool(data.get("EnablePropagateAdditionalUserContextData", False)),
            created=float(data.get("CreationDate") or 0),
            modified=float(data.get("LastModifiedDate") or 0),
        )


@dataclass(frozen=True)
class ResourceServer:
    pool_id: str
    identifier: str
    name: str
    scopes: tuple[tuple[str, str], ...] = ()  # (ScopeName, ScopeDescription)

    @property
    def scope_names(self) -> tuple[str, ...]:
        return tuple(f"{self.identifier}/{name}" for name, _ in self.scopes)

    def to_aws(self) -> dict[str, Any]:
        return {
            "UserPoolId": self.pool_id,
            "Identifier": self.identifier,
            "Name": self.name,
            "Scopes": [{"ScopeName": n, "ScopeDescription": d} for n, d in self.scopes],
        }

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> ResourceServer:
        return cls(
            pool_id=data["UserPoolId"],
            identifier=data["Identifier"],
            name=data["Name"],
            scopes=tuple((s["ScopeName"], s.get("ScopeDescription", "")) for s in data.get("Scopes") or ()),
        )


@dataclass(frozen=True)
class Group:
    pool_id: str
    name: str
    description: str | None = None
    precedence: int | None = None
    role_arn: str | None = None
    created: float = 0.0
    modified: float = 0.0

    def to_aws(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "GroupName": self.name,
            "UserPoolId": self.pool_id,
            "LastModifiedDate": self.modified,
            "CreationDate": self.created,
        }
        optional = {"Description": self.description, "Precedence": self.precedence, "RoleArn": self.role_arn}
        data.update({k: v for k, v in optional.items() if v is not None})
        return data

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> Group:
        return cls(
            pool_id=data["UserPoolId"],
            name=data["GroupName"],
            description=data.get("Description"),
            precedence=data.get("Precedence"),
            role_arn=data.get("RoleArn"),
            created=float(data.get("CreationDate") or 0),
            modified=float(data.get("LastModifiedDate") or 0),
        )


# Standard OAuth scopes a client may list besides resource-server scopes.
STANDARD_OAUTH_SCOPES = ("phone", "email", "openid", "profile", "aws.cognito.signin.user.admin")
