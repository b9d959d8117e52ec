"""The three steps of a run, each alone: plan (by stat, changing nothing), execute
(the plan's actions, results returned, no manifest written), record (manifests)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from pinknoise.cli import main
from pinknoise.compress import compress_tree, manifest
from pinknoise.compress.manifest import FileRecord, VariantRecord
from pinknoise.compress.options import make_compress_options
from pinknoise.compress.plan import (
    Compress,
    Plan,
    Remove,
    Reuse,
    Skip,
    after_read,
    describe,
    make_plan,
)
from pinknoise.compress.runner import EncodingStats, NullReporter, Summary, _Execution, record
from pinknoise.compress.scan import DEFAULT_SKIP_EXTENSIONS, normalize_extensions, scan

from .conftest import assert_variants_match, text, write

ENCODINGS = ("br", "zstd", "gzip")


def plan_for(
    root: Path, extra_skip: tuple[str, ...] = (), encodings: tuple[str, ...] = ENCODINGS
) -> Plan:
    skip = DEFAULT_SKIP_EXTENSIONS | normalize_extensions(extra_skip)
    found = scan([str(root)], skip, False)
    return make_plan([str(root)], encodings, found, [manifest.load(str(root))])


def listing(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def rels(actions: list[Compress] | list[Reuse]) -> list[str]:
    return [a.rel if isinstance(a, Reuse) else a.source.rel for a in actions]


def of_kind(plan: Plan, kind: type[Any]) -> list[Any]:
    return [a for a in plan.actions if isinstance(a, kind)]


def test_after_a_run_everything_is_reused(site: Path) -> None:
    assert compress_tree(site, workers=1).ok
    before = listing(site)
    plan = plan_for(site)
    assert plan.to_compress == []
    assert sorted(rels(of_kind(plan, Reuse))) == [
        "app.js", "blob.bin", "css/empty.css", "css/site.css"
    ]  # fmt: skip
    assert of_kind(plan, Remove) == []
    assert [a.reason for a in of_kind(plan, Skip)] == ["extension", "extension"]
    assert plan.files == 6
    assert listing(site) == before  # planning changed nothing


def test_fresh_tree_is_all_compress_largest_first(site: Path) -> None:
    plan = plan_for(site)
    assert rels(plan.to_compress) == ["app.js", "blob.bin", "css/site.css", "css/empty.css"]
    assert all(a.old is None and a.reusable == () for a in plan.to_compress)
    # The actions run in order: removals and skips first, compressions last.
    kinds = [type(a).__name__ for a in plan.actions]
    assert kinds == ["Skip", "Skip", "Compress", "Compress", "Compress", "Compress"]


def test_changed_gone_and_newly_skipped_files(site: Path) -> None:
    assert compress_tree(site, workers=1).ok
    write(site / "css" / "site.css", text(9_000, 99))
    (site / "blob.bin").unlink()
    before = listing(site)
    plan = plan_for(site, extra_skip=("js",))
    (changed,) = plan.to_compress
    assert changed.source.rel == "css/site.css"
    assert changed.reusable == ENCODINGS  # variants intact: kept if the content is the same
    removals = of_kind(plan, Remove)
    assert sorted(Path(r.path).name for r in removals) == ["app.js.br", "app.js.gz", "app.js.zst"]
    assert {r.reason for r in removals} == {"its file is now skipped"}
    assert listing(site) == before

    (site / "css" / "site.css").unlink()
    gone = of_kind(plan_for(site), Remove)
    assert sorted(Path(r.path).name for r in gone) == [
        "site.css.br", "site.css.gz", "site.css.zst"
    ]  # fmt: skip
    assert {r.reason for r in gone} == {"source is gone"}


def test_variant_edited_by_hand_means_the_source_is_read_again(site: Path) -> None:
    assert compress_tree(site, workers=1).ok
    (site / "app.js.gz").write_bytes(b"not ours any more")
    (action,) = plan_for(site).to_compress
    assert action.source.rel == "app.js"
    assert action.reusable == ("br", "zstd")


def test_after_read_keeps_intact_variants_of_the_same_content_only(site: Path) -> None:
    assert compress_tree(site, workers=1, encodings=("br", "gzip")).ok
    os.utime(site / "app.js", ns=(1, 1))  # new stat, same content
    (action,) = plan_for(site, encodings=("br", "gzip")).to_compress
    assert action.old is not None
    same = FileRecord(action.old.size, 1, 0, 0, action.old.digest)
    kept, stale = after_read(action, same, ("br",))
    assert set(kept) == {"br", "gzip"}  # gzip is not selected now, but still current
    assert stale == []
    changed = FileRecord(action.old.size, 1, 0, 0, "another digest")
    kept, stale = after_read(action, changed, ("br",))
    assert kept == {}
    assert [(Path(r.path).name, r.reason) for r in stale] == [
        ("app.js.gz", "stale, source changed")
    ]


def test_describe_is_one_readable_line_per_action(site: Path) -> None:
    assert compress_tree(site, workers=1).ok
    write(site / "css" / "site.css", text(9_000, 99))
    (site / "app.js").unlink()
    lines = [describe(a, ENCODINGS) for a in plan_for(site).actions]
    assert f"skip {site / 'img' / 'logo.png'} (extension)" in lines
    assert f"remove {site / 'app.js.br'} (source is gone)" in lines
    assert f"reuse {site / 'blob.bin'} (unchanged)" in lines
    assert (
        f"compress {site / 'css' / 'site.css'} (br, zstd, gzip; changed on disk, "
        "br, zstd, gzip kept if the content is the same)"
    ) in lines
    assert all("\n" not in line for line in lines)


def execute(root: Path, plan: Plan) -> tuple[Summary, list[dict[str, FileRecord]]]:
    options = make_compress_options(encodings=ENCODINGS, workers=1)
    summary = Summary(roots=[str(root)], encodings=ENCODINGS, dry_run=False)
    summary.per_encoding = {e: EncodingStats() for e in ENCODINGS}
    return summary, _Execution(plan, options, NullReporter(), summary).run()


def test_execute_alone_writes_variants_and_returns_records_without_a_manifest(
    site: Path,
) -> None:
    summary, results = execute(site, plan_for(site))
    assert summary.errors == []
    assert not (site / manifest.MANIFEST_NAME).exists()
    (records,) = results
    assert sorted(records) == ["app.js", "blob.bin", "css/empty.css", "css/site.css"]
    assert set(records["app.js"].variants) == set(ENCODINGS)
    assert records["blob.bin"].variants["gzip"].size is None  # not worth keeping
    assert_variants_match(site / "app.js")
    assert summary.files_compressed == 2  # app.js, site.css; blob.bin kept no variant
    assert summary.files_skipped == 2


def test_record_alone_writes_reused_and_new_records(tmp_path: Path) -> None:
    reused = FileRecord(3, 4, 5, 6, "d1", {"gzip": VariantRecord("gzip-9", 2, 4)})
    new = FileRecord(7, 8, 9, 10, "d2")
    plan = Plan(actions=[Reuse(0, "a.js", reused), Skip(str(tmp_path / ".x"), "a hidden name")])
    assert record([str(tmp_path)], plan, [{"b.css": new}], os.getpid()) == []
    assert manifest.load(str(tmp_path)) == {"a.js": reused, "b.css": new}


def test_record_reports_a_manifest_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / manifest.MANIFEST_NAME).mkdir()  # a directory in the manifest's place
    errors = record([str(tmp_path)], Plan(), [{}], os.getpid())
    assert [path for path, _ in errors] == [str(tmp_path / manifest.MANIFEST_NAME)]


def test_dry_run_prints_the_plan_and_reads_nothing(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pinknoise.compress.runner as runner_module

    def no_reads(*args: object) -> None:
        raise AssertionError("a dry run read a file")

    assert compress_tree(site, workers=1).ok
    write(site / "app.js", text(21_000, 7))
    monkeypatch.setattr(runner_module, "read_checked", no_reads)
    before = listing(site)
    assert main(["compress", "-n", str(site)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert listing(site) == before
    assert (
        f"would compress {site / 'app.js'} (br, zstd, gzip; changed on disk, "
        "br, zstd, gzip kept if the content is the same)"
    ) in out
    assert not [line for line in out if line.startswith("would reuse")]  # only with -v
    assert any(line.startswith("dry run, nothing written: 6 files scanned") for line in out)
    assert main(["compress", "-n", "-v", str(site)]) == 0
    assert f"would reuse {site / 'blob.bin'} (unchanged)" in capsys.readouterr().out
