"""Every command, subcommand and flag of `python -m app` explains itself in `--help`."""

from __future__ import annotations

import argparse

from app.cli.parser import build_parser


def _undocumented(parser: argparse.ArgumentParser, path: str) -> list[str]:
    """`path flag` for every action of `parser` and its subparsers that has no help text."""
    missing = []
    for action in parser._actions:
        name = "/".join(action.option_strings) or action.dest
        if not action.help or action.help == argparse.SUPPRESS:
            missing.append(f"{path} {name}")
        if isinstance(action, argparse._SubParsersAction):
            described = {choice.dest: choice.help for choice in action._choices_actions}
            for command, subparser in action.choices.items():
                if not described.get(command):
                    missing.append(f"{path} {command}")
                missing.extend(_undocumented(subparser, f"{path} {command}"))
    return missing


def test_every_command_and_flag_has_help() -> None:
    assert _undocumented(build_parser(), "python -m app") == []


def test_the_walk_reaches_every_level() -> None:
    # A walk that stopped at the top would pass vacuously.
    seen: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            seen.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
            if isinstance(action, argparse._SubParsersAction):
                for command, subparser in action.choices.items():
                    walk(subparser, f"{path} {command}")

    walk(build_parser(), "app")
    assert "app serve --port" in seen
    assert "app merchants rotate-key --keep-tokens" in seen
    assert "app tokens revoke --token" in seen


def test_a_flag_without_help_is_found() -> None:
    parser = build_parser()
    parser.add_argument("--undocumented")
    assert _undocumented(parser, "app") == ["app --undocumented"]
