"""Fixtures for the browser tests: Debian's Chromium over DevTools, and static sites on other origins.

Without Chromium these tests are skipped, unless `CI` or `GATEWAY_REQUIRE_BROWSER=1` is set (`.ci/run`
sets both up), which makes a missing browser a failure.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser.cdp import CDPSession, Chromium, Page, devtools, find_chromium

REPOSITORY = Path(__file__).resolve().parents[2]


def this_checkouts_code(env: dict[str, str]) -> dict[str, str]:
    """`env` with this repository first on the import path, so a server started from another directory
    runs this checkout's `app` (a virtualenv shared between checkouts may point elsewhere)."""
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))}


def browser_required() -> bool:
    """True where a missing browser must fail the run rather than skip it."""
    return bool(os.environ.get("CI")) or os.environ.get("GATEWAY_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """One headless Chromium for the whole run (each test gets its own browser context)."""
    executable = find_chromium()
    if executable is None:
        message = "Chromium not found (apt-get install -y chromium, or set GATEWAY_CHROMIUM)"
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    browser = Chromium(executable)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
async def session(chromium: Chromium) -> AsyncIterator[CDPSession]:
    """A DevTools connection for one test."""
    async with devtools(chromium) as connected:
        yield connected


@pytest.fixture
async def page(session: CDPSession) -> Page:
    """A blank tab in a fresh browser context (empty localStorage)."""
    return await session.new_page()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test's output."""


class StaticSite:
    """A directory served over HTTP on 127.0.0.1 and a free port: a web app on an origin of its own."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def static_site() -> Iterator[type[StaticSite]]:
    """A factory of static sites, all stopped after the test."""
    started: list[StaticSite] = []

    class Tracked(StaticSite):
        def __init__(self, directory: Path) -> None:
            super().__init__(directory)
            started.append(self)

    yield Tracked
    for site in started:
        site.close()
