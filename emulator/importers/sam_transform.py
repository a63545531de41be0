"""SAM templates (`Transform: AWS::Serverless-2016-10-31`) -> plain CloudFormation through AWS's own
transform library (aws-sam-translator), run offline: the region comes from the command line (a boto3
session that is never used to call AWS), managed policies from an empty map, and local `CodeUri`
folders are swapped for S3 stand-ins, their paths kept in the functions' Metadata for cfn_lambda."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from emulator.importers.cfn_errors import Notes, TemplateError
from emulator.importers.cfn_lambda import CODE_PATH_KEY
from emulator.importers.cfn_template import Options, pseudo_parameters

FUNCTION = "AWS::Serverless::Function"
_STAND_IN_BUCKET = "emulator-local-code"


def _local_code(doc: dict[str, Any]) -> dict[str, str]:
    """Replace local CodeUri folders with S3 stand-ins (the translator wants S3); logical id -> folder."""
    globals_ = ((doc.get("Globals") or {}).get("Function") or {}) if isinstance(doc.get("Globals"), Mapping) else {}
    default = globals_.get("CodeUri")
    if isinstance(default, str) and not default.startswith("s3://"):
        globals_["CodeUri"] = f"s3://{_STAND_IN_BUCKET}/globals"
    local: dict[str, str] = {}
    for logical_id, resource in (doc.get("Resources") or {}).items():
        if not isinstance(resource, Mapping) or resource.get("Type") != FUNCTION:
            continue
        properties = resource.setdefault("Properties", {})
        code = properties.get("CodeUri", default)
        if isinstance(code, str) and not code.startswith("s3://"):
            local[str(logical_id)] = code
            properties["CodeUri"] = f"s3://{_STAND_IN_BUCKET}/{logical_id}"
    return local


def transform(doc: Mapping[str, Any], options: Options, notes: Notes) -> dict[str, Any]:
    """The SAM template as CloudFormation (AWS::Serverless::* expanded), or TemplateError with SAM's reason."""
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    template = copy.deepcopy(dict(doc))
    local = _local_code(template)
    parameters: dict[str, Any] = dict(pseudo_parameters(options))
    for name, spec in (template.get("Parameters") or {}).items():
        value = options.parameters.get(name, (spec or {}).get("Default") if isinstance(spec, Mapping) else None)
        if value is not None:
            parameters[name] = value
    # A session only to tell the translator the region; nothing calls AWS.
    session = boto3.session.Session(region_name=options.region, aws_access_key_id="offline",
                                    aws_secret_access_key="offline")
    translator = Translator(None, Parser(), boto_session=session)
    try:
        out = translator.translate(template, parameter_values=parameters, get_managed_policy_map=lambda: {})
    except InvalidDocumentException as exc:
        reasons = "; ".join(str(cause) for cause in getattr(exc, "causes", [])) or str(exc)
        raise TemplateError(f"the SAM transform refused the template: {reasons}") from None
    for logical_id, folder in local.items():
        resource = (out.get("Resources") or {}).get(logical_id)
        if isinstance(resource, dict):
            resource.setdefault("Metadata", {})[CODE_PATH_KEY] = folder
    notes.add("SAM template expanded with aws-sam-translator, offline")
    return out
