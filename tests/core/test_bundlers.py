"""Hashed outputs read from the manifests bundlers write (Vite, webpack plugins)."""

from __future__ import annotations

import json
from pathlib import Path

from pinknoise import PinkNoise
from pinknoise.core.bundlers import hashed_outputs
from tests.support import wsgi_client

# The manifest of a real Vite 8.4 build (build.manifest: true), cut to four entries.
VITE_MANIFEST = {
    "index.html": {
        "file": "assets/index-N2ynvSzy.js",
        "name": "index",
        "src": "index.html",
        "isEntry": True,
        "dynamicImports": ["src/Page1.js", "src/Deep.js"],
        "css": ["assets/index-DjkGZG25.css"],
        "assets": ["assets/logo-DVWIltfL.svg"],
    },
    "src/Deep.js": {
        "file": "assets/Deep-BM91ntNp.js",
        "name": "Deep",
        "src": "src/Deep.js",
        "isDynamicEntry": True,
    },
    "src/Page1.js": {
        "file": "assets/Page1-ChvuYtVL.js",
        "name": "Page1",
        "src": "src/Page1.js",
        "isDynamicEntry": True,
        "css": ["assets/Page1-CuAsqCU0.css"],
    },
    "src/logo.svg": {"file": "assets/logo-DVWIltfL.svg", "src": "src/logo.svg"},
}
VITE_OUTPUTS = {
    "assets/index-N2ynvSzy.js",
    "assets/index-DjkGZG25.css",
    "assets/logo-DVWIltfL.svg",
    "assets/Deep-BM91ntNp.js",
    "assets/Page1-ChvuYtVL.js",
    "assets/Page1-CuAsqCU0.css",
}


def write(root: Path, files: set[str] | list[str], manifest: tuple[str, object]) -> None:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"/* {name} */")
    (root / manifest[0]).parent.mkdir(parents=True, exist_ok=True)
    (root / manifest[0]).write_text(json.dumps(manifest[1]))


def test_vite_manifest(tmp_path: Path) -> None:
    write(tmp_path, VITE_OUTPUTS | {"index.html"}, (".vite/manifest.json", VITE_MANIFEST))
    assert hashed_outputs(str(tmp_path)) == VITE_OUTPUTS


def test_vite_outputs_named_without_a_hash_are_not_hashed(tmp_path: Path) -> None:
    # build.rollupOptions.output: entryFileNames "[name].js", assetFileNames "[name][extname]"
    manifest = {
        "index.html": {
            "file": "assets/index.js",
            "name": "index",
            "src": "index.html",
            "isEntry": True,
            "css": ["assets/index.css"],
            "assets": ["assets/logo.svg"],
        },
        "src/logo.svg": {"file": "assets/logo.svg", "src": "src/logo.svg"},
        "src/Page1.js": {"file": "assets/Page1-ChvuYtVL.js", "name": "Page1"},
    }
    files = {"assets/index.js", "assets/index.css", "assets/logo.svg", "assets/Page1-ChvuYtVL.js"}
    write(tmp_path, files, (".vite/manifest.json", manifest))
    assert hashed_outputs(str(tmp_path)) == {"assets/Page1-ChvuYtVL.js"}


def test_webpack_manifest_plugin(tmp_path: Path) -> None:
    # webpack-manifest-plugin writes the public path in front of every output.
    manifest = {
        "main.js": "/static/js/main.3f2a9c1b.js",
        "main.css": "/static/css/main.Cq7x.css",
        "logo.png": "/static/media/logo.png",  # emitted under its own name: not hashed
        "missing.js": "/static/js/missing.0123abcd.js",  # not on disk: ignored
    }
    write(
        tmp_path,
        ["js/main.3f2a9c1b.js", "css/main.Cq7x.css", "media/logo.png"],
        ("manifest.json", manifest),
    )
    assert hashed_outputs(str(tmp_path)) == {"js/main.3f2a9c1b.js", "css/main.Cq7x.css"}


def test_webpack_assets_manifest(tmp_path: Path) -> None:
    manifest = {
        "app.js": "app.Xy7Lw.js",
        "vendor.js": {"src": "vendor.k2Lq.js", "integrity": "sha384-AAAA"},
        "entrypoints": {"app": {"assets": {"js": ["app.Xy7Lw.js"]}}},
    }
    write(tmp_path, ["app.Xy7Lw.js", "vendor.k2Lq.js"], ("assets-manifest.json", manifest))
    assert hashed_outputs(str(tmp_path)) == {"app.Xy7Lw.js", "vendor.k2Lq.js"}


def test_manifests_are_read_at_the_top_of_the_root_only(tmp_path: Path) -> None:
    # Finding STATIC_ROOT/frontend/manifest.json would mean listing the root at start-up.
    write(tmp_path / "frontend", ["main.Ab1.js"], ("manifest.json", {"main.js": "main.Ab1.js"}))
    assert hashed_outputs(str(tmp_path)) == frozenset()
    assert hashed_outputs(str(tmp_path / "frontend")) == {"main.Ab1.js"}


def test_what_is_not_a_bundler_manifest(tmp_path: Path) -> None:
    # A web app manifest, broken JSON, paths escaping the root, no manifest at all.
    write(tmp_path, ["App", "icon.png"], ("manifest.json", {"name": "App", "icons": []}))
    (tmp_path / "assets-manifest.json").write_text("{not json")
    write(tmp_path / "x", [], (".vite/manifest.json", {"a.js": {"file": "../../etc/passwd"}}))
    assert hashed_outputs(str(tmp_path)) == frozenset()
    assert hashed_outputs(str(tmp_path / "nowhere")) == frozenset()


def test_server_caches_manifest_outputs_as_immutable(tmp_path: Path) -> None:
    # Page1-ChvuYtVL.js reads like a name to the name rule; the manifest says otherwise.
    write(tmp_path, VITE_OUTPUTS | {"index.html"}, (".vite/manifest.json", VITE_MANIFEST))
    (tmp_path / "assets/plain.js").write_text("")
    app = PinkNoise(wsgi_client.fallback_app, tmp_path)
    immutable = "max-age=31536000, public, immutable"
    for name in VITE_OUTPUTS:
        result = wsgi_client.call(app, "GET", f"/{name}")
        assert result.header("Cache-Control") == immutable, name
    assert wsgi_client.call(app, "GET", "/assets/plain.js").header("Cache-Control") == (
        "max-age=60, public"
    )
    assert wsgi_client.call(app, "GET", "/index.html").header("Cache-Control") == (
        "max-age=60, public"
    )


def test_a_fifo_or_outside_link_as_manifest_is_ignored_without_hanging(tmp_path: Path) -> None:
    """Read through the walker's checked open: O_NONBLOCK, regular files, inside the root."""
    import os
    import subprocess
    import sys

    root = tmp_path / "root"
    (root / ".vite").mkdir(parents=True)
    os.mkfifo(root / ".vite" / "manifest.json")
    outside = tmp_path / "manifest.json"
    outside.write_text('{"main.js": {"file": "assets/main-BvG1l0Ao.js", "src": "main.js"}}')
    (root / "manifest.json").symlink_to(outside)
    script = (
        "import sys\n"
        "from pinknoise.core.bundlers import hashed_outputs\n"
        "print(sorted(hashed_outputs(sys.argv[1])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=20
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
