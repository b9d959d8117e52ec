"""Static files storage backends that precompress and record what they collected.

``STORAGES["staticfiles"]["BACKEND"]`` set to one of these makes ``collectstatic``:

1. copy (and, for the manifest backend, hash) files as Django's own backend does;
2. run the parallel, incremental compressor once over ``STATIC_ROOT``
   (:func:`pinknoise.compress.compress_tree`): only files new or changed since the last
   run are compressed, hashed and unhashed copies alike;
3. write the start-up snapshot (:func:`pinknoise.core.snapshot.write_snapshot`), so
   the middleware starts without walking and stat-ing every file.

The manifest backend also records in ``staticfiles.json`` the Subresource Integrity of
each hashed file (``{% load pinknoise %}`` ``{% integrity %}``, ``{% static_tag %}``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import posixpath
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote, urldefrag

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, StaticFilesStorage
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.management.base import CommandError

from pinknoise.assets.references import resolve
from pinknoise.compress import MissingEncodingError, compress_tree, make_compress_options
from pinknoise.core.asset_manifest import integrity_of
from pinknoise.core.codings import SUFFIXES
from pinknoise.core.snapshot import SNAPSHOT_NAME, write_snapshot
from pinknoise.django.settings import Config, read_config

log = logging.getLogger("pinknoise")

#: What ``post_process`` yields: ``(name, processed name, True/False)``, or
#: ``(name, None, exception)``, which makes collectstatic print and raise it.
PostProcessed = tuple[str, str, bool] | tuple[str, None, Exception]


class MissingFileError(CommandError, ValueError):
    """A CSS/JS file references a file collectstatic cannot find.

    A ``ValueError``, like the error Django raises in the same place, so code that
    catches Django's error keeps working; and a ``CommandError``, so ``manage.py
    collectstatic`` prints the message alone, without a traceback.
    """


class ReferenceOutsideRootError(MissingFileError):
    """A CSS/JS reference resolves to a path outside ``STATIC_ROOT``."""


class MissingReferenceWarning(UserWarning):
    """A missing reference was left as written (``PINKNOISE_MISSING_REFERENCES='warn'``)."""


class CompressionError(RuntimeError):
    """The compressor could not process some files of ``STATIC_ROOT``."""


class _CollectMixin:
    """Compression and the start-up snapshot, once per ``collectstatic``.

    Mixed into a ``FileSystemStorage`` subclass.
    """

    location: str
    _snapshot_invalidated = False

    def _save(self, name: str, content: Any) -> str:
        # A file written after the snapshot would be invisible to the server (which
        # trusts the snapshot): drop it on the first write, post_process rewrites it.
        if not self._snapshot_invalidated:
            self._snapshot_invalidated = True
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self.location, SNAPSHOT_NAME))
        saved: str = super()._save(name, content)  # type: ignore[misc]
        return saved

    def _finish(self, config: Config) -> Iterator[PostProcessed]:
        """Compress ``STATIC_ROOT`` and record it; yield an error tuple on failure."""
        skip = config.skip_compress_extensions
        try:
            options = make_compress_options(
                encodings=config.compress_encodings,
                skip_extensions=skip or (),
                use_default_skip=skip is None,
                allow_external_symlinks=config.options.allow_external_symlinks,
            )
        except MissingEncodingError as error:
            # A CommandError: manage.py prints its one line instead of a traceback.
            yield "PINKNOISE_ENCODINGS", None, CommandError(f"PINKNOISE_ENCODINGS: {error}")
            return
        summary = compress_tree(self.location, options=options)
        if summary.errors:
            lines = "\n".join(f"  {path}: {message}" for path, message in summary.errors)
            yield (
                summary.errors[0][0],
                None,
                CompressionError(
                    f"pinknoise could not compress {len(summary.errors)} file(s):\n{lines}"
                ),
            )
            return
        log.info(
            "pinknoise: compressed %d file(s), %d unchanged, %d skipped, in %.1f s",
            summary.files_compressed,
            summary.files_unchanged,
            summary.files_skipped,
            summary.elapsed,
        )
        write_snapshot(self.location, config.options.allow_external_symlinks)
        self._snapshot_invalidated = False


class CompressedStaticFilesStorage(_CollectMixin, StaticFilesStorage):
    """Django's plain static storage, plus precompressed variants and the snapshot.

    Nothing is renamed, so files are served with the ordinary ``PINKNOISE_MAX_AGE``.
    """

    def post_process(
        self, paths: dict[str, Any], dry_run: bool = False, **options: Any
    ) -> Iterator[PostProcessed]:
        """Compress and record ``STATIC_ROOT`` (not on a dry run)."""
        if dry_run:
            return
        yield from self._finish(read_config())


class CompressedManifestStaticFilesStorage(  # type: ignore[misc]  # django-stubs: url()
    _CollectMixin, ManifestStaticFilesStorage
):
    """Django's manifest storage (content-hashed names), compressed and recorded.

    Files named in ``staticfiles.json`` as hashed are served ``immutable`` by the
    middleware. With ``PINKNOISE_KEEP_ONLY_HASHED_FILES`` the unhashed copies are
    deleted. A CSS/JS reference to a missing file fails ``collectstatic`` with an error
    naming both files, or only warns with ``PINKNOISE_MISSING_REFERENCES = "warn"``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._config = read_config()
        if self._config.manifest_strict is not None:
            self.manifest_strict = self._config.manifest_strict
        self._warned: set[tuple[str, str]] = set()
        #: Hashed name -> ``sha384-...``, as recorded in ``staticfiles.json``.
        self.integrity_by_name: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    def integrity(self, name: str) -> str | None:
        """The SRI of the file ``url(name)`` links to, from ``staticfiles.json``.

        None where ``url`` gives the unhashed name: in DEBUG (the finders serve the
        source, which may change) and for a name missing from a non-strict manifest.
        A name missing from a strict one raises as ``url`` does (``ValueError``).
        """
        if settings.DEBUG:
            return None
        stored = self.stored_name(name)
        path = urldefrag(stored)[0].split("?", 1)[0]
        if path not in self.integrity_by_name:
            if self.hashed_files.get(self.hash_key(self.clean_name(name))) is None:
                return None  # not in the manifest, allowed by manifest_strict = False
            raise ValueError(
                f"{self.manifest_name} has no integrity for {path!r}: it was collected "
                "before pinknoise recorded integrity, or by another storage; run "
                "collectstatic again"
            )
        return self.integrity_by_name[path]

    def read_manifest(self) -> str:  # django-stubs; Django returns None for no manifest
        """Django's reading of ``staticfiles.json``; the integrity is taken from it too."""
        content: str = super().read_manifest()
        self.integrity_by_name = _recorded_integrity(content)
        return content

    def save_manifest(self) -> None:
        """Django's manifest, plus ``"integrity"``: hashed name -> SRI of its bytes.

        An extra key: Django's reader, which takes ``paths``, ``version`` and ``hash``,
        reads the file as before. The bytes are those collected, after url()
        rewriting; the compressed siblings decode to the same bytes.
        """
        super().save_manifest()
        content = self.read_manifest()
        payload = json.loads(content) if content else {}
        payload["integrity"] = self.integrity_by_name = {
            name: _sri_of_file(self.path(name)) for name in sorted(set(self.hashed_files.values()))
        }
        # As Django writes it: delete, then _save (save() would pick another name).
        storage: Any = self.manifest_storage
        storage.delete(self.manifest_name)
        storage._save(self.manifest_name, ContentFile(json.dumps(payload).encode()))

    def post_process(  # type: ignore[override]
        self, paths: dict[str, Any], dry_run: bool = False, **options: Any
    ) -> Iterator[PostProcessed]:
        """Hash as Django does; then, if all went well, prune, compress and record."""
        self._config = config = read_config()
        self._warned = set()
        failed = False
        for result in super().post_process(paths, dry_run=dry_run, **options):
            failed = failed or isinstance(result[2], Exception)
            yield result
        if dry_run or failed:
            return
        if config.keep_only_hashed_files:
            self._delete_unhashed()
        if config.keep_old_versions is not None:
            self._prune_old_versions(config.keep_old_versions)
        yield from self._finish(config)

    def _prune_old_versions(self, keep: int) -> None:
        """Keep the ``keep`` most recent previous hashed versions of each file.

        A previous version is a file named like the current hashed name with another
        12-hex-digit hash (Django's own pattern for that original name), so unrelated
        files are never touched. They are what browsers hold as compression
        dictionaries, and what pages cached before the deploy still reference.
        """
        for original, current in self.hashed_files.items():
            if original == current:
                continue
            directory, name = os.path.split(os.path.join(self.location, current))
            stem, extension = os.path.splitext(os.path.basename(original))
            pattern = re.compile(re.escape(stem) + r"\.[0-9a-f]{12}" + re.escape(extension))
            try:
                names = os.listdir(directory)
            except OSError:
                continue
            previous = []
            for candidate in names:
                if candidate != name and pattern.fullmatch(candidate):
                    with contextlib.suppress(OSError):
                        mtime = os.stat(os.path.join(directory, candidate)).st_mtime_ns
                        previous.append((mtime, candidate))
            for _, old in sorted(previous, reverse=True)[keep:]:
                for suffix in ("", *SUFFIXES.values()):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(directory, old + suffix))

    def _delete_unhashed(self) -> None:
        """Delete each original whose hashed copy was written (keep only hashed names)."""
        hashed = set(self.hashed_files.values())
        for original, hashed_name in self.hashed_files.items():
            if original == hashed_name or original in hashed:
                continue
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path(original))

    def url_converter(
        self,
        name: str,
        hashed_files: dict[str, Any],
        template: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Callable[[re.Match[str]], str]:
        """Django's converter, with errors that name the referencing file and the reference."""
        convert: Callable[[re.Match[str]], str] = super().url_converter(
            name, hashed_files, template, *args, **kwargs
        )

        def checked(match: re.Match[str]) -> str:
            reference = match.group("url")
            try:
                return convert(match)
            except SuspiciousFileOperation as error:
                target = self._resolved(name, reference)
                message = _outside_message(name, reference, target)
                return self._report(name, reference, match, message, error, outside=True)
            except ValueError as error:
                missing = self._missing_target(name, reference)
                if missing is None:
                    raise  # the referenced file exists: some other problem, Django's words
                message = _missing_message(name, reference, missing, match.group("matched"))
                return self._report(name, reference, match, message, error, outside=False)

        return checked

    def _report(
        self,
        name: str,
        reference: str,
        match: re.Match[str],
        message: str,
        error: Exception,
        outside: bool,
    ) -> str:
        """Raise (strict mode) or warn once and leave the reference as written."""
        if self._config.missing_references == "error":
            kind = ReferenceOutsideRootError if outside else MissingFileError
            raise kind(message) from error
        if (name, reference) not in self._warned:
            self._warned.add((name, reference))
            warnings.warn(message, MissingReferenceWarning, stacklevel=3)
        return match.group("matched")

    def _resolved(self, name: str, reference: str) -> str:
        """The storage name ``reference`` resolves to from ``name`` (may leave the root).

        Resolved as ``pinknoise build`` resolves references (:func:`resolve`); an
        absolute path outside ``STATIC_URL`` stays absolute, for the message.
        """
        url_path = re.split(r"[?#]", reference, maxsplit=1)[0]
        static_url = str(settings.STATIC_URL or "")
        if url_path.startswith("/") and not url_path.startswith(static_url):
            return posixpath.normpath(unquote(url_path))
        return resolve(name.replace(os.sep, "/"), url_path, static_url)

    def _missing_target(self, name: str, reference: str) -> str | None:
        """The storage name ``reference`` resolves to from ``name``, if that is missing."""
        target = self._resolved(name, reference)
        try:
            return None if self.exists(target) else target
        except SuspiciousFileOperation:
            return target


def _recorded_integrity(content: str | None) -> dict[str, str]:
    """The ``integrity`` map of a ``staticfiles.json``; empty where there is none."""
    try:
        recorded = json.loads(content).get("integrity") if content else None
    except (ValueError, AttributeError):
        return {}  # Django's own reader reports a broken manifest
    if not isinstance(recorded, dict):
        return {}
    return {k: v for k, v in recorded.items() if isinstance(k, str) and isinstance(v, str)}


def _sri_of_file(path: str) -> str:
    """``sha384-<base64>`` of a file's bytes, as a browser checks it."""
    with open(path, "rb") as file:
        digest = hashlib.file_digest(file, "sha384").digest()
    return integrity_of(digest)


def _outside_message(name: str, reference: str, target: str) -> str:
    return (
        f"{name} references {reference!r}, which resolves to {target!r}, outside "
        f"STATIC_ROOT: collectstatic never serves or hashes a file there. Fix the "
        f"reference in {name} (a relative path resolves from its directory). To collect "
        f"anyway and leave such references as written, set "
        f"PINKNOISE_MISSING_REFERENCES = 'warn'."
    )


def _missing_message(name: str, reference: str, target: str, matched: str) -> str:
    if "sourcemappingurl" in matched.lower():
        what = f"{name} names the source map {reference!r}"
        fix = (
            f"Ship the map file, or remove the sourceMappingURL comment from {name} "
            f"(minifiers add it)."
        )
    else:
        what = f"{name} references {reference!r}"
        fix = (
            f"Fix the reference in {name} (a relative path resolves from its directory), "
            f"or add the file."
        )
    return (
        f"{what}, but {target!r} is not among the static files collectstatic found. "
        f"{fix} To collect anyway and leave such references unhashed, set "
        f"PINKNOISE_MISSING_REFERENCES = 'warn'."
    )


__all__ = [
    "CompressedManifestStaticFilesStorage",
    "CompressedStaticFilesStorage",
    "CompressionError",
    "MissingFileError",
    "MissingReferenceWarning",
    "ReferenceOutsideRootError",
]
