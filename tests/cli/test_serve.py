"""`python -m app serve --workers 2` as an operator runs it, on both databases: concurrent requests all
succeed, `/metrics` adds up both workers, logs are JSON lines with request ids, and the multiprocess
metrics directory is cleaned at start (an operator's) or created and removed (the default)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.client.api import GatewayClient
from app.migrations import migrate_sync
from tests.conftest import BACKENDS, TEST_SECRET_KEY, _postgres_database
from tests.observability.helpers import sample_value
from tests.server.conftest import ServeProcess

pytestmark = pytest.mark.slow

SERVER_KEY = str(TEST_SECRET_KEY)  # the key of every test: serve re-encrypts all merchants' keys at start
THREADS = 8
REQUESTS_PER_THREAD = 10


@pytest.fixture(params=BACKENDS)
def own_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of this test's own: `serve` re-encrypts every merchant key at start, and the
    shared test database holds merchants that other tests sealed with other server keys."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'served.db'}"
        migrate_sync(url)
        yield url
    else:
        yield from _postgres_database(f"gateway_serve_{os.getpid()}_{uuid.uuid4().hex[:8]}")


def _environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    return {**env, "GATEWAY_SECRET_KEY": SERVER_KEY, **extra}


def _create_merchant(database_url: str, cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "merchants",
            "create",
            "--name",
            "Served",
            "--database-url",
            database_url,
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(result.stdout))


def start_server(database_url: str, cwd: Path, env: dict[str, str], *extra: str) -> ServeProcess:
    """`serve --workers 2`, ready once `/readyz` answers 200."""
    server = ServeProcess(database_url, cwd, "--workers", "2", *extra, env=env)
    try:
        server.wait_ready(path="/readyz")
    except BaseException:
        server.close()
        raise
    return server


def stop(server: ServeProcess) -> int:
    """Stop the server as Ctrl-C would; its exit code."""
    if server.process.poll() is None:
        server.signal(signal.SIGINT)
    return server.wait(30)


def _hammer(base_url: str, merchant: dict[str, Any]) -> list[str]:
    """THREADS threads, each creating and reading back REQUESTS_PER_THREAD customers at once."""

    def work(thread: int) -> list[str]:
        with GatewayClient.signed(
            base_url, authenticity_token=merchant["authenticity_token"], merchant_key=merchant["merchant_key"]
        ) as gateway:
            made = []
            for index in range(REQUESTS_PER_THREAD):
                customer = gateway.create_customer(name=f"w{thread}-{index}")
                assert gateway.get_customer(customer.uuid) == customer
                made.append(customer.uuid)
            return made

    with ThreadPoolExecutor(THREADS) as pool:
        return [uuid for made in pool.map(work, range(THREADS)) for uuid in made]


def test_two_workers_serve_concurrent_requests_and_add_up_their_metrics(
    own_database_url: str, tmp_path: Path
) -> None:
    database_url = own_database_url
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    stale = metrics_dir / "counter_999999.db"
    stale.write_bytes(b"left over from an earlier run")
    env = _environment(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    merchant = _create_merchant(database_url, tmp_path, env)
    server = start_server(database_url, tmp_path, env, "--log-format", "json")
    try:
        made = _hammer(server.base_url, merchant)
        metrics = httpx.get(f"{server.base_url}/metrics", timeout=10).text
        workers = {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("gauge_livesum_*.db")}
    finally:
        exit_code = stop(server)

    assert len(set(made)) == THREADS * REQUESTS_PER_THREAD
    assert not stale.exists()
    assert len(workers) == 2, workers
    total = THREADS * REQUESTS_PER_THREAD
    counted = sample_value(metrics, "gateway_http_requests_total", route="/v2/customers", status="200")
    fetched = sample_value(metrics, "gateway_http_requests_total", route="/v2/customers/{uuid}", status="200")
    assert (counted, fetched) == (total, total)
    assert exit_code == 0
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [entry for entry in entries if entry["logger"] == "app.access"]
    assert len(access) == 2 * total
    assert all(len(entry["request_id"]) == 32 and entry["status"] == 200 for entry in access)
    assert merchant["merchant_key"] not in server.log.read_text()


def test_default_metrics_directory_is_temporary(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = _environment(TMPDIR=str(scratch))
    merchant = _create_merchant(database_url, tmp_path, env)
    server = start_server(database_url, tmp_path, env)
    try:
        during = [path.name for path in scratch.iterdir()]
        _hammer(server.base_url, merchant)
    finally:
        exit_code = stop(server)

    assert exit_code == 0
    assert any(name.startswith("customers-gateway-metrics-") for name in during), during
    assert not any(path.name.startswith("customers-gateway-metrics-") for path in scratch.iterdir())
    assert '"GET /v2/customers/' in server.log.read_text()  # the human-readable access log
