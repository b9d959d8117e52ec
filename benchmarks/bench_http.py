"""HTTP benchmark: requests/s and latency percentiles under gunicorn, measured with wrk.

Each target serves the same site tree from its own gunicorn on a free port of 127.0.0.1,
all with the same settings (``-w 2 -k gthread --threads 4``, access log off). wrk runs
one thread and 64 keep-alive connections for a bounded duration against the same static
URL. Servers are started once, warmed up, then measured in alternating rounds (rotating
order) and the figures are medians over rounds. Everything listens on 127.0.0.1 only,
and every server is stopped (its whole process group) on the way out.

    .venv/bin/python benchmarks/bench_http.py                 # 3 rounds x 5 s per target
    .venv/bin/python benchmarks/bench_http.py --quick         # 1 round x 2 s
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import targets
from corpus import build_site

HOST = "127.0.0.1"
GUNICORN_ARGS = ("-w", "2", "-k", "gthread", "--threads", "4", "--log-level", "warning")
CONNECTIONS = 64
PERCENTILES = ("50%", "90%", "99%")
BENCH_DIR = Path(__file__).resolve().parent


def ensure_wrk() -> str | None:
    """Path to wrk; installs Debian's package through the repo's script when missing."""
    if shutil.which("wrk") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: running scripts/system-deps.sh", file=sys.stderr)
        script = targets.REPO / "scripts" / "system-deps.sh"
        subprocess.run(["bash", str(script)], check=False, timeout=600)
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: IO[bytes]

    def log_tail(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]


def wait_ready(server: Server, path: str, timeout: float = 30.0) -> None:
    """Poll until ``path`` answers 200, or fail with the server's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
        conn = http.client.HTTPConnection(HOST, server.port, timeout=2)
        try:
            conn.request("GET", path)
            status = conn.getresponse().status
            if status == 200:
                return
            raise RuntimeError(f"{server.name} answered {status} for {path}")
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"{server.name} not ready after {timeout} s:\n{server.log_tail()}")


def stop(server: Server) -> None:
    """SIGTERM the gunicorn master (graceful), then SIGKILL whatever is left of its group."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.proc.pid, signal.SIGKILL)  # the group we created for this server
    server.proc.wait(timeout=10)
    server.log.close()


@contextlib.contextmanager
def gunicorn(name: str, root: Path, path: str) -> Iterator[Server]:
    port = free_port()
    env = os.environ | {"PINKNOISE_BENCH_TARGET": name, "PINKNOISE_BENCH_ROOT": str(root)}
    cmd = [sys.executable, "-m", "gunicorn", *GUNICORN_ARGS, "-b", f"{HOST}:{port}"]
    cmd += ["--pythonpath", str(BENCH_DIR), "http_app:application"]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, start_new_session=True)
    server = Server(name, port, proc, log)
    try:
        wait_ready(server, path)
        yield server
    finally:
        stop(server)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


@dataclass
class WrkRun:
    rps: float
    latency_ms: dict[str, float]
    errors: int  # socket errors + non-2xx/3xx responses


def wrk(wrk_bin: str, port: int, path: str, seconds: int) -> WrkRun:
    cmd = [wrk_bin, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s", "--latency"]
    cmd.append(f"http://{HOST}:{port}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=True)
    text = out.stdout
    rps_match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if rps_match is None:
        raise RuntimeError(f"unexpected wrk output:\n{text}")
    rps = float(rps_match.group(1))
    latency = {
        p: _ms(m.group(1))
        for p in PERCENTILES
        if (m := re.search(rf"^\s+{p}\s+(\S+)\s*$", text, re.MULTILINE))
    }
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        errors += int(m.group(1))
    return WrkRun(rps, latency, errors)


@dataclass
class HttpResult:
    targets: list[str]
    path: str = ""
    seconds: int = 0
    rounds: int = 0
    rps: dict[str, float] = field(default_factory=dict)
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def run(
    names: list[str] | None = None,
    seconds: int = 5,
    rounds: int = 3,
    relpath: str = "css/site.css",
) -> HttpResult:
    names, skipped = targets.available(names)
    wrk_bin = ensure_wrk()
    if wrk_bin is None:
        return HttpResult([], skipped=dict.fromkeys(names, "wrk not installed") | skipped)
    path = f"/{targets.PREFIX}/{relpath}"
    result = HttpResult(names, path, seconds, rounds, skipped=skipped)
    runs: dict[str, list[WrkRun]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-http-") as tmp:
        build_site(Path(tmp))
        with contextlib.ExitStack() as stack:
            servers = {n: stack.enter_context(gunicorn(n, Path(tmp), path)) for n in names}
            for n in names:  # warm-up, not recorded
                wrk(wrk_bin, servers[n].port, path, 1)
            for r in range(rounds):
                for n in names[r % len(names) :] + names[: r % len(names)]:
                    runs[n].append(wrk(wrk_bin, servers[n].port, path, seconds))
    for n in names:
        result.rps[n] = statistics.median(x.rps for x in runs[n])
        result.latency_ms[n] = {
            p: statistics.median(x.latency_ms[p] for x in runs[n]) for p in PERCENTILES
        }
        result.errors[n] = sum(x.errors for x in runs[n])
    return result


def format_table(res: HttpResult) -> str:
    head = f"{'target':<14}{'req/s':>10}" + "".join(
        f"{'p' + p[:-1] + ' ms':>10}" for p in PERCENTILES
    )
    head += f"{'req/s vs wn':>13}{'errors':>8}"
    lines = [head, "-" * len(head)]
    base = res.rps.get(targets.BASELINE)
    for n in res.targets:
        ratio = f"{res.rps[n] / base:.2f}x" if base else "-"
        lat = "".join(f"{res.latency_ms[n][p]:>10.2f}" for p in PERCENTILES)
        lines.append(f"{n:<14}{res.rps[n]:>10.0f}{lat}{ratio:>13}{res.errors[n]:>8}")
    if res.targets:
        lines.append(
            f"GET {res.path}, gunicorn {' '.join(GUNICORN_ARGS[:6])}, wrk -t1 -c{CONNECTIONS} "
            f"-d{res.seconds}s on {HOST}; median of {res.rounds} alternating rounds; "
            "higher req/s is better."
        )
    for n, why in res.skipped.items():
        lines.append(f"skipped {n}: {why}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="HTTP req/s and latency under gunicorn + wrk.")
    parser.add_argument("--targets", type=targets.parse_targets, default=list(targets.TARGETS))
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file", default="css/site.css", help="site file to request")
    parser.add_argument("--quick", action="store_true", help="1 round x 2 s")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 2, 1
    print(format_table(run(args.targets, args.seconds, args.rounds, args.file)))


if __name__ == "__main__":
    main()
