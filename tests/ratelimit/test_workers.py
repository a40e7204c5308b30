"""`python -m app serve --workers 2` on Redis: one merchant's budget is shared by both workers.

Requests go out on fresh connections from several threads, so the kernel hands them to both workers
(checked through each worker's own metric file); exactly `LIMIT` are admitted whichever worker answers.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict

from app.migrations import migrate_sync
from app.runtime import Services
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.graphql.conftest import issue_token
from tests.ratelimit.conftest import redis_url
from tests.server.conftest import ServeProcess

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[2]
LIMIT = 30
REQUESTS = 90
THREADS = 6


async def _merchant_token(database_url: str) -> str:
    services = Services.from_settings(Settings(database_url=database_url, secret_key=TEST_SECRET_KEY))
    try:
        merchant = await services.merchants.create_merchant(name="Shared budget")
        return await issue_token(services, merchant)
    finally:
        await services.close()


@pytest.fixture
def server(tmp_path: Path, redis_prefix: str) -> Iterator[tuple[ServeProcess, Path]]:
    """Two workers on a fresh SQLite file, counting in Redis; and their metric files' directory."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'served.db'}"
    migrate_sync(database_url)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        **os.environ,
        # The code under test, whichever checkout the virtualenv's editable install points at.
        "PYTHONPATH": str(REPOSITORY),
        "GATEWAY_SECRET_KEY": str(TEST_SECRET_KEY),
        "GATEWAY_REDIS_URL": redis_url(),
        "GATEWAY_REDIS_KEY_PREFIX": redis_prefix,
        "GATEWAY_RATE_LIMIT_REST_REQUESTS": str(LIMIT),
        # Long enough that the window cannot end during the test.
        "GATEWAY_RATE_LIMIT_WINDOW_SECONDS": "3600",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    served = ServeProcess(database_url, tmp_path, "--workers", "2", "--no-access-log", env=env)
    try:
        served.wait_ready(path="/readyz")
        yield served, metrics_dir
    finally:
        served.close()


def _requests_served_per_worker(metrics_dir: Path) -> dict[str, dict[str, float]]:
    """Worker pid -> status -> requests to /v2/customers, from each worker's counter file."""
    served: dict[str, dict[str, float]] = {}
    for path in metrics_dir.glob("counter_*.db"):
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            _, sample, labels, _ = json.loads(key)
            if sample == "gateway_http_requests_total" and labels.get("route") == "/v2/customers":
                statuses = served.setdefault(path.stem.rsplit("_", 1)[1], {})
                statuses[labels["status"]] = statuses.get(labels["status"], 0) + value
    return served


def test_two_workers_on_redis_admit_exactly_the_budget(server: tuple[ServeProcess, Path]) -> None:
    served, metrics_dir = server
    database_url = served.process.args[served.process.args.index("--database-url") + 1]
    headers = {"Authorization": f"Bearer {asyncio.run(_merchant_token(database_url))}", "Connection": "close"}

    def one(_: int) -> tuple[int, str | None]:
        # A client per request: a new connection each time, for either worker to accept.
        response = httpx.get(f"{served.base_url}/v2/customers?limit=1", headers=headers, timeout=30)
        return response.status_code, response.headers.get("retry-after")

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(one, range(REQUESTS)))

    statuses = [status for status, _ in answers]
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == REQUESTS - LIMIT
    refusals = [retry_after for status, retry_after in answers if status == 429]
    assert all(retry_after is not None and int(retry_after) > 0 for retry_after in refusals)
    per_worker = _requests_served_per_worker(metrics_dir)
    assert len(per_worker) == 2, per_worker  # both workers answered some
    assert all(statuses.get("429", 0) + statuses.get("200", 0) > 0 for statuses in per_worker.values())
    assert sum(sum(statuses.values()) for statuses in per_worker.values()) == REQUESTS
