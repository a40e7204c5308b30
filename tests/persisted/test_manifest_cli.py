"""`python -m app persisted-manifest`, and `serve` refusing a manifest it could not serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.persisted.manifest import load_manifest
from app.persisted.rules import sha256_hex
from tests.server.conftest import free_port

REPOSITORY = Path(__file__).resolve().parents[2]


def run_app(*arguments: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m app ...` of this checkout, run in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "app", *arguments],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_writes_an_apollo_manifest_the_server_loads(tmp_path: Path) -> None:
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "count.graphql").write_text("query Count { customers(first: 5) { totalCount } }")
    output = tmp_path / "manifest.json"

    written = run_app("persisted-manifest", str(sources), "-o", str(output), cwd=tmp_path)
    printed = run_app("persisted-manifest", str(sources), cwd=tmp_path)

    assert written.returncode == 0, written.stderr
    assert "wrote 1 operations" in written.stdout
    data = json.loads(output.read_text())
    assert data == json.loads(printed.stdout)
    assert data["format"] == "apollo-persisted-query-manifest" and data["version"] == 1
    (operation,) = data["operations"]
    assert operation["name"] == "Count" and operation["type"] == "query"
    assert operation["id"] == sha256_hex(operation["body"])
    assert len(load_manifest(output)) == 1


def test_the_command_refuses_documents_the_schema_does_not_allow(tmp_path: Path) -> None:
    (tmp_path / "bad.graphql").write_text("query Bad { customers { nope } }")

    result = run_app("persisted-manifest", str(tmp_path), cwd=tmp_path)

    assert result.returncode != 0
    assert "trusted document Bad" in result.stderr and "nope" in result.stderr
    assert result.stdout == ""


def test_serve_stops_before_starting_on_an_invalid_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    body = "query Broken { nope }"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": "broken", "name": "Broken", "type": "query", "body": body}],
            }
        )
    )

    result = run_app(
        "serve",
        "--port",
        str(free_port()),
        "--database-url",
        f"sqlite:///{tmp_path / 'db.sqlite'}",
        cwd=tmp_path,
        GATEWAY_GRAPHQL_PERSISTED_DOCUMENTS=str(manifest),
    )

    assert result.returncode != 0
    assert "trusted document Broken" in result.stderr
    assert not (tmp_path / "db.sqlite").exists()  # refused before migrating
