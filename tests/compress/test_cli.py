"""The command line: exit codes, messages, output modes, ``python -m pinknoise``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pinknoise.cli import main
from pinknoise.compress import compress_tree
from pinknoise.compress.command import ConsoleReporter

from .conftest import assert_variants_match, text, variants_of, write

SRC = str(Path(__file__).resolve().parents[2] / "src")


def pinknoise(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pinknoise`` for real, stdout/stderr not a TTY."""
    return subprocess.run(
        [sys.executable, "-m", "pinknoise", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        check=False,
    )


def test_python_m_compress_success_and_summary(site: Path) -> None:
    proc = pinknoise("compress", str(site))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    assert "6 files scanned" in proc.stdout
    assert "2 compressed" in proc.stdout
    assert "2 skipped by extension" in proc.stdout
    assert "gzip  2 written: 0.03 MB ->" in proc.stdout
    assert_variants_match(site / "app.js")
    again = pinknoise("compress", str(site))
    assert "0 compressed, 4 unchanged" in again.stdout


def test_quiet_prints_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compress", "-q", "--executor", "thread", str(site)]) == 0
    assert capsys.readouterr() == ("", "")
    assert set(variants_of(site / "app.js")) == {".br", ".zst", ".gz"}


def test_verbose_has_one_line_per_file(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compress", "-v", "--executor", "thread", str(site)]) == 0
    out = capsys.readouterr().out
    assert f"compressed {site / 'app.js'} (20.0 kB: br " in out
    assert f"skipped {site / 'img' / 'logo.png'} (extension)" in out
    assert f"kept no variant of {site / 'blob.bin'}" in out


def test_dry_run(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compress", "-n", "-v", "--executor", "thread", str(site)]) == 0
    out = capsys.readouterr().out
    assert f"would compress {site / 'app.js'} (br, zstd, gzip)" in out
    assert "dry run, nothing written" in out
    assert variants_of(site / "app.js") == {}


def test_encodings_and_skip_ext_options(site: Path) -> None:
    write(site / "doc.txt", text(5000))
    code = main(["compress", "-q", "--encodings", "gzip", "--skip-ext", "css,.TXT", str(site)])
    assert code == 0
    assert set(variants_of(site / "app.js")) == {".gz"}
    assert variants_of(site / "css" / "site.css") == {}
    assert variants_of(site / "doc.txt") == {}


def test_unknown_encoding_is_a_usage_error(site: Path) -> None:
    proc = pinknoise("compress", "--encodings", "gzip,lzma", str(site))
    assert proc.returncode == 2
    assert "unknown encoding 'lzma'" in proc.stderr


def test_missing_extra_is_a_usage_error_with_pip_hint(site: Path) -> None:
    script = (
        "import sys; sys.modules['zstandard'] = None\n"
        "from pinknoise.cli import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "compress", "--encodings", "zstd", str(site)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        check=False,
    )
    assert proc.returncode == 2
    assert "pip install 'pinknoise[zstd]'" in proc.stderr
    assert variants_of(site / "app.js") == {}


def test_missing_directory(tmp_path: Path) -> None:
    proc = pinknoise("compress", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert f"{tmp_path / 'nope'}: No such file or directory" in proc.stderr


def test_failure_exit_code_and_path_on_stderr(site: Path) -> None:
    (site / "css" / "site.css.br").mkdir()
    proc = pinknoise("compress", str(site))
    assert proc.returncode == 1
    assert f"error: {site / 'css' / 'site.css.br'}: " in proc.stderr
    assert "1 errors" in proc.stdout
    assert set(variants_of(site / "app.js")) == {".br", ".zst", ".gz"}


def test_no_command_is_a_usage_error() -> None:
    proc = pinknoise()
    assert proc.returncode == 2
    assert "compress" in proc.stderr


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(site: Path) -> None:
    pytest.importorskip("tqdm")
    err = FakeTerminal()
    reporter = ConsoleReporter(verbose=False, quiet=False, out=io.StringIO(), err=err)
    assert compress_tree(site, executor="thread", reporter=reporter).ok
    assert "compress" in err.getvalue()  # the bar's label, drawn on the terminal
    assert reporter.bar is None  # closed at the end

    quiet_err = FakeTerminal()
    reporter = ConsoleReporter(verbose=False, quiet=True, out=io.StringIO(), err=quiet_err)
    write(site / "new.js", text(5000, 77))
    assert compress_tree(site, executor="thread", reporter=reporter).ok
    assert quiet_err.getvalue() == ""


def test_compress_does_not_load_the_server(tmp_path: Path) -> None:
    """``pinknoise compress`` imports neither the servers' adapters nor asyncio.

    A deploy runs the command once per build and a no-op rerun is mostly start-up, so
    the import of the whole serving stack (about 0.1 s) was a visible part of it.
    """
    (tmp_path / "app.js").write_text("let x = 1;\n" * 100)
    script = (
        "import sys, runpy\n"
        f"sys.argv = ['pinknoise', 'compress', '-q', {str(tmp_path)!r}]\n"
        "try:\n"
        "    runpy.run_module('pinknoise', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "loaded = sorted(m for m in ('asyncio', 'pinknoise.asgi', 'pinknoise.rsgi',\n"
        "    'pinknoise.wsgi', 'pinknoise.core.server') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert (tmp_path / "app.js.gz").exists()
    assert result.stdout.strip() == "", f"compress loaded {result.stdout.strip()}"
