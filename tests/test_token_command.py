"""`cognito-emulator token`: a token from the command line, by the password flow or a real SRP proof."""

from __future__ import annotations

import subprocess
import sys

import jwt
import pytest

from emulator.server import EmulatorServer
from emulator.token_command import SignInFailed, choose_flow, main

pytestmark = [pytest.mark.e2e, pytest.mark.cli]


def token(server: EmulatorServer, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--endpoint", server.url, *args])
    out, err = capsys.readouterr()
    return code, out.strip(), err


def test_password_client_gets_an_id_token_with_the_secret_hash_computed(server: EmulatorServer,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = token(server, capsys, "--client-id", "piyopiyo", "--username", "peroper@hoge.com",
                         "--password", "munyamunya")
    assert code == 0 and jwt.decode(out, options={"verify_signature": False})["aud"] == "piyopiyo"


def test_hosted_ui_client_signs_in_with_a_real_srp_proof(server: EmulatorServer,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = token(server, capsys, "--client-id", "managedlogin01", "--username", "peroper@hoge.com",
                         "--password", "munyamunya", "--print", "access")
    claims = jwt.decode(out, options={"verify_signature": False})
    assert code == 0 and claims["client_id"] == "managedlogin01" and claims["token_use"] == "access"


def test_wrong_password_prints_awss_error_and_the_reason(server: EmulatorServer,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = token(server, capsys, "--client-id", "managedlogin01", "--username", "peroper@hoge.com",
                           "--password", "wrong")
    assert code == 1 and not out
    assert "NotAuthorizedException: Incorrect username or password." in err and "why: SRP proof refused" in err


def test_new_password_required_is_answered_on_request(server: EmulatorServer,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = token(server, capsys, "--client-id", "piyopiyo", "--username", "newbie@hoge.com",
                         "--password", "Temp-Passw0rd!")
    assert code == 1 and "--new-password" in err
    code, out, _ = token(server, capsys, "--client-id", "piyopiyo", "--username", "newbie@hoge.com",
                         "--password", "Temp-Passw0rd!", "--new-password", "Brand-New-Passw0rd!", "--print", "all")
    assert code == 0 and '"RefreshToken"' in out


def test_unknown_client_is_named(server: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = token(server, capsys, "--client-id", "nosuch", "--username", "u", "--password", "p")
    assert code == 1 and "no pool of this emulator has an app client 'nosuch'" in err


@pytest.mark.parametrize(("flows", "wanted", "expected"), [
    (["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "auto", "USER_PASSWORD_AUTH"),
    (["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "auto", "USER_SRP_AUTH"),
    (["USER_PASSWORD_AUTH"], "srp", "USER_SRP_AUTH"),
    (["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "password", "USER_PASSWORD_AUTH"),
])
def test_flow_choice(flows: list[str], wanted: str, expected: str) -> None:
    assert choose_flow(flows, wanted) == expected


def test_no_usable_flow_is_explained() -> None:
    with pytest.raises(SignInFailed):
        choose_flow(["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "auto")


def test_the_console_script_path(server: EmulatorServer) -> None:
    result = subprocess.run([sys.executable, "-m", "emulator", "token", "--endpoint", server.url, "--client-id",
                             "piyopiyo", "--username", "peroper@hoge.com", "--password", "munyamunya"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.count(".") == 2
