"""`AWS::Cognito::UserPool*` resources -> the `UserPools:` section (DescribeUserPool's names, which
CloudFormation shares). What changes who may sign in and cannot be honoured stops the import; settings
the emulator does not act on (messages, delivery, recovery) are listed in one note per resource."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.cognito.custom_sender_rules import KMS_KEY_ID, SENDERS
from emulator.config_fields import LOWER_ALNUM, stable_token
from emulator.importers import cfn_ids
from emulator.importers.cfn_errors import ImportRefused
from emulator.importers.cfn_lambda import Function, function_in
from emulator.importers.cfn_template import Template

POOL = "AWS::Cognito::UserPool"
COPIED_POOL_KEYS = ("UsernameAttributes", "AliasAttributes", "AutoVerifiedAttributes", "UsernameConfiguration",
                    "MfaConfiguration", "Schema")
PASSWORD_POLICY_KEYS = ("MinimumLength", "RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols",
                        "TemporaryPasswordValidityDays", "PasswordHistorySize")
# The triggers the emulator fires (cognito/trigger_config.py), as python: functions; custom senders
# ({LambdaVersion, LambdaArn}) and their KMSKeyID are carried over too, and checked as the config checks them.
RUN_TRIGGERS = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse", "PreSignUp",
                "PostConfirmation", "PreAuthentication", "PostAuthentication", "PreTokenGeneration", "UserMigration",
                "CustomMessage")
CLIENT_KEYS = ("ExplicitAuthFlows", "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient",
               "CallbackURLs", "LogoutURLs", "DefaultRedirectURI", "SupportedIdentityProviders",
               "PreventUserExistenceErrors", "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity",
               "TokenValidityUnits", "EnableTokenRevocation", "AuthSessionValidity", "ReadAttributes",
               "WriteAttributes", "EnablePropagateAdditionalUserContextData", "RefreshTokenRotation")
BOOLEAN_KEYS = {"AllowedOAuthFlowsUserPoolClient", "EnableTokenRevocation", "EnablePropagateAdditionalUserContextData",
                "GenerateSecret", "Mutable", "Required", "DeveloperOnlyAttribute", "CaseSensitive",
                "RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols", "AllowAdminCreateUserOnly",
                "ChallengeRequiredOnNewDevice"}
INTEGER_KEYS = {"AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity", "AuthSessionValidity",
                "MinimumLength", "TemporaryPasswordValidityDays", "PasswordHistorySize", "Precedence",
                "RetryGracePeriodSeconds"}


def plain(value: Any, key: str = "") -> Any:
    """CloudFormation's loose scalars as the config wants them: "true" -> True, "5" -> 5 for typed keys."""
    if isinstance(value, Mapping):
        return {k: plain(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, key) for v in value]
    if key in BOOLEAN_KEYS and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if key in INTEGER_KEYS and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


class CognitoTranslator:
    """Builds the pools of one template; `origins` maps each produced config path to its logical id."""

    def __init__(self, template: Template, functions: Mapping[str, Function]) -> None:
        self.t = template
        self.functions = functions
        self.pools: dict[str, dict[str, Any]] = {}  # by pool logical id
        self.origins: dict[str, str] = {}  # config path under the pool, e.g. "Clients[1]" -> logical id

    def translate(self) -> list[dict[str, Any]]:
        """The template's pools, with their clients, resource servers, groups, domain and users."""
        for logical_id, _ in self.t.of_type(POOL):
            self.pools[logical_id] = self._pool(logical_id)
        users: dict[tuple[str, str], dict[str, Any]] = {}
        for logical_id, resource in self.t.resources.items():
            kind = resource["Type"]
            if kind == "AWS::Cognito::UserPoolClient":
                self._add(logical_id, "Clients", self._client(logical_id))
            elif kind == "AWS::Cognito::UserPoolResourceServer":
                self._add(logical_id, "ResourceServers", self._resource_server(logical_id))
            elif kind == "AWS::Cognito::UserPoolGroup":
                self._add(logical_id, "Groups", self._group(logical_id))
            elif kind == "AWS::Cognito::UserPoolDomain":
                self._domain(logical_id)
            elif kind == "AWS::Cognito::UserPoolUser":
                user = self._user(logical_id)
                if self._add(logical_id, "Users", user):
                    users[(self._pool_of(logical_id), user["Username"])] = user
        for logical_id, _ in self.t.of_type("AWS::Cognito::UserPoolUserToGroupAttachment"):
            self._attach(logical_id, users)
        return list(self.pools.values())

    def _pool_of(self, logical_id: str) -> str | None:
        return self.t.logical_for(self.t.value(logical_id, "UserPoolId"))

    def _add(self, logical_id: str, key: str, entry: dict[str, Any]) -> bool:
        pool_logical = self._pool_of(logical_id)
        if pool_logical not in self.pools:
            self.t.notes.add(f"{logical_id}: its UserPoolId {self.t.value(logical_id, 'UserPoolId')!r} is not a pool "
                             "of the template; left out (define the pool in your YAML to use it)")
            return False
        items = self.pools[pool_logical].setdefault(key, [])
        self.origins[f"{pool_logical}:{key}[{len(items)}]"] = logical_id
        items.append(entry)
        return True

    # -- the pool ------------------------------------------------------------------------------------
    def _pool(self, logical_id: str) -> dict[str, Any]:
        t = self.t
        pool: dict[str, Any] = {"Id": t.physical_id(logical_id), "Name": t.value(logical_id, "UserPoolName",
                                                                                   logical_id)}
        for key in COPIED_POOL_KEYS:
            value = t.value(logical_id, key)
            if value is not None:
                pool[key] = plain(value, key)
        ignored: list[str] = []
        policies = t.value(logical_id, "Policies") or {}
        if "PasswordPolicy" in policies:
            policy = plain(policies["PasswordPolicy"])
            pool["Policies"] = {"PasswordPolicy": {k: v for k, v in policy.items() if k in PASSWORD_POLICY_KEYS}}
        self._refuse_what_changes_sign_in(logical_id)
        self._sign_in_factors(logical_id, pool, policies)
        triggers = self._triggers(logical_id)
        if triggers:
            pool["LambdaConfig"] = triggers
        admin_only = plain(t.value(logical_id, "AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly")
        if admin_only is not None:
            pool["AdminCreateUserConfig"] = {"AllowAdminCreateUserOnly": bool(admin_only)}
        handled = {"UserPoolName", "Policies", "LambdaConfig", "EnabledMfas", "UserPoolAddOns", "DeviceConfiguration",
                   "AdminCreateUserConfig", "EmailAuthenticationMessage", "EmailAuthenticationSubject",
                   *COPIED_POOL_KEYS}
        ignored += [k for k in t.properties(logical_id) if k not in handled]
        if ignored:
            t.notes.add(f"{logical_id}: accepted, not acted on: {', '.join(sorted(ignored))}")
        return pool

    def _refuse_what_changes_sign_in(self, logical_id: str) -> None:
        t = self.t
        mfas = t.value(logical_id, "EnabledMfas") or []
        unsupported = [m for m in mfas if m not in ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")]
        if unsupported and t.value(logical_id, "MfaConfiguration", "OFF") != "OFF":
            raise ImportRefused(logical_id, "Properties.EnabledMfas",
                                f"{', '.join(unsupported)} is not emulated; the emulator does SMS, TOTP and e-mail MFA")
        mode = (t.value(logical_id, "UserPoolAddOns") or {}).get("AdvancedSecurityMode")
        if mode == "ENFORCED":
            raise ImportRefused(logical_id, "Properties.UserPoolAddOns.AdvancedSecurityMode",
                                "ENFORCED threat protection blocks risky sign-ins, which the emulator cannot judge")

    def _sign_in_factors(self, logical_id: str, pool: dict[str, Any], policies: dict[str, Any]) -> None:
        """The sign-in policy, the MFA factors (EnabledMfas, EmailAuthenticationMessage/Subject) and device
        tracking, in the config's names (GetUserPoolMfaConfig's and DescribeUserPool's)."""
        t = self.t
        factors = (policies.get("SignInPolicy") or {}).get("AllowedFirstAuthFactors")
        if factors:
            pool.setdefault("Policies", {})["SignInPolicy"] = {"AllowedFirstAuthFactors": list(plain(factors))}
        mfas = plain(t.value(logical_id, "EnabledMfas") or [])
        if mfas and t.value(logical_id, "MfaConfiguration", "OFF") != "OFF":
            pool["SoftwareTokenMfaConfiguration"] = {"Enabled": "SOFTWARE_TOKEN_MFA" in mfas}
            if "SMS_MFA" in mfas:
                pool["SmsMfaConfiguration"] = {}
            if "EMAIL_OTP" in mfas:
                texts = (("Message", "EmailAuthenticationMessage"), ("Subject", "EmailAuthenticationSubject"))
                pool["EmailMfaConfiguration"] = {key: plain(t.value(logical_id, name)) for key, name in texts
                                                 if t.value(logical_id, name) is not None}
        devices = plain(t.value(logical_id, "DeviceConfiguration") or {})
        if devices:
            known = ("ChallengeRequiredOnNewDevice", "DeviceOnlyRememberedOnUserPrompt")
            pool["DeviceConfiguration"] = {key: bool(value) for key, value in devices.items() if key in known}

    def _triggers(self, logical_id: str) -> dict[str, Any]:
        config = self.t.value(logical_id, "LambdaConfig") or {}
        out: dict[str, Any] = {}
        for name, value in config.items():
            path = f"Properties.LambdaConfig.{name}"
            if name == "PreTokenGenerationConfig":
                structure = plain(value, name)
                spec = self._trigger_spec(logical_id, f"{path}.LambdaArn", structure.get("LambdaArn"))
                out[name] = {"LambdaVersion": structure.get("LambdaVersion"), "LambdaArn": spec}
                out["PreTokenGeneration"] = spec  # AWS keeps both naming the same function
                continue
            if name in SENDERS:
                structure = plain(value, name)
                spec = self._trigger_spec(logical_id, f"{path}.LambdaArn", structure.get("LambdaArn"))
                out[name] = {"LambdaVersion": structure.get("LambdaVersion"), "LambdaArn": spec}
                continue
            if name == KMS_KEY_ID:
                out[name] = value  # a key ARN (Fn::GetAtt Key.Arn resolves to one): the local KMS makes the key
                continue
            if name not in RUN_TRIGGERS:
                raise ImportRefused(logical_id, path, f"the emulator does not run {name}, and it decides who may "
                                                      "sign in, what their tokens hold or how codes are sent")
            out.setdefault(name, self._trigger_spec(logical_id, path, value))
        return out

    def _trigger_spec(self, logical_id: str, path: str, value: Any) -> str:
        function = function_in(value, self.functions)
        if function is None or function.spec is None:
            why = f"function {function.logical_id} {function.why}" if function else \
                f"{value!r} is not a function of the template"
            raise ImportRefused(logical_id, path, f"{why}; triggers run only as Python handlers here")
        return function.spec

    # -- the pool's parts ------------------------------------------------------------------------------
    def _client(self, logical_id: str) -> dict[str, Any]:
        t = self.t
        client: dict[str, Any] = {"ClientName": t.value(logical_id, "ClientName", logical_id),
                                  "ClientId": t.physical_id(logical_id)}
        if plain(t.value(logical_id, "GenerateSecret"), "GenerateSecret") is True:
            secret = cfn_ids.client_secret(t.options.stack_name, logical_id)
            client["ClientSecret"] = t.attributes.get((logical_id, "ClientSecret"), secret)
        for key in CLIENT_KEYS:
            value = t.value(logical_id, key)
            if value is not None:
                client[key] = plain(value, key)
        rest = [k for k in t.properties(logical_id) if k not in (*CLIENT_KEYS, "ClientName", "GenerateSecret",
                                                                  "UserPoolId")]
        if rest:
            t.notes.add(f"{logical_id}: accepted, not acted on: {', '.join(sorted(rest))}")
        return client

    def _resource_server(self, logical_id: str) -> dict[str, Any]:
        identifier = self.t.value(logical_id, "Identifier")
        return {"Identifier": identifier, "Name": self.t.value(logical_id, "Name", identifier),
                "Scopes": plain(self.t.value(logical_id, "Scopes", []))}

    def _group(self, logical_id: str) -> dict[str, Any]:
        group = {"GroupName": self.t.physical_id(logical_id)}
        for key in ("Description", "Precedence", "RoleArn"):
            value = self.t.value(logical_id, key)
            if value is not None:
                group[key] = plain(value, key)
        return group

    def _domain(self, logical_id: str) -> None:
        pool_logical = self._pool_of(logical_id)
        if pool_logical in self.pools:
            self.pools[pool_logical]["Domain"] = self.t.value(logical_id, "Domain")
            self.origins[f"{pool_logical}:Domain"] = logical_id
        extra = [k for k in self.t.properties(logical_id) if k not in ("Domain", "UserPoolId")]
        if extra:
            self.t.notes.add(f"{logical_id}: accepted, not acted on: {', '.join(sorted(extra))}")

    def _user(self, logical_id: str) -> dict[str, Any]:
        # AdminCreateUser mails a temporary password; here it is derived, stable, and said in a note.
        username = self.t.value(logical_id, "Username") or self.t.physical_id(logical_id)
        password = "Tmp-" + stable_token(f"cfn-user:{self.t.options.stack_name}:{logical_id}", 12, LOWER_ALNUM) + "9!"
        attributes = self.t.value(logical_id, "UserAttributes") or []
        self.t.notes.add(f"{logical_id}: user {username} is FORCE_CHANGE_PASSWORD with temporary password "
                         f"{password} (set Password for it in your YAML to skip the change)")
        return {"Username": username, "TemporaryPassword": password,
                "UserAttributes": [{"Name": a.get("Name"), "Value": a.get("Value")} for a in attributes]}

    def _attach(self, logical_id: str, users: Mapping[tuple[str, str], dict[str, Any]]) -> None:
        pool_logical = self._pool_of(logical_id)
        username = self.t.value(logical_id, "Username")
        user = users.get((pool_logical, username)) if pool_logical else None
        if user is None:
            self.t.notes.add(f"{logical_id}: user {username!r} is not a UserPoolUser of the template; add the "
                             "membership in your YAML (Users[].Groups)")
            return
        user.setdefault("Groups", []).append(self.t.value(logical_id, "GroupName"))
