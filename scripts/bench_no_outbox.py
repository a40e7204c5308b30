"""The gateway as it was before the outbox, for `scripts/bench --events` only: `python -m app serve` exactly
as the product runs it (one worker, in this process), with event recording replaced by nothing.
Usage: bench_no_outbox.py SERVE-ARGUMENTS..."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cli.parser import main  # noqa: E402
from app.events import repository  # noqa: E402


async def _record_nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


repository.record = _record_nothing  # type: ignore[assignment]

if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
