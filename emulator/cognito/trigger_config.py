"""A pool's `LambdaConfig` as config.yaml gives it (AWS's LambdaConfigType names), checked when the config
loads: every trigger the emulator runs must name a function it can run, and every key it does not run is
refused with the reason, so nothing configured is silently never invoked."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator import config_fields as f
from emulator.cognito.custom_sender_rules import KMS_KEY_ID, LAMBDA_VERSIONS, SENDERS
from emulator.config_fields import ConfigError
from emulator.kms.keys import key_arn_of
from emulator.lambdas.invoker import LambdaInvoker
from emulator.lambdas.targets import is_target

# Triggers the emulator invokes, at the moments AWS does (triggers.py and its callers).
RUN = ("PreSignUp", "CustomMessage", "PostConfirmation", "PreAuthentication", "PostAuthentication",
       "DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse", "PreTokenGeneration",
       "UserMigration")
PRE_TOKEN_CONFIG = "PreTokenGenerationConfig"
PRE_TOKEN_VERSIONS = ("V1_0", "V2_0", "V3_0")
# LambdaConfigType keys the emulator does not run, and why (refused rather than accepted and ignored).
NOT_RUN = {
    "InboundFederation": "the emulator has no federated sign-in, so this trigger would never be invoked",
}


def parse_lambda_config(raw: Any, path: str, functions: LambdaInvoker) -> dict[str, Any]:
    """The LambdaConfig to keep on the pool: trigger name -> function reference (an ARN or a local target),
    plus PreTokenGenerationConfig {LambdaVersion, LambdaArn} with PreTokenGeneration set to its LambdaArn."""
    data = f.mapping(raw or {}, path)
    f.only_keys(data, (*RUN, PRE_TOKEN_CONFIG, *SENDERS, KMS_KEY_ID, *NOT_RUN), path)
    for key, why in NOT_RUN.items():
        if key in data:
            raise ConfigError(f"{path}.{key}", why)
    config: dict[str, Any] = {}
    for key in RUN:
        reference = f.string(data, key, path)
        if reference is not None:
            check_function(reference, f"{path}.{key}", functions)
            config[key] = reference
    if data.get(PRE_TOKEN_CONFIG) is not None:
        structure = _versioned_lambda(data[PRE_TOKEN_CONFIG], f"{path}.{PRE_TOKEN_CONFIG}", PRE_TOKEN_VERSIONS,
                                      functions)
        arn = structure["LambdaArn"]
        if config.get("PreTokenGeneration", arn) != arn:
            raise ConfigError(f"{path}.PreTokenGeneration", f"names '{config['PreTokenGeneration']}' but "
                                                            f"{PRE_TOKEN_CONFIG}.LambdaArn names '{arn}'; AWS keeps "
                                                            "them equal (give one of them)")
        config["PreTokenGeneration"] = arn
        config[PRE_TOKEN_CONFIG] = structure
    config.update(_custom_senders(data, path, functions))
    return config


def _versioned_lambda(value: Any, where: str, versions: tuple[str, ...],
                      functions: LambdaInvoker) -> dict[str, str]:
    """A trigger given as {LambdaVersion, LambdaArn} (PreTokenGenerationConfig, the custom senders), checked."""
    structure = f.mapping(value, where)
    f.only_keys(structure, ("LambdaVersion", "LambdaArn"), where)
    version = f.string(structure, "LambdaVersion", where, required=True)
    if version not in versions:
        raise ConfigError(f"{where}.LambdaVersion", f"'{version}' is not one of {', '.join(versions)}")
    arn = f.string(structure, "LambdaArn", where, required=True)
    check_function(arn, f"{where}.LambdaArn", functions)
    return {"LambdaVersion": version, "LambdaArn": arn}


def _custom_senders(data: Mapping[str, Any], path: str, functions: LambdaInvoker) -> dict[str, Any]:
    """CustomEmailSender / CustomSMSSender {LambdaVersion: V1_0, LambdaArn} and the KMSKeyID they need (the
    KMS key ARN the codes are encrypted under; the emulator's local KMS makes that key)."""
    config: dict[str, Any] = {}
    for name in SENDERS:
        if data.get(name) is None:
            continue
        config[name] = _versioned_lambda(data[name], f"{path}.{name}", LAMBDA_VERSIONS, functions)
    key = f.string(data, KMS_KEY_ID, path)
    if key is not None and key_arn_of(key) is None:
        raise ConfigError(f"{path}.{KMS_KEY_ID}", f"'{key}' is not a KMS key ARN (arn:aws:kms:<region>:<account>:"
                                                  "key/<key id>) or alias ARN")
    if config and key is None:
        raise ConfigError(f"{path}.{KMS_KEY_ID}", f"{' and '.join(config)} need{'s' if len(config) == 1 else ''} a "
                                                  "KMS key ARN to encrypt the codes with, as on AWS (the emulator "
                                                  "makes a local key for it)")
    if key is not None:
        config[KMS_KEY_ID] = key
    return config


def check_function(reference: str, path: str, functions: LambdaInvoker) -> None:
    """ConfigError unless `reference` names a function the emulator can run (mapped, parsable, present)."""
    try:
        target = functions.resolve(reference)
    except ValueError as exc:
        raise ConfigError(path, str(exc)) from None
    problem = functions.problem(target)
    if problem:
        raise ConfigError(path, f"{target.label}: {problem}")


def parse_functions(raw: Any, path: str, base_dir: Path) -> dict[str, str]:
    """The top-level Functions mapping (function name or ARN -> local target), each target checked."""
    data = f.mapping(raw or {}, path)
    functions: dict[str, str] = {}
    for name, value in data.items():
        if not isinstance(value, str) or not is_target(value):
            raise ConfigError(f"{path}.{name}", "expected a local target: python:package.module:function, "
                                                "node:path/to/file.js:export or invoke:http://host:port:Name")
        functions[str(name)] = value
    invoker = LambdaInvoker(base_dir, functions)
    for name, value in functions.items():
        check_function(value, f"{path}.{name}", invoker)
    return functions


def pre_token_version(lambda_config: Mapping[str, Any]) -> str:
    """V1_0 unless PreTokenGenerationConfig says otherwise."""
    structure = lambda_config.get(PRE_TOKEN_CONFIG)
    return str(structure.get("LambdaVersion") or "V1_0") if isinstance(structure, Mapping) else "V1_0"
