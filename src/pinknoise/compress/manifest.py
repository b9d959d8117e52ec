"""Per-root record of what was compressed, which makes reruns incremental.

``ROOT/.pinknoise-compress.json`` (a dotfile, so never served) maps each source's
relative path to the source's identity when it was compressed, a hash of its content,
and per encoding either the variant written (its size and mtime) or the fact that the
variant was not worth keeping. Remembering the second case is what keeps a no-op rerun
cheap: without it, every file that compresses badly would be recompressed every time.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Final

from pinknoise.compress.atomic import write_atomic

MANIFEST_NAME: Final = ".pinknoise-compress.json"
FORMAT: Final = "pinknoise-compress/1"


@dataclass(slots=True)
class VariantRecord:
    """One encoding's outcome for a source: ``size is None`` means "not worth keeping"."""

    codec: str
    size: int | None
    mtime_ns: int


@dataclass(slots=True)
class FileRecord:
    """A source's identity and content hash when its variants were last made."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    digest: str
    variants: dict[str, VariantRecord] = field(default_factory=dict)

    def same_stat(self, st: os.stat_result) -> bool:
        """Fast path: nothing about the file changed, so neither did its content.

        ctime and inode are included because tools that restore an old mtime (``cp -p``,
        ``touch -d``, tar) cannot fake them; a mismatch only costs a hash, not a
        recompression, when the content turns out to be the same.
        """
        return (
            self.size == st.st_size
            and self.mtime_ns == st.st_mtime_ns
            and self.ctime_ns == st.st_ctime_ns
            and self.ino == st.st_ino
        )


def _record_to_json(record: FileRecord) -> dict[str, Any]:
    return {
        "size": record.size,
        "mtime_ns": record.mtime_ns,
        "ctime_ns": record.ctime_ns,
        "ino": record.ino,
        "digest": record.digest,
        "variants": {
            enc: {"codec": v.codec, "size": v.size, "mtime_ns": v.mtime_ns}
            for enc, v in sorted(record.variants.items())
        },
    }


def _record_from_json(raw: dict[str, Any]) -> FileRecord:
    variants = {
        str(enc): VariantRecord(
            codec=str(v["codec"]),
            size=None if v["size"] is None else int(v["size"]),
            mtime_ns=int(v["mtime_ns"]),
        )
        for enc, v in raw["variants"].items()
    }
    return FileRecord(
        size=int(raw["size"]),
        mtime_ns=int(raw["mtime_ns"]),
        ctime_ns=int(raw["ctime_ns"]),
        ino=int(raw["ino"]),
        digest=str(raw["digest"]),
        variants=variants,
    )


def load(root: str) -> dict[str, FileRecord]:
    """Read a root's manifest; a missing or unreadable one means "nothing known".

    Losing the manifest is safe: every file is then hashed and recompressed once.
    """
    try:
        with open(os.path.join(root, MANIFEST_NAME), "rb") as f:
            raw = json.load(f)
        if raw.get("format") != FORMAT:
            return {}
        return {str(rel): _record_from_json(rec) for rel, rec in raw["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def save(root: str, records: dict[str, FileRecord], owner_pid: int) -> None:
    """Write a root's manifest atomically (same temp-and-rename path as variants).

    Not rewritten when it already holds the same records: a run that changed nothing
    leaves the tree exactly as it was, mtimes included.
    """
    payload = {
        "format": FORMAT,
        "files": {rel: _record_to_json(records[rel]) for rel in sorted(records)},
    }
    data = json.dumps(payload, separators=(",", ":")).encode()
    path = os.path.join(root, MANIFEST_NAME)
    with contextlib.suppress(OSError):
        if os.path.getsize(path) == len(data) and _read(path) == data:
            return
    write_atomic(os.path.join(root, MANIFEST_NAME), data, None, owner_pid)
