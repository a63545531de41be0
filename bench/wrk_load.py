"""wrk (if installed) as the load generator: a C client costs the machine less per request than any Python one,
so what it reports is mostly the server. Same shape of answer as http_load.run (rate, latencies' p50, errors)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from http_load import Request

WRK = shutil.which("wrk")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class WrkResult:
    rate: float  # requests/s
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers plus socket errors


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse(output: str) -> WrkResult:
    """The figures of one `wrk --latency` run."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return WrkResult(rate, p50, p99, errors)


def run(url: str, request: Request, concurrency: int, seconds: float) -> WrkResult:
    """`request` against `url` at `concurrency` for `seconds` (whole, wrk takes no fractions), one wrk thread per
    16 connections (at most 2)."""
    assert WRK is not None, "wrk is not installed"
    threads = max(1, min(2, concurrency // 16))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "request.lua"
        lines = [f'wrk.method = "{request.method}"']
        lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in request.headers.items()]
        if request.body:
            lines.append(f"wrk.body = [==[{request.body.decode()}]==]")  # a Lua long string: no escaping
        script.write_text("\n".join(lines) + "\n")
        done = subprocess.run([WRK, f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency",
                               "-s", str(script), url.rstrip("/") + request.path],
                              capture_output=True, text=True, check=True)
    return parse(done.stdout)
