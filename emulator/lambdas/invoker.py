"""The one invoker: runs a target with an event under a time limit, whichever runtime it names. It belongs to
the runtime object (it owns the Node workers) and is stopped with it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from emulator.blocking import may_block
from emulator.lambdas import invoke_api, python_runtime
from emulator.lambdas.context import LambdaContext, function_label
from emulator.lambdas.node_runtime import NodeWorker, node_problem
from emulator.lambdas.outcomes import NOT_FOUND, Outcome, Unreachable
from emulator.lambdas.targets import InvokeTarget, NodeTarget, PythonTarget, Target, resolve


class LambdaInvoker:
    """Runs Lambda code named by target; `functions` is the config's Functions mapping (ARN/name -> target)."""

    def __init__(self, base_dir: Path, functions: Mapping[str, str] | None = None,
                 environment: Callable[[], Mapping[str, str]] | None = None) -> None:
        self.base_dir = base_dir
        self.functions = dict(functions or {})
        # Variables Node workers get beside the emulator's own (read when a worker starts: the port is bound).
        self.environment = environment or dict
        self._workers: dict[NodeTarget, NodeWorker] = {}
        self._lock = threading.Lock()

    def resolve(self, reference: str) -> Target:
        """The target a LambdaConfig value or a Functions key names (ValueError: why none)."""
        return resolve(reference, self.functions)

    def problem(self, target: Target) -> str | None:
        """Why `target` cannot run at all, checked when the config is loaded (None: it can be tried)."""
        if isinstance(target, PythonTarget):
            try:
                python_runtime.load_function(target.label, self.base_dir)
            except ValueError as exc:
                return str(exc)
        if isinstance(target, NodeTarget):
            return node_problem(target, self.base_dir)
        return None

    def invoke(self, reference: str, event: dict[str, Any], timeout_seconds: float) -> tuple[str, Outcome]:
        """Invoke what `reference` names with `event`: (the target's label, the outcome). Never raises for the
        function's sake: every failure is an Outcome."""
        may_block()
        try:
            target = self.resolve(reference)
        except ValueError as exc:
            return reference, Unreachable(NOT_FOUND, str(exc))
        return target.label, self.call(target, event, timeout_seconds)

    def call(self, target: Target, event: dict[str, Any], timeout_seconds: float) -> Outcome:
        context = LambdaContext(function_name=function_label(target.label), timeout_seconds=timeout_seconds)
        if isinstance(target, PythonTarget):
            return python_runtime.call(target, self.base_dir, event, context)
        if isinstance(target, NodeTarget):
            return self._worker(target).invoke(event, context)
        assert isinstance(target, InvokeTarget)
        return invoke_api.call(target, event, timeout_seconds)

    async def acall(self, target: Target, event: dict[str, Any], timeout_seconds: float) -> Outcome:
        """`call` from async code (the gateway), off the event loop."""
        return await asyncio.to_thread(self.call, target, event, timeout_seconds)

    def _worker(self, target: NodeTarget) -> NodeWorker:
        with self._lock:
            worker = self._workers.get(target)
            if worker is None:
                worker = self._workers[target] = NodeWorker(target, self.base_dir, self.environment)
            return worker

    def close(self) -> None:
        """Stop every Node worker."""
        with self._lock:
            workers, self._workers = list(self._workers.values()), {}
        for worker in workers:
            worker.stop()
