"""``pinknoise serve --compress`` takes the compressor's encodings and skip list."""

from __future__ import annotations

import argparse
from pathlib import Path

from pinknoise.serve import command


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_parser(parser.add_subparsers())
    return parser.parse_args(["serve", *argv])


def test_encodings_and_skip_list_reach_the_compressor(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("function f() { return 1; }\n" * 200)
    (tmp_path / "notes.txt").write_text("some notes, again and again\n" * 200)
    args = parse(str(tmp_path), "--compress", "--encodings", "gzip", "--skip-ext", "txt")
    assert command.precompress(str(tmp_path), args) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "app.js", "app.js.gz", "notes.txt"
    ]  # fmt: skip


def test_bad_encoding_is_a_usage_error(tmp_path: Path) -> None:
    args = parse(str(tmp_path), "--compress", "--encodings", "lzw")
    assert command.precompress(str(tmp_path), args) == 2
