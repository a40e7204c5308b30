"""Metrics across worker processes: the PROMETHEUS_MULTIPROC_DIR that `serve --workers N` sets up.

prometheus-client decides at import time whether values live in memory or in files under that
directory, so it must be set before any worker imports the app; `serve` does it in the supervising
process, which never imports prometheus-client itself (nor does this module). The directory must start
empty: files left by an earlier run would be added to this run's counters.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def worker_metrics_directory(workers: int) -> Iterator[str | None]:
    """For the duration of `serve`: a clean multiprocess directory when there are several workers.

    A directory the operator chose (PROMETHEUS_MULTIPROC_DIR already set) is emptied of metric files
    and kept; otherwise a temporary one is created and removed at exit. One worker needs none.
    """
    chosen = os.environ.get(MULTIPROC_ENV)
    if chosen:
        path = Path(chosen)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
        yield str(path)
        return
    if workers <= 1:
        yield None
        return
    created = tempfile.mkdtemp(prefix="customers-gateway-metrics-")
    os.environ[MULTIPROC_ENV] = created
    try:
        yield created
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(created, ignore_errors=True)
