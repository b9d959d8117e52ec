"""Template helpers over a build: hashed URLs, SRI, and the tags that carry both.

``pinknoise build static/ build/`` writes ``build/`` and its manifest; the app reads the
manifest once, at start-up, like the server reads its catalog::

    assets = Assets("build/")                 # Assets("static/", dev=True) while developing
    assets.url("css/app.css")                 # "/static/css/app.3f2a9c1b7d4e.css"
    assets.integrity("css/app.css")           # "sha384-..."
    assets.tag("js/app.js", type="module")    # <script src=... integrity=... crossorigin=...>

A name the manifest does not list raises :class:`AssetNotFoundError`: a typo in a
template is a loud error at the first render, not a page silently missing its styles
until a browser reports a 404. A new build is not seen until the app restarts; that is
also when the server, which caches the same files, sees it.
"""

from __future__ import annotations

import difflib
import html
import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote

from pinknoise.core.asset_manifest import MANIFEST_NAME, Asset, AssetManifest, read_manifest
from pinknoise.core.paths import relative_file_path
from pinknoise.core.walker import Policy, lookup

__all__ = [
    "AssetNotFoundError",
    "Assets",
    "NotBuiltError",
    "install",
    "render_tag",
]

DEFAULT_PREFIX: Final = "/static/"
#: What an HTML attribute name may not contain (HTML's attribute name state).
_BAD_ATTRIBUTE_NAME: Final = re.compile(r"[\s\"'>/=\x00-\x1f\x7f]")
#: Characters kept as they are in a URL path: RFC 3986 pchar and "/".
_URL_SAFE: Final = "/~!$&'()*+,;=:@"


class NotBuiltError(FileNotFoundError):
    """``Assets(OUT)`` where ``OUT`` has no manifest: it was not built (or is not OUT)."""


class AssetNotFoundError(KeyError):
    """A logical name that is not among the built (or, in dev mode, served) files."""

    def __str__(self) -> str:  # KeyError's would repr() the whole message
        return str(self.args[0])


def _find_markup() -> Callable[[str], str]:
    """``markupsafe.Markup`` where it is installed (Jinja's autoescape), else ``str``."""
    try:
        from markupsafe import Markup
    except ImportError:
        return str
    return Markup


_MARKUP: Final = _find_markup()


class Assets:
    """The files of one build, by logical name (their path under the source folder).

    ``root`` is the build's output folder (what the server serves); ``prefix`` the URL
    it is served at, by default the one the build was made for (its manifest's). With
    ``dev=True``, ``root`` is the source folder itself: names map to themselves, there
    is no integrity (files change while you edit them), nothing is built or read but
    one lookup per call, which checks that the server would serve the file.
    """

    def __init__(
        self, root: str | os.PathLike[str], prefix: str | None = None, *, dev: bool = False
    ) -> None:
        self.root = os.path.abspath(os.fspath(root))
        self.dev = dev
        self.manifest: AssetManifest | None = None
        if not dev:
            self.manifest = read_manifest(self.root)
            if self.manifest is None:
                raise NotBuiltError(
                    f"{os.path.join(self.root, MANIFEST_NAME)} does not exist: {self.root} "
                    "is not the output of a build. Run `pinknoise build SRC "
                    f"{root}` first (at deploy time), or use Assets(SRC, dev=True) while "
                    "developing."
                )
        if prefix is None:
            prefix = self.manifest.prefix if self.manifest is not None else DEFAULT_PREFIX
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self._policy = Policy(os.path.realpath(self.root))

    def __repr__(self) -> str:
        mode = ", dev=True" if self.dev else ""
        return f"Assets({self.root!r}, prefix={self.prefix!r}{mode})"

    def path(self, logical: str) -> str:
        """The root-relative path served for ``logical``: its hashed name once built."""
        asset = self._asset(logical)
        return logical if asset is None else asset.path

    def url(self, logical: str) -> str:
        """The URL of ``logical``: the prefix and its hashed path, percent-encoded."""
        return self._url(self.path(logical))

    def integrity(self, logical: str) -> str | None:
        """``sha384-...`` of the exact bytes served for ``logical``; None in dev mode."""
        asset = self._asset(logical)
        return None if asset is None else asset.integrity

    def tag(self, logical: str, **attributes: Any) -> str:
        """``<link rel="stylesheet">`` for CSS, ``<script>`` for JS, with SRI.

        ``attributes`` are added (``type="module"``, ``defer=True``,
        ``data_turbo_track="reload"`` becomes ``data-turbo-track``); see
        :func:`render_tag`. A ``markupsafe.Markup`` where markupsafe is installed, so
        Jinja's autoescape leaves it alone.
        """
        asset = self._asset(logical)
        path, integrity = (logical, None) if asset is None else (asset.path, asset.integrity)
        return _MARKUP(render_tag(logical, self._url(path), integrity, attributes))

    def jinja_globals(self) -> dict[str, Callable[..., Any]]:
        """``asset_url``, ``asset_integrity`` and ``asset_tag``, for a Jinja environment."""
        return {"asset_url": self.url, "asset_integrity": self.integrity, "asset_tag": self.tag}

    def _asset(self, logical: str) -> Asset | None:
        """``logical``'s entry in the manifest; in dev mode None, once the file is found.

        Raises :class:`AssetNotFoundError` for a name not built (or, in dev mode, not
        a file the server would serve: a typo is as loud there as in production).
        """
        if self.manifest is not None:
            asset = self.manifest.assets.get(logical)
            if asset is None:
                raise self._not_built(logical)
            return asset
        relative = relative_file_path(logical, "") if logical else None
        found = lookup(self._policy, relative) if relative else None
        if found is None or not stat.S_ISREG(found[1].st_mode):
            raise AssetNotFoundError(
                f"{logical!r} is not a file served from {self.root} (dev mode): a missing "
                "file, a directory, or one pinknoise refuses (dotfiles, links out of it)"
            )
        return None

    def _url(self, path: str) -> str:
        return self.prefix + quote(path, safe=_URL_SAFE)

    def _not_built(self, logical: str) -> AssetNotFoundError:
        assert self.manifest is not None
        close = difflib.get_close_matches(logical, self.manifest.assets, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return AssetNotFoundError(
            f"{logical!r} is not in {os.path.join(self.root, MANIFEST_NAME)}.{hint} A file "
            "added to the source since the last build needs `pinknoise build` again."
        )


def install(environment: Any, assets: Assets) -> None:
    """Add ``asset_url``, ``asset_integrity`` and ``asset_tag`` to a Jinja environment.

    ``environment`` is a ``jinja2.Environment``: Flask's ``app.jinja_env``, Starlette's
    and FastAPI's ``Jinja2Templates(...).env``.
    """
    environment.globals.update(assets.jinja_globals())


def render_tag(
    logical: str, url: str, integrity: str | None, attributes: Mapping[str, Any] | None = None
) -> str:
    """The HTML tag loading ``url``, chosen by ``logical``'s extension, attributes escaped.

    ``.css`` gives ``<link rel="stylesheet">``, ``.js`` and ``.mjs`` a ``<script>``.
    With ``integrity``, ``crossorigin="anonymous"`` too: a browser checks SRI only on
    a CORS-enabled request (a cross-origin CDN must send Access-Control-Allow-Origin).
    ``attributes``: ``True`` writes the name alone, ``None`` and ``False`` nothing, a
    trailing ``_`` is dropped (``class_``) and other ``_`` become ``-``; they win over
    the defaults (``crossorigin="use-credentials"``, ``rel="preload"``).
    """
    extension = posixpath.splitext(logical)[1].lower()
    values: dict[str, Any]
    if extension == ".css":
        element, values = "link", {"rel": "stylesheet", "href": url}
    elif extension in (".js", ".mjs"):
        element, values = "script", {"src": url}
    else:
        raise ValueError(
            f"a tag is made for .css and .js files, not {logical!r}: use its URL and "
            "integrity in the element it belongs in"
        )
    values["integrity"] = integrity
    values["crossorigin"] = "anonymous" if integrity else None
    for name, value in (attributes or {}).items():
        values[_attribute_name(name)] = value
    end = "</script>" if element == "script" else ""
    return f"<{element}{_attributes(values.items())}>{end}"


def _attribute_name(name: str) -> str:
    html_name = name.rstrip("_").replace("_", "-")
    if not html_name or _BAD_ATTRIBUTE_NAME.search(html_name):
        raise ValueError(f"not an HTML attribute name: {name!r}")
    return html_name


def _attributes(pairs: Iterable[tuple[str, Any]]) -> str:
    parts = []
    for name, value in pairs:
        if value is None or value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{html.escape(str(value), quote=True)}"')
    return "".join(parts)
