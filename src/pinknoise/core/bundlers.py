"""The hashed outputs a build's manifest declares: exact, where a name rule guesses.

Read from the top of a static root (the build's output directory), without listing
it, so that a start-up from a snapshot still lists no directory:

``.pinknoise-assets.json`` (``pinknoise build``, see :mod:`pinknoise.core.asset_manifest`)
    Every file it lists as hashed, current and kept versions. It is the whole answer
    for its root: the other manifests are not read, and the name rule is off there
    (:attr:`Declared.exact`), so an unhashed copy is mutable whatever its name looks
    like. A manifest that is there but unusable raises
    :class:`~pinknoise.core.asset_manifest.ManifestError` at start-up: serving a build
    with its manifest ignored would be serving it with the wrong caching policy.

``.vite/manifest.json`` (Vite 5+, ``build.manifest: true``)
    Every chunk's ``file``, ``css[]`` and ``assets[]``, relative to the build's output
    directory (the one holding ``.vite/``).
``manifest.json`` (webpack-manifest-plugin; Vite 2-4 also wrote its manifest here)
    A Vite manifest if its values are chunks, else logical name -> output path.
``assets-manifest.json`` (webpack-assets-manifest)
    Logical name -> output path, or -> ``{"src": path, ...}`` with ``integrity``.

An output counts as hashed only when its file name is not the one of its source: with
``entryFileNames: "[name].js"`` Vite writes ``index.js`` for chunk ``index`` and
webpack's ``logo.png`` may be emitted as ``logo.png``; those stay mutable. webpack
outputs carry the public path (``/static/js/main.3f2a.js``, ``auto/main.js``), so an
output is looked up under the root with its leading segments dropped
one by one until it names a file there. Outputs that are not regular files under the
root, and manifests that are not valid JSON objects, are ignored: the name rule still
applies to those files.
"""

from __future__ import annotations

import json
import os
import posixpath
import stat
from collections.abc import Iterator
from typing import Final, NamedTuple
from urllib.parse import urlsplit

from pinknoise.core.asset_manifest import read_manifest
from pinknoise.core.walker import Policy, read_regular

_MANIFESTS: Final = (".vite/manifest.json", "manifest.json", "assets-manifest.json")
_MAX_MANIFEST_SIZE: Final = 32 * 1024 * 1024


class Declared(NamedTuple):
    """What the manifests at the top of one root say about its files."""

    #: Root-relative paths ("/"-separated) of content-hashed files.
    hashed: frozenset[str]
    #: True when a ``pinknoise build`` manifest lists the root's files: only ``hashed``
    #: are immutable there, the name rule does not apply.
    exact: bool


def declared_outputs(root: str) -> Declared:
    """The hashed files the manifests under ``root`` declare (see the module's doc).

    Raises :class:`~pinknoise.core.asset_manifest.ManifestError` for an unusable
    ``.pinknoise-assets.json``; bundlers' manifests that are not what they should be
    are ignored, as before.
    """
    built = read_manifest(root)
    if built is not None:
        return Declared(built.hashed_paths(), exact=True)
    return Declared(hashed_outputs(root), exact=False)


def hashed_outputs(root: str) -> frozenset[str]:
    """Root-relative paths ("/"-separated) that bundler manifests under ``root`` declare
    as content-hashed outputs. Empty when there is no manifest (or no ``root``)."""
    hashed: set[str] = set()
    named: set[str] = set()  # listed somewhere under its source's name: not hashed
    for name in _MANIFESTS:
        manifest = _load(root, os.path.join(root, name))
        if manifest is None:
            continue
        pairs = _vite_pairs(manifest) if _is_vite(manifest) else _webpack_pairs(manifest)
        for output, sources in pairs:
            relative = _resolve(root, output)
            if relative is None:
                continue
            if _stem(output) in {_stem(source) for source in sources}:
                named.add(relative)
            else:
                hashed.add(relative)
    return frozenset(hashed - named)


def _load(root: str, path: str) -> dict[str, object] | None:
    raw = read_regular(Policy(os.path.realpath(root)), path, _MAX_MANIFEST_SIZE)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _is_vite(manifest: dict[str, object]) -> bool:
    return bool(manifest) and all(
        isinstance(chunk, dict) and isinstance(chunk.get("file"), str)
        for chunk in manifest.values()
    )


def _vite_pairs(manifest: dict[str, object]) -> Iterator[tuple[str, list[str]]]:
    """(output, names of its source) for every file a Vite manifest lists."""
    for key, chunk in manifest.items():
        assert isinstance(chunk, dict)
        sources = [key]
        if isinstance(chunk.get("name"), str):
            sources.append(chunk["name"])
        yield chunk["file"], sources
        for listed in ("css", "assets"):
            outputs = chunk.get(listed)
            if isinstance(outputs, list):
                # A CSS file is named after its chunk; an asset also has an entry of
                # its own, which names its source.
                yield from ((o, sources) for o in outputs if isinstance(o, str))
        if isinstance(chunk.get("src"), str):
            yield chunk["file"], [chunk["src"]]


def _webpack_pairs(manifest: dict[str, object]) -> Iterator[tuple[str, list[str]]]:
    for key, value in manifest.items():
        if isinstance(value, dict):
            value = value.get("src")
        # Keys are file names ("main.js", "images/logo.png"); a web app manifest's
        # "name": "App" is not one, nor an output of another type.
        if isinstance(value, str) and _extension(key) and _extension(key) == _extension(value):
            yield value, [key]


def _extension(name: str) -> str:
    base = posixpath.basename(urlsplit(name).path)
    return base.rpartition(".")[2] if "." in base else ""


def _stem(name: str) -> str:
    base = posixpath.basename(urlsplit(name).path)
    return base.rpartition(".")[0] if "." in base else base


def _resolve(root: str, output: str) -> str | None:
    """The root-relative path of the file ``output`` names, or None if there is none."""
    segments = urlsplit(output).path.split("/")
    if any(segment in ("..", ".") for segment in segments):
        return None
    segments = [segment for segment in segments if segment]
    for start in range(len(segments)):
        candidate = os.path.join(root, *segments[start:])
        try:
            if not stat.S_ISREG(os.lstat(candidate).st_mode):
                continue
        except (OSError, ValueError):
            continue
        relative = os.path.relpath(candidate, root)
        return relative.replace(os.sep, "/")
    return None
