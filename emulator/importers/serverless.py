"""`cognito-emulator import serverless.yml`: a Serverless Framework (v3/v4) service -> the `Apis:` section.

The steps, each usable on its own:

1. `serverless_yaml.load_document(text)`: YAML in (CloudFormation short tags read), a plain dict out.
2. `serverless_variables.resolve_variables(doc, sources)`: Serverless variables and the CloudFormation
   functions an authorizer needs, evaluated offline; the rest kept as visible placeholders.
3. `translate(doc, unresolved)` (serverless_translation): pure; `provider.httpApi` +
   `functions.*.events[].httpApi` -> one HTTP API (serverless_http_api), `functions.*.events[].http` ->
   one REST API (serverless_rest_api, serverless_rest_authorizers), with API Gateway's names as the
   emulator's config uses them (see emulator/gateway/config.py). The result always passes `parse_apis`
   (apis_check): what cannot be translated becomes a warning (and a YAML comment), never a crash and
   never an invalid config.
4. `render(apis)` (through commented_yaml) writes the YAML with those comments; `main(argv)`
   (serverless_cli) does the file I/O.

This module is the importer's public face: it names those entry points, wherever they live.

Faithfulness rules (they decide every "what now?" in these modules):
- Serverless's own defaults are reproduced (http-api.js / api-gateway validate.js): a missing
  authorizer `type` is JWT, `payloadVersion` defaults to 2.0, `cors: true` means origins `*`,
  the seven default headers and OPTIONS plus every route's method, REST authorizer names come
  from the ARN as Serverless derives them.
- Fail closed. A route whose authorizer cannot run here (a Node.js Lambda authorizer, an external
  ARN, a broken JWT definition) is left out (404) rather than served without its authorizer, since
  an emulator that lets through what AWS refuses hides the bug. `aws_iam` routes become
  `AuthorizationType: AWS_IAM` routes (their role policies go in the config's `Roles:`).
"""

from emulator.importers.apis_check import check_apis, stand_in_handlers
from emulator.importers.serverless_cli import main
from emulator.importers.serverless_functions import PLACEHOLDER_BACKEND, python_handler_spec
from emulator.importers.serverless_http_api import DEFAULT_CORS_HEADERS
from emulator.importers.serverless_translation import DEFAULT_PORT, Translation, import_serverless, render, translate

__all__ = [
    "DEFAULT_CORS_HEADERS",
    "DEFAULT_PORT",
    "PLACEHOLDER_BACKEND",
    "Translation",
    "check_apis",
    "import_serverless",
    "main",
    "python_handler_spec",
    "render",
    "stand_in_handlers",
    "translate",
]
