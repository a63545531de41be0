"""An in-process emulator for other projects' tests (and this one's).

    from emulator.testing import running_emulator
    with running_emulator("config.yaml") as emu:
        boto3.client("cognito-idp", endpoint_url=emu.url, region_name="us-east-1", ...)

The pytest fixtures (`cognito_emulator`, ...) are in emulator/pytest_plugin.py, loaded automatically.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from emulator.config import Config, load_config, parse_config
from emulator.runtime import Runtime
from emulator.server import EmulatorServer


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def running_emulator(config: str | Path | dict[str, Any] | Config, state_dir: Path | None = None,
                     port: int = 0, **runtime_kwargs: Any) -> Iterator[EmulatorServer]:
    """Serve `config` (a file, a parsed dict or a Config) on 127.0.0.1 until the block ends.

    State is in memory unless `state_dir` is given. With a dict, `base_dir` for Python targets
    is the current directory."""
    if isinstance(config, Config):
        parsed = config
    elif isinstance(config, dict):
        parsed = parse_config(config, base_dir=Path.cwd())
    else:
        parsed = load_config(config)
    runtime = Runtime.open(parsed, state_dir, **runtime_kwargs)
    server = EmulatorServer(runtime, host="127.0.0.1", port=port).start()
    try:
        yield server
    finally:
        server.close()
        runtime.close()
