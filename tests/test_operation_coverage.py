"""Every operation of botocore's current cognito-idp model is either served (`app.operation_table()`) or
declared not emulated with a reason (`not_emulated.NOT_EMULATED`): a new botocore release with a new
operation fails here until someone decides which it is. A declared operation answers with AWS's shape and
its reason, through boto3."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from emulator.cognito.app import operation_table
from emulator.cognito.not_emulated import NOT_EMULATED
from tests.conftest import refused

README = Path(__file__).resolve().parent.parent / "README.md"


def model_operations() -> list[str]:
    return list(botocore.session.get_session().get_service_model("cognito-idp").operation_names)


def coverage() -> tuple[int, int, int]:
    """(implemented, declared not emulated, total) over the model's operations."""
    operations = model_operations()
    implemented = operation_table()
    return (sum(op in implemented for op in operations), sum(op in NOT_EMULATED for op in operations),
            len(operations))


def test_every_model_operation_is_implemented_or_declared() -> None:
    implemented = operation_table()
    missing = [op for op in model_operations() if op not in implemented and op not in NOT_EMULATED]
    assert not missing, ("operations of botocore's cognito-idp model that are neither implemented nor in "
                         f"emulator/cognito/not_emulated.py NOT_EMULATED (with a reason): {missing}")
    done, declared, total = coverage()
    print(f"\ncognito-idp operation coverage: {done} implemented / {declared} declared not emulated / {total} "
          "in botocore's model")


def test_no_operation_is_both_implemented_and_declared() -> None:
    both = sorted(set(operation_table()) & set(NOT_EMULATED))
    assert not both, f"implemented now, so remove from NOT_EMULATED: {both}"


def test_declared_operations_are_model_operations_with_a_reason() -> None:
    operations = set(model_operations())
    assert not [op for op in NOT_EMULATED if op not in operations], "NOT_EMULATED names an operation not in the model"
    assert all(reason.strip() for reason in NOT_EMULATED.values())


def test_readme_states_the_current_counts() -> None:
    done, declared, total = coverage()
    found = re.search(r"(\d+) implemented / (\d+) declared not emulated / (\d+) in botocore", README.read_text())
    assert found, "README.md should state the operation coverage"
    assert tuple(int(n) for n in found.groups()) == (done, declared, total), \
        f"update README.md: {done} implemented / {declared} declared not emulated / {total} in botocore's model"


@pytest.mark.e2e
def test_a_declared_operation_answers_with_aws_shape_and_its_reason(idp: Any) -> None:
    code, message, reason = refused(lambda: idp.list_user_pool_replicas(UserPoolId="us-east-1_Example01"))
    assert (code, message) == ("UnknownOperationException", "")
    assert reason == f"ListUserPoolReplicas: {NOT_EMULATED['ListUserPoolReplicas']}"
