"""The benchmark runner's summary reads the figures of the compressor's default executor."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_compress_rows_use_the_default_executor() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_compress
        import run
    finally:
        sys.path.remove(str(BENCHMARKS))
    from pinknoise.compress.options import DEFAULTS

    assert f"pinknoise-{DEFAULTS['executor']}" == bench_compress.DEFAULT_TOOL
    result = bench_compress.Result
    corpus = bench_compress.CorpusResult(
        10,
        1000,
        {
            "whitenoise": result(2.0, 2.0, 300, 250),
            "pinknoise-process": result(9.0, 9.0, 999, 999),
            "pinknoise-thread": result(1.0, 1.5, 290, 240, 0.04, 0.1),
        },
    )
    rows = {row.figure: row for row in run.summary_rows({"compress": {"small": corpus}})}
    assert rows["compress small wall s"].pink == 1.0
    assert rows["compress small .gz bytes"].pink == 290
