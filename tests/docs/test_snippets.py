"""What the documents show without a server: GraphQL documents valid against the schema, JSON that
parses, paths that exist in the tree, links and anchors that lead somewhere, settings that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from tests.docs.markdown_blocks import DOCUMENTS, REPOSITORY, Block, all_blocks

_PATH = re.compile(r"`((?:app|tests|scripts|docs)/[\w./-]*|schema\.graphql|pyproject\.toml)`")
_LINK = re.compile(r"\]\((?!https?://|mailto:)([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)
_SETTING = re.compile(r"\bGATEWAY_[A-Z0-9_]*[A-Z0-9]\b")


def _blocks(language: str) -> list[Block]:
    return [block for block in all_blocks() if block.language == language]


def _documents_text() -> dict[Path, str]:
    return {document: document.read_text() for document in DOCUMENTS}


@pytest.mark.parametrize("block", _blocks("graphql"), ids=lambda block: block.where)
def test_graphql_examples_are_valid_against_the_schema(block: Block) -> None:
    schema = build_schema((REPOSITORY / "schema.graphql").read_text())
    errors = validate(schema, parse(block.text))
    assert errors == [], f"{block.where}: {[error.message for error in errors]}"


@pytest.mark.parametrize("block", _blocks("json"), ids=lambda block: block.where)
def test_json_examples_parse(block: Block) -> None:
    json.loads(block.text)


def test_every_path_named_exists() -> None:
    missing = [
        f"{document.relative_to(REPOSITORY)}: {path}"
        for document, text in _documents_text().items()
        for path in _PATH.findall(text)
        if not (REPOSITORY / path).exists()
    ]
    assert missing == []


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    plain = heading.replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", plain).replace(" ", "-")


def test_every_link_and_anchor_leads_somewhere() -> None:
    broken = []
    for document, text in _documents_text().items():
        for target in _LINK.findall(text):
            path, _, anchor = target.partition("#")
            linked = (document.parent / path).resolve() if path else document
            if not linked.exists():
                broken.append(f"{document.relative_to(REPOSITORY)}: {target}")
            elif anchor and anchor not in {_anchor(h) for h in _HEADING.findall(linked.read_text())}:
                broken.append(f"{document.relative_to(REPOSITORY)}: {target} (no such heading)")
    assert broken == []


def test_every_setting_named_is_read_by_the_code() -> None:
    sources = "\n".join(
        path.read_text()
        for folder in ("app", "tests", "scripts")
        for path in (REPOSITORY / folder).rglob("*.py")
    )
    read = set(_SETTING.findall(sources))
    named = {name for text in _documents_text().values() for name in _SETTING.findall(text)}
    # `GATEWAY_GRAPHQL_MAX_*` is written as a family; its members are named one by one elsewhere.
    assert sorted(named - read) == []


def test_every_document_is_checked() -> None:
    """A document left out of DOCUMENTS would have its examples neither run nor validated."""
    assert set((REPOSITORY / "docs").glob("*.md")) <= set(DOCUMENTS)
