"""Importers: translate other tools' descriptions of an API into the emulator's config.

Each importer is a pure translation (a parsed document in, config entries and warnings out) with
its I/O in a small `main(argv)` that `cognito-emulator import ...` calls:

- `serverless`: a Serverless Framework v3/v4 `serverless.yml` -> the `Apis:` section (its parts are
  the `serverless_*` modules).

- `template_cli` / `template_sources` / `template_import`: CloudFormation, SAM (`sam_transform`) and
  `cdk synth` templates -> a complete config (pools and APIs), the `cfn_*` modules doing one job each.

`apis_check` checks any importer's `Apis:` output with the emulator's own validation.
"""

from emulator.importers import serverless

__all__ = ["serverless"]
