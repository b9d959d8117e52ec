"""The WSGI middlewares under comparison, built the same way over the same tree.

Every target is constructed with the same root, the same prefix and default options, and
wraps the same trivial inner application (a 404 for anything not static).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable
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

INNER_BODY = b"inner app: not a static file\n"


def inner_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The wrapped application: what a miss falls through to."""
    start_response(
        "404 Not Found",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(INNER_BODY)))],
    )
    return [INNER_BODY]


SRC_ENV = "PINKNOISE_BENCH_SRC"


def _ensure_src_on_path() -> None:
    # Benchmark the checkout's own source (or the snapshot run.py --pinknoise-rev made),
    # ahead of any installed copy.
    src = os.environ.get(SRC_ENV) or str(REPO / "src")
    if src not in sys.path:
        sys.path.insert(1, src)


def load_class(name: str) -> type:
    """Import the middleware class of target ``name``."""
    module_name, class_name = TARGETS[name]
    if name == "pinknoise":
        _ensure_src_on_path()
    module = importlib.import_module(module_name)
    cls: type = getattr(module, class_name)
    return cls


def available(names: Iterable[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """Split target names into importable ones and skipped ones (name -> reason)."""
    ok: list[str] = []
    skipped: dict[str, str] = {}
    for name in names or TARGETS:
        try:
            load_class(name)
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


def parse_targets(value: str) -> list[str]:
    """Argparse type for ``--targets a,b``."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        raise ValueError(f"unknown target(s) {unknown}; choose from {list(TARGETS)}")
    return names
