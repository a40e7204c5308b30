"""Flat cost at scale on PostgreSQL: the same reads over a small and a large database, side by side.

`scripts/bench --scale [--small N] [--large N] [--keep] ...` makes two scratch databases on
TEST_DATABASE_URL's server (default postgresql://postgres@127.0.0.1:5432/test), seeds them with
`python -m app seed` (100,000 and 10,000,000 customers by default; rows/s reported), serves the product
over each (one worker each, and a second server with `--workers 2` over the large one) and loads the
three reads whose cost must not grow with the table, round after round, small and large in turn:

- `get_by_uuid`: REST `GET /v2/customers/{uuid}` over 100 customers sampled across the whole table (not
  just the newest, which a cache would keep warm);
- `first_page`: GraphQL `customers(first: 50)`;
- `page_near_end`: the same page after a keyset cursor 50 customers from the end of the list.

The goal: each read's requests/s at the large size >= 1 / 1.25 of the small size's, within one round (the
median over rounds reported), and every worker's memory after the run <= 250 MB. With `--keep` the
databases stay (named `gateway_scale_<N>`), and a later run reuses a kept database of the right size
instead of seeding it again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import (
    ROOT,
    Result,
    lua_script,
    median_round,
    print_result,
    ratio,
    rss_mb,
    run_cli,
    wrk,
)
from bench_net import UNEXHAUSTED_BUDGETS, free_port, wait_until_up
from bench_postgraphile import DEFAULT_SERVER, _admin, with_database

GROWTH_LIMIT = 1.25
RSS_LIMIT_MB = 250.0
PAGE_FIELDS = "uuid merchantCustomerId email name phone country"


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _scalar(url: str, statement: str) -> Any:
    import asyncpg

    connection = await asyncpg.connect(_plain(url))
    try:
        return await connection.fetchval(statement)
    finally:
        await connection.close()


def prepared_database(server: str, customers: int, env: dict[str, str]) -> tuple[str, dict[str, Any], dict]:
    """A migrated database of `customers` customers of one merchant (reused when kept from an earlier run),
    its merchant's credentials, and how seeding went."""
    name = f"gateway_scale_{customers}"
    url = with_database(server, name)
    asyncpg_url = url.replace("postgresql://", "postgresql+asyncpg://")
    credentials = ROOT / "data" / f"{name}.merchant.json"
    exists = asyncio.run(_scalar(server, f"SELECT count(*) FROM pg_database WHERE datname = '{name}'"))
    if exists and credentials.exists():
        count = asyncio.run(_scalar(url, "SELECT count(*) FROM customers WHERE deleted_at IS NULL"))
        if count == customers:
            print(f"reusing {name} ({count:,} customers)")
            return asyncpg_url, json.loads(credentials.read_text()), {"reused": True}
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    database_env = {**env, "GATEWAY_DATABASE_URL": asyncpg_url}
    run_cli("migrate", env=database_env)
    merchant = json.loads(run_cli("merchants", "create", "--name", f"Scale {customers}", env=database_env))
    token = merchant["authenticity_token"]
    seed = json.loads(run_cli("seed", "--customers", str(customers), "--merchant", token, env=database_env))
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.write_text(json.dumps(merchant))
    print(f"seeded {name}: {seed['customers']:,} customers ({seed['customers_per_second']:,} customers/s)")
    asyncio.run(_admin(url, "VACUUM ANALYZE"))
    return asyncpg_url, merchant, seed


async def _sample(database_url: str, merchant: dict[str, Any]) -> dict[str, Any]:
    """A long-lived token, 100 uuids sampled across the table, and the cursor of a page near the end."""
    import asyncpg

    from app.customers.ordering import DEFAULT_ORDER
    from app.runtime import Services
    from app.settings import Settings

    services = Services.from_settings(Settings(database_url=database_url))
    try:
        issued = await services.merchants.issue_token(
            grant_type="client_credentials",
            client_id=merchant["authenticity_token"],
            client_secret=merchant["merchant_key"],
            ttl_seconds=86_400,
        )
        total = await services.customers.count(merchant_id=merchant["id"])
        # Walked to once with an offset (slow at depth, once per run), then paged by keyset.
        deep = await services.customers.finder.find(
            merchant_id=merchant["id"], first=1, offset=max(total - 51, 0), order=DEFAULT_ORDER
        )
        cursor = deep.cursor(deep.items[0])
    finally:
        await services.close()
    connection = await asyncpg.connect(_plain(database_url))
    try:
        # A system sample of ~500 rows: whole pages picked at random, so the uuids come from all over
        # the table without reading all of it.
        percent = min(100.0, 50_000 / max(total, 1))
        rows = await connection.fetch(
            f"SELECT uuid FROM customers TABLESAMPLE SYSTEM ({percent}) WHERE deleted_at IS NULL LIMIT 100"
        )
    finally:
        await connection.close()
    return {"token": issued.access_token, "uuids": [str(row["uuid"]) for row in rows], "deep_cursor": cursor}


def scripts_for(sample: dict[str, Any]) -> dict[str, str]:
    """Each read's wrk script."""
    token = sample["token"]

    def graphql(query: str) -> str:
        return lua_script("POST", ["/graphql"], json.dumps({"query": query}), token)

    return {
        "get_by_uuid": lua_script("GET", [f"/v2/customers/{uuid}" for uuid in sample["uuids"]], None, token),
        "first_page": graphql(f"{{ customers(first: 50) {{ nodes {{ {PAGE_FIELDS} }} }} }}"),
        "page_near_end": graphql(
            f'{{ customers(first: 50, after: "{sample["deep_cursor"]}") {{ nodes {{ {PAGE_FIELDS} }} }} }}'
        ),
    }


def serve(database_url: str, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
        ],
        cwd=ROOT,
        env={**env, "GATEWAY_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(f"{base}/healthz")
    return process, base


def worker_rss_mb(process: subprocess.Popen[bytes]) -> list[float]:
    """Each worker's resident memory: the process itself, or its children when it supervises workers."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return [rss_mb(int(pid)) for pid in children] or [rss_mb(process.pid)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench --scale", description=__doc__)
    parser.add_argument("--scale", action="store_true")
    parser.add_argument("--small", type=int, default=100_000, help="customers in the small database")
    parser.add_argument("--large", type=int, default=10_000_000, help="customers in the large database")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every scenario (medians reported)")
    parser.add_argument("--output", default="bench-scale.json")
    parser.add_argument("--keep", action="store_true", help="keep (and later reuse) the scratch databases")
    args = parser.parse_args(argv)

    server = os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER)
    env = {**os.environ, "GATEWAY_TOKEN_TTL_SECONDS": "86400", **UNEXHAUSTED_BUDGETS}
    sizes = {"small": args.small, "large": args.large}
    databases = {size: prepared_database(server, customers, env) for size, customers in sizes.items()}
    samples = {size: asyncio.run(_sample(url, merchant)) for size, (url, merchant, _) in databases.items()}
    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-scale-"))
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    rounds: dict[str, list[Result]] = {}
    try:
        servers["small"] = serve(databases["small"][0], 1, env)
        servers["large"] = serve(databases["large"][0], 1, env)
        servers["large_2_workers"] = serve(databases["large"][0], 2, env)
        sides = {"small": "small", "large": "large", "large_2_workers": "large"}
        print(f"\nwrk: {args.connections} connections, {args.seconds}s per scenario, {args.rounds} rounds")
        for number in range(1, args.rounds + 1):
            print(f"round {number}")
            for read in ("get_by_uuid", "first_page", "page_near_end"):
                for side, size in sides.items():
                    script = scripts_for(samples[size])[read]
                    label = f"{read}:{side}"
                    rounds.setdefault(label, []).append(
                        wrk(label, servers[side][1], script, workdir, args.seconds, args.connections)
                    )
        memory = {side: worker_rss_mb(process) for side, (process, _) in servers.items()}
    finally:
        for process, _ in servers.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process, _ in servers.values():
            process.wait(timeout=30)
        if not args.keep:
            for customers in sizes.values():
                asyncio.run(
                    _admin(server, f'DROP DATABASE IF EXISTS "gateway_scale_{customers}" WITH (FORCE)')
                )
                (ROOT / "data" / f"gateway_scale_{customers}.merchant.json").unlink(missing_ok=True)

    results = {label: median_round(runs) for label, runs in rounds.items()}
    print(f"\nmedian round of {args.rounds}")
    for result in results.values():
        print_result(result)
    print(f"\n{'target':<56} {'measured':>9}   goal  verdict")
    verdicts = []
    for read in ("get_by_uuid", "first_page", "page_near_end"):
        growth = ratio(rounds[f"{read}:small"], rounds[f"{read}:large"], lambda r: r.requests_per_second)
        ok = growth <= GROWTH_LIMIT
        label = f"{read}: cost at {args.large:,} / at {args.small:,}"
        verdicts.append(
            {"target": label, "measured": round(growth, 3), "goal": f"<= {GROWTH_LIMIT}", "pass": ok}
        )
        print(f"{label:<56} {growth:>9.2f}   <= {GROWTH_LIMIT}  {'PASS' if ok else 'FAIL'}")
    for side, figures in memory.items():
        ok = max(figures) <= RSS_LIMIT_MB
        label = f"worker RSS after the run, {side} (MB)"
        verdicts.append({"target": label, "measured": round(max(figures), 1), "goal": "<= 250", "pass": ok})
        print(f"{label:<56} {max(figures):>9.1f}   <= 250  {'PASS' if ok else 'FAIL'}")
    for read in ("get_by_uuid", "first_page", "page_near_end"):
        one, two = results[f"{read}:large"], results[f"{read}:large_2_workers"]
        print(
            f"{read} at {args.large:,}: {one.requests_per_second:,.0f} req/s with 1 worker, "
            f"{two.requests_per_second:,.0f} with 2"
        )
    report = {
        "customers": sizes,
        "seed": {size: database[2] for size, database in databases.items()},
        "results": {label: result.__dict__ for label, result in results.items()},
        "rounds": {label: [result.__dict__ for result in runs] for label, runs in rounds.items()},
        "worker_rss_mb": memory,
        "targets": verdicts,
    }
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {args.output}")
    for path in sorted(workdir.glob("*"), reverse=True):
        path.unlink()
    workdir.rmdir()
    return 0 if all(verdict["pass"] for verdict in verdicts) else 1
