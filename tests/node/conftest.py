"""Node.js for the tests that drive real JavaScript clients: the pinned npm packages of
tests/node/package-lock.json, installed by `npm ci` once per lock file, and a real `serve` to talk to.

Without node or npm these tests are skipped, unless `CI` or `GATEWAY_REQUIRE_BROWSER=1` is set: then a
missing tool is a failure, so CI cannot pass by running none of them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.auth import Scope
from app.migrations import migrate_sync
from app.runtime import Services
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.server.conftest import ServeProcess

NODE_DIRECTORY = Path(__file__).resolve().parent
REPOSITORY = NODE_DIRECTORY.parents[1]
# Written after a successful `npm ci`: the hash of the lock file it installed.
INSTALLED_STAMP = NODE_DIRECTORY / "node_modules" / ".installed-lock-sha256"
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[0-9.]+" (?P<status>\d{3})')


def _tools_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("GATEWAY_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def node_packages() -> Path:
    """tests/node with its npm packages installed exactly as locked; returns the directory."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        message = f"{' and '.join(missing)} not found on PATH"
        if _tools_required():
            pytest.fail(f"{message}, and CI / GATEWAY_REQUIRE_BROWSER=1 requires the node tests")
        pytest.skip(message)
    lock = hashlib.sha256((NODE_DIRECTORY / "package-lock.json").read_bytes()).hexdigest()
    if not INSTALLED_STAMP.exists() or INSTALLED_STAMP.read_text().strip() != lock:
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=NODE_DIRECTORY,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"
        INSTALLED_STAMP.write_text(lock + "\n")
    return NODE_DIRECTORY


def run_node(script: str, *arguments: str) -> Any:
    """Run one of tests/node's scripts and decode the JSON it prints."""
    result = subprocess.run(
        ["node", str(NODE_DIRECTORY / script), *arguments],
        cwd=NODE_DIRECTORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout)


@dataclass
class ServedGateway:
    """A running `python -m app serve` of this checkout, and a Bearer token of one of its merchants."""

    server: ServeProcess
    token: str

    @property
    def graphql_url(self) -> str:
        """The server's /graphql URL."""
        return f"{self.server.base_url}/graphql"

    def access_log(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request the server has logged so far, in order."""
        return [
            (match["method"], match["path"], int(match["status"]))
            for match in map(ACCESS_LINE.search, self.server.log.read_text().splitlines())
            if match is not None
        ]


async def _merchant_token(database_url: str) -> str:
    services = Services.from_settings(Settings(database_url=database_url, secret_key=TEST_SECRET_KEY))
    try:
        merchant = await services.merchants.create_merchant(name="Node client")
        issued = await services.merchants.issue_token(
            grant_type="client_credentials",
            client_id=merchant.authenticity_token,
            client_secret=merchant.merchant_key,
            scopes=[Scope.CUSTOMERS.value],
        )
    finally:
        await services.close()
    return issued.access_token


@pytest.fixture
def served_gateway(node_packages: Path, tmp_path: Path) -> Iterator[ServedGateway]:
    """A fresh server on its own SQLite database (the protocol under test does not depend on it)."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    migrate_sync(database_url)
    token = asyncio.run(_merchant_token(database_url))
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_")},
        "GATEWAY_SECRET_KEY": str(TEST_SECRET_KEY),
        "PYTHONPATH": str(REPOSITORY),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = ServeProcess(database_url, tmp_path, env=env)
    try:
        server.wait_ready()
        yield ServedGateway(server, token)
    finally:
        server.close()
