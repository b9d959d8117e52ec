"""The middlewares under comparison, built the same way over the same tree.

Every target is constructed with the same root, the same prefix and default options, and
wraps the same trivial inner application (a 404 for anything not static). WSGI targets
are pinknoise, WhiteNoise and ServeStatic; ASGI targets are pinknoise and ServeStatic
(WhiteNoise has no ASGI app).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PREFIX = "static"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# name -> (module, class); the order is the print order, the baseline comes second.
TARGETS: dict[str, tuple[str, str]] = {
    "pinknoise": ("pinknoise", "PinkNoise"),
    "whitenoise": ("whitenoise", "WhiteNoise"),
    "servestatic": ("servestatic", "ServeStatic"),
}
BASELINE = "whitenoise"
ASGI_TARGETS: dict[str, tuple[str, str]] = {
    "pinknoise": ("pinknoise", "PinkNoiseASGI"),
    "servestatic": ("servestatic", "ServeStaticASGI"),
}

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]

INNER_BODY = b"inner app: not a static file\n"


def inner_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The wrapped application: what a miss falls through to."""
    start_response(
        "404 Not Found",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(INNER_BODY)))],
    )
    return [INNER_BODY]


async def inner_asgi(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """The wrapped ASGI application: the same 404 as ``inner_app``."""
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(INNER_BODY))]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": INNER_BODY})


SRC_ENV = "PINKNOISE_BENCH_SRC"


def ensure_src_on_path() -> None:
    # Benchmark the checkout's own source (or the snapshot run.py --pinknoise-rev made),
    # ahead of any installed copy.
    src = os.environ.get(SRC_ENV) or str(REPO / "src")
    if src not in sys.path:
        sys.path.insert(1, src)


def load_class(name: str, asgi: bool = False) -> type:
    """Import the middleware class of target ``name`` (its ASGI class with ``asgi``)."""
    module_name, class_name = (ASGI_TARGETS if asgi else TARGETS)[name]
    if name == "pinknoise":
        ensure_src_on_path()
    module = importlib.import_module(module_name)
    cls: type = getattr(module, class_name)
    return cls


def available(
    names: Iterable[str] | None = None, asgi: bool = False
) -> tuple[list[str], dict[str, str]]:
    """Split target names into importable ones and skipped ones (name -> reason)."""
    ok: list[str] = []
    skipped: dict[str, str] = {}
    for name in names or (ASGI_TARGETS if asgi else TARGETS):
        if asgi and name not in ASGI_TARGETS:
            continue  # WhiteNoise: WSGI only
        try:
            load_class(name, asgi)
        except Exception as exc:  # an in-progress pinknoise may fail in any way on import
            skipped[name] = f"{type(exc).__name__}: {exc}"
        else:
            ok.append(name)
    return ok, skipped


def build(name: str, root: str | Path, prefix: str = PREFIX, app: WSGIApp = inner_app) -> WSGIApp:
    """Construct target ``name`` over ``root`` at ``prefix`` with default options."""
    cls = load_class(name)
    middleware: WSGIApp = cls(app, root=str(root), prefix=prefix)
    return middleware


def build_asgi(name: str, root: str | Path, prefix: str = PREFIX) -> ASGIApp:
    """Construct the ASGI class of target ``name`` over ``root`` around ``inner_asgi``."""
    cls = load_class(name, asgi=True)
    middleware: ASGIApp = cls(inner_asgi, root=str(root), prefix=prefix)
    return middleware


def parse_targets(value: str) -> list[str]:
    """Argparse type for ``--targets a,b``."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        raise ValueError(f"unknown target(s) {unknown}; choose from {list(TARGETS)}")
    return names
