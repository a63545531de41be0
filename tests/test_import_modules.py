"""Tables for the pure parts of the serverless importer's modules: value readers, region names, the
`${Ref:X}` placeholder, CloudFormation resources, REST authorizer names and pool-ARN stand-ins."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.importers import apis_check
from emulator.importers.serverless_functions import Refused
from emulator.importers.serverless_rest_authorizers import name_from_arn, stand_in_pool_arn
from emulator.importers.serverless_service import is_region_name
from emulator.importers.serverless_values import as_list, is_url, payload_version, route_method, strings, ttl
from emulator.importers.serverless_variables import cloudformation_resource, ref_placeholder_target
from emulator.lambdas import python_runtime

POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc"
UNRESOLVED = {"${AWS::AccountId}": "the AWS account id is not known offline",
              "${ssm:/pool}": "cannot resolve ssm: parameters offline",
              "${Ref:R}": "Ref is R, a resource made at deploy time; not known offline"}


@pytest.mark.parametrize(("value", "expected"), [
    (None, []),
    ("a", ["a"]),
    (["a", "b"], ["a", "b"]),
    (("a",), ["a"]),
    (0, [0]),
])
def test_as_list(value: Any, expected: list[Any]) -> None:
    assert as_list(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, []),
    ("$request.header.A", ["$request.header.A"]),
    ([True, None, 3], ["true", "null", "3"]),  # as JavaScript's String() writes them
])
def test_strings(value: Any, expected: list[str]) -> None:
    assert strings(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("get", "GET"),
    ("*", "ANY"),
    ("any", "ANY"),
    ("Fetch", "FETCH"),  # not a method: the callers refuse it
])
def test_route_method(value: Any, expected: str) -> None:
    assert route_method(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, "2.0"),
    (2, "2.0"),
    (1.0, "1.0"),
    ("1.0", "1.0"),
    (True, "True"),  # a boolean is no version number: kept as written, for the validator to refuse
])
def test_payload_version(value: Any, expected: str) -> None:
    assert payload_version(value, "2.0") == expected


@pytest.mark.parametrize(("value", "expected"), [
    (300, 300),
    ("60", 60),
    (None, None),
    ("soon", None),
])
def test_ttl(value: Any, expected: int | None) -> None:
    assert ttl(value) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("http://127.0.0.1:3000", True),
    ("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc", True),
    ("http://host:99999", False),  # a bad port
    ("ftp://host", False),
    ("https://", False),
    ("not a url", False),
])
def test_is_url(text: str, expected: bool) -> None:
    assert is_url(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("us-east-1", True),
    ("ap-southeast-2", True),
    ("us-gov-west-1", True),
    ("US-EAST-1", False),
    ("us-east", False),
    ("not a region", False),
])
def test_is_region_name(text: str, expected: bool) -> None:
    assert is_region_name(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("${Ref:ApiAuth}", "ApiAuth"),
    ("${Ref:}", ""),
    ("${ssm:/x}", None),
    ("Ref:ApiAuth", None),
])
def test_ref_placeholder_target(text: str, expected: str | None) -> None:
    assert ref_placeholder_target(text) == expected


def test_cloudformation_resource_is_a_mapping_under_resources_resources() -> None:
    doc = {"resources": {"Resources": {"Pool": {"Type": "AWS::Cognito::UserPool"}, "Odd": "text"}}}
    assert cloudformation_resource(doc, "Pool") == {"Type": "AWS::Cognito::UserPool"}
    assert cloudformation_resource(doc, "Odd") is None
    assert cloudformation_resource(doc, "Missing") is None
    assert cloudformation_resource({}, "Pool") is None


@pytest.mark.parametrize(("arn", "name"), [
    (POOL_ARN, "1_Abc"),  # userpool/us-east-1_Abc, then its last '-' part
    ("arn:aws:lambda:us-east-1:123456789012:function:my-authorizer", "authorizer"),
    ("plain", "plain"),
])
def test_name_from_arn(arn: str, name: str) -> None:
    assert name_from_arn(arn) == name


@pytest.mark.parametrize(("arn", "expected"), [
    (POOL_ARN, (POOL_ARN, None)),
    ("arn:aws:cognito-idp:us-east-2:${AWS::AccountId}:userpool/${ssm:/pool}",
     ("arn:aws:cognito-idp:us-east-2:123456789012:userpool/us-east-2_REPLACEME",
      "stands in for arn:aws:cognito-idp:us-east-2:${AWS::AccountId}:userpool/${ssm:/pool}")),
    ("arn:aws-cn:cognito-idp:${Ref:R}:123456789012:userpool/us-east-1_Abc",  # unknown region: the service's
     ("arn:aws-cn:cognito-idp:eu-west-1:123456789012:userpool/us-east-1_Abc",
      "stands in for arn:aws-cn:cognito-idp:${Ref:R}:123456789012:userpool/us-east-1_Abc")),
    ("${ssm:/pool}",  # a whole-ARN placeholder: every part stood in
     ("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_REPLACEME", "stands in for ${ssm:/pool}")),
    ("arn:aws:cognito-idp:xx:yy:userpool/zz",  # no placeholder: a wrong ARN is refused, not papered over
     Refused("arn 'arn:aws:cognito-idp:xx:yy:userpool/zz' is not "
             "arn:aws:cognito-idp:<region>:<12-digit account>:userpool/<Id>")),
])
def test_stand_in_pool_arn(arn: str, expected: Any) -> None:
    assert stand_in_pool_arn(arn, UNRESOLVED, "eu-west-1") == expected


def test_stand_in_spec_loads_the_stand_in_itself() -> None:
    assert python_runtime.load_function(apis_check.STAND_IN_SPEC) is apis_check.validation_stand_in
