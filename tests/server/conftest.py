"""Real servers: a `python -m app serve` subprocess, for the crash, shutdown and multi-worker tests, and
an in-process uvicorn with the gateway's protocol, for tests that speak raw HTTP over a socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.main import create_app
from app.server.protocol import LimitedHttpToolsProtocol
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServeProcess:
    """One `serve` process on a free port; its output goes to a file (a full pipe would stall it)."""

    def __init__(
        self, database_url: str, workdir: Path, *extra: str, env: Mapping[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"serve-{self.port}.log"
        # The tests' server key: merchants made by the test's services must open in the server too.
        env = {**os.environ, "GATEWAY_SECRET_KEY": TEST_SECRET_KEY} if env is None else dict(env)
        with self.log.open("w") as log:
            arguments = ["serve", "--port", str(self.port), "--database-url", database_url, *extra]
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app", *arguments],
                cwd=workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group: `close` ends uvicorn's worker processes with it (killed alone,
                # the supervisor would leave `--workers` children running, attached to the database).
                start_new_session=True,
            )

    def wait_ready(self, seconds: float = 60, path: str = "/healthz") -> None:
        """Block until `path` answers 200 (the server migrates first)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.base_url}{path}", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready:\n{self.log.read_text()}")

    def signal(self, signum: int) -> None:
        """Send a signal to the server process."""
        self.process.send_signal(signum)

    def wait(self, seconds: float) -> int:
        """The exit code, once the process has ended (killed if it does not within `seconds`)."""
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise

    def close(self) -> None:
        """Make sure the process and any worker processes it started are gone."""
        if self.process.poll() is None:
            # While it lives its group id is surely its own (a reaped one could belong to another group).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@asynccontextmanager
async def serving(settings: Settings, protocol: type[Any], **options: Any) -> AsyncIterator[int]:
    """An in-process uvicorn serving the app with the given HTTP protocol class; yields its port."""
    chosen = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=chosen,
        http=protocol,
        log_config=None,
        lifespan="on",
        **options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield chosen
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def served_port(settings: Settings) -> AsyncIterator[int]:
    """An in-process uvicorn serving the app with the gateway's own protocol and default limits."""
    async with serving(settings, LimitedHttpToolsProtocol) as chosen:
        yield chosen


async def exchange(
    port: int, data: bytes, *, close_after_sending: bool = False, timeout: float = 5.0
) -> bytes:
    """Send raw bytes on a fresh connection and read until the server closes it (or, with
    `close_after_sending`, hang up at once without reading anything)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        if close_after_sending:
            return b""
        return await asyncio.wait_for(reader.read(), timeout=timeout)
    finally:
        writer.close()
