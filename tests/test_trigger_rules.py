"""Trigger configuration and the pure decisions around triggers, as tables: which LambdaConfig is refused at
load and why, how targets are named, how AWS reads PreSignUp, CustomMessage and Pre Token Generation answers,
and which error a failed invocation becomes."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.cognito import messages
from emulator.cognito.triggers import failure, masked
from emulator.cognito.user_triggers import SignUpVerdict, sign_up_verdict
from emulator.config import parse_config
from emulator.config_fields import ConfigError
from emulator.lambdas.outcomes import BadPayload, FunctionError, Returned, TimedOut, Unreachable
from emulator.lambdas.targets import InvokeTarget, NodeTarget, PythonTarget, parse_target, resolve
from emulator.token_customization import BadOverride, customize

ARN = "arn:aws:lambda:us-east-1:123456789012:function:pre"


def _load(lambda_config: dict[str, Any], functions: dict[str, str] | None = None) -> Any:
    return parse_config({"Functions": functions or {}, "UserPools": [{"Name": "p", "LambdaConfig": lambda_config}]})


@pytest.mark.parametrize(("lambda_config", "functions", "path", "why"), [
    ({"CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": ARN}}, None,
     "LambdaConfig.CustomEmailSender.LambdaArn", "no entry in Functions"),
    ({"KMSKeyID": "key"}, None, "LambdaConfig.KMSKeyID", "not a KMS key ARN"),
    ({"PreSignup": ARN}, None, "LambdaConfig.PreSignup", "did you mean PreSignUp"),
    ({"PreSignUp": ARN}, None, "LambdaConfig.PreSignUp", "no entry in Functions"),
    ({"PreSignUp": "node:tests/lambdas/none.js:handler"}, None, "LambdaConfig.PreSignUp", "does not exist"),
    ({"PreSignUp": "python:tests.no_such_module:f"}, None, "LambdaConfig.PreSignUp", "cannot import module"),
    ({"PreSignUp": "node:tests/lambdas/pre_signup.js"}, None, "LambdaConfig.PreSignUp", "not of the form"),
    ({"PreTokenGenerationConfig": {"LambdaVersion": "V9_0", "LambdaArn": ARN}}, {"pre": "python:tests.x:y"},
     "Functions.pre", "cannot import"),
    ({"PreTokenGenerationConfig": {"LambdaVersion": "V9_0", "LambdaArn": ARN}}, None,
     "LambdaConfig.PreTokenGenerationConfig.LambdaVersion", "V1_0, V2_0, V3_0"),
])
def test_lambda_config_refused_at_load(lambda_config: dict[str, Any], functions: dict[str, str] | None, path: str,
                                       why: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(lambda_config, functions)
    assert path in str(info.value) and why in str(info.value)


def test_lambda_config_accepted_with_aws_shape() -> None:
    config = _load({"PreSignUp": ARN, "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": ARN}},
                   {"pre": "node:tests/lambdas/pre_signup.js:handler"})
    assert config.pools[0].pool.lambda_config == {
        "PreSignUp": ARN, "PreTokenGeneration": ARN,
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": ARN}}


@pytest.mark.parametrize(("text", "expected"), [
    ("python:pkg.mod:handler", PythonTarget("pkg.mod", "handler")),
    ("node:triggers/pre.mjs:handler", NodeTarget("triggers/pre.mjs", "handler")),
    ("invoke:http://127.0.0.1:3001:preSignUp", InvokeTarget("http://127.0.0.1:3001", "preSignUp")),
    ("invoke:http://localhost:3001", None),
    ("node:pre.ts:handler", None),
    ("lambda:pre", None),
])
def test_targets(text: str, expected: Any) -> None:
    if expected is None:
        with pytest.raises(ValueError):
            parse_target(text)
    else:
        assert parse_target(text) == expected


def test_arns_resolve_by_arn_or_name() -> None:
    assert resolve(ARN, {"pre": "python:a:b"}) == PythonTarget("a", "b")
    assert resolve(ARN + ":live", {ARN + ":live": "python:c:d"}) == PythonTarget("c", "d")
    with pytest.raises(ValueError, match="no entry in Functions"):
        resolve(ARN, {})


@pytest.mark.parametrize(("outcome", "error_type", "message"), [
    (FunctionError("Error", "nope"), "UserLambdaValidationException", "PreSignUp failed with error nope."),
    (TimedOut(5), "UnexpectedLambdaException",
     "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."),
    (Unreachable("ResourceNotFoundException", "gone"), "UnexpectedLambdaException",
     "PreSignUp invocation failed due to error ResourceNotFoundException."),
    (BadPayload("not JSON"), "InvalidLambdaResponseException", "Unrecognizable lambda output"),
])
def test_failures(outcome: Any, error_type: str, message: str) -> None:
    error = failure("PreSignUp", "node:pre.js:handler", outcome)
    assert error is not None and (error.type, error.message) == (error_type, message)
    assert "PreSignUp (node:pre.js:handler)" in error.reason
    assert failure("PreSignUp", "x", Returned({})) is None


@pytest.mark.parametrize(("response", "attributes", "expected"), [
    ({"autoConfirmUser": True}, {}, SignUpVerdict(auto_confirm=True)),
    ({"autoVerifyEmail": True}, {"email": "a@b.c"}, SignUpVerdict(auto_verify_email=True)),
    ({"autoVerifyEmail": True}, {}, "no email"),
    ({"autoVerifyPhone": True}, {}, "no phone_number"),
    ({"autoConfirmUser": "yes"}, {}, "not true or false"),
    ({}, {}, SignUpVerdict()),
])
def test_pre_sign_up_answers(response: dict, attributes: dict, expected: Any) -> None:
    verdict = sign_up_verdict(response, attributes)
    assert verdict == expected if isinstance(expected, SignUpVerdict) else expected in verdict


@pytest.mark.parametrize(("response", "medium", "expected"), [
    ({"emailMessage": "code {####}", "emailSubject": "Hi"}, "EMAIL", ("code {####}", "Hi")),
    ({"smsMessage": "code {####}"}, "SMS", ("code {####}", None)),
    ({"emailMessage": "no placeholder"}, "EMAIL", "does not contain"),
    ({"smsMessage": "code {####}"}, "EMAIL", "not set"),
])
def test_custom_message_answers(response: dict, medium: str, expected: Any) -> None:
    assert (messages.custom_message(response, medium) == expected if isinstance(expected, tuple)
            else expected in messages.custom_message(response, medium))


ID = {"sub": "s", "email": "e", "cognito:groups": ["a"], "iss": "i"}
ACCESS = {"sub": "s", "scope": "openid aws.cognito.signin.user.admin", "cognito:groups": ["a"], "client_id": "c"}


@pytest.mark.parametrize(("version", "response", "id_expected", "access_expected", "ignored"), [
    ("V1_0", {"claimsOverrideDetails": {"claimsToAddOrOverride": {"t": 1, "sub": "x"}, "claimsToSuppress": ["email"]}},
     {"sub": "s", "cognito:groups": ["a"], "iss": "i", "t": "1"}, ACCESS, ("id.sub",)),
    ("V1_0", {"claimsOverrideDetails": {"groupOverrideDetails": {"groupsToOverride": []}}},
     {"sub": "s", "email": "e", "iss": "i"}, {k: v for k, v in ACCESS.items() if k != "cognito:groups"}, ()),
    ("V2_0", {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
        "claimsToAddOrOverride": {"o": {"n": 1}, "client_id": "z"}, "scopesToAdd": ["x/y"],
        "scopesToSuppress": ["openid"]}}},
     ID, {**ACCESS, "o": {"n": 1}, "scope": "aws.cognito.signin.user.admin x/y"}, ("access.client_id",)),
    ("V2_0", {"claimsAndScopeOverrideDetails": None}, ID, ACCESS, ()),
])
def test_pre_token_generation_answers(version: str, response: dict, id_expected: dict, access_expected: dict,
                                      ignored: tuple) -> None:
    result = customize(version, response, ID, ACCESS)
    assert (result.id_claims, result.access_claims, result.ignored) == (id_expected, access_expected, ignored)


@pytest.mark.parametrize("response", [
    {"claimsOverrideDetails": {"claimsToSuppress": "email"}},
    {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": [1]}}},
    {"claimsAndScopeOverrideDetails": []},
])
def test_pre_token_generation_answers_aws_rejects(response: dict) -> None:
    with pytest.raises(BadOverride):
        customize("V2_0" if "claimsAndScopeOverrideDetails" in response else "V1_0", response, ID, ACCESS)


def test_secrets_are_masked_in_the_log() -> None:
    assert masked({"request": {"password": "p", "challengeAnswer": "42", "x": [{"password": "q"}]}}) == {
        "request": {"password": "***", "challengeAnswer": "***", "x": [{"password": "***"}]}}
