"""Measure what a WhiteNoise user sees change: Content-Type per extension, direct
requests for precompressed siblings, ETags. Needs whitenoise installed next to pinknoise.

    .venv/bin/python scripts/whitenoise_differences.py
"""

from __future__ import annotations

import gzip
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

import brotli
from whitenoise import WhiteNoise

from pinknoise import PinkNoise

EXTENSIONS = str.split(
    "html css js mjs json map webmanifest wasm txt md csv xml svg ico png jpg gif webp avif"
    " woff woff2 ttf otf eot mp4 webm mp3 pdf zip ts vtt"
)


def fallback(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"app 404"]


def get(app: Any, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    captured: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
        captured["status"] = int(status.split()[0])
        captured["headers"] = {k.lower(): v for k, v in response_headers}

    body = app(environ, start_response)
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return captured["status"], captured["headers"]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for ext in EXTENSIONS:
            (root / f"file.{ext}").write_bytes(b"x" * 2000)
        css = b"body { color: red }\n" * 200
        (root / "styles.css").write_bytes(css)
        (root / "styles.css.gz").write_bytes(gzip.compress(css))
        (root / "styles.css.br").write_bytes(brotli.compress(css))
        (root / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
        (root / "app.3f2a9c1b7d4e.js").write_text("hashed")
        # The Django middleware decides immutability from the manifest; a regex here.
        white = WhiteNoise(
            fallback, root=str(root), prefix="/static/", immutable_file_test=r"\.[0-9a-f]{12}\."
        )
        pink = PinkNoise(fallback, root, prefix="/static/")
        print("| extension | WhiteNoise 6.12 | pinknoise |\n|---|---|---|")
        for ext in EXTENSIONS:
            w = get(white, f"/static/file.{ext}")[1].get("content-type")
            p = get(pink, f"/static/file.{ext}")[1].get("content-type")
            mark = "" if w == p else " **differs**"
            print(f"| `.{ext}` | `{w}` | `{p}`{mark} |")
        print("\ndirect requests for the precompressed siblings:")
        for name in ("styles.css.gz", "styles.css.br"):
            for label, app in (("whitenoise", white), ("pinknoise", pink)):
                status, headers = get(app, f"/static/{name}", {"Accept-Encoding": "gzip, br"})
                print(
                    f"  {label:10} {name}: {status} {headers.get('content-type')!r} "
                    f"content-encoding={headers.get('content-encoding')!r}"
                )
        for label, app in (("whitenoise", white), ("pinknoise", pink)):
            status = get(app, "/static/staticfiles.json")[0]
            cache = get(app, "/static/app.3f2a9c1b7d4e.js")[1].get("cache-control")
            print(f"  {label:10} staticfiles.json: {status}; hashed file: {cache!r}")
        print("\nETag of styles.css per Accept-Encoding:")
        for label, app in (("whitenoise", white), ("pinknoise", pink)):
            etags = {
                coding: get(app, "/static/styles.css", {"Accept-Encoding": coding})[1].get("etag")
                for coding in ("identity", "gzip", "br")
            }
            print(f"  {label:10} {etags}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
