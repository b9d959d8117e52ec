"""make_compress_options: one validating function, one frozen result, shared by all."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest

from pinknoise.compress import (
    DEFAULT_SKIP_EXTENSIONS,
    compress_tree,
    make_compress_options,
)
from pinknoise.compress.command import add_parser
from pinknoise.compress.options import DEFAULTS

from .conftest import text, variants_of, write


def test_defaults_and_frozen() -> None:
    options = make_compress_options(workers=2)
    assert options.encodings == ("br", "zstd", "gzip")
    assert options.skip_extensions == DEFAULT_SKIP_EXTENSIONS
    assert (options.executor, options.workers, options.dictionaries) == ("thread", 2, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.dry_run = True  # type: ignore[misc]


def test_extensions_are_normalized_and_merged() -> None:
    options = make_compress_options(skip_extensions=[".PDF", " map "], use_default_skip=False)
    assert options.skip_extensions == {"pdf", "map"}
    assert {"pdf", "png"} <= make_compress_options(skip_extensions=["pdf"]).skip_extensions


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"executor": "fork"}, ValueError),
        ({"workers": 0}, ValueError),
        ({"workers": "2"}, TypeError),
        ({"dry_run": "yes"}, TypeError),
        ({"skip_extensions": "pdf"}, TypeError),
        ({"encodings": ["lzma"]}, ValueError),
        ({"encodings": []}, ValueError),
    ],
)
def test_bad_values_are_refused(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        make_compress_options(**kwargs)  # type: ignore[arg-type]


def test_cli_defaults_are_the_options_defaults() -> None:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["compress", "somewhere"])
    assert args.executor == DEFAULTS["executor"] == "thread"
    assert args.dictionaries == DEFAULTS["dictionaries"]


def test_compress_tree_takes_ready_options(tmp_path: Path) -> None:
    root = tmp_path / "static"
    write(root / "a.js", text(5000, 3))
    options = make_compress_options(encodings=["gzip"], workers=1)
    summary = compress_tree(root, options=options)
    assert summary.ok
    assert set(variants_of(root / "a.js")) == {".gz"}
