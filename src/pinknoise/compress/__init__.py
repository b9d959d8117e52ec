"""Precompress a static tree: ``NAME.br``, ``NAME.zst`` and ``NAME.gz`` next to ``NAME``.

The server picks these siblings up and sends them to clients that accept the coding,
so all the expensive compression happens once, at build or deploy time::

    from pinknoise.compress import compress_tree

    summary = compress_tree("staticfiles/")
    if not summary.ok:
        for path, message in summary.errors:
            print(path, message)

See ``docs/compress.md`` for the rules (5 % threshold, manifest-based incremental
reruns, skip list) and the command-line interface, ``pinknoise compress``.
"""

from pinknoise.compress.codecs import (
    ALL_ENCODINGS,
    MissingEncodingError,
    available_encodings,
    is_effective,
)
from pinknoise.compress.manifest import MANIFEST_NAME
from pinknoise.compress.options import CompressOptions, default_workers, make_compress_options
from pinknoise.compress.runner import (
    EncodingStats,
    NullReporter,
    Reporter,
    Summary,
    compress_tree,
)
from pinknoise.compress.scan import DEFAULT_SKIP_EXTENSIONS

__all__ = [
    "ALL_ENCODINGS",
    "DEFAULT_SKIP_EXTENSIONS",
    "MANIFEST_NAME",
    "CompressOptions",
    "EncodingStats",
    "MissingEncodingError",
    "NullReporter",
    "Reporter",
    "Summary",
    "available_encodings",
    "compress_tree",
    "default_workers",
    "is_effective",
    "make_compress_options",
]
