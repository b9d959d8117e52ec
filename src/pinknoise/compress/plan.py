"""The plan of a compression run: what to do with each file the scan found, by stat alone.

:func:`make_plan` reads no file content and changes nothing: from the scan and the
previous manifests it decides which temp files and variants to delete, which sources
are unchanged (their records carry over), and which must be read, hashed and perhaps
compressed (largest first). The runner (:mod:`pinknoise.compress.runner`) executes
the plan, then records the results in the manifests; ``--dry-run`` executes it
without writing.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from pinknoise.compress import codecs
from pinknoise.compress.manifest import FileRecord, VariantRecord
from pinknoise.compress.scan import ScanResult, Source, is_within


@dataclass(frozen=True, slots=True)
class Removal:
    """A variant an earlier run wrote, still exactly as written, to delete."""

    path: str
    reason: str


@dataclass(slots=True)
class Plan:
    """Actions per source; see :func:`make_plan`."""

    #: Temp files of killed runs, to delete.
    temps: list[str] = field(default_factory=list)
    #: Sources skipped by extension, each with the variants it must lose.
    skipped: list[tuple[Source, list[Removal]]] = field(default_factory=list)
    #: Variants of sources that are gone.
    orphans: list[Removal] = field(default_factory=list)
    #: (root index, manifest key, record) carried over unchanged: sources whose stat
    #: and variants match the manifest, and records of a root whose scan failed.
    kept: list[tuple[int, str, FileRecord]] = field(default_factory=list)
    #: How many of ``kept`` are sources found unchanged (not carried-over records).
    unchanged: int = 0
    #: Sources to read and hash, largest first.
    to_read: list[Source] = field(default_factory=list)
    #: Sizes shared by several of ``to_read``: possible duplicates worth remembering.
    shared_sizes: set[int] = field(default_factory=set)
    #: (digest, encoding) -> (path, size) of an up-to-date variant of an unchanged
    #: source (None: recorded as not worth keeping), for identical new files.
    known: dict[tuple[str, str], tuple[str, int] | None] = field(default_factory=dict)


def variant_path(source: Source, encoding: str) -> str:
    """Where ``source``'s variant for ``encoding`` lives."""
    return source.path + codecs.suffix(encoding)


def still_ours(path: str, rec: VariantRecord) -> bool:
    """True if ``path`` is still the exact file an earlier run wrote for ``rec``."""
    if rec.size is None:
        return False
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return st.st_size == rec.size and st.st_mtime_ns == rec.mtime_ns


def variant_intact(source: Source, encoding: str, rec: VariantRecord | None) -> bool:
    """True if ``rec`` is current for ``encoding`` and the file on disk matches it."""
    if rec is None or rec.codec != codecs.CODEC_IDS[encoding]:
        return False
    if rec.size is None:
        # Recorded as not worth keeping: fine as long as nobody put a file there.
        return encoding not in source.siblings
    if encoding not in source.siblings:
        return False
    return still_ours(variant_path(source, encoding), rec)


def make_plan(
    roots: list[str],
    encodings: tuple[str, ...],
    found: ScanResult,
    old: list[dict[str, FileRecord]],
) -> Plan:
    """Decide, by stat alone, what a run over ``found`` must do (see the module doc)."""
    plan = Plan(temps=list(found.abandoned_temps))
    for source in found.skipped:
        removals = []
        record = old[source.root].get(source.rel)
        if record is not None:
            for encoding, rec in record.variants.items():
                path = variant_path(source, encoding)
                if encoding in source.siblings and still_ours(path, rec):
                    removals.append(Removal(path, "its file is now skipped"))
        plan.skipped.append((source, removals))
    for source in found.sources:
        record = old[source.root].get(source.rel)
        if (
            record is not None
            and record.same_stat(source.st)
            and all(variant_intact(source, e, record.variants.get(e)) for e in encodings)
        ):
            plan.kept.append((source.root, source.rel, record))
            plan.unchanged += 1
            for encoding in encodings:
                vrec = record.variants[encoding]
                where = None if vrec.size is None else (variant_path(source, encoding), vrec.size)
                plan.known.setdefault((record.digest, encoding), where)
            continue
        plan.to_read.append(source)
    plan.to_read.sort(key=lambda s: s.st.st_size, reverse=True)
    sizes = Counter(s.st.st_size for s in plan.to_read)
    plan.shared_sizes = {size for size, n in sizes.items() if n > 1}
    _plan_orphans(plan, roots, found, old)
    return plan


def _plan_orphans(
    plan: Plan, roots: list[str], found: ScanResult, old: list[dict[str, FileRecord]]
) -> None:
    """Variants an earlier run wrote for files that are gone are deleted.

    Not for a root whose scan hit an error: an unreadable directory would make its
    files look deleted, so their records are kept instead.
    """
    failed_roots = {
        i
        for i, root in enumerate(roots)
        for path, _ in found.errors
        if is_within(os.path.abspath(path), os.path.abspath(root))
    }
    seen = [set[str]() for _ in roots]
    for source in (*found.sources, *found.skipped):
        seen[source.root].add(source.rel)
    for index, root in enumerate(roots):
        for rel, rec in old[index].items():
            if rel in seen[index]:
                continue
            if index in failed_roots:
                plan.kept.append((index, rel, rec))
                continue
            base = os.path.join(root, *rel.split("/"))
            for encoding, vrec in rec.variants.items():
                path = base + codecs.suffix(encoding)
                if still_ours(path, vrec):
                    plan.orphans.append(Removal(path, "source is gone"))
