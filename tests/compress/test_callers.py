"""The compressor runs from any caller: an unguarded deploy script, a killed CI job.

Each test runs a real interpreter on a real script; nothing is mocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import text, variants_of, write

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}
ALL = {".br", ".zst", ".gz"}


def _run_script(path: Path, body: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Write ``body`` as a plain top-level script (no __main__ guard) and run it."""
    path.write_text(textwrap.dedent(body))
    return subprocess.run(
        [sys.executable, str(path)],
        cwd=path.parent,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _tree(root: Path) -> list[Path]:
    return [write(root / f"js/bundle{i}.js", text(60_000, 40 + i)) for i in range(4)]


def test_unguarded_script_running_collectstatic(tmp_path: Path) -> None:
    sources = tmp_path / "assets"
    _tree(sources)
    static_root = tmp_path / "static"
    done = _run_script(
        tmp_path / "deploy.py",
        f"""
        import django
        from django.conf import settings

        settings.configure(
            INSTALLED_APPS=["django.contrib.staticfiles", "pinknoise.django"],
            STATIC_URL="/static/",
            STATIC_ROOT={str(static_root)!r},
            STATICFILES_DIRS=[{str(sources)!r}],
            STORAGES={{"staticfiles": {{
                "BACKEND": "pinknoise.storage.CompressedManifestStaticFilesStorage"
            }}}},
        )
        django.setup()
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        print("deployed")
        """,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("deployed") == 1, done.stdout  # the script ran once
    for i in range(4):
        assert set(variants_of(static_root / f"js/bundle{i}.js")) == ALL


def test_unguarded_script_calling_the_cli_entry_point(tmp_path: Path) -> None:
    root = tmp_path / "static"
    _tree(root)
    done = _run_script(
        tmp_path / "build.py",
        f"""
        from pinknoise.cli import main

        status = main(["compress", "-q", {str(root)!r}])
        print("status", status)
        """,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["status", "0"]
    for i in range(4):
        assert set(variants_of(root / f"js/bundle{i}.js")) == ALL


def test_process_workers_fall_back_to_threads_without_a_guard(tmp_path: Path) -> None:
    root = tmp_path / "static"
    _tree(root)
    done = _run_script(
        tmp_path / "build.py",
        f"""
        from pinknoise.compress import compress_tree

        summary = compress_tree({str(root)!r}, executor="process", workers=2)
        print("ok", summary.ok, summary.files_compressed)
        """,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "True", "4"]
    assert "guard around this call" in done.stderr
    assert "using threads" in done.stderr


def test_process_workers_are_used_under_a_guard(tmp_path: Path) -> None:
    root = tmp_path / "static"
    _tree(root)
    done = _run_script(
        tmp_path / "build.py",
        f"""
        from pinknoise.compress import compress_tree

        if __name__ == "__main__":
            summary = compress_tree({str(root)!r}, executor="process", workers=2)
            print("ok", summary.ok, summary.files_compressed)
        """,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "True", "4"]
    assert "using threads" not in done.stderr


def test_cli_with_process_workers_uses_processes(tmp_path: Path) -> None:
    """``python -m pinknoise``'s __main__ is never re-run by spawn: no fallback there."""
    root = tmp_path / "static"
    _tree(root)
    done = subprocess.run(
        [sys.executable, "-m", "pinknoise", "compress", "-q", "--executor", "process", str(root)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "using threads" not in done.stderr
