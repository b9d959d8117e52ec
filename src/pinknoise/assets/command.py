"""``pinknoise build``: the command-line face of :func:`pinknoise.assets.build.build`.

Exit status: 0 when the build is complete, 1 when it failed (a missing reference, an
unreadable or unwritable file: one message, no traceback), 2 for bad usage (a source
that is not a directory, nested directories, an unknown encoding).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from pinknoise.assets.build import BuildError, BuildResult, BuildUsageError, build
from pinknoise.compress.command import format_summary
from pinknoise.compress.deltas import DEFAULT_KEEP, DEFAULT_KEEP_OLD_VERSIONS
from pinknoise.compress.options import add_selection_arguments
from pinknoise.core.asset_manifest import MANIFEST_NAME
from pinknoise.core.walker import HIDDEN

NAME = "build"
HELP = "copy static files under content-hashed names, rewrite references, write a manifest"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``build`` on the top-level CLI's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME,
        help=HELP,
        description=(
            "Copy every file of SRC to OUT as NAME.<hash>.EXT (served immutable), rewriting "
            "CSS url()/@import, sourceMappingURL, source-map 'file' and relative ES-module "
            f"imports to the new names; write OUT/{MANIFEST_NAME} (name -> hashed path, "
            "size, sha384 integrity), keep older versions, and precompress. Reruns only "
            "redo what changed. See docs/build.md."
        ),
    )
    parser.add_argument("src", metavar="SRC", help="the static files to build")
    parser.add_argument("out", metavar="OUT", help="where to write them (created if needed)")
    parser.add_argument(
        "--prefix",
        default="/static/",
        help="URL path OUT is served at (default /static/): absolute references under it "
        "are rewritten, and the manifest records it",
    )
    parser.add_argument(
        "--keep-unhashed",
        action="append",
        default=[],
        metavar="PATTERN",
        help="also write files matching PATTERN under their own name (mutable), e.g. "
        "robots.txt or 'img/*.ico'; a pattern without '/' matches the base name (repeatable)",
    )
    parser.add_argument(
        "--keep-old-versions",
        type=int,
        default=DEFAULT_KEEP_OLD_VERSIONS,
        metavar="N",
        help=f"older hashed versions kept per file (default {DEFAULT_KEEP_OLD_VERSIONS}); "
        "older ones are deleted with their variants",
    )
    parser.add_argument(
        "--missing-references",
        choices=("error", "warn"),
        default="error",
        help="a reference to a file not in SRC (or leaving it) fails the build (default) "
        "or is left as written with a warning",
    )
    parser.add_argument(
        "--no-compress", action="store_true", help="do not write .br/.zst/.gz or dcz deltas"
    )
    add_selection_arguments(parser)
    parser.add_argument(
        "--dictionaries",
        type=int,
        default=DEFAULT_KEEP,
        metavar="N",
        help=f"dcz deltas against the N most recent older versions (default {DEFAULT_KEEP})",
    )
    parser.add_argument("-j", "--workers", type=int, default=None, metavar="N")
    parser.add_argument(
        "--allow-external-symlinks",
        action="store_true",
        help="also copy file symlinks in SRC that point outside it",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per file written")
    parser.add_argument("-q", "--quiet", action="store_true", help="errors and warnings only")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command for parsed ``args``; returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        result = build(
            args.src,
            args.out,
            prefix=args.prefix,
            keep_unhashed=args.keep_unhashed,
            keep_old_versions=args.keep_old_versions,
            missing_references=args.missing_references,
            compress=not args.no_compress,
            encodings=args.encodings,
            skip_extensions=args.skip_ext,
            dictionaries=args.dictionaries,
            workers=args.workers,
            allow_external_symlinks=args.allow_external_symlinks,
        )
    except BuildUsageError as error:
        print(f"pinknoise build: error: {error}", file=err)
        return 2
    except BuildError as error:
        print(f"pinknoise build: error: {error}", file=err)
        return 1
    report(result, args.verbose, args.quiet, out, err)
    return 0


def report(result: BuildResult, verbose: bool, quiet: bool, out: TextIO, err: TextIO) -> None:
    """Warnings always; skipped entries, cycles and a summary unless ``quiet``."""
    for warning in result.warnings:
        print(f"pinknoise build: warning: {warning}", file=err)
    if quiet:
        return
    for path, reason in result.skipped:
        if verbose or reason != HIDDEN:
            print(f"skipped {path} ({reason})", file=out)
    for cycle in result.cycles:
        print(f"cycle (hashed together): {' -> '.join(cycle)}", file=out)
    if verbose:
        for path in result.written:
            print(f"wrote {path}", file=out)
        for path in result.removed:
            print(f"removed {path} (older than the versions kept)", file=out)
        for name in result.not_hashed:
            print(f"not hashed {name} (no extension to carry a hash)", file=out)
    files = len(result.manifest.assets)
    print(
        f"built {files} files in {result.elapsed:.2f} s: {len(result.written)} written, "
        f"{result.unchanged} unchanged, {len(result.removed)} old versions removed, "
        f"{len(result.skipped)} skipped, {len(result.warnings)} warnings",
        file=out,
    )
    if result.compress is not None:
        print(format_summary(result.compress), file=out)
