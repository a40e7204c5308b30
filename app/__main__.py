"""Command line: `python -m app serve|migrate|merchants|export-schema|demo`. Argument parsing only."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence

from app.settings import load_settings


def _add_database_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        help="database URL (default: $GATEWAY_DATABASE_URL, $DATABASE_URL, or SQLite under ./data/)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    parser = argparse.ArgumentParser(prog="python -m app", description="customers-gateway")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply migrations, then serve REST and GraphQL")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="log every request (default on)",
    )
    _add_database_url(serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    _add_database_url(migrate)

    merchants = commands.add_parser("merchants", help="manage merchants")
    merchant_commands = merchants.add_subparsers(dest="merchant_command", required=True)
    create = merchant_commands.add_parser(
        "create", help="create a merchant and print its credentials as JSON"
    )
    create.add_argument("--name", required=True)
    create.add_argument("--authenticity-token", help="keep an existing public id (default: generated)")
    create.add_argument("--merchant-key", help="keep an existing shared secret (default: generated)")
    _add_database_url(create)

    demo = commands.add_parser("demo", help="create (first run) or show the demo merchant, with a token")
    demo.add_argument("--credentials-file", default="data/demo-merchant.json")
    demo.add_argument("--base-url", default="http://127.0.0.1:8000")
    _add_database_url(demo)

    seed = commands.add_parser("seed", help="bulk-insert generated customers for a merchant (benchmarks)")
    seed.add_argument("--customers", type=int, default=100_000)
    seed.add_argument("--merchant", required=True, help="the merchant's authenticity_token")
    seed.add_argument("--payment-method-every", type=int, default=10, help="every Nth customer gets a card")
    _add_database_url(seed)

    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one CLI command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    settings = load_settings().with_database_url(getattr(args, "database_url", None))

    if args.command == "export-schema":
        from app.graphql.schema import schema

        print(schema.as_str())
        return 0

    from app.migrations import migrate_sync

    if args.command == "migrate":
        migrate_sync(settings.database_url)
        print(f"database is up to date: {settings.display_database_url()}")
        return 0

    if args.command == "serve":
        import uvicorn

        migrate_sync(settings.database_url)
        # Workers rebuild settings from the environment, so the chosen URL travels there.
        os.environ["GATEWAY_DATABASE_URL"] = settings.database_url
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
            access_log=args.access_log,
        )
        return 0

    from app.cli_commands import create_merchant, demo_merchant, seed

    migrate_sync(settings.database_url)
    if args.command == "merchants":
        result = asyncio.run(
            create_merchant(settings, name=args.name, token=args.authenticity_token, key=args.merchant_key)
        )
        print(json.dumps(result))
        return 0
    if args.command == "seed":
        print(asyncio.run(seed(settings, args.merchant, args.customers, args.payment_method_every)))
        return 0
    if args.command == "demo":
        print(asyncio.run(demo_merchant(settings, args.credentials_file, args.base_url)))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
