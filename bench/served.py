"""An emulator in its own process for the HTTP benchmarks (a client in the same process would share its GIL), and
readings of that process: CPU seconds and resident memory."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The checkout whose emulator is served (another one, e.g. a commit before a change, to compare).
SERVED_ROOT = Path(os.environ.get("BENCH_EMULATOR_ROOT", ROOT))

from emulator.testing import free_port  # noqa: E402
from tests.conftest import bundled_config  # noqa: E402


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    api_urls: dict[str, str]
    ready_seconds: float  # from the command to the ready line

    def cpu_seconds(self) -> float:
        """User + system CPU the emulator's processes (itself, its workers, its signing process) have used so far."""
        total = 0
        for pid in family(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # it has just ended
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident memory of the emulator's process (its signing process is `children_rss_mb`)."""
        return _rss_mb(self.process.pid)

    def children_rss_mb(self) -> float:
        return sum(_rss_mb(pid) for pid in family(self.process.pid)[1:])


def family(pid: int) -> list[int]:
    """`pid` and its descendants, parents first."""
    found, i = [pid], 0
    while i < len(found):
        for task in Path(f"/proc/{found[i]}/task").glob("*"):
            with contextlib.suppress(OSError):  # a thread that has just ended
                found += [int(child) for child in (task / "children").read_text().split()]
        i += 1
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def config_with_free_ports(config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bundled config (or `config`) with every gateway API on a free port."""
    config = bundled_config(with_apis=True) if config is None else config
    for api in config.get("Apis", []):
        api["Port"] = free_port()
    return config


@contextlib.contextmanager
def served(config: dict[str, Any] | None = None, *extra: str, workers: int = 1) -> Iterator[Served]:
    """The emulator serving `config` (default: the bundled one, APIs on free ports) in memory, or with `workers`
    processes on a state directory (workers refuse --in-memory)."""
    config = config_with_free_ports(config)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "config.yaml").write_text(yaml.safe_dump(config))
        port = free_port()
        started = time.perf_counter()
        store = ["--in-memory"] if workers == 1 else ["--state", str(Path(tmp) / "state"), "--workers", str(workers)]
        process = subprocess.Popen([sys.executable, "-m", "emulator", "--config", str(Path(tmp) / "config.yaml"),
                                    "--port", str(port), *store, "--log-level", "warning", *extra],
                                   cwd=SERVED_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = process.stdout.readline() if process.stdout else ""
            if "ready" not in line:
                raise RuntimeError(f"the emulator did not start: {line!r}")
            apis = {api["Name"]: f"http://127.0.0.1:{api['Port']}" for api in config.get("Apis", [])}
            yield Served(process, f"http://127.0.0.1:{port}", apis, time.perf_counter() - started)
        finally:
            process.terminate()
            process.wait(10)


def wait_for_port(port: int, deadline: float) -> None:
    while time.perf_counter() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.002)
    raise TimeoutError(f"nothing listens on {port}")
