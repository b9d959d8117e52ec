"""``pinknoise compress``: the command-line face of :func:`compress_tree`.

Exit status: 0 when every file was handled, 1 when any file failed (each failure is
printed to stderr with its path), 2 for bad usage, including an encoding whose
library is not installed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import stat
import sys
from typing import Any, TextIO

from pinknoise.compress.codecs import MissingEncodingError
from pinknoise.compress.options import (
    DEFAULTS,
    EXECUTORS,
    add_selection_arguments,
    default_workers,
    make_compress_options,
)
from pinknoise.compress.plan import Reuse, describe
from pinknoise.compress.runner import Summary, compress_tree
from pinknoise.compress.scan import DEFAULT_SKIP_EXTENSIONS

NAME = "compress"
HELP = "write .br/.zst/.gz siblings next to static files (parallel, atomic, incremental)"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``compress`` on the top-level CLI's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME,
        help=HELP,
        description=(
            "Precompress every file under DIR: NAME.br (brotli 11), NAME.zst (zstd 19) and "
            "NAME.gz (gzip 9), kept only when at least 5% smaller. Reruns only redo "
            "changed files (state in DIR/.pinknoise-compress.json)."
        ),
    )
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="static root(s) to compress")
    add_selection_arguments(parser)
    parser.add_argument(
        "--no-default-skip",
        action="store_true",
        help="do not skip the built-in list of already-compressed formats: "
        + ",".join(sorted(DEFAULT_SKIP_EXTENSIONS)),
    )
    parser.add_argument(
        "--allow-external-symlinks",
        action="store_true",
        help="also compress file symlinks that point outside DIR (the variant is written "
        "next to the link); directory symlinks leaving DIR are never descended",
    )
    parser.add_argument(
        "--follow-external-symlinks",
        action="store_true",
        help="deprecated former name of --allow-external-symlinks",
    )
    parser.add_argument(
        "-n",
        "--dry-run",
        action="store_true",
        help="print the plan (one line per file to compress, skip or remove; with -v also "
        "those reused), read and write nothing",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per file")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar and no summary; errors only"
    )
    parser.add_argument(
        "-j",
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"parallel workers (default: usable CPUs, here {default_workers()})",
    )
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default=DEFAULTS["executor"],
        help=f"worker kind (default: {DEFAULTS['executor']}; see docs/compress.md for the "
        "measurements)",
    )
    parser.add_argument(
        "--dictionaries",
        type=int,
        default=DEFAULTS["dictionaries"],
        metavar="N",
        help="for the newest version of each content-hashed asset, write dcz deltas "
        f"against the N most recent older versions (default {DEFAULTS['dictionaries']}; "
        "0: none; "
        "needs zstandard); see docs/dictionaries.md",
    )
    parser.set_defaults(run=run)
    return parser


class ConsoleReporter:
    """Progress bar on a terminal (if tqdm is installed), per-file lines with -v."""

    def __init__(self, verbose: bool, quiet: bool, out: TextIO, err: TextIO) -> None:
        self.verbose = verbose
        self.quiet = quiet
        self.out = out
        self.err = err
        self.bar: Any = None
        self.want_bar = not quiet and err.isatty()

    def start(self, total_bytes: int) -> None:
        if not self.want_bar or total_bytes == 0:
            return
        try:
            tqdm = importlib.import_module("tqdm").tqdm  # untyped; optional extra
        except ImportError:  # the bar is optional: pip install 'pinknoise[progress]'
            return
        self.bar = tqdm(
            total=total_bytes,
            unit="B",
            unit_scale=True,
            desc="compress",
            file=self.err,
            leave=False,
            dynamic_ncols=True,
        )

    def advance(self, nbytes: int) -> None:
        if self.bar is not None:
            self.bar.update(nbytes)

    def file(self, line: str) -> None:
        is_error = line.startswith("error: ")
        if not (is_error or self.verbose):
            return
        stream = self.err if is_error else self.out
        if self.bar is not None:
            self.bar.write(line, file=stream)
        else:
            print(line, file=stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def format_summary(summary: Summary) -> str:
    """The end-of-run report: counts, bytes per encoding, time."""
    head = "dry run, nothing written: " if summary.dry_run else ""
    verb = "would compress" if summary.dry_run else "compressed"
    lines = [
        f"{head}{summary.files_scanned} files scanned in {summary.elapsed:.2f} s: "
        f"{summary.files_compressed} {verb}, {summary.files_unchanged} unchanged, "
        f"{summary.files_skipped} skipped by extension, {len(summary.errors)} errors"
    ]
    if summary.files_deduplicated:
        lines.append(f"  {summary.files_deduplicated} duplicate files reused another's variants")
    for encoding, stats in summary.per_encoding.items():
        if not (stats.variants or stats.not_effective):
            continue
        if summary.dry_run:
            lines.append(
                f"  {encoding:<5} {stats.variants} variants to make ({_mb(stats.bytes_in)})"
            )
            continue
        ratio = f" ({stats.bytes_out * 100 / stats.bytes_in:.1f}%)" if stats.bytes_in else ""
        lines.append(
            f"  {encoding:<5} {stats.variants} written: {_mb(stats.bytes_in)} -> "
            f"{_mb(stats.bytes_out)}{ratio}; {stats.not_effective} not kept (saved < 5%)"
        )
    if summary.variants_removed:
        lines.append(f"  {summary.variants_removed} stale variants removed")
    if summary.deltas_written or summary.deltas_removed:
        lines.append(
            f"  {summary.deltas_written} dcz deltas between asset versions written, "
            f"{summary.deltas_removed} removed"
        )
    if summary.temps_removed:
        lines.append(f"  {summary.temps_removed} temporary files of an interrupted run removed")
    return "\n".join(lines)


def format_plan(summary: Summary, verbose: bool) -> str:
    """A dry run's plan, one line per action; files reused as they are only with -v."""
    assert summary.plan is not None
    return "\n".join(
        f"would {describe(action, summary.encodings)}"
        for action in summary.plan.actions
        if verbose or not isinstance(action, Reuse)
    )


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command for parsed ``args``; returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    for directory in args.dirs:
        try:
            is_dir = stat.S_ISDIR(os.stat(directory).st_mode)
        except OSError as exc:
            print(f"pinknoise compress: error: {directory}: {exc.strerror}", file=err)
            return 2
        if not is_dir:
            print(f"pinknoise compress: error: {directory}: not a directory", file=err)
            return 2
    if args.follow_external_symlinks:
        print(
            "pinknoise compress: warning: --follow-external-symlinks is deprecated, "
            "use --allow-external-symlinks",
            file=err,
        )
    reporter = ConsoleReporter(args.verbose, args.quiet, out, err)
    try:
        options = make_compress_options(
            encodings=args.encodings,
            skip_extensions=args.skip_ext,
            use_default_skip=not args.no_default_skip,
            allow_external_symlinks=args.allow_external_symlinks or args.follow_external_symlinks,
            dry_run=args.dry_run,
            workers=args.workers,
            executor=args.executor,
            dictionaries=args.dictionaries,
        )
        summary = compress_tree(args.dirs, options=options, reporter=reporter)
    except (MissingEncodingError, ValueError, TypeError) as exc:
        print(f"pinknoise compress: error: {exc}", file=err)
        return 2
    if not args.quiet:
        if summary.plan is not None and summary.dry_run:
            print(format_plan(summary, args.verbose), file=out)
        print(format_summary(summary), file=out)
    if summary.errors:
        print(f"pinknoise compress: {len(summary.errors)} file(s) failed, see above", file=err)
        return 1
    return 0
