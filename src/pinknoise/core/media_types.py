"""Content-Type for a file name, independent of the host's /etc/mime.types.

The standard library's table is used as the fallback (without reading system files, so a
response never depends on the machine it runs on), with web-specific corrections on top:
JavaScript is ``text/javascript`` (RFC 9239), fonts use the ``font/`` tree (RFC 8081), and
newer formats the stdlib lacks or gets wrong are listed explicitly.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from typing import Final

DEFAULT_TYPE: Final = "application/octet-stream"

_WEB_TYPES: Final[dict[str, str]] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".cjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".png": "image/png",
    ".apng": "image/apng",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".jxl": "image/jxl",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".ogg": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".br": "application/x-brotli",
    ".zst": "application/zstd",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".vtt": "text/vtt",
}

#: Media types outside ``text/*`` that are text and so get a charset parameter.
_TEXTUAL: Final = frozenset(
    {
        "text/javascript",
        "application/javascript",
        "application/xml",
        "application/xhtml+xml",
        "image/svg+xml",
        "application/manifest+json",
    }
)

_STDLIB: Final = mimetypes.MimeTypes(filenames=())


class MediaTypes:
    """Resolves file names to Content-Type values, caching one string per distinct type.

    Interning matters: with 100,000 files there are only a few dozen distinct values, and
    every response header list refers to the same string objects.
    """

    def __init__(self, overrides: Mapping[str, str] | None = None, charset: str = "utf-8"):
        self._by_name: dict[str, str] = {}
        self._by_ext: dict[str, str] = dict(_WEB_TYPES)
        for key, value in (overrides or {}).items():
            if key.startswith("."):
                self._by_ext[key.lower()] = value
            else:
                self._by_name[key] = value
        self._charset = charset
        self._rendered: dict[str, str] = {}

    def knows(self, name: str) -> bool:
        """Whether a file name (not a path) has a media type of its own, not the default."""
        if name in self._by_name:
            return True
        dot = name.rfind(".")
        ext = name[dot:].lower() if dot > 0 else ""
        return bool(ext) and (
            ext in self._by_ext or _STDLIB.guess_type("x" + ext, strict=False)[0] is not None
        )

    def content_type(self, name: str) -> str:
        """Content-Type header value for a file name (not a path), with charset if text."""
        media_type = self._by_name.get(name)
        if media_type is None:
            dot = name.rfind(".")
            ext = name[dot:].lower() if dot > 0 else ""
            media_type = self._by_ext.get(ext)
            if media_type is None:
                media_type = _STDLIB.guess_type("x" + ext, strict=False)[0] or DEFAULT_TYPE
        rendered = self._rendered.get(media_type)
        if rendered is None:
            rendered = media_type
            if self._charset and "charset=" not in media_type and _is_textual(media_type):
                rendered = f"{media_type}; charset={self._charset}"
            self._rendered[media_type] = rendered
        return rendered


def _is_textual(media_type: str) -> bool:
    return media_type.startswith("text/") or media_type in _TEXTUAL
