"""Reading the service of a resolved serverless.yml: its name, `provider:` settings (stage, region),
its functions and their events, and the names Serverless gives its APIs."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from emulator.importers.serverless_report import Report
from emulator.importers.serverless_values import as_list, stringify
from emulator.importers.serverless_variables import DEFAULT_STAGE
from emulator.importers.serverless_yaml import ServerlessFileError
from emulator.model import DEFAULT_REGION

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")

# (function name, function, where in the file, the event's value), as Service.events yields them.
Event = tuple[str, Mapping[str, Any], str, Any]


class Service:
    """A serverless.yml's service as the translation needs it; unusable parts are skipped with a warning."""

    def __init__(self, doc: Mapping[str, Any], report: Report) -> None:
        provider = doc.get("provider")
        if provider is None:
            raise ServerlessFileError("no `provider:` section; is this a Serverless Framework serverless.yml?")
        if not isinstance(provider, Mapping):
            raise ServerlessFileError(f"`provider:` should be a mapping (name: aws, runtime: ..., httpApi: ...), "
                                      f"got {provider!r}")
        name = provider.get("name")
        if name is not None and str(name).lower() != "aws":
            raise ServerlessFileError(f"provider.name is {name!r}; only AWS services can be imported")
        self.doc = doc
        self.provider = provider
        service = doc.get("service")
        if isinstance(service, Mapping):  # v1's `service: {name: ...}`
            service = service.get("name")
        self.name = stringify(service) if service is not None else "service"
        self.stage = stringify(provider.get("stage") or DEFAULT_STAGE)
        self.region = stringify(provider.get("region") or DEFAULT_REGION)
        if not is_region_name(self.region):
            report.warn(f"provider.region {self.region!r} is not a region name; using {DEFAULT_REGION}")
            self.region = DEFAULT_REGION
        self.functions = _functions(doc.get("functions"), report)

    def events(self, kind: str) -> Iterator[Event]:
        """(function name, function, where, event value) of every `kind` event, in file order."""
        for fn_name, fn in self.functions.items():
            for index, event in enumerate(as_list(fn.get("events"))):
                if isinstance(event, Mapping) and kind in event:
                    yield fn_name, fn, f"functions.{fn_name}.events[{index}].{kind}", event[kind]

    def api_name(self, configured: Any) -> str:
        """The configured API name, else Serverless's `${stage}-${service}` (its name for both APIs)."""
        return stringify(configured) if configured else f"{self.stage}-{self.name}"


def is_region_name(text: str) -> bool:
    """True when text is shaped like an AWS region name (us-east-1, ap-southeast-2)."""
    return bool(_REGION.match(text))


def _functions(raw: Any, report: Report) -> dict[str, Mapping[str, Any]]:
    # v3 takes a mapping; older files (and merged ${file()}s) may give a list of mappings.
    merged: dict[str, Any] = {}
    for chunk in (raw if isinstance(raw, list) else [raw]):
        if isinstance(chunk, Mapping):
            merged.update(chunk)
        elif chunk is not None:
            report.warn(f"functions: {stringify(chunk)!r} is not a mapping of functions; skipped")
    out: dict[str, Mapping[str, Any]] = {}
    for name, fn in merged.items():
        if isinstance(fn, Mapping):
            out[str(name)] = fn
        else:
            report.warn(f"functions.{name} is not a mapping; skipped")
    return out
