"""`scripts/bench --events`: what customer events cost the write path, measured side by side.

Two servers on two fresh SQLite databases, one uvicorn worker each: the product (every create records its
event in the transaction; the webhook worker runs, fanning events out) and the same `serve` with event
recording replaced by nothing (scripts/bench_no_outbox.py: the write path before the outbox). wrk sends
`POST /v2/customers` to each in turn, over several rounds; the target is the median round's ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench import (
    PYTHON,
    ROOT,
    Result,
    lua_script,
    median_round,
    print_result,
    ratio,
    run_cli,
    wrk,
)
from bench_net import UNEXHAUSTED_BUDGETS, free_port, wait_until_up

CREATE_BODY = '{"merchant_customer_id": "bench-%s", "email": "b@example.com"}'


def _server(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _database(workdir: Path, name: str) -> tuple[dict[str, str], str]:
    """A migrated database with one merchant; its environment and a day-long token."""
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / name}.db",
        "GATEWAY_SECRET_KEY_FILE": str(workdir / "secret.key"),
        "GATEWAY_TOKEN_TTL_SECONDS": "86400",
        **UNEXHAUSTED_BUDGETS,
        "GATEWAY_ACCESS_LOG": "0",
    }
    run_cli("migrate", env=env)
    merchant = json.loads(run_cli("merchants", "create", "--name", "Bench", env=env))
    token = _token(env, merchant)
    return env, token


def _token(env: dict[str, str], merchant: dict[str, Any]) -> str:
    script = (
        "import asyncio, json, sys\n"
        "from app.runtime import Services\n"
        "from app.settings import load_settings\n"
        "async def main():\n"
        "    services = Services.from_settings(load_settings())\n"
        "    issued = await services.merchants.issue_token(grant_type='client_credentials', "
        "client_id=sys.argv[1], client_secret=sys.argv[2])\n"
        "    await services.close()\n"
        "    print(issued.access_token)\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [PYTHON, "-c", script, merchant["authenticity_token"], merchant["merchant_key"]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench --events", description=__doc__)
    parser.add_argument("--events", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", default="bench-events.json")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-events-"))
    with_env, with_token = _database(workdir, "with_events")
    without_env, without_token = _database(workdir, "without_events")
    with_port, without_port = free_port(), free_port()
    serve = ["--workers", "1", "--no-access-log"]
    servers = [
        _server([PYTHON, "-m", "app", "serve", "--port", str(with_port), *serve], with_env),
        _server(
            [PYTHON, str(ROOT / "scripts" / "bench_no_outbox.py"), "--port", str(without_port), *serve],
            without_env,
        ),
    ]
    rounds: dict[str, list[Result]] = {}
    try:
        scenarios = [
            ("rest_create_with_events", f"http://127.0.0.1:{with_port}", with_token),
            ("rest_create_without_events", f"http://127.0.0.1:{without_port}", without_token),
        ]
        for _name, base, _token_value in scenarios:
            wait_until_up(f"{base}/healthz")
        print(
            f"wrk: 2 threads, {args.connections} connections, {args.seconds}s per scenario, "
            f"{args.rounds} rounds"
        )
        for number in range(1, args.rounds + 1):
            print(f"round {number}")
            for name, base, token in scenarios:
                script = lua_script("POST", ["/v2/customers"], CREATE_BODY, token, per_request_body=True)
                rounds.setdefault(name, []).append(
                    wrk(name, base, script, workdir, args.seconds, args.connections)
                )
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)

    print(f"\nmedian round of {args.rounds}")
    results = {name: median_round(runs) for name, runs in rounds.items()}
    for result in results.values():
        print_result(result)
    measured = ratio(
        rounds["rest_create_with_events"],
        rounds["rest_create_without_events"],
        lambda r: r.requests_per_second,
    )
    verdict = measured >= 0.8
    print(
        f"\nREST create with events / without: {measured:.2f} (goal >= 0.8) {'PASS' if verdict else 'FAIL'}"
    )
    Path(args.output).write_text(
        json.dumps(
            {
                "results": {name: result.__dict__ for name, result in results.items()},
                "target": {
                    "rest_create_with_over_without": round(measured, 3),
                    "goal": ">= 0.8",
                    "pass": verdict,
                },
            },
            indent=2,
        )
    )
    print(f"written to {args.output}")
    for path in sorted(workdir.glob("*"), reverse=True):
        path.unlink()
    workdir.rmdir()
    return 0
