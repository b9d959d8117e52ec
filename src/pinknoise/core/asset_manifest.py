"""The asset manifest ``pinknoise build`` writes: logical name -> hashed file, with SRI.

``OUT/.pinknoise-assets.json`` (a dotfile, so never served) is the one contract between
the builder (``pinknoise.assets.build``), the server (which files are immutable, exactly,
instead of guessed from their names) and the template helpers (``Assets.url``,
``Assets.integrity``). It lives in the core because the server reads it at start-up;
reading it touches no framework and no compression library.

Format ``pinknoise-assets/1``::

    {
      "format": "pinknoise-assets/1",
      "prefix": "/static/",
      "assets": {
        "css/app.css": {
          "path": "css/app.3f2a9c1b7d4e.css",
          "size": 1234,
          "integrity": "sha384-<base64 of the SHA-384 of the exact bytes served>"
        }
      },
      "previous": {"css/app.css": ["css/app.0a1b2c3d4e5f.css"]},
      "unhashed": ["robots.txt"]
    }

``assets`` keys and every path are root-relative, "/"-separated, with no ``.`` or
``..`` segment. ``previous`` lists older hashed versions still kept on disk, newest
first (a deploy must not 404 a page a browser or CDN still holds). ``unhashed`` lists
logical names also written under their own name (mutable copies, kept only where
asked). Unknown keys are ignored, so a later minor addition does not break readers.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pinknoise.core.walker import Policy, read_regular

MANIFEST_NAME: Final = ".pinknoise-assets.json"
FORMAT: Final = "pinknoise-assets/1"
_MAX_SIZE: Final = 64 * 1024 * 1024


def integrity_of(sha384: bytes) -> str:
    """The Subresource Integrity value of bytes whose SHA-384 digest is ``sha384``.

    ``sha384-<base64>``, as the manifest records it and a browser checks it; the one
    formatter for ``pinknoise build`` and the Django storage alike.
    """
    return "sha384-" + base64.b64encode(sha384).decode("ascii")


class ManifestError(ValueError):
    """A manifest that exists but cannot be used: the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Asset:
    """One logical file as built: its hashed path, size and SRI of the bytes served."""

    path: str
    size: int
    integrity: str


@dataclass(frozen=True, slots=True)
class AssetManifest:
    """What one build produced. ``assets`` maps logical names to their current version."""

    prefix: str = "/static/"
    assets: Mapping[str, Asset] = field(default_factory=dict)
    previous: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unhashed: frozenset[str] = frozenset()

    def hashed_paths(self) -> frozenset[str]:
        """Root-relative paths whose content never changes: current and kept versions."""
        paths = {asset.path for asset in self.assets.values()}
        for older in self.previous.values():
            paths.update(older)
        return frozenset(paths - self.unhashed)

    def to_json(self) -> bytes:
        """The manifest as written to disk: sorted keys, so rebuilds diff cleanly."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "prefix": self.prefix,
            "assets": {
                logical: {"path": a.path, "size": a.size, "integrity": a.integrity}
                for logical, a in sorted(self.assets.items())
            },
            "previous": {k: list(v) for k, v in sorted(self.previous.items()) if v},
            "unhashed": sorted(self.unhashed),
        }
        return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes | str) -> AssetManifest:
        """Parse a manifest, raising :class:`ManifestError` naming what is wrong."""
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise ManifestError(f"not valid JSON: {error}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise ManifestError(f"format is {found!r}, expected {FORMAT!r}")
        try:
            prefix = data.get("prefix", "/static/")
            assets = {
                _checked_path(logical): Asset(
                    _checked_path(entry["path"]), int(entry["size"]), str(entry["integrity"])
                )
                for logical, entry in data["assets"].items()
            }
            previous = {
                _checked_path(logical): tuple(_checked_path(p) for p in paths)
                for logical, paths in data.get("previous", {}).items()
            }
            unhashed = frozenset(_checked_path(p) for p in data.get("unhashed", ()))
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise ManifestError(f"malformed entry: {error!r}") from None
        if not isinstance(prefix, str):
            raise ManifestError(f"prefix must be a string, got {prefix!r}")
        return cls(prefix, assets, previous, unhashed)


def _checked_path(path: object) -> str:
    """A root-relative "/"-separated path that cannot leave the root, or ValueError."""
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path:
        raise ValueError(f"bad path {path!r}")
    if any(segment in ("", ".", "..") for segment in path.split("/")):
        raise ValueError(f"bad path {path!r}")
    return path


def read_manifest(root: str | os.PathLike[str]) -> AssetManifest | None:
    """The manifest at the top of ``root``, or None where there is none.

    Read through the walker's checked open (a FIFO or a symlink out of the root in its
    place is "none"). A manifest that is there but unusable raises
    :class:`ManifestError` with the file's path: serving a build with its manifest
    silently ignored would serve every hashed file as mutable.
    """
    real_root = os.path.realpath(os.fspath(root))
    path = os.path.join(real_root, MANIFEST_NAME)
    raw = read_regular(Policy(real_root), path, _MAX_SIZE)
    if raw is None:
        return None
    try:
        return AssetManifest.from_json(raw)
    except ManifestError as error:
        raise ManifestError(f"{path}: {error}") from None
