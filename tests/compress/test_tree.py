"""compress_tree on real files: outputs, skip rules, threshold, incremental reruns."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

from pinknoise.compress import MANIFEST_NAME, Summary, compress_tree
from pinknoise.compress.atomic import TEMP_SUFFIX

from .conftest import assert_variants_match, text, variants_of, write

ALL = {".br", ".zst", ".gz"}


def run(root: Path, **kwargs: Any) -> Summary:
    kwargs.setdefault("executor", "thread")
    kwargs.setdefault("workers", 2)
    summary = compress_tree(root, **kwargs)
    assert summary.ok, summary.errors
    return summary


@pytest.mark.parametrize("executor", ["process", "thread"])
def test_every_variant_round_trips(site: Path, executor: str) -> None:
    summary = compress_tree(site, executor=executor, workers=2)  # type: ignore[arg-type]
    assert summary.ok
    assert set(variants_of(site / "app.js")) == ALL
    assert set(variants_of(site / "css" / "site.css")) == ALL
    for path in site.rglob("*"):
        if path.is_file() and path.suffix not in ALL:
            assert_variants_match(path)
    assert summary.files_scanned == 6
    assert summary.files_compressed == 2
    assert summary.files_skipped == 2
    stats = summary.per_encoding["gzip"]
    assert stats.variants == 2
    assert stats.bytes_in == 28_000
    assert stats.bytes_out == sum(
        os.path.getsize(f"{p}.gz") for p in (site / "app.js", site / "css" / "site.css")
    )


def test_variant_mtime_equals_source_mtime(site: Path) -> None:
    run(site)
    source = (site / "app.js").stat().st_mtime_ns
    for variant in variants_of(site / "app.js").values():
        assert variant.stat().st_mtime_ns == source


def test_skip_rules(site: Path) -> None:
    write(site / "old.js.gz", text(3000))  # someone's variant without a base: not touched
    write(site / ".hidden.js", text(3000))
    write(site / ".git" / "x.js", text(3000))
    write(site / "report.pdf", text(3000))
    run(site, skip_extensions=[".PDF"])
    assert variants_of(site / "img" / "logo.png") == {}
    assert variants_of(site / "fonts" / "a.woff2") == {}
    assert variants_of(site / "old.js.gz") == {}
    assert variants_of(site / ".hidden.js") == {}
    assert variants_of(site / ".git" / "x.js") == {}
    assert variants_of(site / "report.pdf") == {}
    assert variants_of(site / "css" / "empty.css") == {}


def test_no_default_skip_compresses_listed_types(site: Path) -> None:
    run(site, use_default_skip=False)
    assert set(variants_of(site / "img" / "logo.png")) == ALL


def test_threshold_keeps_nothing_for_incompressible_and_removes_stale(site: Path) -> None:
    blob = site / "blob.bin"
    assert variants_of(blob) == {}
    write(blob, text(10_000, 9))
    run(site)
    assert set(variants_of(blob)) == ALL
    # The file becomes incompressible: the now-stale variants must go, not linger.
    write(blob, random.Random(1).randbytes(10_000))
    summary = run(site)
    assert variants_of(blob) == {}
    assert summary.variants_removed == 3
    assert summary.per_encoding["br"].not_effective == 1


def test_encodings_subset(site: Path) -> None:
    run(site, encodings=["gzip"])
    assert set(variants_of(site / "app.js")) == {".gz"}


def test_rerun_of_unchanged_tree_compresses_nothing(site: Path) -> None:
    run(site)
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.suffix in ALL}
    inodes = {p: p.stat().st_ino for p in before}
    summary = run(site)
    assert summary.files_compressed == 0
    assert summary.files_unchanged == 4
    assert {p: p.stat().st_ino for p in before} == inodes  # nothing rewritten


def test_rerun_compresses_exactly_the_changed_files(site: Path) -> None:
    write(site / "b.js", text(9_000, 7))
    run(site)
    untouched = {p: p.stat().st_ino for p in site.rglob("*.gz") if p.name != "app.js.gz"}
    write(site / "app.js", text(20_000, 42))  # same size, new content
    summary = run(site)
    assert summary.files_compressed == 1
    assert_variants_match(site / "app.js")
    assert {p: p.stat().st_ino for p in untouched} == untouched


def test_touch_without_change_is_not_recompressed_but_retimed(site: Path) -> None:
    run(site)
    app = site / "app.js"
    os.utime(app, ns=(10**18, 10**18))
    summary = run(site)
    assert summary.files_compressed == 0
    for variant in variants_of(app).values():
        assert variant.stat().st_mtime_ns == 10**18  # server sees variant >= source
    assert run(site).files_unchanged == 4


def test_mtime_preserving_rewrite_is_detected(site: Path) -> None:
    run(site)
    app = site / "app.js"
    st = app.stat()
    app.write_bytes(text(20_000, 99))  # same size...
    os.utime(app, ns=(st.st_atime_ns, st.st_mtime_ns))  # ...and the old mtime restored
    assert run(site).files_compressed == 1
    assert_variants_match(app)


def test_identical_contents_compressed_once(site: Path) -> None:
    data = text(30_000, 11)
    write(site / "main.css", data)
    write(site / "main.3f2a9c.css", data)
    summary = run(site)
    assert summary.files_deduplicated == 1
    assert_variants_match(site / "main.css")
    assert_variants_match(site / "main.3f2a9c.css")
    # A later copy reuses the variants already on disk instead of compressing again.
    write(site / "main.77aa01.css", data)
    summary = run(site)
    assert summary.files_deduplicated == 1
    assert (site / "main.77aa01.css.br").read_bytes() == (site / "main.css.br").read_bytes()


def test_deleted_source_takes_its_variants_along(site: Path) -> None:
    run(site)
    (site / "app.js").unlink()
    summary = run(site)
    assert variants_of(site / "app.js") == {}
    assert summary.variants_removed == 3


def test_newly_skipped_extension_removes_our_variants(site: Path) -> None:
    run(site)
    run(site, skip_extensions=["js"])
    assert variants_of(site / "app.js") == {}
    assert set(variants_of(site / "css" / "site.css")) == ALL


def test_encoding_dropped_later_is_deleted_when_source_changes(site: Path) -> None:
    run(site)
    write(site / "app.js", text(20_000, 5))
    run(site, encodings=["gzip"])
    assert set(variants_of(site / "app.js")) == {".gz"}  # old .br/.zst would be stale
    assert set(variants_of(site / "css" / "site.css")) == ALL  # unchanged: still valid


def test_lost_manifest_means_full_recompression(site: Path) -> None:
    run(site)
    (site / MANIFEST_NAME).unlink()
    assert run(site).files_compressed == 2
    manifest = json.loads((site / MANIFEST_NAME).read_text())
    assert set(manifest["files"]) == {"app.js", "css/site.css", "css/empty.css", "blob.bin"}


def test_variant_edited_by_hand_is_rewritten(site: Path) -> None:
    run(site)
    (site / "app.js.gz").write_bytes(b"garbage")
    assert run(site).files_compressed == 1
    assert_variants_match(site / "app.js")


def test_dry_run_writes_nothing(site: Path) -> None:
    before = sorted(site.rglob("*"))
    summary = run(site, dry_run=True)
    assert sorted(site.rglob("*")) == before
    # Files whose variants are missing; the 5 % rule is only known after compressing.
    assert summary.files_compressed == 3


def test_abandoned_temp_files_are_removed_live_ones_kept(site: Path) -> None:
    dead = site / f".app.js.gz.{2**22 + 12345}.0badf00d{TEMP_SUFFIX}"
    live = site / f".app.js.br.{os.getppid()}.0badf00d{TEMP_SUFFIX}"
    dead.write_bytes(b"partial")
    live.write_bytes(b"partial")
    summary = run(site)
    assert not dead.exists()
    assert live.exists()
    assert summary.temps_removed == 1


def test_symlink_policy(tmp_path: Path, site: Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "ext.js", text(5000, 21))
    (site / "linked-file.js").symlink_to(outside / "ext.js")
    (site / "linked-dir").symlink_to(outside, target_is_directory=True)
    (site / "css" / "loop").symlink_to(site, target_is_directory=True)
    (site / "alias.js").symlink_to(site / "app.js")
    run(site)
    assert variants_of(site / "linked-file.js") == {}
    assert not list(outside.glob("*.gz"))
    assert set(variants_of(site / "alias.js")) == ALL  # in-root link: followed
    assert not (site / "alias.js.gz").is_symlink()
    assert_variants_match(site / "alias.js")

    run(site, allow_external_symlinks=True)
    assert set(variants_of(site / "linked-file.js")) == ALL  # written next to the link
    assert_variants_match(site / "linked-file.js")
    assert not list(outside.glob("*.gz"))  # never written outside the root


def test_existing_symlinked_variant_is_replaced_not_written_through(
    tmp_path: Path, site: Path
) -> None:
    victim = write(tmp_path / "victim.txt", b"do not touch")
    (site / "app.js.gz").symlink_to(victim)
    run(site)
    assert victim.read_bytes() == b"do not touch"
    assert not (site / "app.js.gz").is_symlink()
    assert_variants_match(site / "app.js")


def test_nested_roots_processed_once(site: Path) -> None:
    summary = compress_tree([site, site / "css"], executor="thread")
    assert summary.roots == [str(site)]
    assert not (site / "css" / MANIFEST_NAME).exists()


def test_no_temp_files_left_after_a_run(site: Path) -> None:
    run(site)
    assert not list(site.rglob(f"*{TEMP_SUFFIX}"))


def test_django_manifest_at_the_root_is_not_compressed(tmp_path: Path) -> None:
    """The server never serves staticfiles.json at a root's top, so no variants for it."""
    manifest = write(tmp_path / "staticfiles.json", text(5_000, seed=1))
    nested = write(tmp_path / "sub" / "staticfiles.json", text(5_000, seed=2))
    summary = compress_tree([tmp_path], workers=1)
    assert summary.ok
    assert variants_of(manifest) == {}
    assert variants_of(nested) != {}
