"""The real clients frontends use, against the real schema: relay-compiler compiles a fixture app (a
@refetchable Customer fragment, a @connection paged both ways), and Apollo Client's InMemoryCache
normalises customers by id against a running server.

Needs node and npm; without them these tests are skipped, unless CI is set, which makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.merchants.repository import Merchant
from app.runtime import Services
from tests.conftest import TEST_SECRET_KEY
from tests.graphql.conftest import issue_token
from tests.server.conftest import ServeProcess

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "node-relay"
FIXTURE_FILES = ("package.json", "package-lock.json", "relay.config.json", "apollo-cache.mjs", "src")


def _require_node() -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        message = f"{' and '.join(missing)} not installed: the Relay and Apollo checks cannot run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _run(arguments: list[str], cwd: Path, timeout: float, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        arguments, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def node_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of tests/node-relay with its locked packages installed (`npm ci`), using schema.graphql."""
    _require_node()
    workdir = tmp_path_factory.mktemp("node-relay")
    for name in FIXTURE_FILES:
        source = FIXTURE / name
        if source.is_dir():
            shutil.copytree(source, workdir / name, ignore=shutil.ignore_patterns("__generated__"))
        else:
            shutil.copy(source, workdir / name)
    config = json.loads((FIXTURE / "relay.config.json").read_text())
    config["schema"] = str(ROOT / "schema.graphql")
    (workdir / "relay.config.json").write_text(json.dumps(config))
    installed = _run(["npm", "ci", "--no-audit", "--no-fund"], workdir, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    yield workdir


def test_relay_compiler_compiles_the_fixture_app_against_the_schema(node_fixture: Path) -> None:
    compiled = _run(["npx", "--no-install", "relay-compiler"], node_fixture, timeout=300)

    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    generated = node_fixture / "src" / "__generated__"
    refetch = (generated / "CustomerCardRefetchQuery.graphql.js").read_text()
    connection = (generated / "CustomerList_query.graphql.js").read_text()
    assert "node(id: $id)" in refetch
    assert '"direction": "bidirectional"' in connection


async def test_apollo_cache_normalises_customers_by_id(
    node_fixture: Path, database_url: str, services: Services, merchant: Merchant, tmp_path: Path
) -> None:
    for name in ("Ada", "Grace"):
        await services.customers.create(merchant_id=merchant.id, data={"name": name})
    token = await issue_token(services, merchant)
    # This checkout's app, whichever one the shared virtualenv has installed.
    env = {**os.environ, "GATEWAY_SECRET_KEY": TEST_SECRET_KEY, "PYTHONPATH": str(ROOT)}
    server = ServeProcess(database_url, tmp_path, env=env)
    try:
        server.wait_ready()
        ran = _run(
            ["node", "apollo-cache.mjs"],
            node_fixture,
            timeout=120,
            GATEWAY_URL=server.base_url,
            GATEWAY_TOKEN=token,
        )
    finally:
        server.close()

    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout.strip().splitlines()[-1])
    assert result["before"] == ["Ada", "Grace"]
    assert result["after"] == result["again"] == ["Ada (renamed)", "Grace"]
    assert result["requests"] == 2  # the list, the mutation: no refetch
    assert sorted(result["cacheKeys"]) == sorted(f"Customer:{node_id}" for node_id in result["ids"])
