"""`serve` on a port that is already taken fails at once, in one line that names `--port`: before it
migrates, creates the demo merchant or mints a token."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.serve_preflight import listen_problem
from tests.cli.serve_checkout import make_checkout, run_serve_script, user_environment
from tests.server.conftest import free_port


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port some other server is listening on."""
    with socket.socket() as other_server:
        other_server.bind(("127.0.0.1", 0))
        other_server.listen()
        yield int(other_server.getsockname()[1])


def test_a_busy_port_is_reported_with_the_flag_to_change_it(busy_port: int) -> None:
    problem = listen_problem("127.0.0.1", busy_port)
    assert problem is not None
    assert f"port {busy_port} on 127.0.0.1 is busy" in problem
    assert f"--port {busy_port + 1}" in problem


def test_a_free_port_is_no_problem() -> None:
    assert listen_problem("127.0.0.1", free_port()) is None


def test_an_address_the_machine_does_not_have_is_reported() -> None:
    problem = listen_problem("192.0.2.1", free_port())  # TEST-NET-1: never a local address
    assert problem is not None and "cannot listen on 192.0.2.1" in problem


def test_serve_command_fails_before_migrating(busy_port: int, tmp_path: Path) -> None:
    database = tmp_path / "never.db"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "serve",
            "--port",
            str(busy_port),
            "--database-url",
            f"sqlite:///{database}",
        ],
        cwd=tmp_path,
        env=user_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [listen_problem("127.0.0.1", busy_port)]
    assert not database.exists()


def test_serve_script_prints_one_line_and_no_banner(busy_port: int, tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    result = run_serve_script(checkout, "--port", str(busy_port))
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [listen_problem("127.0.0.1", busy_port)]
    assert not (checkout / "data").exists()  # no migration, no demo merchant, no token


def test_serve_script_refuses_bad_arguments_before_the_banner(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    result = run_serve_script(checkout, "--port", "eighty")
    assert result.returncode != 0
    assert "--port: invalid int value" in result.stderr
    assert "Demo merchant" not in result.stdout + result.stderr
    assert not (checkout / "data").exists()
