"""docs/operations.md's settings table is the configuration: one row per variable `app/settings.py`
reads, with its default, and every `serve` flag."""

from __future__ import annotations

import argparse
import re

import pytest

from app.cli.parser import build_parser
from app.settings import load_settings
from tests.docs.markdown_blocks import REPOSITORY

OPERATIONS = REPOSITORY / "docs" / "operations.md"
_NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")
_FLAG = re.compile(r"`(--[a-z-]+)`")
_VALUE = re.compile(r"^`([^`]*)`$")
# Read elsewhere than app/settings.py, and documented in the same table.
READ_ELSEWHERE = {"PROMETHEUS_MULTIPROC_DIR": REPOSITORY / "app" / "observability" / "multiprocess.py"}


def _rows() -> list[list[str]]:
    """The cells of the table under `## Configuration`, header and rule left out."""
    section = OPERATIONS.read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table[2:]]


def _documented_variables() -> list[str]:
    return [name for row in _rows() for name in _NAME.findall(row[0])]


def _variables_read_by_settings() -> set[str]:
    source = (REPOSITORY / "app" / "settings.py").read_text()
    return set(re.findall(r'"((?:GATEWAY_[A-Z0-9_]+)|DATABASE_URL)"', source))


def test_the_table_names_every_variable_settings_reads_and_no_other() -> None:
    documented = _documented_variables()
    assert len(documented) == len(set(documented)), "a variable has two rows"
    assert set(documented) - set(READ_ELSEWHERE) == _variables_read_by_settings()


def test_variables_read_elsewhere_are_still_read() -> None:
    for name, module in READ_ELSEWHERE.items():
        assert name in module.read_text(), f"{name} is no longer read by {module}"


@pytest.mark.parametrize("row", [row for row in _rows() if _NAME.findall(row[0])], ids=lambda row: row[0])
def test_documented_defaults_are_the_defaults(row: list[str]) -> None:
    defaults = load_settings({})
    for name in _NAME.findall(row[0]):
        field = name.removeprefix("GATEWAY_").lower()
        written = _VALUE.match(row[2])
        if hasattr(defaults, field) and written is not None:
            assert str(getattr(defaults, field)) == written[1], name


def test_the_defaults_check_reaches_most_rows() -> None:
    defaults = load_settings({})
    checked = [
        row
        for row in _rows()
        for name in _NAME.findall(row[0])
        if hasattr(defaults, name.removeprefix("GATEWAY_").lower()) and _VALUE.match(row[2])
    ]
    assert len(checked) >= 15


def test_the_table_lists_every_serve_flag_and_no_other() -> None:
    serve = next(
        action.choices["serve"]
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    flags = {flag for action in serve._actions for flag in action.option_strings if flag.startswith("--")}
    documented = {flag for row in _rows() for flag in _FLAG.findall(row[1])}
    assert documented == flags - {"--help"}
