"""Every shell and Python example of README.md and docs/*.md runs as written, in reading order,
against a fresh `scripts/serve` (in a temporary copy of the repository's entry points, so `./data/`
is its own). A block fails on a non-zero exit or when it prints an error body."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.serve_checkout import ServeScript, make_checkout, user_environment
from tests.docs.markdown_blocks import SHELL_LANGUAGES, Block, all_blocks

pytestmark = pytest.mark.slow

# So a block that silently stops being run (a marker added, a fence renamed) cannot go unnoticed.
MINIMUM_BLOCKS_RUN = 18
MAXIMUM_BLOCKS_NOT_RUN = 4
# A REST refusal (`"status":"invalid-request"` or `"error"`) or a GraphQL top-level `errors` list.
ERROR_BODY = re.compile(r'"status"\s*:\s*"(invalid-request|error)"|"errors"\s*:')

# Runs one block in bash with the variables the blocks before it defined (kept in a state file, since
# every block is its own process), then saves the variables it defines for the next ones.
_SHELL_RUNNER = """\
__baseline=" $(compgen -v | tr '\\n' ' ') "
if [ -f "$EXAMPLE_STATE" ]; then source "$EXAMPLE_STATE"; fi
set -euo pipefail
source "$EXAMPLE_BLOCK"
set +u
for __name in $(compgen -v); do
  case "$__name" in __*) continue ;; esac
  case "$__baseline" in *" $__name "*) ;; *) declare -p "$__name" ;; esac
done > "$EXAMPLE_STATE.next"
mv "$EXAMPLE_STATE.next" "$EXAMPLE_STATE"
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeScript]:
    """A fresh `scripts/serve` on a free port, in its own checkout."""
    checkout = make_checkout(tmp_path_factory.mktemp("checkout"))
    served = ServeScript(checkout)
    try:
        served.wait_ready(path="/readyz")
        yield served
    finally:
        if served.process.poll() is None:
            served.signal(signal.SIGINT)
        try:
            served.wait(30)
        finally:
            served.close()


def _run(block: Block, index: int, checkout: Path, env: dict[str, str]) -> str:
    """Run one block; its output, or the test fails with the block's place and output."""
    if block.language in SHELL_LANGUAGES:
        script = checkout / f"example-{index}.sh"
        script.write_text(block.text)
        runs = [["bash", "-c", _SHELL_RUNNER]]
        env = {**env, "EXAMPLE_BLOCK": str(script), "EXAMPLE_STATE": str(checkout / "example-state.sh")}
    else:
        script = checkout / f"example-{index}.py"
        script.write_text(block.text)
        # Twice in a row: a script run again at once must not trip over what its first run did.
        runs = [[sys.executable, str(script)]] * 2
    output = ""
    for command in runs:
        result = subprocess.run(
            command, cwd=checkout, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        shown = (
            f"{block.where} ({block.language}):\n{block.text}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
        assert result.returncode == 0, f"exit {result.returncode} in {shown}"
        output += result.stdout
    if block.marker == "shows-errors":
        assert ERROR_BODY.search(output), f"expected an error body from {shown}"
    else:
        assert not ERROR_BODY.search(output), f"error body from {shown}"
    return output


def test_every_example_runs_against_a_fresh_server(server: ServeScript) -> None:
    checkout = server.log.parent
    env = user_environment(BASE=server.base_url)
    blocks = [block for block in all_blocks() if block.language in SHELL_LANGUAGES | {"python"}]
    not_run = [block for block in blocks if block.marker == "not-run"]
    ran = 0
    for index, block in enumerate(blocks):
        if block.marker != "not-run":
            _run(block, index, checkout, env)
            ran += 1
    assert ran >= MINIMUM_BLOCKS_RUN, ran
    assert len(not_run) <= MAXIMUM_BLOCKS_NOT_RUN, [block.where for block in not_run]


def test_every_block_says_what_it_is() -> None:
    # An untagged fence would escape both the runner and the checks of tests/docs/test_snippets.py.
    untagged = [block.where for block in all_blocks() if not block.language]
    assert untagged == []
