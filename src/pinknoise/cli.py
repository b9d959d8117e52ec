"""The ``pinknoise`` command: a thin dispatcher over per-command modules.

Each command module exposes ``NAME``, ``HELP``, ``add_parser(subparsers)`` (which sets
``run`` as the parser's default) and ``run(args) -> int``. Adding a command (such as
``serve``) means adding its module to :data:`COMMANDS`; nothing else here changes.
Command modules are imported lazily so ``pinknoise compress`` does not pay for the
server's imports, and vice versa.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Final

#: Command modules, in the order ``pinknoise --help`` lists them.
COMMANDS: Final[tuple[str, ...]] = (
    "pinknoise.serve.command",
    "pinknoise.assets.command",
    "pinknoise.compress.command",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one subparser per command module."""
    parser = argparse.ArgumentParser(
        prog="pinknoise", description="Serve a web app's static files, fast and correctly."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMANDS:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pinknoise`` console script and ``python -m pinknoise``."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        print("pinknoise: interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    raise SystemExit(main())
