"""botocore's bundled service models, the authority on shapes, lengths, patterns and enums: read as botocore's
Loader reads them (the latest API version, `service-2.json[.gz]`), without importing botocore.loaders, whose
imports (botocore.compat, urllib3, dateutil) cost ~80 ms on the way to the first token. A user's own models
(~/.aws/models) or extras files beside the model go through botocore's Loader itself, which merges them."""

from __future__ import annotations

import gzip
import importlib.util
import json
import threading
from pathlib import Path

CUSTOMER_MODELS = Path("~/.aws/models").expanduser()  # botocore's Loader.CUSTOMER_DATA_PATH
_loaded: dict[str, dict] = {}
_loading = threading.Lock()


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


def loaded(service: str) -> bool:
    """Whether the model of `service` is in memory (asking for it will not wait)."""
    return service in _loaded


def service_model(service: str) -> dict:
    """The model of `service`, read once per process: a caller that comes while another reads it (the request
    that follows `preload` at start) waits for that read instead of repeating it."""
    with _loading:
        if service not in _loaded:
            _loaded[service] = load_service_model(service)
        return _loaded[service]


def preload(service: str) -> threading.Thread:
    """Read the model on a thread now (~10 ms: gunzip and JSON), while the ports start serving, instead of in the
    first request; join the thread before exiting (botocore's Loader may be imported in it). Not before --workers
    forks: a thread must not be running then."""
    thread = threading.Thread(target=service_model, args=(service,), name="cognito-emulator model", daemon=True)
    thread.start()
    return thread
