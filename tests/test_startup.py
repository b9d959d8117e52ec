"""Start-up over hostile trees: loops, special files, unreadable entries, odd names, size.

Each tree is served by both adapters in-process, scanned once (the catalog) and looked
up per request (autorefresh), which must follow the same rules.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from pinknoise import PinkNoise, PinkNoiseASGI
from tests.support import asgi_client, wsgi_client
from tests.support.servers import REPO
from tests.support.wsgi_client import Result

MODES = [{}, {"autorefresh": True}]
MODE_IDS = ["catalog", "autorefresh"]
Fetch = Callable[[str], Result]


def fetchers(root: Path, **options: object) -> list[Fetch]:
    """GET through WSGI and ASGI apps over ``root`` (prefix /static/, index files on)."""
    options = {"prefix": "/static/", "index_file": True, **options}
    wsgi = PinkNoise(wsgi_client.fallback_app, root, **options)  # type: ignore[arg-type]
    asgi = PinkNoiseASGI(asgi_client.fallback_app, root, **options)  # type: ignore[arg-type]
    return [
        lambda target: wsgi_client.call(wsgi, "GET", target),
        lambda target: asgi_client.call(asgi, "GET", target),
    ]


def within(seconds: float, fetch: Fetch, target: str) -> Result | None:
    """``fetch(target)`` in a thread; None if it has not returned in time (it hangs)."""
    box: list[Result] = []
    thread = threading.Thread(target=lambda: box.append(fetch(target)), daemon=True)
    thread.start()
    thread.join(seconds)
    return box[0] if box else None


# --------------------------------------------------------------------------------------
# Loops, special files, directories named like files.


@pytest.fixture
def odd_tree(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "root"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "plain.txt").write_bytes(b"plain")
    (root / "sub" / "deeper" / "file.txt").write_bytes(b"deep")
    (root / "loop-to-root").symlink_to(root, target_is_directory=True)
    (root / "sub" / "deeper" / "loop-up").symlink_to(root / "sub", target_is_directory=True)
    (root / "ping").symlink_to(root / "pong")  # ping -> pong -> ping: ELOOP
    (root / "pong").symlink_to(root / "ping")
    (root / "self").symlink_to(root / "self")
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    os.mkfifo(root / "fifo.txt")  # opening it for reading would block until a writer
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(root / "socket.txt"))
    (root / "app.css").mkdir()  # a directory named like a file...
    (root / "app.css" / "index.html").write_bytes(b"dir index")
    (root / "script.js").write_bytes(b"x" * 500)
    (root / "script.js.br").mkdir()  # ...and one named like a precompressed sibling
    (root / "index.html").mkdir()  # the index file name, as a directory
    try:
        yield root
    finally:
        unix.close()


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_loops_special_files_and_directories_named_like_files(
    odd_tree: Path, mode: dict[str, bool], caplog: pytest.LogCaptureFixture
) -> None:
    for fetch in fetchers(odd_tree, **mode):
        assert fetch("/static/plain.txt").body == b"plain"
        assert fetch("/static/sub/deeper/file.txt").body == b"deep"
        # Loops are not followed (and never hang the scan); special files are not files.
        for target in [
            "/static/loop-to-root/plain.txt",
            "/static/sub/deeper/loop-up/deeper/file.txt",
            "/static/ping",
            "/static/pong",
            "/static/self",
            "/static/dangling.txt",
            "/static/fifo.txt",
            "/static/socket.txt",
            "/static/index.html",
            "/static/",
        ]:
            result = within(5, fetch, target)
            assert result is not None, f"{target} hangs"
            assert result.header("X-App") == "yes", (target, result.status)
        # A directory named like a file is a directory: its index, under its own URL.
        assert fetch("/static/app.css/").body == b"dir index"
        assert fetch("/static/app.css").status == 302
        # A directory named like a sibling is no sibling.
        script = fetch("/static/script.js")
        assert (script.status, script.header("Content-Encoding")) == (200, None)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_file_replaced_by_fifo_after_start_up_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_bytes(b"x" * 200_000)  # not held in memory
    app = PinkNoise(wsgi_client.fallback_app, tmp_path, prefix="/static/")
    (tmp_path / "data.txt").unlink()
    os.mkfifo(tmp_path / "data.txt")
    result = within(3, lambda target: wsgi_client.call(app, "GET", target), "/static/data.txt")
    if result is None:
        # Release the stuck thread: a writer lets its open() return.
        with open(tmp_path / "data.txt", "wb"):
            pass
    assert result is not None, "the request hangs in open() on the FIFO"
    assert result.header("X-App") == "yes"


# --------------------------------------------------------------------------------------
# Unreadable entries: as root, permissions do not block reads, so drop to "nobody".

_UNREADABLE_SCRIPT = """
import json, logging, sys
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
from pinknoise import PinkNoise
from tests.support.wsgi_client import call, fallback_app
results = {}
for autorefresh in (False, True):
    app = PinkNoise(fallback_app, sys.argv[1], prefix="/static/", autorefresh=autorefresh)
    for target in ("/static/ok.txt", "/static/secret.txt", "/static/closed/inner.txt"):
        r = call(app, "GET", target)
        results[f"{autorefresh} {target}"] = [r.status, r.header("X-App"), r.body.decode()]
print(json.dumps(results))
"""


def _without_permission_bypass() -> list[str]:
    """A command prefix under which permissions apply, even to root.

    Root reads anything through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; ``setpriv``
    (util-linux) drops both for the child, so a mode-000 file really fails to open.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}"]


def test_unreadable_files_and_directories() -> None:
    base = Path(tempfile.mkdtemp(prefix="pinknoise-perm-"))
    try:
        (base / "ok.txt").write_bytes(b"ok")
        (base / "secret.txt").write_bytes(b"no")
        (base / "secret.txt").chmod(0o000)
        (base / "closed").mkdir()
        (base / "closed" / "inner.txt").write_bytes(b"inner")
        (base / "closed").chmod(0o000)
        completed = subprocess.run(
            [*_without_permission_bypass(), sys.executable, "-c", _UNREADABLE_SCRIPT, str(base)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert completed.returncode == 0, completed.stderr
        results = json.loads(completed.stdout)
        for autorefresh in ("False", "True"):
            assert results[f"{autorefresh} /static/ok.txt"] == [200, None, "ok"]
            assert results[f"{autorefresh} /static/secret.txt"][1] == "yes"
            assert results[f"{autorefresh} /static/closed/inner.txt"][1] == "yes"
        # Start-up says what it skipped, and why.
        assert "skipping unreadable directory" in completed.stderr
        assert "closed" in completed.stderr
        assert "Traceback" not in completed.stderr
    finally:
        (base / "closed").chmod(0o755)
        shutil.rmtree(base)


# --------------------------------------------------------------------------------------
# Names with every legal character, served at their percent-encoded URL.

LEGAL_NAMES = [
    "space name.txt", "  leading and trailing  .txt", "100%.txt", "%41%2e.txt",
    "hash#tag.txt", "question?.txt", "semi;colon.txt", 'double"quote.txt',
    "single'quote.txt", "plus+amp&eq=.txt", "[brackets]{braces}.txt", "pipe|caret^.txt",
    "back`tick<lt>gt.txt", "at@bang!dollar$(paren)*,.txt", "~tilde.txt", "colon:.txt",
    "caf\u00e9.txt", "cafe\u0301.txt", "\u65e5\u672c\u8a9e.txt",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629.txt",
    "\U0001f600.txt", "\u00df\u1e9e.txt", "x.txt.", "trailing-dot.", "no-extension",
    "CON", "a" * 200 + ".txt",
]  # fmt: skip


@pytest.fixture(scope="module")
def named_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("names")
    for name in LEGAL_NAMES:
        (root / name).write_bytes(name.encode())
        (root / "dir " / name).parent.mkdir(exist_ok=True)
        (root / "dir " / name).write_bytes(b"in dir: " + name.encode())
    return root


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_every_legal_name_is_served_at_its_encoded_url(
    named_tree: Path, mode: dict[str, bool]
) -> None:
    for fetch in fetchers(named_tree, **mode):
        for name in LEGAL_NAMES:
            result = fetch("/static/" + quote(name, safe=""))
            assert (result.status, result.body) == (200, name.encode()), name
            nested = fetch("/static/" + quote("dir /" + name))
            assert nested.body == b"in dir: " + name.encode(), name


# Names whose fate differs between the scan (is_url_safe: str.isprintable) and the
# autorefresh lookup (relative_file_path: no backslash), although docs/http.md says both
# follow "exactly the same rules".
DIVERGENT_NAMES = [
    "back\\slash.txt",  # served by the catalog, refused by autorefresh
    "no\u00a0break.txt",  # NBSP: a URL spells it (%C2%A0); autorefresh only
    "zero\u200bwidth.txt",  # format characters: autorefresh only
    "\u202eoverride.txt",
    "tab\there.txt",  # a control character: autorefresh serves it
]


def test_catalog_and_autorefresh_agree_on_odd_names(tmp_path: Path) -> None:
    for name in DIVERGENT_NAMES:
        (tmp_path / name).write_bytes(b"x")
    catalog, autorefresh = (
        PinkNoise(wsgi_client.fallback_app, tmp_path, prefix="/static/", **mode)  # type: ignore[arg-type]
        for mode in MODES
    )
    verdicts = {
        name: [
            wsgi_client.call(app, "GET", "/static/" + quote(name, safe="")).status
            for app in (catalog, autorefresh)
        ]
        for name in DIVERGENT_NAMES
    }
    assert all(a == b for a, b in verdicts.values()), verdicts


# --------------------------------------------------------------------------------------
# Large trees: 20,000 files in the default suite, 100,000 with PINKNOISE_SLOW=1.


def _make_tree(root: Path, count: int) -> None:
    for index in range(count):
        directory = root / f"d{index // 500:03d}" / f"e{index // 50 % 10}"
        if index % 50 == 0:
            directory.mkdir(parents=True)
        (directory / f"file-{index:06d}.js").write_bytes(b"%d\n" % index)


@pytest.mark.parametrize(
    "count",
    [
        20_000,
        pytest.param(
            100_000,
            marks=pytest.mark.skipif(
                os.environ.get("PINKNOISE_SLOW") != "1", reason="set PINKNOISE_SLOW=1"
            ),
        ),
    ],
)
def test_large_tree_starts_and_serves(count: int, tmp_path: Path) -> None:
    root = tmp_path / "root"
    _make_tree(root, count)
    started = time.perf_counter()
    app = PinkNoise(wsgi_client.fallback_app, root, prefix="/static/")
    elapsed = time.perf_counter() - started
    print(f"\nstart-up over {count} files: {elapsed:.2f} s")
    assert len(app.server.catalog) == count
    for index in range(0, count, count // 50):
        url = f"/static/d{index // 500:03d}/e{index // 50 % 10}/file-{index:06d}.js"
        result = wsgi_client.call(app, "GET", url)
        assert (result.status, result.body) == (200, b"%d\n" % index)
