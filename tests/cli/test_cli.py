"""The command line, run as a user would (a subprocess per command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The checkout under test, ahead of whatever `app` the virtualenv's editable install points at.
REPOSITORY = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_migrate_then_create_merchant_prints_one_json_object(tmp_path: Path, db_url: str) -> None:
    assert run("migrate", "--database-url", db_url, cwd=tmp_path).returncode == 0
    result = run("merchants", "create", "--name", "Acme", "--database-url", db_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert set(created) == {"id", "name", "authenticity_token", "merchant_key"}
    assert created["name"] == "Acme" and len(created["authenticity_token"]) == 40


def test_create_merchant_keeps_explicit_credentials_and_refuses_a_taken_token(
    tmp_path: Path, db_url: str
) -> None:
    args = [
        "merchants",
        "create",
        "--name",
        "Old",
        "--authenticity-token",
        "abc123",
        "--merchant-key",
        "secret",
    ]
    first = run(*args, "--database-url", db_url, cwd=tmp_path)
    assert json.loads(first.stdout)["merchant_key"] == "secret"
    second = run(*args, "--database-url", db_url, cwd=tmp_path)
    assert second.returncode != 0
    assert "already used" in second.stderr


def test_demo_creates_the_merchant_once_and_prints_a_header(tmp_path: Path, db_url: str) -> None:
    first = run("demo", "--database-url", db_url, cwd=tmp_path)
    second = run("demo", "--database-url", db_url, cwd=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    saved = json.loads((tmp_path / "data" / "demo-merchant.json").read_text())
    assert saved["authenticity_token"] in first.stdout and saved["authenticity_token"] in second.stdout
    assert "Authorization: Bearer " in second.stdout
    token = second.stdout.split("Authorization: Bearer ", 1)[1].split()[0]
    assert f"/graphql#token={token}" in second.stdout  # the link that opens GraphiQL signed in


def test_export_schema_prints_sdl(tmp_path: Path) -> None:
    result = run("export-schema", cwd=tmp_path)
    assert result.returncode == 0
    assert "type Query" in result.stdout


def test_seed_reports_rows_per_second(tmp_path: Path, db_url: str) -> None:
    created = json.loads(
        run("merchants", "create", "--name", "Bench", "--database-url", db_url, cwd=tmp_path).stdout
    )
    result = run(
        "seed",
        "--customers",
        "500",
        "--merchant",
        created["authenticity_token"],
        "--database-url",
        db_url,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["customers"] == 500 and report["payment_methods"] == 50
    assert report["customers_per_second"] > 0
    assert "500/500 customers" in result.stderr


def test_seed_refuses_an_unknown_merchant(tmp_path: Path, db_url: str) -> None:
    result = run("seed", "--customers", "5", "--merchant", "nobody", "--database-url", db_url, cwd=tmp_path)
    assert result.returncode != 0 and "no merchant" in result.stderr


def test_events_sweep_deletes_only_events_past_retention(tmp_path: Path, db_url: str) -> None:
    import sqlite3

    merchant = json.loads(
        run("merchants", "create", "--name", "Old", "--database-url", db_url, cwd=tmp_path).stdout
    )
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        for public_id, created_at in (
            ("evt_old", "2020-01-01 00:00:00.000000"),
            ("evt_new", "2999-01-01 00:00:00"),
        ):
            connection.execute(
                "INSERT INTO events (public_id, merchant_id, type, customer_uuid, data, created_at) "
                "VALUES (?, ?, 'customer.created', 'u', '{}', ?)",
                (public_id, merchant["id"], created_at),
            )

    result = run("events", "sweep", "--database-url", db_url, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"deleted_events": 1}
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        assert [row[0] for row in connection.execute("SELECT public_id FROM events")] == ["evt_new"]
