"""Built asset trees for the tests of the read side (``Assets``, the server, the helpers).

Every test that needs a build gets it from :func:`build` here: the real builder
(:func:`pinknoise.assets.build.build`), so the read side is tested on what users deploy.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
from collections.abc import Iterable
from pathlib import Path

from pinknoise.assets.build import build as build_assets
from pinknoise.core.asset_manifest import AssetManifest
from tests.support.servers import BIN, REPO


def sri(data: bytes) -> str:
    """The Subresource Integrity value of ``data``, as browsers compute it."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def build(
    src: Path, out: Path, *, prefix: str = "/static/", unhashed: Iterable[str] = ()
) -> AssetManifest:
    """``pinknoise build`` of ``src`` into ``out`` (``unhashed`` also under their own name).

    Uncompressed, to keep the tests quick: compression is the compressor's, tested there.
    """
    return build_assets(src, out, prefix=prefix, keep_unhashed=unhashed, compress=False).manifest


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
