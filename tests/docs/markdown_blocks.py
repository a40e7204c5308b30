"""The fenced code blocks of README.md and docs/*.md, in reading order, with their run markers.

A block is run by tests/docs/test_examples.py unless the line before it says why not:
`<!-- not-run: reason -->`. `<!-- shows-errors: reason -->` marks a block whose answers are refusals
on purpose: it must still succeed as a command, and must show an error body.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
# Reading order: the README first (it defines the variables), then the documents it links to.
DOCUMENTS = [
    REPOSITORY / "README.md",
    *(
        REPOSITORY / "docs" / name
        for name in (
            "rest.md",
            "graphql.md",
            "client.md",
            "operations.md",
            "security.md",
            "performance.md",
            "architecture.md",
            "events.md",
            "webhooks.md",
            "subscriptions.md",
        )
    ),
]
SHELL_LANGUAGES = {"sh", "bash"}
_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<language>[\w-]*)\s*$")
_MARKER = re.compile(r"^<!--\s*(?P<kind>not-run|shows-errors):\s*(?P<reason>\S.*?)\s*-->$")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its text and its marker (if any)."""

    document: Path
    line: int
    language: str
    text: str
    marker: str | None = None
    reason: str | None = None

    @property
    def where(self) -> str:
        """`docs/rest.md:42`, for failure messages."""
        return f"{self.document.relative_to(REPOSITORY)}:{self.line}"


def blocks_of(document: Path) -> list[Block]:
    """Every fenced block of one Markdown document, in order."""
    lines = document.read_text().splitlines()
    found = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        start = index
        index += 1
        body = []
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index])
            index += 1
        previous = next((line.strip() for line in reversed(lines[:start]) if line.strip()), "")
        marker = _MARKER.match(previous)
        found.append(
            Block(
                document=document,
                line=start + 1,
                language=opening["language"],
                text=textwrap.dedent("\n".join(body)) + "\n",
                marker=marker["kind"] if marker else None,
                reason=marker["reason"] if marker else None,
            )
        )
        index += 1
    return found


def all_blocks() -> list[Block]:
    """The blocks of every document, in reading order."""
    return [block for document in DOCUMENTS for block in blocks_of(document)]
