"""``pinknoise serve DIR``: serve a directory as a production static site.

Exit status: 0 after a graceful shutdown (SIGINT/SIGTERM), 2 for bad usage (a missing
directory, a port in use, the ``serve`` extra not installed).
"""

from __future__ import annotations

import argparse
import errno
import functools
import os
import socket
import sys
from typing import Any

from pinknoise.compress.options import add_selection_arguments
from pinknoise.core.asset_manifest import ManifestError, read_manifest

NAME = "serve"
HELP = "serve a directory as a static site on an embedded production server"


def _max_age(value: str) -> int | None:
    if value.lower() == "none":
        return None
    seconds = int(value)
    if seconds < 0:
        raise argparse.ArgumentTypeError("max-age must be >= 0 or 'none'")
    return seconds


def _media(value: str) -> tuple[str, str]:
    """``DIR:PREFIX`` -> (absolute DIR, PREFIX); the last colon splits (``C:`` aside)."""
    directory, colon, prefix = value.rpartition(":")
    if not colon or not directory or not prefix.startswith("/"):
        raise argparse.ArgumentTypeError(
            f"--media takes DIR:PREFIX, like uploads:/media/, got {value!r}"
        )
    if prefix.strip("/") == "":
        raise argparse.ArgumentTypeError("--media needs a PREFIX other than '/', like /media/")
    return os.path.abspath(directory), prefix


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``serve`` on the top-level CLI's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME,
        help=HELP,
        description=(
            "Serve DIR over HTTP with pinknoise on granian: precompressed siblings, "
            "conditional requests, ranges, index.html for directories, an access log."
        ),
    )
    parser.add_argument("directory", metavar="DIR", help="the directory to serve")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (8000)")
    parser.add_argument("--prefix", default="/", help="URL prefix to serve DIR at (/)")
    parser.add_argument(
        "--workers", type=int, default=1, help="server worker processes (1)", metavar="N"
    )
    parser.add_argument(
        "--max-age",
        type=_max_age,
        default=60,
        metavar="SECONDS",
        help="Cache-Control max-age for files without a content hash in their name "
        "(60; 'none' sends none for them); hashed names always get a year, immutable",
    )
    parser.add_argument(
        "--compress",
        action="store_true",
        help="precompress DIR first (like `pinknoise compress DIR`; incremental)",
    )
    add_selection_arguments(parser, "with --compress: ")
    parser.add_argument(
        "--spa",
        action="store_true",
        help="answer GET/HEAD of unknown paths under the prefix with the root index.html "
        "(single-page apps), unless the name ends in a known file extension (.js, .png) "
        "or the request's Accept excludes HTML",
    )
    parser.add_argument(
        "--media",
        action="append",
        type=_media,
        default=[],
        metavar="DIR:PREFIX",
        help="also serve user uploads in DIR at PREFIX (e.g. uploads:/media/), looked up "
        "on every request: new files at once, deleted ones gone at once; nosniff, and "
        "HTML/SVG/XML/JS/PDF as sandboxed downloads (docs/media.md); repeatable",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no access log")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    directory = os.path.abspath(args.directory)
    if os.path.isfile(directory):
        folder = os.path.dirname(directory)
        return _fail(
            f"{args.directory} is a file, not a directory; serve its folder: "
            f"pinknoise serve {folder}"
        )
    if not os.path.isdir(directory):
        return _fail(f"{args.directory}: no such directory")
    if args.workers < 1:
        return _fail("--workers must be at least 1")
    for media_directory, _ in args.media:
        if os.path.exists(media_directory) and not os.path.isdir(media_directory):
            return _fail(f"--media: {media_directory} is not a directory")
    try:
        # Each worker reads it again at start-up; a build's unusable manifest would
        # fail every one of them, so say so once, here, before binding anything.
        read_manifest(directory)
    except ManifestError as error:
        return _fail(f"{error} (rebuild with `pinknoise build`)")
    try:
        from granian import Granian
        from granian.constants import Interfaces
        from granian.log import LogLevels
    except ImportError:
        return _fail("`pinknoise serve` needs the serve extra: pip install 'pinknoise[serve]'")
    problem = _port_problem(args.host, args.port)
    if problem:
        return _fail(problem)
    if args.compress and precompress(directory, args) == 2:
        return 2
    if args.spa and not os.path.isfile(os.path.join(directory, "index.html")):
        print(
            f"pinknoise serve: --spa: {directory} has no index.html, so client-side "
            "routes will get 404 until there is one",
            file=sys.stderr,
            flush=True,
        )
    if not args.quiet:
        print(
            f"pinknoise: serving {directory} at http://{args.host}:{args.port}{args.prefix}"
            " (Ctrl+C to stop)",
            flush=True,
        )
        for media_directory, media_prefix in args.media:
            print(f"pinknoise: uploads in {media_directory} at {media_prefix}", flush=True)
    server = Granian(
        "pinknoise.serve.app:build_app",  # names the workers; they call the loader below
        address=args.host,
        port=args.port,
        interface=Interfaces.RSGI,
        workers=args.workers,
        log_access=not args.quiet,
        log_level=LogLevels.warning if args.quiet else LogLevels.info,
    )
    from pinknoise.serve.app import build_app  # the serving stack: not for --help, compress

    # Each worker builds its app from these arguments (pickled to spawned workers).
    loader = functools.partial(
        build_app,
        directory,
        prefix=args.prefix,
        max_age=args.max_age,
        spa=args.spa,
        media=args.media,
    )
    server.serve(target_loader=loader, wrap_loader=False)
    return 0


def precompress(directory: str, args: argparse.Namespace) -> int:
    """``--compress``: the compressor's options from the same flags as its command.

    0 when done (a file that failed is printed, and served uncompressed), 2 for bad
    options (an unknown or missing encoding).
    """
    from pinknoise.compress import MissingEncodingError, compress_tree, make_compress_options

    try:
        options = make_compress_options(encodings=args.encodings, skip_extensions=args.skip_ext)
    except (MissingEncodingError, ValueError, TypeError) as error:
        return _fail(f"--compress: {error}")
    summary = compress_tree([directory], options=options)
    for path, message in summary.errors:
        print(f"pinknoise serve: compress: {path}: {message}", file=sys.stderr)
    return 0


def _port_problem(host: str, port: int) -> str | None:
    """A clear message if ``host:port`` cannot be bound, before the server tries."""
    if not 0 < port < 65536:
        return f"--port must be between 1 and 65535, got {port}"
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return f"port {port} on {host} is already in use; pick another with --port"
        return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


def _fail(message: str) -> int:
    print(f"pinknoise serve: {message}", file=sys.stderr)
    return 2
