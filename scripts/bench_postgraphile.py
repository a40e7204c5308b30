"""Side-by-side benchmark on PostgreSQL: the product against PostGraphile 4.14 over the same database.

`scripts/bench --database postgresql [--customers N] [--workers W] ...` runs this instead of the SQLite
benchmark. It makes a scratch database on TEST_DATABASE_URL's server (default
postgresql://postgres@127.0.0.1:5432/test), migrates and seeds it with `python -m app seed`, installs
PostGraphile with npm into a cache directory at a pinned version (a benchmark tool, never a product
dependency), serves both over that one database and loads each scenario with wrk, round after round.

Before any timing, a correctness guard asks both sides every scenario's question and compares the
answers: the ratios mean something only when both did the same work. PostGraphile runs without any
authentication (its default); the product checks a Bearer token and scopes every read to the merchant,
as it always does.
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
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench import (
    ROOT,
    Result,
    free_port,
    lua_script,
    median_round,
    print_result,
    ratio,
    rss_mb,
    run_cli,
    wait_until_up,
    wrk,
)
from bench_net import UNEXHAUSTED_BUDGETS

POSTGRAPHILE_VERSION = "4.14.1"
POSTGRAPHILE_HOME = Path.home() / ".cache" / "customers-gateway" / f"postgraphile-{POSTGRAPHILE_VERSION}"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"

# The same columns asked on both sides; PostGraphile names them from the table's columns.
CUSTOMER_8 = "uuid merchantCustomerId description email name phone city country"
CUSTOMER_6 = "uuid merchantCustomerId email name phone country"
PAYMENT_METHOD_4 = {
    "product": "uuid maskedPan status token",
    "postgraphile": "publicId maskedPan status token",
}


def install_postgraphile() -> Path:
    """The pinned PostGraphile's executable, installed with npm on first use."""
    binary = POSTGRAPHILE_HOME / "node_modules" / ".bin" / "postgraphile"
    if not binary.exists():
        POSTGRAPHILE_HOME.mkdir(parents=True, exist_ok=True)
        print(f"installing postgraphile@{POSTGRAPHILE_VERSION} into {POSTGRAPHILE_HOME}")
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", f"postgraphile@{POSTGRAPHILE_VERSION}"],
            cwd=POSTGRAPHILE_HOME,
            check=True,
        )
    return binary


def with_database(server_url: str, name: str) -> str:
    """`server_url` pointing at database `name`."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


async def _admin(server_url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def post_json(url: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def scenarios(uuid: str) -> dict[str, dict[str, str]]:
    """Each scenario's document on both sides (the product's first, then PostGraphile's)."""
    product_pm, postgraphile_pm = PAYMENT_METHOD_4["product"], PAYMENT_METHOD_4["postgraphile"]
    newest_first = "orderBy: [CREATED_AT_DESC, ID_DESC]"
    return {
        "customer_by_uuid_8_fields": {
            "product": f'{{ customer(uuid: "{uuid}") {{ {CUSTOMER_8} }} }}',
            "postgraphile": f'{{ customerByUuid(uuid: "{uuid}") {{ {CUSTOMER_8} }} }}',
        },
        "page_50_6_fields": {
            "product": f"{{ customers(first: 50) {{ nodes {{ {CUSTOMER_6} }} }} }}",
            "postgraphile": (
                f"{{ allCustomers(first: 50, {newest_first}, condition: {{deletedAt: null}}) "
                f"{{ nodes {{ {CUSTOMER_6} }} }} }}"
            ),
        },
        "page_50_with_payment_methods": {
            "product": (
                f"{{ customers(first: 50) {{ nodes {{ {CUSTOMER_6} paymentMethods {{ {product_pm} }} }} }} }}"
            ),
            "postgraphile": (
                f"{{ allCustomers(first: 50, {newest_first}, condition: {{deletedAt: null}}) "
                f"{{ nodes {{ {CUSTOMER_6} paymentMethodsByCustomerId({newest_first}) "
                f"{{ nodes {{ {postgraphile_pm} }} }} }} }} }}"
            ),
        },
    }


def comparable(side: str, data: dict[str, Any]) -> Any:
    """One side's answer in a shape both share: customers as dicts, cards as dicts keyed like the product."""
    if side == "product":
        if "customer" in data:
            return data["customer"]
        return data["customers"]["nodes"]
    if "customerByUuid" in data:
        return data["customerByUuid"]
    customers = []
    for node in data["allCustomers"]["nodes"]:
        node = dict(node)
        cards = node.pop("paymentMethodsByCustomerId", None)
        if cards is not None:
            node["paymentMethods"] = [
                {"uuid": card.pop("publicId"), **card} for card in (dict(card) for card in cards["nodes"])
            ]
        customers.append(node)
    return customers


def check_same_answers(
    documents: dict[str, dict[str, str]], product_url: str, postgraphile_url: str, token: str
) -> None:
    """Stop the benchmark unless both sides answer every scenario identically (and not emptily)."""
    for name, pair in documents.items():
        mine = post_json(product_url, {"query": pair["product"]}, token)
        theirs = post_json(postgraphile_url, {"query": pair["postgraphile"]})
        for side, answer in (("product", mine), ("postgraphile", theirs)):
            if answer.get("errors") or not answer.get("data"):
                raise SystemExit(f"{name}: {side} answered {json.dumps(answer)[:500]}")
        left, right = comparable("product", mine["data"]), comparable("postgraphile", theirs["data"])
        if left != right or not left:
            raise SystemExit(
                f"{name}: the answers differ\nproduct: {left!r:.600}\npostgraphile: {right!r:.600}"
            )
        print(f"guard: {name} answers agree")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench --database postgresql", description=__doc__)
    parser.add_argument("--database", choices=["postgresql"], default="postgresql")
    parser.add_argument("--customers", type=int, default=10_000, help="customers in the scratch database")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every scenario (medians reported)")
    parser.add_argument("--workers", type=int, default=1, help="product workers (PostGraphile: one process)")
    parser.add_argument("--output", default="bench-postgresql.json")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)

    server = os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER)
    name = f"gateway_bench_{os.getpid()}"
    database_url = with_database(server, name)
    postgraphile = install_postgraphile()
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    print(f"scratch database: {database_url}")
    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-pg-"))
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_TOKEN_TTL_SECONDS": "86400",
        **UNEXHAUSTED_BUDGETS,
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        run_cli("migrate", env=env)
        merchant = json.loads(run_cli("merchants", "create", "--name", "Bench", env=env))
        seed = json.loads(
            run_cli(
                "seed",
                "--customers",
                str(args.customers),
                "--merchant",
                merchant["authenticity_token"],
                env=env,
            )
        )
        print(f"seeded {seed['customers']:,} customers ({seed['customers_per_second']:,} customers/s)")
        product_port, postgraphile_port = free_port(), free_port()
        serve = [
            "-m",
            "app",
            "serve",
            "--port",
            str(product_port),
            "--workers",
            str(args.workers),
            "--no-access-log",
        ]
        processes.append(
            subprocess.Popen(
                [sys.executable, *serve],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    str(postgraphile),
                    "--connection",
                    with_database(server, name),
                    "--schema",
                    "public",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(postgraphile_port),
                    "--disable-query-log",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        product_base = f"http://127.0.0.1:{product_port}"
        postgraphile_base = f"http://127.0.0.1:{postgraphile_port}"
        wait_until_up(f"{product_base}/healthz")
        token = post_json(
            f"{product_base}/v2/oauth",
            {
                "grant_type": "client_credentials",
                "client_id": merchant["authenticity_token"],
                "client_secret": merchant["merchant_key"],
            },
        )["access_token"]
        page = post_json(
            f"{product_base}/graphql", {"query": "{ customers(first: 1) { nodes { uuid } } }"}, token
        )
        documents = scenarios(page["data"]["customers"]["nodes"][0]["uuid"])
        _wait_postgraphile(postgraphile_base)
        check_same_answers(documents, f"{product_base}/graphql", f"{postgraphile_base}/graphql", token)

        rounds: dict[str, list[Result]] = {}
        print(f"\nwrk: {args.connections} connections, {args.seconds}s per scenario, {args.rounds} rounds")
        for number in range(1, args.rounds + 1):
            print(f"round {number}")
            for scenario, pair in documents.items():
                for side, base, auth in (
                    ("product", product_base, token),
                    ("postgraphile", postgraphile_base, ""),
                ):
                    script = lua_script("POST", ["/graphql"], json.dumps({"query": pair[side]}), auth)
                    label = f"{scenario}:{side}"
                    rounds.setdefault(label, []).append(
                        wrk(label, base, script, workdir, args.seconds, args.connections)
                    )
        product_rss = rss_mb(processes[0].pid)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        if not args.keep:
            asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    results = {label: median_round(runs) for label, runs in rounds.items()}
    print(f"\nmedian round of {args.rounds}")
    for result in results.values():
        print_result(result)
    print(f"\n{'product / PostGraphile, requests/s':<48} {'measured':>10}   goal  verdict")
    verdicts = []
    for scenario in documents:
        value = ratio(
            rounds[f"{scenario}:product"], rounds[f"{scenario}:postgraphile"], lambda r: r.requests_per_second
        )
        ok = value >= 1.0
        verdicts.append(
            {"target": f"{scenario} product/postgraphile", "measured": round(value, 3), "pass": ok}
        )
        print(f"{scenario:<48} {value:>10.2f}   >= 1  {'PASS' if ok else 'FAIL'}")
    print(f"product RSS after the run: {product_rss:.0f} MB (workers: {args.workers})")
    report = {
        "customers": args.customers,
        "workers": args.workers,
        "postgraphile": POSTGRAPHILE_VERSION,
        "seed_customers_per_second": seed["customers_per_second"],
        "results": {label: result.__dict__ for label, result in results.items()},
        "targets": verdicts,
        "product_rss_mb": product_rss,
    }
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {args.output}")
    for path in sorted(workdir.glob("*"), reverse=True):
        path.unlink()
    workdir.rmdir()
    return 0


def _wait_postgraphile(base: str, timeout: float = 60.0) -> None:
    """PostGraphile answers GraphQL only over POST: wait until a trivial query gets an answer."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            post_json(f"{base}/graphql", {"query": "{ __typename }"})
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"PostGraphile at {base} did not come up")


if __name__ == "__main__":
    sys.exit(main())
