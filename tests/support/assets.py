"""Built asset trees for the tests of the read side (``Assets``, the server, the helpers).

Until ``pinknoise build`` lands, :func:`build` stands in for it: every file of ``src``
copied to ``out`` as ``stem.<12 hex>.ext``, and ``.pinknoise-assets.json`` with each
file's SRI. It rewrites no reference and compresses nothing: test data, not a builder.
Every test that needs a build gets it here, so switching them to the real builder is a
change to this one function.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import shutil
from collections.abc import Iterable
from pathlib import Path

from pinknoise.core.asset_manifest import MANIFEST_NAME, Asset, AssetManifest
from tests.support.servers import BIN, REPO


def sri(data: bytes) -> str:
    """The Subresource Integrity value of ``data``, as browsers compute it."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def hashed_name(logical: str, data: bytes) -> str:
    """``css/app.css`` -> ``css/app.<12 hex>.css``, a name the default immutable rule reads."""
    digest = hashlib.sha256(data).hexdigest()
    # The name rule wants a letter among hex digits; make the test data always have one.
    digest = digest[:11] + "f" if digest[:12].isdigit() else digest[:12]
    directory, base = posixpath.split(logical)
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    return posixpath.join(directory, f"{stem}.{digest}{dot}{extension}")


def build(
    src: Path, out: Path, *, prefix: str = "/static/", unhashed: Iterable[str] = ()
) -> AssetManifest:
    """Copy ``src`` to ``out`` under hashed names (and ``unhashed`` under their own too)."""
    keep = set(unhashed)
    assets: dict[str, Asset] = {}
    for path in sorted(src.rglob("*")):
        logical = path.relative_to(src).as_posix()
        if not path.is_file() or any(part.startswith(".") for part in logical.split("/")):
            continue
        data = path.read_bytes()
        asset = Asset(hashed_name(logical, data), len(data), sri(data))
        assets[logical] = asset
        for name in (asset.path, logical) if logical in keep else (asset.path,):
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out / name)
    manifest = AssetManifest(prefix, assets, {}, frozenset(keep))
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST_NAME).write_bytes(manifest.to_json())
    return manifest


# The example site (examples/assets_site/): one site, three frameworks, each run by a
# real server from an unrelated working directory, as deployed: copied, then built.
EXAMPLE = REPO / "examples" / "assets_site"
EXAMPLE_SERVERS = {
    "flask": ["gunicorn", "assets_site.flask_app:app"],
    "starlette": ["uvicorn", "assets_site.starlette_app:app"],
    "fastapi": ["granian", "assets_site.fastapi_app:application"],
}


def deploy_example(base: Path, *, built: bool = True) -> Path:
    """Copy the example under ``base/apps`` and build its static folder (unless not
    ``built``: dev mode serves the source). Returns ``base/apps``, for PYTHONPATH."""
    apps = base / "apps"
    site = apps / "assets_site"
    shutil.copytree(EXAMPLE, site, ignore=shutil.ignore_patterns("__pycache__", "build"))
    if built:
        build(site / "static", site / "build")
    return apps


def example_argv(framework: str, port: int, cwd: Path) -> list[str]:
    """The command running the example's ``framework`` app on 127.0.0.1:``port``."""
    server, target = EXAMPLE_SERVERS[framework]
    if server == "gunicorn":
        argv = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", target]
    elif server == "uvicorn":
        argv = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), target]
    else:
        argv = [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port",
                str(port), "--workers", "1", target]  # fmt: skip
    return ["env", "-C", str(cwd), *argv]
