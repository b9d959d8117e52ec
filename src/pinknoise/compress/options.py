"""Every compression option, validated once: :class:`CompressOptions`.

Like :class:`pinknoise.core.options.Options` for the server: a frozen dataclass made by
one validating function, :func:`make_compress_options`, so the Python API, the
``pinknoise compress`` command line and the Django storage cannot drift apart; the CLI
takes its defaults from :data:`DEFAULTS`.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any, Final, Literal

from pinknoise.compress import codecs
from pinknoise.compress.deltas import DEFAULT_KEEP
from pinknoise.compress.scan import DEFAULT_SKIP_EXTENSIONS, normalize_extensions

ExecutorKind = Literal["process", "thread"]
EXECUTORS: Final[tuple[ExecutorKind, ...]] = ("thread", "process")


@dataclass(frozen=True, slots=True)
class CompressOptions:
    """What one compression run does. Build it with :func:`make_compress_options`."""

    #: Encodings to write, in :data:`pinknoise.compress.codecs.ALL_ENCODINGS` order.
    encodings: tuple[str, ...]
    #: Extensions (lower case, no dot) never compressed.
    skip_extensions: frozenset[str] = DEFAULT_SKIP_EXTENSIONS
    #: Also compress file symlinks that leave the root (the server's option).
    allow_external_symlinks: bool = False
    dry_run: bool = False
    #: Parallel workers; ``None`` in :data:`DEFAULTS` means the usable CPUs.
    workers: int = 1
    executor: ExecutorKind = "thread"
    #: dcz deltas per versioned asset against this many older versions (0: none).
    dictionaries: int = DEFAULT_KEEP


def split_list(value: str) -> list[str]:
    """A command line's comma-separated list (``"gzip, br"``), blanks dropped."""
    return [part for part in (p.strip() for p in value.split(",")) if part]


def add_selection_arguments(parser: argparse.ArgumentParser, note: str = "") -> None:
    """``--encodings`` and ``--skip-ext``, for every command line that compresses."""
    parser.add_argument(
        "--encodings",
        type=split_list,
        default=None,
        metavar="LIST",
        help=(
            f"{note}comma-separated, from {','.join(codecs.ALL_ENCODINGS)} (also "
            f"'gzip,br,zstd' in any order); default: every installed one (here: "
            f"{','.join(codecs.available_encodings())})"
        ),
    )
    parser.add_argument(
        "--skip-ext",
        type=split_list,
        action="extend",
        default=[],
        metavar="LIST",
        help=f"{note}extra comma-separated extensions not to compress, e.g. 'pdf,map' (repeatable)",
    )


def default_workers() -> int:
    """CPUs this process may run on (respects affinity masks and container cpusets)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def make_compress_options(
    *,
    encodings: Iterable[str] | None = None,
    skip_extensions: Iterable[str] = (),
    use_default_skip: bool = True,
    allow_external_symlinks: bool = False,
    follow_external_symlinks: bool | None = None,
    dry_run: bool = False,
    workers: int | None = None,
    executor: str = "thread",
    dictionaries: int = DEFAULT_KEEP,
) -> CompressOptions:
    """Validate the options of :func:`pinknoise.compress.compress_tree`.

    ``encodings`` defaults to every installed one; one whose library is missing raises
    :class:`~pinknoise.compress.codecs.MissingEncodingError`. ``skip_extensions`` adds
    to :data:`DEFAULT_SKIP_EXTENSIONS` (or replaces it with ``use_default_skip=False``).
    ``follow_external_symlinks`` is the deprecated former name of
    ``allow_external_symlinks``. Bad values raise ``TypeError`` or ``ValueError``.
    """
    if follow_external_symlinks is not None:
        warnings.warn(
            "compress_tree(follow_external_symlinks=...) is deprecated: "
            "use allow_external_symlinks=...",
            DeprecationWarning,
            stacklevel=3,
        )
        allow_external_symlinks = allow_external_symlinks or follow_external_symlinks
    for name, flag in (
        ("use_default_skip", use_default_skip),
        ("allow_external_symlinks", allow_external_symlinks),
        ("dry_run", dry_run),
    ):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if isinstance(skip_extensions, str):
        raise TypeError("skip_extensions must be a list of extensions, not a string")
    skip = normalize_extensions(skip_extensions)
    if use_default_skip:
        skip |= DEFAULT_SKIP_EXTENSIONS
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be 'process' or 'thread', not {executor!r}")
    count = default_workers() if workers is None else workers
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"workers must be a number, got {workers!r}")
    if count < 1:
        raise ValueError("workers must be at least 1")
    if isinstance(dictionaries, bool) or not isinstance(dictionaries, int):
        raise TypeError(f"dictionaries must be a number, got {dictionaries!r}")
    return CompressOptions(
        encodings=codecs.resolve_encodings(encodings),
        skip_extensions=skip,
        allow_external_symlinks=allow_external_symlinks,
        dry_run=dry_run,
        workers=count,
        executor="process" if executor == "process" else "thread",
        dictionaries=max(0, dictionaries),
    )


def _defaults() -> dict[str, Any]:
    return {f.name: f.default for f in fields(CompressOptions) if f.name != "encodings"}


#: Field defaults, for the CLI's and the storage's own defaults.
DEFAULTS: Final[dict[str, Any]] = _defaults()
