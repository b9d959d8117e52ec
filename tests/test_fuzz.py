"""A short, bounded run of the atheris fuzz target for the header parsers (fuzz/)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"


def test_fuzz_headers_bounded(tmp_path: Path) -> None:
    """About 8 s of coverage-guided fuzzing; any failed invariant or crash fails here.

    The fresh corpus directory comes first, so libFuzzer writes there and the seeds in
    the repository stay untouched.
    """
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    completed = subprocess.run(
        [
            sys.executable,
            str(FUZZ / "fuzz_headers.py"),
            "-max_total_time=8",
            f"-dict={FUZZ / 'headers.dict'}",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
            str(FUZZ / "seeds"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    done = re.search(r"Done (\d+) runs", output)
    assert done is not None, output[-4000:]
    assert int(done.group(1)) > 1000, done.group(0)
    assert list(corpus.iterdir()), "the fuzzer found no input covering anything new"
