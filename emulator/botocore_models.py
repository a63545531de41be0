"""botocore's bundled service models, the authority on shapes, lengths, patterns and enums: read as botocore's
Loader reads them (the latest API version, `service-2.json[.gz]`), without importing botocore.loaders, whose
imports (botocore.compat, urllib3, dateutil) cost ~80 ms on the way to the first token. A user's own models
(~/.aws/models) or extras files beside the model go through botocore's Loader itself, which merges them."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

CUSTOMER_MODELS = Path("~/.aws/models").expanduser()  # botocore's Loader.CUSTOMER_DATA_PATH


def _builtin_data() -> Path:
    spec = importlib.util.find_spec("botocore")
    assert spec is not None and spec.origin is not None, "botocore is a dependency"
    return Path(spec.origin).parent / "data"


def _model_file(version_dir: Path, type_name: str) -> Path | None:
    return next((p for p in (version_dir / f"{type_name}.json", version_dir / f"{type_name}.json.gz") if p.is_file()),
                None)


def load_service_model(service: str, type_name: str = "service-2") -> dict:
    """The model botocore's `Loader().load_service_model(service, type_name)` returns."""
    versions = {d.name: d for d in (_builtin_data() / service).iterdir() if _model_file(d, type_name)}
    latest = versions[max(versions)]
    if (CUSTOMER_MODELS / service).exists() or any(latest.glob(f"{type_name}.*-extras.json*")):
        from botocore.loaders import Loader

        return Loader().load_service_model(service, type_name)
    path = _model_file(latest, type_name)
    assert path is not None
    raw = path.read_bytes()
    return json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
