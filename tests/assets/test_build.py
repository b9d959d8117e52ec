"""``pinknoise build``: names, references, versions, incremental reruns, the command line.

Every test builds real files into a real output directory; the command-line tests run
``python -m pinknoise build`` as a user would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import pytest

from pinknoise.assets.build import (
    BUILD_RECORD,
    BuildError,
    BuildResult,
    BuildUsageError,
    build,
    digest_text,
    hashed_name,
)
from pinknoise.core.asset_manifest import MANIFEST_NAME, read_manifest
from pinknoise.core.options import hash_span, is_hashed_name
from tests.compress.conftest import text
from tests.compress.test_cli import pinknoise
from tests.support.frontends import Frontend


def write(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def output(out: Path, logical: str) -> str:
    """The text written for ``logical``, found through the manifest."""
    manifest = read_manifest(out)
    assert manifest is not None
    return (out / manifest.assets[logical].path).read_text()


def path_of(out: Path, logical: str) -> str:
    manifest = read_manifest(out)
    assert manifest is not None
    return manifest.assets[logical].path


def base(out: Path, logical: str) -> str:
    return os.path.basename(path_of(out, logical))


def quick(src: Path, out: Path, **options: object) -> BuildResult:
    return build(src, out, compress=False, **options)  # type: ignore[arg-type]


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry under ``root`` (directories too) with its size and mtime."""
    state = {}
    for directory, dirs, files in os.walk(root):
        for name in (*dirs, *files, ""):
            path = os.path.join(directory, name)
            st = os.lstat(path)
            state[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return state


# --- names ---------------------------------------------------------------------------


def test_every_digest_is_recognised_by_the_immutable_rule() -> None:
    # 20,000 digests, including those whose first 12 hex digits are all numbers: the
    # leading letter keeps every one readable as a hash, never as a date or version.
    names = ["app.css", "app.min.js", "app.css.map", "x-y_z.woff2", "bundle.0123.js"]
    for index in range(20_000):
        digest = hashlib.sha384(str(index).encode()).digest()
        shown = digest_text(digest)
        assert len(shown) == 12
        assert shown[0] in "abcdef"
        assert all(c in "0123456789abcdef" for c in shown)
        name = names[index % len(names)]
        hashed = hashed_name(name, digest)
        span = hash_span(hashed)
        assert span is not None, hashed
        assert is_hashed_name("", "/static/" + hashed)
        assert hashed[span[0] : span[1]] == shown or name == "bundle.0123.js"
    all_digits = bytes.fromhex("01" + "23456789" * 5 + "01" * 27)
    assert hash_span(hashed_name("a.js", all_digits)) is not None


def test_a_name_without_extension_is_copied_unhashed(tmp_path: Path) -> None:
    src = write(tmp_path / "src", {"LICENSE": "MIT", "a.txt": "a"})
    out = tmp_path / "out"
    result = quick(src, out)
    assert result.not_hashed == ["LICENSE"]
    manifest = result.manifest
    assert manifest.assets["LICENSE"].path == "LICENSE"
    assert "LICENSE" in manifest.unhashed
    assert manifest.hashed_paths() == {manifest.assets["a.txt"].path}
    write(src, {"LICENSE": "BSD, longer"})  # same name, new content: written again
    assert quick(src, out).written == ["LICENSE"]
    assert (out / "LICENSE").read_text() == "BSD, longer"


# --- references ----------------------------------------------------------------------


def test_css_references_are_rewritten(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {
            "img/a.png": b"png-a",
            "img/b b.png": b"png-b",
            "css/base.css": "p{}",
            "css/theme.css": "q{}",
            "css/app.css": (
                '@import "base.css";\n'
                "@import url('theme.css') screen;\n"
                "a{background:url(../img/a.png)}\n"
                'b{background:url( "../img/a.png?v=1#frag" )}\n'
                "c{background:URL(../img/b%20b.png)}\n"
                "d{background:url(/static/img/a.png)}\n"
                "e{background:url(data:image/png;base64,AAAA)}\n"
                "f{background:url(https://cdn.example/x.png) url(//cdn.example/y.png)}\n"
                "g{filter:url(#shadow)} h{background:url(/elsewhere/x.png)}\n"
                "/* url(../img/gone.png) is only a comment */\n"
                "/*# sourceMappingURL=app.css.map */\n"
            ),
            "css/app.css.map": '{"version":3,"file":"app.css","sources":[],"mappings":""}',
        },
    )
    out = tmp_path / "out"
    quick(src, out)
    css = output(out, "css/app.css")
    a, bb = base(out, "img/a.png"), base(out, "img/b b.png")
    assert f'@import "{base(out, "css/base.css")}";' in css
    assert f"@import url('{base(out, 'css/theme.css')}') screen;" in css
    assert f"url(../img/{a})" in css
    assert f'url( "../img/{a}?v=1#frag" )' in css
    assert f"URL(../img/{bb.replace(' ', '%20')})" in css
    assert f"url(/static/img/{a})" in css
    for untouched in (
        "url(data:image/png;base64,AAAA)",
        "url(https://cdn.example/x.png) url(//cdn.example/y.png)",
        "url(#shadow)",
        "url(/elsewhere/x.png)",
        "/* url(../img/gone.png) is only a comment */",
    ):
        assert untouched in css
    assert f"/*# sourceMappingURL={base(out, 'css/app.css.map')} */" in css
    source_map = json.loads(output(out, "css/app.css.map"))
    assert source_map["file"] == base(out, "css/app.css")


def test_javascript_module_references_are_rewritten(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {
            "js/util.js": "export const u = 1;\n",
            "js/lib/dep.mjs": "export default 2;\n",
            "js/lazy.js": "export const lazy = 3;\n",
            "js/all.js": "export const all = 4;\n",
            "js/side.js": "window.side = 5;\n",
            "js/app.js": (
                'import { u } from "./util.js";\n'
                "import dep from './lib/dep.mjs';\n"
                'import "./side.js";\n'
                'export * from "./all.js";\n'
                'export { u as v } from "./util.js?x=1";\n'
                'import React from "react";\n'
                'import x from "https://cdn.example/x.js";\n'
                'const later = () => import("./lazy.js");\n'
                "const s = \"import('./nothere.js')\";\n"
                "// import y from './nothere.js'\n"
                "const t = `import('./nothere.js') ${import('./lazy.js')}`;\n"
                "const r = /import('.\\/nothere.js')/;\n"
                'const computed = import("./" + name);\n'
                "//# sourceMappingURL=app.js.map\n"
            ),
            "js/app.js.map": '{"version":3,"file":"app.js","sources":["app.ts"],"mappings":""}',
        },
    )
    out = tmp_path / "out"
    quick(src, out)
    js = output(out, "js/app.js")
    util, dep = base(out, "js/util.js"), base(out, "js/lib/dep.mjs")
    lazy, side, every = base(out, "js/lazy.js"), base(out, "js/side.js"), base(out, "js/all.js")
    assert f'import {{ u }} from "./{util}";' in js
    assert f"import dep from './lib/{dep}';" in js
    assert f'import "./{side}";' in js
    assert f'export * from "./{every}";' in js
    assert f'export {{ u as v }} from "./{util}?x=1";' in js
    assert f'() => import("./{lazy}");' in js
    assert f"${{import('./{lazy}')}}" in js
    for untouched in (
        'from "react"',
        '"https://cdn.example/x.js"',
        "\"import('./nothere.js')\"",
        "// import y from './nothere.js'",
        "`import('./nothere.js') ",
        "/import('.\\/nothere.js')/",
        'import("./" + name)',
    ):
        assert untouched in js
    assert f"//# sourceMappingURL={base(out, 'js/app.js.map')}\n" in js
    assert json.loads(output(out, "js/app.js.map"))["file"] == base(out, "js/app.js")


def test_module_relative_asset_urls_are_rewritten(tmp_path: Path) -> None:
    """``new URL("...", import.meta.url)``: how a module names a worker or an asset."""
    src = write(
        tmp_path / "src",
        {
            "js/worker.js": "self.onmessage = () => {};\n",
            "img/logo.png": b"\x89PNG fake",
            "js/app.js": (
                'const w = new Worker(new URL("./worker.js", import.meta.url));\n'
                "const logo = new URL('../img/logo.png?v=2', import.meta.url).href;\n"
                'const remote = new URL("https://cdn.example/x.png", import.meta.url);\n'
                'const base = new URL("./worker.js", location.href);\n'
                "const text = \"new URL('./nothere.png', import.meta.url)\";\n"
            ),
        },
    )
    out = tmp_path / "out"
    quick(src, out)
    js = output(out, "js/app.js")
    worker, logo = base(out, "js/worker.js"), base(out, "img/logo.png")
    assert f'new Worker(new URL("./{worker}", import.meta.url));' in js
    assert f"new URL('../img/{logo}?v=2', import.meta.url).href;" in js
    assert 'new URL("https://cdn.example/x.png", import.meta.url)' in js
    assert 'new URL("./worker.js", location.href)' in js  # not module-relative: ours to leave
    assert "new URL('./nothere.png', import.meta.url)" in js  # in a string: not code


def test_a_missing_module_relative_asset_is_reported(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {"js/app.js": 'const w = new URL("./gone.png", import.meta.url);\n'},
    )
    with pytest.raises(BuildError, match=r"js/app\.js:1:\d+: './gone\.png'"):
        quick(src, tmp_path / "out")


def test_quotes_in_regular_expressions_and_divisions_do_not_hide_imports(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {
            "x.js": "1",
            "y.js": "2",
            "app.js": (
                "const tick = /`/.test(s), half = a / 2 / b;\n"
                'import "./x.js";\n'
                'const q = s.replace(/\'/g, ""), r = (c) / d;\n'
                "if (ok) { f(`${g({a: '}'})}`) }\n"
                'export * from "./y.js";\n'
            ),
        },
    )
    out = tmp_path / "out"
    quick(src, out)
    js = output(out, "app.js")
    assert f'import "./{base(out, "x.js")}";' in js
    assert f'export * from "./{base(out, "y.js")}";' in js


def test_a_changed_file_renames_what_references_it_and_nothing_else(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {
            "img/logo.png": b"v1",
            "css/app.css": "a{background:url(../img/logo.png)}",
            "css/print.css": "a{color:red}",
            "js/main.js": 'import "./widget.js";',
            "js/widget.js": "1",
        },
    )
    out = tmp_path / "out"
    before = quick(src, out).manifest
    (src / "img/logo.png").write_bytes(b"v2")
    after = quick(src, out).manifest
    changed = {name for name in before.assets if before.assets[name] != after.assets[name]}
    assert changed == {"img/logo.png", "css/app.css"}
    (src / "js/widget.js").write_text("2")
    again = quick(src, out).manifest
    changed = {name for name in after.assets if after.assets[name] != again.assets[name]}
    assert changed == {"js/main.js", "js/widget.js"}


def test_a_reference_cycle_is_hashed_together_and_reported(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {
            "a.js": 'import { b } from "./b.js";\nexport const a = 1;\n',
            "b.js": 'import { a } from "./a.js";\nexport const b = 2;\n',
            "c.js": 'import { a } from "./a.js";\n',
        },
    )
    out = tmp_path / "out"
    result = quick(src, out)
    assert result.cycles == [("a.js", "b.js", "a.js")]
    a, b = base(out, "a.js"), base(out, "b.js")
    assert f'from "./{b}"' in output(out, "a.js")
    assert f'from "./{a}"' in output(out, "b.js")
    assert f'from "./{a}"' in output(out, "c.js")
    (src / "b.js").write_text('import { a } from "./a.js";\nexport const b = 3;\n')
    quick(src, out)
    assert base(out, "a.js") != a
    assert base(out, "b.js") != b
    assert f'from "./{base(out, "b.js")}"' in output(out, "a.js")
    proc = pinknoise("build", "--no-compress", str(src), str(tmp_path / "out2"))
    assert proc.returncode == 0, proc.stderr
    assert "cycle (hashed together): a.js -> b.js -> a.js" in proc.stdout


def test_a_script_and_its_source_map_are_not_reported_as_a_cycle(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {"app.js": "1\n//# sourceMappingURL=app.js.map\n", "app.js.map": '{"file":"app.js"}'},
    )
    assert quick(src, tmp_path / "out").cycles == []


# --- missing references --------------------------------------------------------------


def test_a_missing_reference_fails_naming_file_line_and_target(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {"css/app.css": "a{}\nb{}\nc{background:url(../img/missing.png)}\n"},
    )
    out = tmp_path / "out"
    proc = pinknoise("build", str(src), str(out))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "css/app.css:3:18: " in proc.stderr
    assert "img/missing.png" in proc.stderr
    assert "--missing-references warn" in proc.stderr
    assert not (out / MANIFEST_NAME).exists()


def test_a_reference_leaving_the_source_is_never_followed(tmp_path: Path) -> None:
    write(tmp_path, {"secret.png": b"outside"})
    src = write(tmp_path / "src", {"app.css": "a{background:url(../secret.png)}"})
    with pytest.raises(
        BuildError, match=r"app.css:1:18: '../secret.png' resolves to '../secret.png', outside"
    ):
        quick(src, tmp_path / "out")
    result = quick(src, tmp_path / "out", missing_references="warn")
    assert "outside the source directory" in result.warnings[0]
    assert output(tmp_path / "out", "app.css") == "a{background:url(../secret.png)}"
    assert not any("secret" in path for path in os.listdir(tmp_path / "out"))


def test_warn_mode_leaves_a_missing_reference_as_written(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {"app.js": 'import "./gone.js";\nimport "./here.js";\n', "here.js": "1"},
    )
    out = tmp_path / "out"
    proc = pinknoise("build", "--missing-references", "warn", "--no-compress", str(src), str(out))
    assert proc.returncode == 0, proc.stderr
    assert "warning: app.js:1:9: './gone.js' names 'gone.js'" in proc.stderr
    js = output(out, "app.js")
    assert 'import "./gone.js";' in js
    assert f'import "./{base(out, "here.js")}";' in js


def test_an_import_without_extension_gets_a_hint(tmp_path: Path) -> None:
    src = write(tmp_path / "src", {"app.js": 'import x from "./util";\n', "util.js": "1"})
    with pytest.raises(
        BuildError, match=r"app.js:1:16: './util' names 'util', .*\(did you mean 'util.js'"
    ):
        quick(src, tmp_path / "out")


def test_a_source_map_file_field_naming_nothing_is_left_alone(tmp_path: Path) -> None:
    src = write(tmp_path / "src", {"x.js.map": '{"version":3,"file":"out.js","mappings":""}'})
    result = quick(src, tmp_path / "out")
    assert result.warnings == []
    assert json.loads(output(tmp_path / "out", "x.js.map"))["file"] == "out.js"


# --- the walker's rules --------------------------------------------------------------


def test_walker_rules_decide_what_is_copied(tmp_path: Path) -> None:
    write(tmp_path, {"outside.txt": "secret"})
    src = write(
        tmp_path / "src",
        {".env": "SECRET=1", "app.css": "a{}", "app.css.gz": b"stale", "sub/.git/x": "y"},
    )
    os.mkfifo(src / "pipe.txt")
    os.symlink(tmp_path / "outside.txt", src / "escape.txt")
    os.symlink("app.css", src / "alias.css")  # inside: served, so built
    out = tmp_path / "out"
    result = quick(src, out)
    assert set(result.manifest.assets) == {"app.css", "alias.css"}
    reasons = {os.path.basename(path): reason for path, reason in result.skipped}
    assert reasons[".env"] == "a hidden name"
    assert reasons["pipe.txt"] == "not a regular file"
    assert reasons["escape.txt"] == "symlink leaves the root"
    assert "app.css.gz" in reasons
    written = {p.name for p in out.rglob("*") if p.is_file()}
    assert not any(name.startswith(("escape", "pipe", ".env", "app.css.gz")) for name in written)
    proc = pinknoise("build", "--no-compress", str(src), str(tmp_path / "out2"))
    assert proc.returncode == 0, proc.stderr
    assert "pipe.txt (not a regular file)" in proc.stdout
    assert "escape.txt (symlink leaves the root)" in proc.stdout


# --- versions ------------------------------------------------------------------------


def test_old_versions_are_kept_then_pruned_with_their_variants(tmp_path: Path) -> None:
    src = tmp_path / "src"
    out = tmp_path / "out"
    foreign = write(out, {"app.0123456789ab.css": "not ours", "notes.txt": "mine"})
    paths = []
    for version in range(4):
        write(src, {"app.css": text(4000, seed=version)})
        result = build(src, out, keep_old_versions=2, encodings=["gzip"], dictionaries=0)
        paths.append(result.manifest.assets["app.css"].path)
        assert (out / (paths[-1] + ".gz")).is_file()
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest.previous["app.css"] == (paths[2], paths[1])
    assert result.removed == [paths[0]]
    assert not (out / paths[0]).exists()
    assert not (out / (paths[0] + ".gz")).exists()
    for kept in paths[1:]:
        assert (out / kept).is_file()
    assert (foreign / "app.0123456789ab.css").read_text() == "not ours"
    assert (foreign / "notes.txt").read_text() == "mine"


def test_a_new_version_gets_dcz_deltas_against_kept_ones(tmp_path: Path) -> None:
    from pinknoise.compress.deltas import decode_dcz

    src, out = tmp_path / "src", tmp_path / "out"
    first = text(20_000)
    write(src, {"app.js": first})
    old = build(src, out).manifest.assets["app.js"].path
    second = first + b"\nconsole.log('changed');\n"
    write(src, {"app.js": second})
    new = build(src, out).manifest.assets["app.js"].path
    deltas = list(out.glob(os.path.basename(new) + ".*.dcz"))
    assert len(deltas) == 1
    assert decode_dcz(deltas[0].read_bytes(), (out / old).read_bytes()) == second
    assert {".br", ".zst", ".gz"} <= {
        s for s in (".br", ".zst", ".gz") if (out / (new + s)).exists()
    }


def test_a_rollback_makes_the_older_name_current_again(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    write(src, {"app.css": "v1"})
    v1 = quick(src, out).manifest.assets["app.css"].path
    write(src, {"app.css": "v2"})
    v2 = quick(src, out).manifest.assets["app.css"].path
    write(src, {"app.css": "v1"})
    manifest = quick(src, out).manifest
    assert manifest.assets["app.css"].path == v1
    assert manifest.previous["app.css"] == (v2,)
    assert os.stat(out / v1).st_mtime_ns > os.stat(out / v2).st_mtime_ns  # newest for deltas


def test_a_deleted_file_keeps_its_versions_for_a_few_builds(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    write(src, {"old.css": "x", "app.css": "a", "robots.txt": "r"})
    path = (
        quick(src, out, keep_old_versions=2, keep_unhashed=["robots.txt"])
        .manifest.assets["old.css"]
        .path
    )
    (src / "old.css").unlink()
    (src / "robots.txt").unlink()
    for _ in range(2):
        manifest = quick(src, out, keep_old_versions=2).manifest
        assert manifest.previous["old.css"] == (path,)
        assert (out / path).is_file()
    assert not (out / "robots.txt").exists()  # a mutable copy goes with its source
    manifest = quick(src, out, keep_old_versions=2).manifest
    assert "old.css" not in manifest.previous
    assert not (out / path).exists()


def test_unhashed_copies_only_where_asked(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {"robots.txt": "r", "img/favicon.ico": b"i", "img/a.png": b"a", "app.css": "a{}"},
    )
    out = tmp_path / "out"
    result = quick(src, out, keep_unhashed=["robots.txt", "img/*.ico"])
    assert result.manifest.unhashed == {"robots.txt", "img/favicon.ico"}
    assert (out / "robots.txt").read_text() == "r"
    assert (out / "img/favicon.ico").is_file()
    assert not (out / "img/a.png").exists()
    assert not (out / "app.css").exists()


# --- incremental reruns --------------------------------------------------------------


def test_a_rerun_with_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {"app.css": b"a{background:url(i.png)}" + text(3000), "i.png": b"png", "m.js": text(5000)},
    )
    out = tmp_path / "out"
    build(src, out)
    state = tree_state(out)
    result = build(src, out)
    assert tree_state(out) == state
    assert result.written == []
    assert result.unchanged == 3
    assert result.compress is not None
    assert result.compress.files_compressed == 0


def test_an_unchanged_stat_means_the_source_is_not_read_again(tmp_path: Path) -> None:
    # Like the compressor: the stat decides. Same size and mtime -> the record is used.
    src = write(tmp_path / "src", {"a.txt": "aaaa"})
    out = tmp_path / "out"
    first = quick(src, out).manifest.assets["a.txt"]
    st = os.stat(src / "a.txt")
    (src / "a.txt").write_text("bbbb")
    os.utime(src / "a.txt", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert quick(src, out).manifest.assets["a.txt"] == first
    os.utime(src / "a.txt")  # touched: read again
    assert quick(src, out).manifest.assets["a.txt"] != first


def test_a_lost_build_record_rewrites_nothing_identical(tmp_path: Path) -> None:
    src = write(tmp_path / "src", {"a.css": "a{background:url(b.png)}", "b.png": b"b"})
    out = tmp_path / "out"
    quick(src, out)
    (out / BUILD_RECORD).unlink()
    state = {k: v for k, v in tree_state(out).items() if k not in (".", BUILD_RECORD)}
    result = quick(src, out)
    assert result.written == []
    after = {k: v for k, v in tree_state(out).items() if k not in (".", BUILD_RECORD)}
    assert after == state


# --- the manifest and the server -----------------------------------------------------


def test_manifest_integrity_is_the_sha384_of_the_bytes_written(tmp_path: Path) -> None:
    src = write(
        tmp_path / "src",
        {"css/app.css": "a{background:url(../i.png)}", "i.png": b"\x89PNG", "j.js": text(100)},
    )
    out = tmp_path / "out"
    build(src, out, keep_unhashed=["app.css"])
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest.prefix == "/static/"
    assert len(manifest.assets) == 3
    for logical, asset in manifest.assets.items():
        data = (out / asset.path).read_bytes()
        assert asset.size == len(data)
        assert (
            asset.integrity == "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
        )
        if logical in manifest.unhashed:
            assert (out / logical).read_bytes() == data


def test_built_files_are_served_immutable(tmp_path: Path, frontend: Frontend) -> None:
    src = write(tmp_path / "src", {"app.css": text(2000), "robots.txt": "User-agent: *"})
    out = tmp_path / "out"
    manifest = build(src, out, keep_unhashed=["robots.txt"]).manifest
    hashed = manifest.assets["app.css"]
    with frontend.start(out) as fetch:
        response = fetch("GET", "/static/" + hashed.path, {"Accept-Encoding": "br"})
        assert response.status == 200
        assert "immutable" in (response.header("cache-control") or "")
        assert response.header("content-encoding") == "br"
        plain = fetch("GET", "/static/" + hashed.path, {})
        assert "sha384-" + base64.b64encode(hashlib.sha384(plain.body).digest()).decode() == (
            hashed.integrity
        )
        robots = fetch("GET", "/static/robots.txt", {})
        assert robots.status == 200
        assert "immutable" not in (robots.header("cache-control") or "")
        assert fetch("GET", "/static/" + MANIFEST_NAME, {}).status == 404


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ("missing", "No such file or directory"),
        ("out-in-src", "is inside"),
        ("src-in-out", "is inside"),
        ("src-is-file", "not a directory"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path: Path, layout: str, expected: str) -> None:
    src = write(tmp_path / "src", {"a.css": "a{}"})
    out = tmp_path / "out"
    if layout == "missing":
        src = tmp_path / "nothing"
    elif layout == "out-in-src":
        out = src / "build"
    elif layout == "src-in-out":
        out = tmp_path
    elif layout == "src-is-file":
        src = src / "a.css"
    proc = pinknoise("build", str(src), str(out))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert expected in proc.stderr
    assert proc.stderr.startswith("pinknoise build: error: ")
    with pytest.raises(BuildUsageError):
        quick(src, out)


def test_an_unwritable_output_exits_1_with_one_line(tmp_path: Path) -> None:
    src = write(tmp_path / "src", {"a.css": "a{}"})
    blocker = write(tmp_path, {"file": "x"}) / "file"
    proc = pinknoise("build", str(src), str(blocker / "out"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("pinknoise build: error: cannot create ")
    assert proc.stderr.count("\n") == 1


def test_an_output_directory_symlinked_out_is_refused(tmp_path: Path) -> None:
    src = write(tmp_path / "src", {"css/a.css": "a{}"})
    out = tmp_path / "out"
    (tmp_path / "elsewhere").mkdir()
    out.mkdir()
    os.symlink(tmp_path / "elsewhere", out / "css")
    with pytest.raises(BuildError, match="leads outside"):
        quick(src, out)
    assert os.listdir(tmp_path / "elsewhere") == []
