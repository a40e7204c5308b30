"""A small Chrome DevTools Protocol driver for Debian's Chromium: launch headless, open pages in fresh
browser contexts, evaluate JavaScript, wait for conditions. Only `websockets` (installed with uvicorn's
standard extras); no browser download, no node.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
_DEVTOOLS_URL = re.compile(r"DevTools listening on (ws://\S+)")


def find_chromium() -> str | None:
    """The Chromium executable: `GATEWAY_CHROMIUM` if set (None when it names nothing runnable), else
    Debian's package, else one on PATH."""
    configured = os.environ.get("GATEWAY_CHROMIUM")
    if configured:
        return shutil.which(configured)
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


class BrowserError(AssertionError):
    """The browser refused a command, or a page never reached the awaited state."""


class Chromium:
    """One headless Chromium process, reachable over its DevTools websocket."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="gateway-chromium-")
        self.drain: threading.Thread | None = None
        arguments = [
            executable,
            "--headless=new",
            "--remote-debugging-port=0",
            f"--user-data-dir={self.profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--metrics-recording-only",
            "--password-store=basic",
            "--use-mock-keychain",
            "about:blank",
        ]
        if os.geteuid() == 0:
            arguments.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to run as root
        self.process = subprocess.Popen(
            arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace"
        )
        self.websocket_url = self._await_devtools_url(seconds=30)

    def _await_devtools_url(self, seconds: float) -> str:
        assert self.process.stderr is not None
        deadline = time.monotonic() + seconds
        seen: list[str] = []
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                if self.process.poll() is not None:
                    break
                continue
            seen.append(line)
            match = _DEVTOOLS_URL.search(line)
            if match:
                # Keep draining stderr so a chatty browser never blocks on a full pipe.
                self.drain = threading.Thread(target=_drain, args=(self.process,), daemon=True)
                self.drain.start()
                return match[1]
        self.close()
        raise BrowserError("Chromium did not start:\n" + "".join(seen[-30:]))

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.drain is not None:
            self.drain.join(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def _drain(process: subprocess.Popen[str]) -> None:
    assert process.stderr is not None
    for _ in process.stderr:
        pass


@dataclass
class Page:
    """One tab in its own browser context (its own cookies and localStorage)."""

    session: CDPSession
    session_id: str
    console: list[str] = field(default_factory=list)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """A command to this page's target."""
        return await self.session.send(method, params, session_id=self.session_id)

    async def navigate(self, url: str) -> None:
        """Open `url` and wait for its load event."""
        loaded = self.session.expect("Page.loadEventFired", self.session_id)
        result = await self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"navigation to {url} failed: {result['errorText']}")
        await asyncio.wait_for(loaded, timeout=30)

    async def reload(self) -> None:
        """Reload the page and wait for its load event."""
        loaded = self.session.expect("Page.loadEventFired", self.session_id)
        await self.send("Page.reload")
        await asyncio.wait_for(loaded, timeout=30)

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression (promises awaited); a thrown error fails."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"{expression!r} threw: {text}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, *, seconds: float = 15) -> Any:
        """Poll until a JavaScript expression is truthy; its value (`true` for objects such as elements)."""
        deadline = time.monotonic() + seconds
        probe = (
            f"(() => {{ const value = ({expression});"
            " return typeof value === 'object' ? !!value : value; })()"
        )
        while True:
            value = await self.evaluate(probe)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(
                    f"timed out waiting for {expression!r}; console:\n" + "\n".join(self.console[-20:])
                )
            await asyncio.sleep(0.05)


class CDPSession:
    """The browser-level DevTools connection: commands with ids, events dispatched to waiters."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.waiters: list[tuple[str, str | None, asyncio.Future[dict[str, Any]]]] = []
        self.pages: dict[str, Page] = {}
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def send(
        self, method: str, params: dict[str, Any] | None = None, *, session_id: str | None = None
    ) -> dict[str, Any]:
        """Send one command and return its result (an error reply raises BrowserError)."""
        message_id = next(self.ids)
        reply: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.replies[message_id] = reply
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session_id is not None:
            message["sessionId"] = session_id
        await self.socket.send(json.dumps(message))
        answer = await asyncio.wait_for(reply, timeout=30)
        if "error" in answer:
            raise BrowserError(f"{method} failed: {answer['error']}")
        return dict(answer.get("result", {}))

    def expect(self, method: str, session_id: str | None) -> asyncio.Future[dict[str, Any]]:
        """A future for the next event `method` (of one page's session), registered before acting."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiters.append((method, session_id, future))
        return future

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            if "id" in message:
                reply = self.replies.pop(message["id"], None)
                if reply is not None and not reply.done():
                    reply.set_result(message)
                continue
            self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        method, session_id = message.get("method"), message.get("sessionId")
        page = self.pages.get(session_id or "")
        if page is not None:
            params = message.get("params", {})
            if method == "Runtime.consoleAPICalled":
                texts = [str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])]
                page.console.append(f"console.{params.get('type')}: {' '.join(texts)}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                page.console.append(f"exception: {details.get('exception', {}).get('description', details)}")
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                page.console.append(f"log.{entry.get('level')}: {entry.get('text')}")
        for waiter in list(self.waiters):
            wanted, wanted_session, future = waiter
            if wanted == method and wanted_session in (None, session_id) and not future.done():
                future.set_result(message.get("params", {}))
                self.waiters.remove(waiter)

    async def new_page(self) -> Page:
        """A blank tab in a fresh browser context, with page, runtime and log events on."""
        context = await self.send("Target.createBrowserContext", {"disposeOnDetach": True})
        target = await self.send(
            "Target.createTarget", {"url": "about:blank", "browserContextId": context["browserContextId"]}
        )
        attached = await self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        page = Page(self, attached["sessionId"])
        self.pages[page.session_id] = page
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            await page.send(domain)
        return page


@asynccontextmanager
async def devtools(browser: Chromium) -> AsyncIterator[CDPSession]:
    """A DevTools connection to a running browser for the length of a test."""
    async with connect(browser.websocket_url, max_size=None) as socket:
        session = CDPSession(socket)
        try:
            yield session
        finally:
            session.reader.cancel()
