"""One-run benchmark of the gateway against this stack's own floors. See `scripts/bench --help`.

Builds a SQLite database of N customers with `python -m app seed`, serves the product (one uvicorn worker)
and the floors (scripts/bench_floors.py, same uvicorn settings) side by side, loads each scenario with wrk,
and prints requests/s, p50, p99 and the target ratios; writes everything to a JSON file.

Every scenario runs once per round, over several rounds: a shared machine's speed drifts within a run,
so a ratio is taken within each round (its two scenarios measured minutes apart at most) and the median
over rounds is reported; each scenario's figures are those of its median round.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))  # this checkout's app, whichever one the virtualenv has installed
from bench_finding import (  # noqa: E402
    LATENCY_SCENARIOS,
    check_answers,
    finding_requests,
    finding_scenarios,
    finding_targets,
)
from bench_net import UNEXHAUSTED_BUDGETS, free_port, wait_until_up  # noqa: E402
from bench_subscriptions import measure as measure_subscriptions  # noqa: E402
from bench_subscriptions import print_measurement as print_subscriptions  # noqa: E402

PYTHON = sys.executable
CUSTOMER_FIELDS = (
    "uuid merchantCustomerId description email name phone metadata zipCode city address country deleted "
    "createdAt updatedAt deletedAt"
)
PAYMENT_METHOD_FIELDS = (
    "id status maskedPan expirationDate keepUntil token expired customerUuid createdAt updatedAt"
)


@dataclass
class Result:
    """One wrk run."""

    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int


def wait_until_idle(url: str, token: str, timeout: float = 60.0) -> None:
    """Wait until a request that reads the database is answered at once again.

    Why: when wrk stops, requests it gave up on are still queued in the server (a REST list at an
    offset near the end of 1M customers takes long), and they would be measured in the next scenario.
    """
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    deadline = time.monotonic() + timeout
    quick = 0
    while time.monotonic() < deadline and quick < 3:
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=timeout):
            pass
        quick = quick + 1 if time.perf_counter() - started < 0.05 else 0
        time.sleep(0.1)


def run_cli(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run([PYTHON, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"python -m app {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def lua_script(
    method: str, paths: list[str], body: str | None, token: str, per_request_body: bool = False
) -> str:
    """A wrk script cycling through `paths` with Bearer auth; `per_request_body` fills the body's `%s`
    with a value unique across wrk's threads (each thread has its own Lua state and random seed)."""
    lines = [
        f'wrk.method = "{method}"',
        'wrk.headers["Content-Type"] = "application/json"',
        "local paths = {" + ",".join(json.dumps(path) for path in paths) + "}",
        "local n = 0",
        "local threads = 0",
        "function setup(thread) threads = threads + 1; thread:set('tid', threads) end",
        # Letters between the numbers: a long run of digits could pass for a card number, which is refused.
        "function init(args) prefix = 't' .. tostring(tid) .. 's' .. tostring(os.time()) end",
    ]
    if token:
        lines.insert(1, f'wrk.headers["Authorization"] = "Bearer {token}"')
    if body is not None and not per_request_body:
        lines.append(f"wrk.body = {json.dumps(body)}")
    lines.append("request = function()")
    lines.append("  n = n + 1")
    lines.append("  local path = paths[(n % #paths) + 1]")
    if per_request_body:
        lines.append(f'  local b = string.format({json.dumps(body)}, prefix .. "n" .. n)')
        lines.append(f'  return wrk.format("{method}", path, nil, b)')
    else:
        lines.append(f'  return wrk.format("{method}", path)')
    lines.append("end")
    return "\n".join(lines) + "\n"


def parse_wrk(name: str, output: str) -> Result:
    def duration_ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = duration_ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = duration_ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    non_2xx_match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors_match = re.search(
        r"Socket errors:.*?connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = sum(int(group) for group in errors_match.groups()) if errors_match else 0
    return Result(name, rps, p50, p99, int(non_2xx_match.group(1)) if non_2xx_match else 0, errors)


def wrk(name: str, base: str, script: str, workdir: Path, seconds: int, connections: int) -> Result:
    path = workdir / f"{name}.lua"
    path.write_text(script)
    # One unmeasured second first, so every scenario is measured warm (caches filled, connections open).
    threads = f"-t{min(2, connections)}"  # wrk refuses more threads than connections
    warm_up = ["wrk", threads, f"-c{connections}", "-d1s", "-s", str(path), base]
    subprocess.run(warm_up, capture_output=True, text=True, check=True)
    command = ["wrk", threads, f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(path), base]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = parse_wrk(name, output)
    print_result(result)
    if result.non_2xx:
        # Error answers are cheap: counting them as requests served would flatter the figures.
        raise SystemExit(f"{name}: {result.non_2xx} answers were not 2xx; its figures would measure errors")
    return result


def print_result(result: Result) -> None:
    flag = (
        ""
        if result.non_2xx == 0 and result.errors == 0
        else f"  (non-2xx {result.non_2xx}, errors {result.errors})"
    )
    print(
        f"  {result.name:<28} {result.requests_per_second:>9,.0f} req/s  p50 {result.p50_ms:7.2f} ms"
        f"  p99 {result.p99_ms:7.2f} ms{flag}",
        flush=True,
    )


def median_round(runs: list[Result]) -> Result:
    """The run with the median requests/s (the lower middle one of an even number)."""
    ordered = sorted(runs, key=lambda result: result.requests_per_second)
    return ordered[(len(ordered) - 1) // 2]


def ratio(a: list[Result], b: list[Result], figure: Callable[[Result], float]) -> float:
    """The median over rounds of figure(a) / figure(b) within each round."""
    return statistics.median(figure(x) / figure(y) for x, y in zip(a, b, strict=True))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def statements_per_graphql_page(database_url: str, token: str) -> int:
    """SQL statements one `customers(first: 50) { paymentMethods }` request costs, counted in-process."""
    import httpx

    from app.main import create_app
    from app.settings import Settings

    app = create_app(Settings(database_url=database_url))
    database = app.state.services.database
    count = 0

    def counter(*_: Any) -> None:
        nonlocal count
        count += 1

    query = {"query": "{ customers(first: 50) { nodes { uuid paymentMethods { id } } } }"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        headers = {"Authorization": f"Bearer {token}"}
        await client.post("/graphql", json=query, headers=headers)  # warm caches (auth, schema)
        database.add_statement_listener(counter)
        response = await client.post("/graphql", json=query, headers=headers)
        response.raise_for_status()
    await app.state.services.close()
    return count


def main() -> int:
    if "--events" in sys.argv:
        import bench_events

        return bench_events.main(sys.argv[1:])
    if "--scale" in sys.argv:
        import bench_scale

        return bench_scale.main(sys.argv[1:])
    if ("--database" in sys.argv and "postgresql" in sys.argv) or "--database=postgresql" in sys.argv:
        import bench_postgraphile

        return bench_postgraphile.main(sys.argv[1:])
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="sqlite: against this stack's floors (below); postgresql: against PostGraphile "
        "(scripts/bench_postgraphile.py)",
    )
    parser.add_argument("--customers", type=int, default=100_000, help="customers in the benchmark database")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of every scenario (medians are reported)"
    )
    parser.add_argument("--output", default="bench-results.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database directory")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    database_file = workdir / "bench.db"
    database_url = f"sqlite+aiosqlite:///{database_file}"
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_TOKEN_TTL_SECONDS": "86400",
        **UNEXHAUSTED_BUDGETS,
    }
    print(f"benchmark database: {database_file}")
    run_cli("migrate", env=env)
    merchant = json.loads(run_cli("merchants", "create", "--name", "Bench", env=env))
    started = time.perf_counter()
    seed = json.loads(
        run_cli(
            "seed", "--customers", str(args.customers), "--merchant", merchant["authenticity_token"], env=env
        )
    )
    print(
        f"seeded {seed['customers']:,} customers in {time.perf_counter() - started:.1f}s "
        f"({seed['customers_per_second']:,} customers/s)"
    )

    sample = asyncio.run(_sample(database_url, merchant))
    token = sample["token"]

    product_port, floors_port = free_port(), free_port()
    product = subprocess.Popen(
        [PYTHON, "-m", "app", "serve", "--port", str(product_port), "--workers", "1", "--no-access-log"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    floors = subprocess.Popen(
        [PYTHON, str(ROOT / "scripts" / "bench_floors.py"), str(database_file), str(floors_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    rounds: dict[str, list[Result]] = {}
    try:
        product_base = f"http://127.0.0.1:{product_port}"
        floors_base = f"http://127.0.0.1:{floors_port}"
        wait_until_up(f"{product_base}/healthz")
        wait_until_up(f"{floors_base}/floor/bare/x")
        uuids = sample["uuids"]
        s, c = args.seconds, args.connections
        finding = finding_requests(sample, args.customers)
        print("finding scenarios, checked once:")
        check_answers(product_base, token, finding)

        def gql(query: str) -> str:
            return json.dumps({"query": query})

        scenarios: list[tuple[str, str, str]] = [
            (
                "floor_a_bare_route",
                floors_base,
                lua_script("GET", [f"/floor/bare/{u}" for u in uuids], None, token),
            ),
            (
                "floor_b_raw_aiosqlite",
                floors_base,
                lua_script("GET", [f"/floor/raw/{u}" for u in uuids], None, token),
            ),
            (
                "rest_get_by_uuid",
                product_base,
                lua_script("GET", [f"/v2/customers/{u}" for u in uuids], None, token),
            ),
            ("rest_list_50", product_base, lua_script("GET", ["/v2/customers?limit=50"], None, token)),
            (
                "rest_list_50_offset_end",
                product_base,
                lua_script(
                    "GET", [f"/v2/customers?limit=50&offset={max(args.customers - 50, 0)}"], None, token
                ),
            ),
            (
                "graphql_customer",
                product_base,
                lua_script(
                    "POST",
                    ["/graphql"],
                    gql(f'{{ customer(uuid: "{uuids[0]}") {{ {CUSTOMER_FIELDS} }} }}'),
                    token,
                ),
            ),
            (
                "graphql_page_50_with_pm",
                product_base,
                lua_script(
                    "POST",
                    ["/graphql"],
                    gql(
                        f"{{ customers(first: 50) {{ nodes {{ {CUSTOMER_FIELDS} "
                        f"paymentMethods {{ {PAYMENT_METHOD_FIELDS} }} }} "
                        "pageInfo { hasNextPage endCursor } } }"
                    ),
                    token,
                ),
            ),
            (
                "graphql_cursor_first_page",
                product_base,
                lua_script(
                    "POST",
                    ["/graphql"],
                    gql(f"{{ customers(first: 50) {{ nodes {{ {CUSTOMER_FIELDS} }} }} }}"),
                    token,
                ),
            ),
            (
                "graphql_cursor_page_near_end",
                product_base,
                lua_script(
                    "POST",
                    ["/graphql"],
                    gql(
                        f'{{ customers(first: 50, after: "{sample["deep_cursors"]["CREATED_AT_DESC"]}") '
                        f"{{ nodes {{ {CUSTOMER_FIELDS} }} }} }}"
                    ),
                    token,
                ),
            ),
            *finding_scenarios(
                product_base, finding, lambda method, paths, body: lua_script(method, paths, body, token)
            ),
            (
                "rest_create",
                product_base,
                lua_script(
                    "POST",
                    ["/v2/customers"],
                    '{"merchant_customer_id": "bench-%s", "email": "b@example.com"}',
                    token,
                    per_request_body=True,
                ),
            ),
        ]
        print(f"\nwrk: 2 threads, {c} connections, {s}s per scenario, {args.rounds} rounds")
        for number in range(1, args.rounds + 1):
            print(f"round {number}")
            for name, base, script in scenarios:
                connections = 1 if name in LATENCY_SCENARIOS else c
                rounds.setdefault(name, []).append(wrk(name, base, script, workdir, s, connections))
                wait_until_idle(f"{product_base}/v2/customers?limit=1", token)
        # After the wrk rounds, so its writes change nothing they measured (scripts/bench_subscriptions.py).
        subscriptions = asyncio.run(measure_subscriptions(product_base, token))
        server_rss = rss_mb(product.pid)
    finally:
        for process in (product, floors):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (product, floors):
            process.wait(timeout=30)

    statements = asyncio.run(statements_per_graphql_page(database_url, token))
    results = {name: median_round(runs) for name, runs in rounds.items()}
    print(f"\nmedian round of {args.rounds}")
    for result in results.values():
        print_result(result)

    def throughput(a: str, b: str) -> float:
        return ratio(rounds[a], rounds[b], lambda result: result.requests_per_second)

    def latency(a: str, b: str) -> float:
        return ratio(rounds[a], rounds[b], lambda result: result.p50_ms)

    targets = [
        (
            "REST get by uuid / floor (b) raw aiosqlite",
            throughput("rest_get_by_uuid", "floor_b_raw_aiosqlite"),
            ">=",
            0.6,
        ),
        (
            "GraphQL customer(uuid) / REST get by uuid",
            throughput("graphql_customer", "rest_get_by_uuid"),
            ">=",
            0.7,
        ),
        (
            "GraphQL page of 50 with PMs / REST list 50",
            throughput("graphql_page_50_with_pm", "rest_list_50"),
            ">=",
            0.6,
        ),
        ("SQL statements per GraphQL page of 50", float(statements), "<=", 3.0),
        (
            "keyset page near end p50 / first page p50",
            latency("graphql_cursor_page_near_end", "graphql_cursor_first_page"),
            "<=",
            1.5,
        ),
        *finding_targets(latency, lambda name: median_round(rounds[name]).p50_ms),
        ("seed customers/s (SQLite)", float(seed["customers_per_second"]), ">=", 50_000.0),
        ("server RSS after the run (MB)", server_rss, "<=", 250.0),
    ]
    informational = [
        ("REST get by uuid / floor (a) bare route", throughput("rest_get_by_uuid", "floor_a_bare_route")),
        ("REST list offset near end p50 / offset 0 p50", latency("rest_list_50_offset_end", "rest_list_50")),
    ]
    print(f"\n{'target':<56} {'measured':>12}   {'goal':>10}  verdict")
    verdicts = []
    for label, value, op, goal in targets:
        ok = value >= goal if op == ">=" else value <= goal
        verdicts.append({"target": label, "measured": round(value, 3), "goal": f"{op} {goal:g}", "pass": ok})
        print(f"{label:<56} {value:>12,.2f}   {op} {goal:>7g}  {'PASS' if ok else 'FAIL'}")
    for label, value in informational:
        print(f"{label:<56} {value:>12,.2f}   (for information)")
    print()
    print_subscriptions(subscriptions)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "customers": args.customers,
        "wrk": {"threads": 2, "connections": c, "seconds": s, "rounds": args.rounds},
        "seed": seed,
        "results": {name: asdict(result) for name, result in results.items()},
        "rounds": {name: [asdict(result) for result in runs] for name, runs in rounds.items()},
        "sql_statements_per_graphql_page": statements,
        "server_rss_mb": round(server_rss, 1),
        "targets": verdicts,
        "informational": {label: round(value, 3) for label, value in informational},
        "subscriptions": subscriptions,
    }
    Path(args.output).write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {args.output}")
    if not args.keep:
        for path in sorted(workdir.glob("*"), reverse=True):
            path.unlink()
        workdir.rmdir()
    return 0


async def _sample(database_url: str, merchant: dict[str, Any]) -> dict[str, Any]:
    """A long-lived token, 100 sample uuids with their global ids, and per order the cursors of the first
    page's end and of a page near the end of the list."""
    from app.customers.global_ids import NodeType, encode_global_id
    from app.customers.ordering import CustomerOrder
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
        page = await services.customers.list_customers(merchant_id=merchant["id"], limit=100, offset=0)
        total = await services.customers.count(merchant_id=merchant["id"])
        deep_cursors = {}
        for order in CustomerOrder:
            # Walked to once with an offset (slow at depth, once per order), then paged by keyset.
            deep = await services.customers.finder.find(
                merchant_id=merchant["id"], first=1, offset=max(total - 51, 0), order=order
            )
            deep_cursors[order.value] = deep.cursor(deep.items[0])
    finally:
        await services.close()
    uuids = [customer.uuid for customer in page.items]
    return {
        "token": issued.access_token,
        "uuids": uuids,
        "global_ids": [encode_global_id(NodeType.CUSTOMER, uuid) for uuid in uuids],
        "deep_cursors": deep_cursors,
    }


if __name__ == "__main__":
    sys.exit(main())
