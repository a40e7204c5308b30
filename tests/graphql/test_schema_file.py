"""schema.graphql at the repo root is what `python -m app export-schema` prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.parser import main

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_file_matches_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-schema"]) == 0

    exported = capsys.readouterr().out

    assert exported == SCHEMA_FILE.read_text(), (
        "schema.graphql is out of date: run `.venv/bin/python -m app export-schema > schema.graphql`"
    )
