"""The plan of a compression run: one action per file, decided by stat alone.

:func:`make_plan` reads no file content and changes nothing: from the scan and the
previous manifests it makes a list of actions (:data:`Action`): temp files and stale
variants to :class:`Remove`, files to :class:`Skip` (by extension, or refused by the
walker), sources to :class:`Reuse` (unchanged: their records carry over) and sources to
:class:`Compress` (read, hash, and make the variants that the content needs), largest
first. The runner (:mod:`pinknoise.compress.runner`) executes the plan and then records
the results in the manifests; ``--dry-run`` prints it (:func:`describe`) and stops.

What can only be known once a file is read (is the content really new, or only its
stat?) is decided by :func:`after_read`, also here, also without side effects.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from pinknoise.compress import codecs
from pinknoise.compress.manifest import FileRecord, VariantRecord
from pinknoise.compress.scan import ScanResult, Source, is_within

TEMP_REASON = "temporary file of a killed run"
SKIPPED_REASON = "extension"


@dataclass(frozen=True, slots=True)
class Remove:
    """Delete a file an earlier run left: a variant still exactly as written, or a temp."""

    path: str
    reason: str
    temp: bool = False


@dataclass(frozen=True, slots=True)
class Skip:
    """Leave a file alone: skipped by extension (``source`` set) or refused by the walker."""

    path: str
    reason: str
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Reuse:
    """Carry a record over unchanged: its source's stat and variants match it, or the
    source's root could not be read (``source`` None), so its files must not look gone."""

    root: int
    rel: str
    record: FileRecord
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Compress:
    """Read and hash ``source``; make the variants its content needs.

    ``reusable``: encodings whose variant is intact on disk; they are kept (not redone)
    if the content turns out to be the one recorded in ``old``.
    """

    source: Source
    old: FileRecord | None
    reusable: tuple[str, ...] = ()


Action = Remove | Skip | Reuse | Compress


@dataclass(slots=True)
class Plan:
    """The actions of a run, in the order they are executed; see :func:`make_plan`."""

    actions: list[Action] = field(default_factory=list)
    #: Sizes shared by several sources to compress: possible duplicates worth remembering.
    shared_sizes: set[int] = field(default_factory=set)
    #: (digest, encoding) -> (path, size) of an up-to-date variant of an unchanged
    #: source (None: recorded as not worth keeping), for identical new files.
    known: dict[tuple[str, str], tuple[str, int] | None] = field(default_factory=dict)

    @property
    def to_compress(self) -> list[Compress]:
        return [action for action in self.actions if isinstance(action, Compress)]

    @property
    def files(self) -> int:
        """Files the scan found that this run is about (sources and skipped ones)."""
        return sum(
            1
            for a in self.actions
            if isinstance(a, Compress) or (isinstance(a, (Skip, Reuse)) and a.source is not None)
        )


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
    plan = Plan()
    actions = plan.actions
    actions += [Remove(path, TEMP_REASON, temp=True) for path in found.abandoned_temps]
    actions += [Skip(path, reason) for path, reason in found.ignored]
    orphans, carried = _orphans(roots, found, old)
    # With its source gone, a variant an earlier run wrote is a file of its own by the
    # walker's rule (as ``logs.tar.gz`` is); it is removed, never compressed or counted.
    leftovers = {removal.path for removal in orphans}
    for source in found.skipped:
        if source.path in leftovers:
            continue
        actions.append(Skip(source.path, SKIPPED_REASON, source))
        record = old[source.root].get(source.rel)
        for encoding, rec in record.variants.items() if record is not None else ():
            path = variant_path(source, encoding)
            if encoding in source.siblings and still_ours(path, rec):
                actions.append(Remove(path, "its file is now skipped"))
    compress: list[Compress] = []
    for source in found.sources:
        if source.path in leftovers:
            continue
        record = old[source.root].get(source.rel)
        if record is None:
            compress.append(Compress(source, None))
            continue
        intact = tuple(e for e in encodings if variant_intact(source, e, record.variants.get(e)))
        if record.same_stat(source.st) and len(intact) == len(encodings):
            actions.append(Reuse(source.root, source.rel, record, source))
            for encoding in encodings:
                vrec = record.variants[encoding]
                where = None if vrec.size is None else (variant_path(source, encoding), vrec.size)
                plan.known.setdefault((record.digest, encoding), where)
        else:
            compress.append(Compress(source, record, intact))
    actions += orphans
    actions += carried
    compress.sort(key=lambda action: action.source.st.st_size, reverse=True)
    actions += compress
    sizes = Counter(action.source.st.st_size for action in compress)
    plan.shared_sizes = {size for size, n in sizes.items() if n > 1}
    return plan


def _orphans(
    roots: list[str], found: ScanResult, old: list[dict[str, FileRecord]]
) -> tuple[list[Remove], list[Reuse]]:
    """Variants an earlier run wrote for files that are gone, to delete.

    Not for a root whose scan hit an error: an unreadable directory would make its
    files look deleted, so their records are carried over instead.
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
    removals: list[Remove] = []
    carried: list[Reuse] = []
    for index, root in enumerate(roots):
        for rel, rec in old[index].items():
            if rel in seen[index]:
                continue
            if index in failed_roots:
                carried.append(Reuse(index, rel, rec))
                continue
            base = os.path.join(root, *rel.split("/"))
            for encoding, vrec in rec.variants.items():
                path = base + codecs.suffix(encoding)
                if still_ours(path, vrec):
                    removals.append(Remove(path, "source is gone"))
    return removals, carried


def after_read(
    action: Compress, record: FileRecord, encodings: tuple[str, ...]
) -> tuple[dict[str, VariantRecord], list[Remove]]:
    """Once ``action``'s source is read (``record`` has its digest), what carries over.

    Same content: intact variants are kept (the caller re-times them to the source's
    mtime), and so are those of encodings not selected this run. Changed content:
    variants of encodings not selected this run are stale and removed (if still ours);
    the selected ones are simply rewritten. Returns (variants kept, removals).
    """
    old = action.old
    if old is None:
        return {}, []
    source = action.source
    same_content = old.digest == record.digest and old.size == record.size
    kept: dict[str, VariantRecord] = {}
    stale: list[Remove] = []
    for encoding, vrec in old.variants.items():
        if encoding in encodings:
            if same_content and variant_intact(source, encoding, vrec):
                kept[encoding] = vrec
        elif same_content:
            kept[encoding] = vrec
        elif encoding in source.siblings and still_ours(variant_path(source, encoding), vrec):
            stale.append(Remove(variant_path(source, encoding), "stale, source changed"))
    return kept, stale


def describe(action: Action, encodings: tuple[str, ...]) -> str:
    """One readable line for ``action``, as ``--dry-run`` prints the plan."""
    if isinstance(action, Remove):
        return f"remove {action.path} ({action.reason})"
    if isinstance(action, Skip):
        verb = "skip" if action.source is not None else "ignore"
        return f"{verb} {action.path} ({action.reason})"
    if isinstance(action, Reuse):
        if action.source is None:
            return f"keep the record of {action.rel} (its root could not be read)"
        return f"reuse {action.source.path} (unchanged)"
    made = ", ".join(encodings)
    if action.source.st.st_size == 0:
        return f"record {action.source.path} (empty: no variant)"
    if action.old is None:
        return f"compress {action.source.path} ({made})"
    if action.reusable:
        return (
            f"compress {action.source.path} ({made}; changed on disk, "
            f"{', '.join(action.reusable)} kept if the content is the same)"
        )
    return f"compress {action.source.path} ({made}; changed or variants missing)"
