"""Command line: `python -m app serve|migrate|merchants|tokens|demo|seed|export-schema|persisted-manifest`.

Parsing only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence

from app.server.options import SERVE_FLAG_VARIABLES as SERVER_LIMIT_FLAG_VARIABLES
from app.server.options import add_serve_arguments, uvicorn_options
from app.settings import LOG_FORMATS, LOG_LEVELS, load_settings

# `serve` flags that are settings: the flag wins over the variable, and goes into the environment so
# that every worker process (which rebuilds its Settings from the environment) sees it too.
SERVE_FLAG_VARIABLES = {
    "access_log": "GATEWAY_ACCESS_LOG",
    "log_format": "GATEWAY_LOG_FORMAT",
    "log_level": "GATEWAY_LOG_LEVEL",
    "forwarded_allow_ips": "GATEWAY_FORWARDED_ALLOW_IPS",
    **SERVER_LIMIT_FLAG_VARIABLES,
}


def _add_database_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        help="database URL (default: $GATEWAY_DATABASE_URL, $DATABASE_URL, or SQLite under ./data/)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    parser = argparse.ArgumentParser(prog="python -m app", description="customers-gateway")
    commands = parser.add_subparsers(dest="command", required=True, help="the command to run")

    serve = commands.add_parser("serve", help="apply migrations, then serve REST and GraphQL")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0: all)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes sharing the port (default 1)")
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="log every request (default on; $GATEWAY_ACCESS_LOG)",
    )
    serve.add_argument(
        "--log-format", choices=LOG_FORMATS, help="text (default) or json ($GATEWAY_LOG_FORMAT)"
    )
    serve.add_argument("--log-level", choices=LOG_LEVELS, help="log level (default info; $GATEWAY_LOG_LEVEL)")
    serve.add_argument(
        "--forwarded-allow-ips",
        help="proxies whose X-Forwarded-For/-Proto are trusted: comma-separated IPs or networks, or * "
        "(default 127.0.0.1; $GATEWAY_FORWARDED_ALLOW_IPS)",
    )
    add_serve_arguments(serve)
    _add_database_url(serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    _add_database_url(migrate)

    merchants = commands.add_parser("merchants", help="manage merchants")
    merchant_commands = merchants.add_subparsers(
        dest="merchant_command", required=True, help="what to do with merchants"
    )
    create = merchant_commands.add_parser(
        "create", help="create a merchant and print its credentials as JSON"
    )
    create.add_argument("--name", required=True, help="the merchant's display name")
    create.add_argument("--authenticity-token", help="keep an existing public id (default: generated)")
    create.add_argument("--merchant-key", help="keep an existing shared secret (default: generated)")
    _add_database_url(create)
    listing = merchant_commands.add_parser("list", help="print every merchant as a JSON line (no keys)")
    _add_database_url(listing)
    rotate = merchant_commands.add_parser(
        "rotate-key", help="give a merchant a new merchant_key (the old one stops working) and print it"
    )
    rotate.add_argument("--authenticity-token", required=True, help="the merchant's public id")
    rotate.add_argument("--merchant-key", help="the new shared secret (default: generated)")
    rotate.add_argument(
        "--keep-tokens", action="store_true", help="keep the merchant's access tokens (default: revoke them)"
    )
    _add_database_url(rotate)

    tokens = commands.add_parser("tokens", help="manage access tokens")
    token_commands = tokens.add_subparsers(
        dest="token_command", required=True, help="what to do with access tokens"
    )
    revoke = token_commands.add_parser("revoke", help="revoke one access token and/or all of a merchant's")
    revoke.add_argument("--token", help="the access token to revoke; `-` reads it from standard input")
    revoke.add_argument("--merchant", help="revoke every token of the merchant with this authenticity_token")
    _add_database_url(revoke)

    demo = commands.add_parser("demo", help="create (first run) or show the demo merchant, with a token")
    demo.add_argument(
        "--credentials-file",
        default="data/demo-merchant.json",
        help="where the demo merchant's credentials are kept (default data/demo-merchant.json)",
    )
    demo.add_argument(
        "--base-url",
        default="http://127.0.0.1:8000",
        help="the server's URL, for the links printed (default http://127.0.0.1:8000)",
    )
    _add_database_url(demo)

    seed = commands.add_parser("seed", help="bulk-insert generated customers for a merchant (benchmarks)")
    seed.add_argument(
        "--customers", type=int, default=100_000, help="how many customers to insert (default 100000)"
    )
    seed.add_argument("--merchant", required=True, help="the merchant's authenticity_token")
    seed.add_argument(
        "--payment-method-every", type=int, default=10, help="every Nth customer gets a card (default 10)"
    )
    _add_database_url(seed)

    events = commands.add_parser("events", help="manage the customer events feed")
    event_commands = events.add_subparsers(
        dest="events_command", required=True, help="what to do with events"
    )
    sweep = event_commands.add_parser("sweep", help="delete events older than GATEWAY_EVENTS_RETENTION_DAYS")
    _add_database_url(sweep)

    webhooks = commands.add_parser("webhooks", help="manage a merchant's webhook endpoints")
    webhook_commands = webhooks.add_subparsers(
        dest="webhooks_command", required=True, help="what to do with webhook endpoints"
    )
    hook_create = webhook_commands.add_parser(
        "create", help="register an endpoint and print it as JSON, with its signing secret (shown once)"
    )
    hook_create.add_argument("--url", required=True, help="where events are POSTed (http or https)")
    hook_create.add_argument(
        "--event-type",
        dest="event_types",
        action="append",
        default=[],
        help="an event type to deliver (repeat for several; default: every type)",
    )
    hook_create.add_argument("--description", help="a note for the merchant")
    hook_list = webhook_commands.add_parser("list", help="print the merchant's endpoints as JSON")
    hook_delete = webhook_commands.add_parser("delete", help="delete an endpoint and its pending deliveries")
    hook_delete.add_argument("endpoint_id", help="the endpoint's id (we_...)")
    hook_attempts = webhook_commands.add_parser(
        "attempts", help="print the latest delivery attempts to an endpoint as JSON"
    )
    hook_attempts.add_argument("endpoint_id", help="the endpoint's id (we_...)")
    hook_attempts.add_argument("--limit", type=int, default=50, help="how many (1-100, default 50)")
    for command in (hook_create, hook_list, hook_delete, hook_attempts):
        command.add_argument("--authenticity-token", required=True, help="the merchant's public id")
        _add_database_url(command)

    worker = commands.add_parser(
        "worker", help="deliver webhooks (and sweep old events) without serving HTTP, until stopped"
    )
    _add_database_url(worker)

    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")

    manifest = commands.add_parser(
        "persisted-manifest",
        help="write an Apollo persisted query manifest from a folder of .graphql files",
    )
    manifest.add_argument("directory", help="folder searched (recursively) for .graphql files")
    manifest.add_argument("-o", "--output", help="file to write (default: standard output)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one CLI command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "tokens" and args.token is None and args.merchant is None:
        parser.error("tokens revoke: give --token, --merchant, or both")
    if args.command == "serve":
        from app.cli.serve_preflight import listen_problem

        # Before migrating: a busy port should cost one line, not a migration and a traceback later.
        problem = listen_problem(args.host, args.port)
        if problem is not None:
            raise SystemExit(problem)
        _serve_flags_to_environment(args)
    settings = load_settings().with_database_url(getattr(args, "database_url", None))

    if args.command == "export-schema":
        from app.graphql.schema import schema

        print(schema.as_str())
        return 0

    if args.command == "persisted-manifest":
        from app.cli.persisted_manifest import write_manifest

        print(write_manifest(settings, args.directory, args.output))
        return 0

    from app.cli.key_upgrade import reseal_merchant_keys_sync
    from app.migrations import migrate_sync

    if args.command == "migrate":
        migrate_sync(settings.database_url)
        reseal_merchant_keys_sync(settings)
        print(f"database is up to date: {settings.display_database_url()}")
        return 0

    if args.command == "serve":
        import uvicorn

        from app.cli.persisted_manifest import trusted_documents_problem
        from app.observability.log_config import logging_config
        from app.observability.multiprocess import worker_metrics_directory

        problem = trusted_documents_problem(settings)
        if problem is not None:
            raise SystemExit(problem)
        migrate_sync(settings.database_url)
        # Also creates the local server key file, once, before any worker needs it.
        reseal_merchant_keys_sync(settings)
        # Workers rebuild settings from the environment, so the chosen URL travels there.
        os.environ["GATEWAY_DATABASE_URL"] = settings.database_url
        with worker_metrics_directory(args.workers):
            uvicorn.run(
                "app.main:create_app",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_config=logging_config(settings.log_format, settings.log_level),
                log_level=settings.log_level,
                # The app writes its own access log (request id, route template, duration).
                access_log=False,
                proxy_headers=True,
                forwarded_allow_ips=settings.forwarded_allow_ips,
                **uvicorn_options(settings),
            )
        return 0

    from app.cli.commands import (
        create_merchant,
        demo_merchant,
        list_merchants,
        revoke_tokens,
        rotate_merchant_key,
        run_worker,
        seed,
        sweep_events,
        webhooks_command,
    )

    migrate_sync(settings.database_url)
    if args.command == "merchants" and args.merchant_command == "create":
        result = asyncio.run(
            create_merchant(settings, name=args.name, token=args.authenticity_token, key=args.merchant_key)
        )
        print(json.dumps(result))
        return 0
    if args.command == "merchants" and args.merchant_command == "list":
        for line in asyncio.run(list_merchants(settings)):
            print(json.dumps(line))
        return 0
    if args.command == "merchants" and args.merchant_command == "rotate-key":
        rotated = asyncio.run(
            rotate_merchant_key(
                settings,
                token=args.authenticity_token,
                key=args.merchant_key,
                revoke_tokens=not args.keep_tokens,
            )
        )
        print(json.dumps(rotated))
        return 0
    if args.command == "tokens":
        token = sys.stdin.readline().strip() if args.token == "-" else args.token
        print(json.dumps(asyncio.run(revoke_tokens(settings, token=token, merchant=args.merchant))))
        return 0
    if args.command == "seed":
        print(asyncio.run(seed(settings, args.merchant, args.customers, args.payment_method_every)))
        return 0
    if args.command == "events":
        print(json.dumps(asyncio.run(sweep_events(settings))))
        return 0
    if args.command == "webhooks":
        answer = asyncio.run(
            webhooks_command(
                settings,
                args.webhooks_command,
                args.authenticity_token,
                url=getattr(args, "url", None),
                event_types=getattr(args, "event_types", None),
                description=getattr(args, "description", None),
                endpoint_id=getattr(args, "endpoint_id", None),
                limit=getattr(args, "limit", None),
            )
        )
        print(json.dumps(answer))
        return 0
    if args.command == "worker":
        reseal_merchant_keys_sync(settings)
        asyncio.run(run_worker(settings))
        return 0
    if args.command == "demo":
        print(asyncio.run(demo_merchant(settings, args.credentials_file, args.base_url)))
        return 0
    return 2


def _serve_flags_to_environment(args: argparse.Namespace) -> None:
    for flag, variable in SERVE_FLAG_VARIABLES.items():
        value = getattr(args, flag, None)
        if isinstance(value, bool):
            os.environ[variable] = "1" if value else "0"
        elif value is not None:
            os.environ[variable] = str(value)


if __name__ == "__main__":
    sys.exit(main())
