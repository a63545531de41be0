"""Start to first token: `cognito-emulator --config config.yaml` (the bundled config) until the first
InitiateAuth succeeds, measured from outside as a user's CI feels it; in memory, on a new state directory, on
that state directory again (its keys reused), and an empty config until POST / answers (bench/peers.py's
start→ready). Each run's time is split into phases, recorded inside the emulator's process by a bootstrap that
wraps the phases' functions as their modules load (the emulator itself is unchanged). Figures are printed,
never asserted.

The emulator's bytecode is compiled first (`compileall`, as `pip install` leaves an installed package): with
PYTHONDONTWRITEBYTECODE=1 and no __pycache__, every start would compile the package's source again (~0.3 s).
`--baseline DIR` (another checkout, e.g. `git worktree add /tmp/base HEAD~1`) runs it in turn with this one and
prints both with their ratio.
Run: python bench/startup.py [--runs 5] [--source-only] [--only bundled|empty] [--baseline DIR]"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.cognito.lookup import secret_hash  # noqa: E402
from emulator.testing import free_port  # noqa: E402
from tests.conftest import bundled_config  # noqa: E402

ROOT = Path(os.environ.get("BENCH_EMULATOR_ROOT", Path(__file__).resolve().parent.parent))
USER, CLIENT = "peroper@hoge.com", "piyopiyo"
BODY = json.dumps({"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
    "USERNAME": USER, "PASSWORD": "munyamunya", "SECRET_HASH": secret_hash("amoamo", USER, CLIENT)}}).encode()

# Runs in the emulator's process before `emulator.cli.main`: records (milestone, wall time, thread) to the file
# in BENCH_STARTUP_EVENTS. Functions are wrapped when their module finishes loading, so no import moves earlier.
BOOTSTRAP = r'''
import json, os, sys, threading, time
EVENTS = []
def mark(name):
    EVENTS.append((name, time.time(), threading.current_thread().name))
mark("python")
def wrap(owner, attr, name, method=False):
    original = getattr(owner, attr)
    inner = original.__func__ if isinstance(original, classmethod) else original
    def timed(*args, **kwargs):
        mark(name + " start")
        try:
            return inner(*args, **kwargs)
        finally:
            mark(name + " end")
    setattr(owner, attr, classmethod(timed) if isinstance(original, classmethod) else timed)
PATCHES = {
    "emulator.cli": lambda m: wrap(m, "load_config", "config"),
    "emulator.runtime": lambda m: wrap(m.Runtime, "open", "store"),
    "emulator.keys": lambda m: wrap(m, "new_signing_key", "key"),
    "emulator.server": lambda m: wrap(m.EmulatorServer, "__post_init__", "bind"),
}
import importlib.abc, importlib.machinery
class Patcher(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname not in PATCHES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module
        def exec_module(module):
            execute(module)
            PATCHES[fullname](module)
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, Patcher())
import atexit
atexit.register(lambda: open(os.environ["BENCH_STARTUP_EVENTS"], "w").write(json.dumps(EVENTS)))
import signal
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
mark("imports start")
import emulator.cli
mark("imports end")
sys.argv[0] = "cognito-emulator"
sys.exit(emulator.cli.main())
'''


def _sign_in(port: int) -> bool:
    """One InitiateAuth on a fresh connection; True once it returns tokens."""
    request = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(BODY)}\r\n"
               "X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\n"
               "Content-Type: application/x-amz-json-1.1\r\nConnection: close\r\n\r\n").encode() + BODY
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(request)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        return answer.startswith(b"HTTP/1.1 200") and b"AccessToken" in answer
    except OSError:
        return False


def _answers(port: int) -> bool:
    """POST / with `{}` answers at all (peers.py's start→ready: any HTTP status)."""
    request = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 2\r\n"
               "X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n"
               "Content-Type: application/x-amz-json-1.1\r\nConnection: close\r\n\r\n{}").encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(request)
            return sock.recv(16).startswith(b"HTTP/1.1 ")
    except OSError:
        return False


def _phases(events: list[tuple[str, float, str]], started: float, ready: float | None, done: float
            ) -> dict[str, float]:
    """Seconds per phase, from the child's milestones (first of each) and the parent's clock."""
    at: dict[str, float] = {}
    for name, when, _ in events:
        at.setdefault(name, when)
    phases = {"interpreter start": at["python"] - started,
              "imports (emulator.cli)": at["imports end"] - at["imports start"]}
    if "config start" in at:
        phases["config load + validation"] = at["config end"] - at["config start"]
    if "store start" in at:
        phases["store open + seed"] = at["store end"] - at["store start"]
        phases["… other imports/checks before it"] = at["store start"] - (at.get("config end") or at["imports end"])
    if "bind start" in at:
        phases["ports bound (server imports included)"] = at["bind end"] - at.get("store end", at["imports end"])
    if ready is not None and "bind end" in at:
        phases["serving → ready line"] = ready - at["bind end"]
    phases["ready → first answer"] = done - (ready if ready is not None else at.get("bind end", started))
    keys = [(when, thread) for name, when, thread in events if name.startswith("key ")]
    spans = [(keys[i][0], keys[i + 1][0], keys[i][1]) for i in range(0, len(keys) - 1, 2)]
    phases["key generation, all threads (CPU on any core)"] = sum(e - s for s, e, _ in spans)
    phases["key generation on the main thread"] = sum(e - s for s, e, t in spans if t == "MainThread")
    return phases


def run_once(config: Path, state: list[str], until: Callable[[int], bool], compiled: bool, root: Path = ROOT
             ) -> tuple[float, dict[str, float]]:
    """(wall seconds from Popen to the first good answer, the phases of that run)."""
    port = free_port()
    with tempfile.NamedTemporaryFile(suffix=".json") as events_file, tempfile.TemporaryFile() as errors:
        env = {**os.environ, "BENCH_STARTUP_EVENTS": events_file.name}
        if not compiled:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        ready: list[float] = []
        started = time.time()
        process = subprocess.Popen([sys.executable, "-c", BOOTSTRAP, "--config", str(config), "--port", str(port),
                                    "--log-level", "warning", *state], cwd=root, env=env, stdout=subprocess.PIPE,
                                   stderr=errors)  # the refused probes' log lines, shown only if it fails

        def read_ready() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                if b"ready" in line and not ready:
                    ready.append(time.time())

        reader = threading.Thread(target=read_ready, daemon=True)
        reader.start()
        try:
            while not until(port):
                if process.poll() is not None:
                    errors.seek(0)
                    raise RuntimeError(f"the emulator exited before answering: {errors.read()[-2000:].decode()}")
                time.sleep(0.002)
            done = time.time()
        finally:
            process.terminate()
            process.wait()
            reader.join(5)
        events = json.loads(Path(events_file.name).read_text() or "[]")
    return done - started, _phases(events, started, ready[0] if ready else None, done)


def report(name: str, runs: list[tuple[float, dict[str, float]]]) -> None:
    walls = [wall for wall, _ in runs]
    print(f"{name}: median {statistics.median(walls):.3f} s (min {min(walls):.3f}, max {max(walls):.3f}; "
          f"{len(runs)} runs)")
    for phase in runs[0][1]:
        values = [phases[phase] for _, phases in runs if phase in phases]
        print(f"    {phase:<48} {statistics.median(values) * 1000:7.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source-only", action="store_true",
                        help="do not compile the emulator's bytecode first (a PYTHONDONTWRITEBYTECODE checkout)")
    parser.add_argument("--only", choices=("bundled", "empty"), help="one config only")
    parser.add_argument("--baseline", type=Path, help="another checkout of the emulator, run in turn with this one")
    args = parser.parse_args(argv)
    compiled = not args.source_only
    roots = {"": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    for root in roots.values():
        if compiled:
            compileall.compile_dir(str(root / "emulator"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(yaml.safe_dump(bundled_config(with_apis=True)))
        empty = Path(tmp) / "empty.yaml"
        empty.write_text(yaml.safe_dump({"UserPools": []}))
        python = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        print(f"a bare `python -c pass`: {time.perf_counter() - python:.3f} s; bytecode "
              f"{'compiled' if compiled else 'not written (source compiled on every start)'}\n")
        cases: dict[str, tuple[Path, Callable[[int, str], list[str]], Callable[[int], bool]]] = {}
        if args.only != "empty":
            cases |= {
                "bundled config, --in-memory, to the first token":
                    (config, lambda i, label: ["--in-memory"], _sign_in),
                "bundled config, new --state dir, to the first token":
                    (config, lambda i, label: ["--state", str(Path(tmp) / f"new{i}{label}")], _sign_in),
                "bundled config, same --state dir again, to the first token":
                    (config, lambda i, label: ["--state", str(Path(tmp) / f"kept{label}")], _sign_in),
            }
            for label, root in roots.items():  # the kept dirs get their keys
                run_once(config, ["--state", str(Path(tmp) / f"kept{label}")], _sign_in, compiled, root)
        if args.only != "bundled":
            cases["empty config (UserPools: []), --in-memory, until POST / answers"] = (
                empty, lambda i, label: ["--in-memory"], _answers)
        results: dict[tuple[str, str], list[tuple[float, dict[str, float]]]] = {
            (name, label): [] for name in cases for label in roots}
        for i in range(args.runs):  # cases and checkouts interleaved: machine load drifts evenly over all of them
            for name, (path, state, until) in cases.items():
                for label, root in roots.items():
                    results[name, label].append(run_once(path, state(i, label), until, compiled, root))
        for (name, label), runs in results.items():
            report(f"{name} [{label or 'this checkout'}]" if args.baseline else name, runs)
        if args.baseline:
            print("\nthis checkout / baseline, medians:")
            for name in cases:
                ours, base = (statistics.median(w for w, _ in results[name, label]) for label in roots)
                print(f"    {name:<70} {ours:.3f} / {base:.3f} s = {ours / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
