"""The plan alone: decided by stat from a scan and the manifests, changing nothing."""

from __future__ import annotations

from pathlib import Path

from pinknoise.compress import compress_tree, manifest
from pinknoise.compress.plan import Plan, make_plan
from pinknoise.compress.scan import DEFAULT_SKIP_EXTENSIONS, normalize_extensions, scan

from .conftest import text, write

ENCODINGS = ("br", "zstd", "gzip")


def plan_for(root: Path, extra_skip: tuple[str, ...] = ()) -> Plan:
    skip = DEFAULT_SKIP_EXTENSIONS | normalize_extensions(extra_skip)
    found = scan([str(root)], skip, False)
    return make_plan([str(root)], ENCODINGS, found, [manifest.load(str(root))])


def listing(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_after_a_run_everything_is_kept(site: Path) -> None:
    assert compress_tree(site, workers=1).ok
    before = listing(site)
    plan = plan_for(site)
    assert plan.to_read == []
    assert plan.unchanged == 4  # app.js, site.css, empty.css, blob.bin
    assert {rel for _, rel, _ in plan.kept} == {
        "app.js", "css/site.css", "css/empty.css", "blob.bin"
    }  # fmt: skip
    assert plan.orphans == []
    assert all(removals == [] for _, removals in plan.skipped)
    assert listing(site) == before  # planning changed nothing


def test_changed_gone_and_newly_skipped_files(site: Path) -> None:
    assert compress_tree(site, workers=1).ok
    write(site / "css" / "site.css", text(9_000, 99))
    (site / "blob.bin").unlink()
    before = listing(site)
    plan = plan_for(site, extra_skip=("js",))
    assert [s.rel for s in plan.to_read] == ["css/site.css"]
    assert plan.orphans == []  # blob.bin never had a variant (incompressible)
    (removals,) = [r for s, r in plan.skipped if s.rel == "app.js"]
    assert sorted(Path(r.path).name for r in removals) == ["app.js.br", "app.js.gz", "app.js.zst"]
    assert {r.reason for r in removals} == {"its file is now skipped"}
    assert listing(site) == before

    (site / "css" / "site.css").unlink()
    gone = plan_for(site)
    assert sorted(Path(r.path).name for r in gone.orphans) == [
        "site.css.br", "site.css.gz", "site.css.zst"
    ]  # fmt: skip
    assert {r.reason for r in gone.orphans} == {"source is gone"}


def test_variant_edited_by_hand_means_the_source_is_read_again(site: Path) -> None:
    assert compress_tree(site, workers=1).ok
    (site / "app.js.gz").write_bytes(b"not ours any more")
    plan = plan_for(site)
    assert [s.rel for s in plan.to_read] == ["app.js"]
