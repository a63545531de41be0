"""Node.js handlers, run by the emulator itself: one long-lived `node` worker per function (node_worker.mjs),
started on first use, restarted if it dies, stopped with the runtime. Events go as one JSON line on stdin;
answers come back as one JSON line on stdout; the handler's own output arrives on stderr and is logged."""

from __future__ import annotations

import itertools
import json
import logging
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from emulator.lambdas.context import LambdaContext
from emulator.lambdas.outcomes import (
    NOT_FOUND,
    SERVICE,
    BadPayload,
    FunctionError,
    Outcome,
    Returned,
    TimedOut,
    Unreachable,
)
from emulator.lambdas.targets import NodeTarget

log = logging.getLogger("cognito_emulator")

WORKER_SCRIPT = Path(__file__).with_name("node_worker.mjs")
_EXITED = object()  # put on the answer queue when the worker's stdout closes


def node_file(target: NodeTarget, base_dir: Path) -> Path:
    """The handler file a target names, relative to the config file's folder."""
    path = Path(target.path)
    return path if path.is_absolute() else (base_dir / path).resolve()


def node_problem(target: NodeTarget, base_dir: Path) -> str | None:
    """Why this target cannot run here (no `node` on PATH, no such file), or None."""
    if shutil.which("node") is None:
        return "`node` is not on PATH; install Node.js (18 or later) to run node: targets"
    file = node_file(target, base_dir)
    if not file.is_file():
        return f"{file} does not exist (node: paths are relative to the config file's folder)"
    return None


class NodeWorker:
    """One `node` process serving one handler; one invocation at a time, as one Lambda sandbox does."""

    def __init__(self, target: NodeTarget, base_dir: Path,
                 environment: Callable[[], Mapping[str, str]] = dict) -> None:
        self.target, self.base_dir, self.environment = target, base_dir, environment
        self._process: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[Any] = queue.Queue()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def invoke(self, event: dict[str, Any], context: LambdaContext) -> Outcome:
        problem = node_problem(self.target, self.base_dir)
        if problem:
            return Unreachable(NOT_FOUND if "does not exist" in problem else SERVICE, problem)
        with self._lock:
            try:
                process = self._running()
                request_id = next(self._ids)
                assert process.stdin is not None
                process.stdin.write(json.dumps({"id": request_id, "event": event, "context": context.to_node()})
                                    + "\n")
                process.stdin.flush()
            except OSError as exc:
                self._stop()
                return Unreachable(SERVICE, f"cannot start or write to `node` for {self.target.label}: {exc}")
            return self._await(request_id, context)

    def _await(self, request_id: int, context: LambdaContext) -> Outcome:
        while True:
            try:
                answer = self._answers.get(timeout=max(0.0, context.get_remaining_time_in_millis() / 1000))
            except queue.Empty:
                # Lambda ends a sandbox whose invocation timed out; the next call starts a fresh one.
                self._stop()
                return TimedOut(context.timeout_seconds)
            if answer is _EXITED:
                code = self._stop()
                # What Lambda reports when the runtime dies mid-invocation (amplify-js#9127 quotes it).
                return FunctionError("Runtime.ExitError", f"RequestId: {context.aws_request_id} Error: Runtime "
                                                          f"exited with error: exit status {code}")
            if answer.get("id") != request_id:
                continue  # a late answer to an invocation that already timed out
            if answer.get("ok"):
                return Returned(answer.get("result"))
            if answer.get("badPayload"):
                return BadPayload(str(answer.get("errorMessage")))
            return FunctionError(str(answer.get("errorType") or "Error"), str(answer.get("errorMessage") or ""))

    def _running(self) -> subprocess.Popen[str]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        if self._process is not None:
            log.info("node worker for %s exited (status %s); starting a new one", self.target.label,
                     self._process.returncode)
        self._answers = queue.Queue()
        process = subprocess.Popen(
            ["node", str(WORKER_SCRIPT), str(node_file(self.target, self.base_dir)), self.target.export],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            cwd=str(self.base_dir), bufsize=1, env={**os.environ, **self.environment()})
        answers = self._answers
        threading.Thread(target=self._read_answers, args=(process, answers), daemon=True,
                         name=f"node answers {self.target.label}").start()
        threading.Thread(target=self._read_output, args=(process,), daemon=True,
                         name=f"node output {self.target.label}").start()
        self._process = process
        return process

    def _read_answers(self, process: subprocess.Popen[str], answers: queue.Queue[Any]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            try:
                answers.put(json.loads(line))
            except ValueError:
                log.warning("node worker for %s wrote a line that is not JSON: %r", self.target.label, line[:200])
        answers.put(_EXITED)

    def _read_output(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            log.info("[%s] %s", self.target.label, line.rstrip())

    def _stop(self) -> int | None:
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.kill()
        try:
            return process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """End the worker (the runtime is shutting down)."""
        with self._lock:
            if self._process is not None and self._process.stdin is not None:
                try:
                    self._process.stdin.close()  # the worker exits when its stdin closes
                    self._process.wait(timeout=2)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self._stop()
