"""Concurrent requests against a file-backed store: nothing lost, nothing corrupted."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from emulator.cognito.lookup import secret_hash
from emulator.testing import running_emulator
from tests.conftest import bundled_config, cognito_client

pytestmark = pytest.mark.e2e

HASH = secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")


def test_parallel_sign_ins_refreshes_and_sign_outs_keep_the_store_consistent(tmp_path: Path) -> None:
    with running_emulator(bundled_config(), state_dir=tmp_path) as server:
        def sign_in_and_refresh(i: int) -> tuple[str, str]:
            idp = cognito_client(server.url)
            auth = idp.initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
                "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya", "SECRET_HASH": HASH})
            tokens = auth["AuthenticationResult"]
            again = idp.initiate_auth(ClientId="piyopiyo", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
                "REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": HASH})
            assert again["AuthenticationResult"]["AccessToken"]
            return tokens["RefreshToken"], tokens["AccessToken"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(sign_in_and_refresh, range(48)))
        assert len({refresh for refresh, _ in results}) == 48
        refresh_records = server.runtime.store.items("refresh", "us-east-1_Example01")
        assert len(refresh_records) == 48 and not any(data["revoked"] for _, _, data in refresh_records)

        idp = cognito_client(server.url)
        idp.global_sign_out(AccessToken=results[0][1])
        refresh_records = server.runtime.store.items("refresh", "us-east-1_Example01")
        assert all(data["revoked"] for _, _, data in refresh_records)

    # Everything above was written through to disk: a new process-equivalent sees it.
    with running_emulator(bundled_config(), state_dir=tmp_path) as server:
        assert len(server.runtime.store.items("refresh", "us-east-1_Example01")) == 48
