"""Request, trace and invocation ids come from a private generator: well-formed, unique, untouched by a test that
seeds the random module, and different in a forked worker."""

from __future__ import annotations

import os
import random
import re
import uuid

from emulator.gateway.request import new_request_ids, new_trace_id
from emulator.lambdas.context import LambdaContext
from emulator.request_ids import random_bits, random_uuid4


def test_formats() -> None:
    http_id, extended = new_request_ids("HTTP")
    assert http_id == extended and len(http_id) == 16 and http_id.endswith("=")
    rest_id, short = new_request_ids("REST")
    parsed = uuid.UUID(rest_id)
    assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122) and len(short) == 16
    assert re.fullmatch(r"Root=1-5e6a8a4e-[0-9a-f]{24}", new_trace_id(0x5E6A8A4E))
    assert uuid.UUID(LambdaContext("f", 1).aws_request_id).version == 4
    assert 0 <= random_bits(8) < 256


def test_unique_even_when_the_random_module_is_reseeded() -> None:
    seen = set()
    for _ in range(200):
        random.seed(7)  # what a test suite may do before each test
        seen.add(str(random_uuid4()))
        seen.add(new_request_ids("HTTP")[0])
    assert len(seen) == 400


def test_a_forked_worker_draws_its_own_ids() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.write(write, new_trace_id(0).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode()
    os.close(read)
    os.close(write)
    assert child != new_trace_id(0)
