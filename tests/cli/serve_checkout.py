"""A throw-away copy of the repository's entry points, for running `scripts/serve` as a user would.

The copy holds the real `scripts/serve`, the project's virtualenv (linked) and a `scripts/bootstrap`
that does nothing (the virtualenv running the tests is already set up), so `./data/` lands in a
temporary directory and a test never touches the working tree's database or demo credentials.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.server.conftest import ServeProcess, free_port

REPOSITORY = Path(__file__).resolve().parents[2]
# Variables that would point the copy at the tests' databases or keys instead of its own ./data/.
_INHERITED_CONFIGURATION = ("DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")


def make_checkout(directory: Path) -> Path:
    """Fill `directory` with `scripts/serve`, a no-op `scripts/bootstrap` and `.venv`; returns it."""
    scripts = directory / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPOSITORY / "scripts" / "serve", scripts / "serve")
    bootstrap = scripts / "bootstrap"
    bootstrap.write_text("#!/usr/bin/env bash\n# The tests' virtualenv is already installed.\n")
    bootstrap.chmod(0o755)
    (directory / ".venv").symlink_to(Path(sys.prefix))
    return directory


def user_environment(**extra: str) -> dict[str, str]:
    """The tests' environment without any gateway configuration: what a new user's shell has."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("GATEWAY_") and name not in _INHERITED_CONFIGURATION
    }
    return {**env, **extra}


def run_serve_script(
    checkout: Path, *arguments: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `scripts/serve` in `checkout` to completion (for start-up failures)."""
    return subprocess.run(
        ["scripts/serve", *arguments],
        cwd=checkout,
        env=user_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class ServeScript(ServeProcess):
    """`scripts/serve --port <free port>` running in a checkout, with ServeProcess's waiting and stopping."""

    def __init__(self, checkout: Path, env: Mapping[str, str] | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = checkout / f"serve-{self.port}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                ["scripts/serve", "--port", str(self.port)],
                cwd=checkout,
                env=user_environment() if env is None else dict(env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
