"""The CLI's help, as a user prints it."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.servers import BIN


@pytest.mark.parametrize("command", ["build", "compress", "serve"])
def test_help_is_rendered(command: str) -> None:
    result = subprocess.run(
        [str(BIN / "pinknoise"), command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "%%" not in result.stdout
    assert "%(" not in result.stdout


def test_compress_help_states_the_threshold() -> None:
    result = subprocess.run(
        [str(BIN / "pinknoise"), "compress", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "at least 5% smaller" in " ".join(result.stdout.split())
