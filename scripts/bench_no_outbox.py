"""The gateway as it was before the outbox, for `scripts/bench --events` only: `serve`'s app with event
recording replaced by nothing, served by uvicorn like the product. Usage: bench_no_outbox.py PORT."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402

from app.events import repository  # noqa: E402
from app.main import create_app  # noqa: E402


async def _record_nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


repository.record = _record_nothing  # type: ignore[assignment]

if __name__ == "__main__":
    uvicorn.run(create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
