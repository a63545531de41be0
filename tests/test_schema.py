"""The user pool schema: custom attributes declared in the config's `Schema`, CreateUserPool's `Schema` and
AddCustomAttributes, shown by DescribeUserPool, kept across restarts, and enforced on every attribute write
(undeclared, immutable after creation, Number and String constraints, developer-only, Required standard
attributes). Pure rules as tables; the operations through an unmodified boto3 client (and the AWS CLI)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from emulator.cognito import schema_rules
from emulator.cognito.errors import CognitoError
from emulator.config import parse_config
from emulator.config_fields import ConfigError
from emulator.model import SchemaAttribute, UserPool
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import bundled_config, cognito_client, refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Schema0001"
PASSWORD = "Correct-Horse1"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
NOT_IN_SCHEMA = "Attributes did not conform to the schema: Type for attribute {{{}}} could not be determined"

SCHEMA = [
    {"Name": "tier", "AttributeDataType": "String", "Mutable": False,
     "StringAttributeConstraints": {"MinLength": 2, "MaxLength": 8}},
    {"Name": "team"},
    {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"}},
    {"Name": "custom:joined", "AttributeDataType": "DateTime"},  # DescribeUserPool's own spelling pastes in
    {"Name": "ledger", "DeveloperOnlyAttribute": True},
    {"Name": "email", "Required": True},
]
CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "schema", "Schema": SCHEMA,
    "Users": [{"Username": "alice", "Password": PASSWORD,
               "UserAttributes": {"email": "alice@example.com", "custom:tier": "gold", "dev:custom:ledger": "L1"}}],
    "Clients": [{"ClientName": "app", "ClientId": "schemaapp", "ExplicitAuthFlows": FLOWS},
                {"ClientName": "free", "ClientId": "schemafree", "ExplicitAuthFlows": FLOWS}],
}]}


def by_name(pool: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


def new_user(idp: Any, username: str, *attributes: tuple[str, str]) -> None:
    idp.admin_create_user(UserPoolId=POOL, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"},
                                          *({"Name": n, "Value": v} for n, v in attributes)])
    idp.admin_set_user_password(UserPoolId=POOL, Username=username, Password=PASSWORD, Permanent=True)


def access_token(idp: Any, username: str) -> str:
    result = idp.initiate_auth(ClientId="schemaapp", AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    return result["AuthenticationResult"]["AccessToken"]


def attributes(idp: Any, username: str) -> dict[str, str]:
    user = idp.admin_get_user(UserPoolId=POOL, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


# -- the pure rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("entry", "custom", "expected"), [
    ({"Name": "tier"}, None, SchemaAttribute("custom:tier")),
    ({"Name": "tier", "Mutable": False, "AttributeDataType": "String",
      "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "9"},
      "NumberAttributeConstraints": {"MinValue": "1"}}, None,
     SchemaAttribute("custom:tier", mutable=False, min_length="1", max_length="9")),
    ({"Name": "n", "AttributeDataType": "Number", "StringAttributeConstraints": {"MaxLength": "9"},
      "NumberAttributeConstraints": {"MinValue": "-5", "MaxValue": "7.5"}}, None,
     SchemaAttribute("custom:n", "Number", min_value="-5", max_value="7.5")),
    ({"Name": "b", "AttributeDataType": "Boolean", "StringAttributeConstraints": {"MaxLength": "9"}}, None,
     SchemaAttribute("custom:b", "Boolean")),
    ({"Name": "secret", "DeveloperOnlyAttribute": True}, None,
     SchemaAttribute("dev:custom:secret", developer_only=True)),
    ({"Name": "custom:x"}, None, SchemaAttribute("custom:custom:x")),  # AWS prefixes whatever it is given
    ({"Name": "email", "Required": True}, None, SchemaAttribute("email", required=True, min_length="0",
                                                                max_length="2048")),
    ({"Name": "email", "Mutable": False, "StringAttributeConstraints": {"MaxLength": "99"}}, None,
     SchemaAttribute("email", mutable=False, min_length="0", max_length="2048")),  # standard constraints ignored
    ({"Name": "sub", "Mutable": True}, None, SchemaAttribute("sub", mutable=False, required=True, min_length="1",
                                                             max_length="2048")),
    ({"Name": "email"}, True, SchemaAttribute("custom:email")),  # AddCustomAttributes: always custom
])
def test_a_schema_entry_declares_an_attribute(entry: dict, custom: bool | None, expected: SchemaAttribute) -> None:
    assert schema_rules.declared(entry, custom=custom) == expected


@pytest.mark.parametrize(("entry", "message"), [
    ({"Name": "tier", "Required": True}, "Required custom attributes are not supported currently."),
    ({"Name": "email", "AttributeDataType": "Number"},
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"),
    ({"Name": "email_verified", "DeveloperOnlyAttribute": True},
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute "
     "email_verified"),
    ({"Name": "t", "StringAttributeConstraints": {"MinLength": "x"}},
     "Invalid StringAttributeConstraints for schema attribute t"),
    ({"Name": "t", "StringAttributeConstraints": {"MaxLength": "2049"}},
     "user.t: String attributes cannot have a length of more than 2048"),
    ({"Name": "t", "StringAttributeConstraints": {"MinLength": "5", "MaxLength": "4"}},
     "user.t: Max length cannot be less than min length."),
    ({"Name": "n", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MaxValue": "lots"}},
     "Invalid NumberAttributeConstraints for schema attribute n"),
    ({"Name": "n", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "3", "MaxValue": "2"}},
     "user.n: Max value cannot be less than min value."),
])
def test_a_schema_entry_aws_refuses(entry: dict, message: str) -> None:
    with pytest.raises(CognitoError) as info:
        schema_rules.declared(entry)
    assert (info.value.type, info.value.message) == ("InvalidParameterException", message)
    assert info.value.reason and info.value.reason != message


def test_a_custom_name_is_taken_once_counting_developer_only_ones() -> None:
    pool = schema_rules.with_declarations(UserPool("us-east-1_X", "x"), [SchemaAttribute("dev:custom:a",
                                                                                          developer_only=True)])
    with pytest.raises(CognitoError) as info:
        schema_rules.with_declarations(pool, [SchemaAttribute("custom:a")])
    assert info.value.message == "custom:a: Existing attribute already has name dev:custom:a."
    full = schema_rules.with_declarations(pool, [SchemaAttribute(f"custom:n{i}") for i in range(49)])
    assert len(full.custom_attributes) == 50
    with pytest.raises(CognitoError) as info:
        schema_rules.with_declarations(full, [SchemaAttribute("custom:one_more")])
    assert info.value.message == "The user pool cannot have more than 50 custom attributes."


@pytest.mark.parametrize(("attribute", "value", "problem"), [
    (SchemaAttribute("custom:n", "Number"), "42", None),
    (SchemaAttribute("custom:n", "Number"), "-3.25", None),
    (SchemaAttribute("custom:n", "Number"), "abc", "Attribute value is not a number."),
    (SchemaAttribute("custom:n", "Number"), "1e5", "Attribute value is not a number."),
    (SchemaAttribute("custom:n", "Number"), " 1", "Attribute value is not a number."),
    (SchemaAttribute("custom:n", "Number", min_value="0"), "-1", "Number is less than the minimum value of 0."),
    (SchemaAttribute("custom:n", "Number", max_value="150"), "151", "Number is greater than the maximum value of 150."),
    (SchemaAttribute("custom:n", "Number", min_value="0", max_value="150"), "150", None),
    (SchemaAttribute("custom:s", min_length="2"), "a", "String is shorter than the minimum length of 2."),
    (SchemaAttribute("custom:s", max_length="3"), "abcd", "String is longer than the maximum length of 3."),
    (SchemaAttribute("custom:s", min_length="2", max_length="3"), "abc", None),
    (SchemaAttribute("custom:b", "Boolean"), "maybe", None),  # only Number and String values are checked
])
def test_a_value_fits_its_attribute(attribute: SchemaAttribute, value: str, problem: str | None) -> None:
    found = schema_rules.value_problem(attribute, value)
    assert (found.detail if found else None) == problem
    if found:
        assert attribute.name in found.reason


SCHEMA_POOL = schema_rules.with_declarations(UserPool("us-east-1_X", "x"), [
    SchemaAttribute("custom:tier", mutable=False), SchemaAttribute("custom:age", "Number"),
    SchemaAttribute("dev:custom:ledger", developer_only=True), SchemaAttribute("email", required=True),
    SchemaAttribute("nickname", mutable=False)])


@pytest.mark.parametrize(("name", "value", "admin", "creating", "message"), [
    ("custom:tier", "gold", False, True, None),
    ("custom:tier", "gold", True, False, "user.custom:tier: Attribute cannot be updated.\n"),
    ("custom:tier", "", True, False, "user.custom:tier: Attribute cannot be updated.\n"),
    ("nickname", "nick", False, False, "user.nickname: Attribute cannot be updated.\n"),
    ("custom:age", "12", False, False, None),
    ("custom:age", "twelve", True, True, "Attributes did not conform to the schema: custom:age: "
                                         "Attribute value is not a number."),
    ("custom:age", "", False, False, None),  # a deletion
    ("custom:other", "x", True, True, NOT_IN_SCHEMA.format("custom:other")),
    ("custom:ledger", "x", True, True, NOT_IN_SCHEMA.format("custom:ledger")),
    ("shoe_size", "9", True, True, NOT_IN_SCHEMA.format("shoe_size")),
    ("dev:custom:ledger", "x", True, False, None),
    ("dev:custom:ledger", "x", False, True, "A client attempted to write unauthorized attribute"),
    ("email", "a@example.com", False, False, None),
])
def test_who_may_write_what(name: str, value: str, admin: bool, creating: bool, message: str | None) -> None:
    refusal = schema_rules.write_refusal(SCHEMA_POOL, name, value, by_admin=admin, creating=creating)
    assert (refusal.message if refusal else None) == message
    if refusal:
        assert refusal.reason


def test_required_standard_attributes_are_named_one_a_line() -> None:
    pool = schema_rules.with_declarations(UserPool("us-east-1_X", "x"), [
        SchemaAttribute("name", required=True), SchemaAttribute("email", required=True)])
    assert schema_rules.missing_required(pool, {"email": "a@example.com", "name": "A"}) is None
    refusal = schema_rules.missing_required(pool, {"email": "a@example.com"})
    assert refusal and refusal.message == "Attributes did not conform to the schema: name: The attribute is required"
    refusal = schema_rules.missing_required(pool, {})
    assert refusal and refusal.message == ("Attributes did not conform to the schema: name: The attribute is "
                                           "required\nemail: The attribute is required")


def test_the_pool_record_keeps_its_schema() -> None:
    pool = SCHEMA_POOL
    assert UserPool.from_record(json.loads(json.dumps(pool.to_record()))) == pool
    assert UserPool.from_record({"Id": "us-east-1_Old", "Name": "old"}).custom_attributes == ()


@pytest.mark.parametrize(("pool", "path", "reason"), [
    ({"Schema": [{"Name": "tier"}], "Users": [{"Username": "u", "Password": PASSWORD,
                                               "UserAttributes": {"custom:team": "blue"}}]},
     "UserPools[0].Users[0].UserAttributes.custom:team", "Schema: [{Name: team, AttributeDataType: String}]"),
    ({"Users": [{"Username": "u", "Password": PASSWORD, "UserAttributes": [{"Name": "custom:team", "Value": "b"}]}]},
     "UserPools[0].Users[0].UserAttributes.custom:team", "not in the pool's Schema"),
    ({"Schema": [{"Name": "dev:custom:s"}],
      "Users": [{"Username": "u", "Password": PASSWORD, "UserAttributes": {"custom:s": "x"}}]},
     "UserPools[0].Users[0].UserAttributes.custom:s", "name it dev:custom:s"),
    ({"Users": [{"Username": "u", "Password": PASSWORD, "UserAttributes": {"shoe_size": "9"}}]},
     "UserPools[0].Users[0].UserAttributes.shoe_size", "not a standard attribute"),
    ({"Schema": [{"Name": "age", "AttributeDataType": "Number"}],
      "Users": [{"Username": "u", "Password": PASSWORD, "UserAttributes": {"custom:age": "old"}}]},
     "UserPools[0].Users[0].UserAttributes.custom:age", "is not a number"),
    ({"Schema": [{"Name": "email", "Required": True}], "Users": [{"Username": "u", "Password": PASSWORD}]},
     "UserPools[0].Users[0].UserAttributes", "requires email"),
    ({"Schema": [{"Name": "tier", "Required": True}]}, "UserPools[0].Schema[0].Required",
     "Required custom attributes are not supported currently."),
    ({"Schema": [{"Name": "tier"}, {"Name": "custom:tier"}]}, "UserPools[0].Schema[1].Name",
     "Existing attribute already has name custom:tier."),
    ({"Schema": [{"Name": "a" * 21}]}, "UserPools[0].Schema[0].Name", "1 to 20 characters"),
    ({"Schema": [{"Name": "tier", "AttributeDataType": "Text"}]}, "UserPools[0].Schema[0].AttributeDataType",
     "not one of String, Number, DateTime, Boolean"),
    ({"Schema": [{"Name": "email", "AttributeDataType": "Number"}]}, "UserPools[0].Schema[0].AttributeDataType",
     "You can not change AttributeDataType"),
    ({"Schema": [{"Name": "t", "StringAttributeConstraints": {"MinLength": 5, "MaxLength": 2}}]},
     "UserPools[0].Schema[0].StringAttributeConstraints", "MaxLength 2 is below MinLength 5"),
    ({"Schema": [{"Name": "t", "Mandatory": True}]}, "UserPools[0].Schema[0].Mandatory", "unknown key"),
    ({"Schema": [{"Name": "dev:t"}]}, "UserPools[0].Schema[0].Name", "dev:custom:<name>"),
    ({"Schema": [{"Name": f"a{i}"} for i in range(51)]}, "UserPools[0].Schema[50].Name",
     "The user pool cannot have more than 50 custom attributes."),
])
def test_config_schema_errors_name_their_key_path(pool: dict, path: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"UserPools": [{"Id": "us-east-1_Conf0001", "Name": "c", **pool}]})
    assert info.value.path == path
    assert reason in info.value.reason


def test_config_schema_accepts_every_spelling_and_a_sign_in_email_counts_as_given() -> None:
    config = parse_config({"UserPools": [{
        "Id": "us-east-1_Conf0001", "Name": "c", "UsernameAttributes": ["email"],
        "Schema": [{"Name": "a"}, {"Name": "custom:b"}, {"Name": "dev:custom:c"}, {"Name": "email", "Required": True},
                   {"Name": "email_verified", "AttributeDataType": "Boolean"}],
        "Users": [{"Username": "u@example.com", "Password": PASSWORD,
                   "UserAttributes": {"custom:a": "1", "custom:b": "2", "dev:custom:c": "3"}}]}]})
    pool = config.pools[0].pool
    assert [a.name for a in pool.custom_attributes] == ["custom:a", "custom:b", "dev:custom:c"]
    assert pool.required_attributes == ("email",)


def test_the_bundled_config_still_loads() -> None:
    assert parse_config(bundled_config()).pools


# -- DescribeUserPool, CreateUserPool, AddCustomAttributes -------------------------------------------------


def test_describe_user_pool_shows_the_standard_and_the_custom_attributes(idp: Any) -> None:
    pool = idp.describe_user_pool(UserPoolId=POOL)["UserPool"]
    names = [a["Name"] for a in pool["SchemaAttributes"]]
    assert names[:3] == ["sub", "name", "given_name"] and names[-1] == "dev:custom:ledger"
    schema = by_name(pool)
    assert schema["sub"] == {"Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
                             "Mutable": False, "Required": True,
                             "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}}
    assert schema["email_verified"]["AttributeDataType"] == "Boolean"
    assert schema["phone_number_verified"]["AttributeDataType"] == "Boolean"
    assert schema["updated_at"]["AttributeDataType"] == "Number"
    assert schema["updated_at"]["NumberAttributeConstraints"] == {"MinValue": "0"}
    assert schema["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}
    assert schema["email"]["Required"] is True and schema["name"]["Required"] is False
    assert schema["custom:tier"] == {"Name": "custom:tier", "AttributeDataType": "String",
                                     "DeveloperOnlyAttribute": False, "Mutable": False, "Required": False,
                                     "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "8"}}
    assert schema["custom:age"]["NumberAttributeConstraints"] == {"MinValue": "0", "MaxValue": "150"}
    assert schema["custom:joined"]["AttributeDataType"] == "DateTime"
    assert schema["dev:custom:ledger"]["DeveloperOnlyAttribute"] is True


def test_create_user_pool_keeps_its_schema_and_update_user_pool_leaves_it(idp: Any) -> None:
    created = idp.create_user_pool(PoolName="with-schema", Schema=[
        {"Name": "plan", "AttributeDataType": "String", "Mutable": False},
        {"Name": "custom:twice", "AttributeDataType": "String"},
        {"Name": "score", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "1"},
         "StringAttributeConstraints": {"MaxLength": "3"}},
        {"Name": "given_name", "AttributeDataType": "String", "Required": True},
    ])["UserPool"]
    schema = by_name(created)
    assert schema["custom:plan"]["Mutable"] is False
    assert "custom:custom:twice" in schema  # AWS prefixes the name it is given, prefix or not
    assert schema["custom:score"]["NumberAttributeConstraints"] == {"MinValue": "1"}
    assert "StringAttributeConstraints" not in schema["custom:score"]
    assert schema["given_name"]["Required"] is True
    idp.update_user_pool(UserPoolId=created["Id"], MfaConfiguration="OFF")
    assert by_name(idp.describe_user_pool(UserPoolId=created["Id"])["UserPool"]) == schema


@pytest.mark.parametrize(("schema", "message", "reason"), [
    ([{"Name": "plan", "AttributeDataType": "String", "Required": True}],
     "Required custom attributes are not supported currently.", "Required true"),
    ([{"Name": "email", "AttributeDataType": "Number"}],
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
     "type String"),
    ([{"Name": "plan", "AttributeDataType": "String"}, {"Name": "plan", "AttributeDataType": "Number"}],
     "custom:plan: Existing attribute already has name custom:plan.", "already has custom:plan"),
])
def test_create_user_pool_refuses_what_aws_refuses(idp: Any, schema: list, message: str, reason: str) -> None:
    error, text, why = refused(lambda: idp.create_user_pool(PoolName="refused", Schema=schema))
    assert (error, text) == ("InvalidParameterException", message)
    assert reason in why


def test_add_custom_attributes_grows_the_schema(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="growing")["UserPool"]["Id"]
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
        {"Name": "region", "AttributeDataType": "String"}, {"Name": "email", "AttributeDataType": "String"}])
    schema = by_name(idp.describe_user_pool(UserPoolId=pool_id)["UserPool"])
    assert {"custom:region", "custom:email"} <= set(schema)  # AddCustomAttributes makes even `email` custom
    idp.admin_create_user(UserPoolId=pool_id, Username="zed", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "custom:region", "Value": "north"}])
    error, message, reason = refused(lambda: idp.add_custom_attributes(
        UserPoolId=pool_id, CustomAttributes=[{"Name": "region", "AttributeDataType": "Number"}]))
    assert (error, message) == ("InvalidParameterException", "custom:region: Existing attribute already has name "
                                                             "custom:region.")
    assert "never changed" in reason


def test_add_custom_attributes_stops_at_fifty(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="full", Schema=[{"Name": f"a{i}"} for i in range(25)])["UserPool"]["Id"]
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": f"b{i}"} for i in range(25)])
    error, message, reason = refused(lambda: idp.add_custom_attributes(
        UserPoolId=pool_id, CustomAttributes=[{"Name": "c"}]))
    assert (error, message) == ("InvalidParameterException",
                                "The user pool cannot have more than 50 custom attributes.")
    assert "51" in reason


def test_add_custom_attributes_of_an_unknown_pool(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.add_custom_attributes(
        UserPoolId="us-east-1_Nobody000", CustomAttributes=[{"Name": "c"}]))
    assert (error, message) == ("ResourceNotFoundException", "User pool us-east-1_Nobody000 does not exist.")
    assert reason


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_add_custom_attributes_with_the_aws_cli(server: EmulatorServer, idp: Any, tmp_path: Path) -> None:
    pool_id = idp.create_user_pool(PoolName="cli")["UserPool"]["Id"]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_PAGER": ""}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["aws", "cognito-idp", *args, "--endpoint-url", server.url, "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=60)

    attribute = json.dumps([{"Name": "plan", "AttributeDataType": "String", "Mutable": False}])
    done = cli("add-custom-attributes", "--user-pool-id", pool_id, "--custom-attributes", attribute)
    assert done.returncode == 0, done.stderr
    described = json.loads(cli("describe-user-pool", "--user-pool-id", pool_id).stdout)["UserPool"]
    assert by_name(described)["custom:plan"]["Mutable"] is False
    again = cli("add-custom-attributes", "--user-pool-id", pool_id, "--custom-attributes", attribute)
    assert again.returncode != 0
    assert "(InvalidParameterException)" in again.stderr
    assert "custom:plan: Existing attribute already has name custom:plan." in again.stderr


def test_the_schema_survives_a_restart(tmp_path: Path) -> None:
    config = {"UserPools": [{"Id": "us-east-1_Restart01", "Name": "restart", "Schema": [{"Name": "kept"}]}]}
    with running_emulator(config, state_dir=tmp_path) as emu:
        idp = cognito_client(emu.url)
        idp.add_custom_attributes(UserPoolId="us-east-1_Restart01", CustomAttributes=[{"Name": "added"}])
        runtime_pool = idp.create_user_pool(PoolName="runtime", Schema=[{"Name": "plan", "Mutable": False}])
    with running_emulator(config, state_dir=tmp_path) as emu:
        idp = cognito_client(emu.url)
        schema = by_name(idp.describe_user_pool(UserPoolId="us-east-1_Restart01")["UserPool"])
        assert {"custom:kept", "custom:added"} <= set(schema)
        pool_id = runtime_pool["UserPool"]["Id"]
        idp.admin_create_user(UserPoolId=pool_id, Username="u", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "custom:plan", "Value": "pro"}])
        error, message, _ = refused(lambda: idp.admin_update_user_attributes(
            UserPoolId=pool_id, Username="u", UserAttributes=[{"Name": "custom:plan", "Value": "free"}]))
        assert message == "user.custom:plan: Attribute cannot be updated.\n"


# -- enforcement in the user operations --------------------------------------------------------------------


UNDECLARED = [{"Name": "email", "Value": "x@example.com"}, {"Name": "custom:undeclared", "Value": "x"}]


@pytest.mark.parametrize("operation", ["SignUp", "AdminCreateUser", "AdminUpdateUserAttributes",
                                       "UpdateUserAttributes"])
def test_a_custom_attribute_the_schema_does_not_declare_is_refused(idp: Any, operation: str) -> None:
    calls = {
        "SignUp": lambda: idp.sign_up(ClientId="schemaapp", Username="undeclared", Password=PASSWORD,
                                      UserAttributes=UNDECLARED),
        "AdminCreateUser": lambda: idp.admin_create_user(UserPoolId=POOL, Username="undeclared",
                                                         UserAttributes=UNDECLARED),
        "AdminUpdateUserAttributes": lambda: idp.admin_update_user_attributes(
            UserPoolId=POOL, Username="alice", UserAttributes=UNDECLARED[1:]),
        "UpdateUserAttributes": lambda: idp.update_user_attributes(
            AccessToken=access_token(idp, "alice"), UserAttributes=UNDECLARED[1:]),
    }
    error, message, reason = refused(calls[operation])
    assert (error, message) == ("InvalidParameterException", NOT_IN_SCHEMA.format("custom:undeclared"))
    assert "schema has no custom:undeclared" in reason and "AddCustomAttributes" in reason


def test_declared_custom_attributes_are_written_and_read(idp: Any) -> None:
    new_user(idp, "carol", ("custom:tier", "silver"), ("custom:age", "41"), ("custom:joined", "2024-01-01"))
    idp.admin_update_user_attributes(UserPoolId=POOL, Username="carol",
                                     UserAttributes=[{"Name": "custom:team", "Value": "red"}])
    idp.update_user_attributes(AccessToken=access_token(idp, "carol"),
                               UserAttributes=[{"Name": "custom:age", "Value": "42"}])
    got = attributes(idp, "carol")
    assert (got["custom:tier"], got["custom:team"], got["custom:age"]) == ("silver", "red", "42")


@pytest.mark.parametrize("operation", ["AdminUpdateUserAttributes", "UpdateUserAttributes",
                                       "AdminDeleteUserAttributes"])
def test_an_immutable_custom_attribute_is_set_at_creation_only(idp: Any, operation: str) -> None:
    username = f"immutable-{operation.lower()}"
    new_user(idp, username, ("custom:tier", "gold"))
    calls = {
        "AdminUpdateUserAttributes": lambda: idp.admin_update_user_attributes(
            UserPoolId=POOL, Username=username, UserAttributes=[{"Name": "custom:tier", "Value": "bronze"}]),
        "UpdateUserAttributes": lambda: idp.update_user_attributes(
            AccessToken=access_token(idp, username), UserAttributes=[{"Name": "custom:tier", "Value": "bronze"}]),
        "AdminDeleteUserAttributes": lambda: idp.admin_delete_user_attributes(
            UserPoolId=POOL, Username=username, UserAttributeNames=["custom:tier"]),
    }
    error, message, reason = refused(calls[operation])
    assert (error, message) == ("InvalidParameterException", "user.custom:tier: Attribute cannot be updated.\n")
    assert "not Mutable" in reason
    assert attributes(idp, username)["custom:tier"] == "gold"


def test_an_immutable_attribute_never_set_cannot_be_added_later(idp: Any) -> None:
    new_user(idp, "latecomer")
    error, message, _ = refused(lambda: idp.admin_update_user_attributes(
        UserPoolId=POOL, Username="latecomer", UserAttributes=[{"Name": "custom:tier", "Value": "gold"}]))
    assert message == "user.custom:tier: Attribute cannot be updated.\n"


@pytest.mark.parametrize(("name", "value", "detail", "reason"), [
    ("custom:age", "forty", "Attribute value is not a number.", "'forty' is not a number"),
    ("custom:age", "151", "Number is greater than the maximum value of 150.", "at most 150"),
    ("custom:age", "-1", "Number is less than the minimum value of 0.", "at least 0"),
    ("custom:tier", "platinum+", "String is longer than the maximum length of 8.", "at most 8 characters"),
    ("custom:tier", "x", "String is shorter than the minimum length of 2.", "at least 2 characters"),
])
def test_values_must_fit_the_attribute(idp: Any, name: str, value: str, detail: str, reason: str) -> None:
    error, message, why = refused(lambda: idp.admin_create_user(
        UserPoolId=POOL, Username="misfit", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "misfit@example.com"}, {"Name": name, "Value": value}]))
    assert (error, message) == ("InvalidParameterException",
                                f"Attributes did not conform to the schema: {name}: {detail}")
    assert reason in why


def test_a_developer_only_attribute_is_written_by_admin_operations_only(idp: Any) -> None:
    idp.admin_update_user_attributes(UserPoolId=POOL, Username="alice",
                                     UserAttributes=[{"Name": "dev:custom:ledger", "Value": "L2"}])
    assert attributes(idp, "alice")["dev:custom:ledger"] == "L2"
    ledger = [{"Name": "dev:custom:ledger", "Value": "mine"}]
    for call in (lambda: idp.update_user_attributes(AccessToken=access_token(idp, "alice"), UserAttributes=ledger),
                 lambda: idp.sign_up(ClientId="schemaapp", Username="dev-signup", Password=PASSWORD,
                                     UserAttributes=[{"Name": "email", "Value": "d@example.com"}, *ledger])):
        error, message, reason = refused(call)
        assert (error, message) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
        assert "developer-only" in reason
    error, message, reason = refused(lambda: idp.admin_update_user_attributes(
        UserPoolId=POOL, Username="alice", UserAttributes=[{"Name": "custom:ledger", "Value": "L3"}]))
    assert message == NOT_IN_SCHEMA.format("custom:ledger")
    assert "dev:custom:ledger" in reason


@pytest.mark.parametrize("operation", ["SignUp", "AdminCreateUser"])
def test_a_required_standard_attribute_must_be_given(idp: Any, operation: str) -> None:
    tier = [{"Name": "custom:tier", "Value": "gold"}]
    calls = {
        "SignUp": lambda: idp.sign_up(ClientId="schemaapp", Username="noemail", Password=PASSWORD,
                                      UserAttributes=tier),
        "AdminCreateUser": lambda: idp.admin_create_user(UserPoolId=POOL, Username="noemail", UserAttributes=tier),
    }
    error, message, reason = refused(calls[operation])
    assert (error, message) == ("InvalidParameterException",
                                "Attributes did not conform to the schema: email: The attribute is required")
    assert "requires email" in reason


def test_sign_up_sets_an_immutable_attribute_once(idp: Any) -> None:
    idp.sign_up(ClientId="schemaapp", Username="signer", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "signer@example.com"},
                                {"Name": "custom:tier", "Value": "gold"}])
    assert attributes(idp, "signer")["custom:tier"] == "gold"


def test_new_password_challenge_lists_and_requires_the_schemas_required_attributes() -> None:
    from emulator.testing import running_emulator
    from tests.conftest import cognito_client, refused

    config = {"UserPools": [{
        "Id": "us-east-1_ReqAttr01", "Name": "required",
        "Schema": [{"Name": "email", "Required": True}, {"Name": "tier", "AttributeDataType": "String"}],
        "Users": [{"Username": "fresh", "TemporaryPassword": "Temp-Passw0rd!",
                   "UserAttributes": {"email": "f@example.com"}}],
        "Clients": [{"ClientName": "app", "ClientId": "reqapp",
                     "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
    }]}
    with running_emulator(config) as server:
        idp = cognito_client(server.url)
        first = idp.initiate_auth(ClientId="reqapp", AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "fresh", "PASSWORD": "Temp-Passw0rd!"})
        assert first["ChallengeParameters"]["requiredAttributes"] == "[]"  # email is already there
        code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
            ClientId="reqapp", ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
            ChallengeResponses={"USERNAME": "fresh", "NEW_PASSWORD": "Brand-New-Passw0rd!",
                                "userAttributes.custom:undeclared": "x"}))
        assert code == "InvalidParameterException" and "custom:undeclared" in message and reason
        again = idp.initiate_auth(ClientId="reqapp", AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "fresh", "PASSWORD": "Temp-Passw0rd!"})
        done = idp.respond_to_auth_challenge(
            ClientId="reqapp", ChallengeName="NEW_PASSWORD_REQUIRED", Session=again["Session"],
            ChallengeResponses={"USERNAME": "fresh", "NEW_PASSWORD": "Brand-New-Passw0rd!",
                                "userAttributes.custom:tier": "gold"})
        assert done["AuthenticationResult"]["IdToken"]
