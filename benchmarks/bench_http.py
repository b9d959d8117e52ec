"""HTTP benchmark: req/s, latency and large-file MB/s over loopback, measured with wrk.

Set-ups, each a server process tree of its own on a free port of 127.0.0.1, all serving
the same tree (the site corpus plus one 32 MiB incompressible file) with **2 worker
processes**:

* gunicorn ``-w 2 -k gthread --threads 4`` + pinknoise, WhiteNoise, ServeStatic (WSGI);
* uvicorn ``--workers 2`` + pinknoise, ServeStatic (ASGI; no pathsend in uvicorn);
* granian ``--interface asgi --workers 2`` + pinknoise, ServeStatic (ASGI, pathsend);
* granian ``--interface rsgi --workers 2`` + pinknoise (``PinkNoiseRSGI``) and the
  floor: an RSGI app answering precomputed headers and bytes (``rsgi_app.floor``);
* nginx (Debian's), ``worker_processes 2``, ``sendfile on``, ``gzip_static on``, with its
  own config in a temp prefix, ``daemon off``: the native reference.

Two measurements, each in alternating rounds (the order rotates per round, so drift on
a shared machine hits every set-up alike), figures are medians over rounds:

* small file: ``wrk -t1 -c64 -dNs --latency`` on one 24 KB CSS file (identity);
  req/s and p50/p90/p99 latency;
* large file: the 32 MiB file fetched over 4 keep-alive connections for N s by a small
  client in this file (``fetch``, run as its own process: one thread per connection,
  ``recv_into`` a 4 MiB buffer); MB/s = 10^6 body bytes received per second. Not wrk:
  wrk reads 8 KiB per system call, which caps it near 2.5 GB/s on this machine, below
  what nginx and sendfile deliver, so it would measure itself.

Every server is stopped on the way out (SIGTERM, then SIGKILL to the process group the
script created for it).

    .venv/bin/python benchmarks/bench_http.py                 # 3 rounds x 5 s per set-up
    .venv/bin/python benchmarks/bench_http.py --quick         # 1 round x 1 s
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import json
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import targets
from corpus import LARGE_FILE, LARGE_SIZE, build_large, build_site

HOST = "127.0.0.1"
WORKERS = 2
GUNICORN_ARGS = ("-w", str(WORKERS), "-k", "gthread", "--threads", "4", "--log-level", "warning")
CONNECTIONS = 64
LARGE_CONNECTIONS = 4
RECV_BUFFER = 4 * 1024 * 1024
PERCENTILES = ("50%", "90%", "99%")
BENCH_DIR = Path(__file__).resolve().parent
SMALL_FILE = "css/site.css"
BASELINE = "gunicorn+whitenoise"
NATIVE = "nginx"

# (server, target); the order is the print order.
SETUPS: tuple[tuple[str, str | None], ...] = (
    ("gunicorn", "pinknoise"),
    ("gunicorn", "whitenoise"),
    ("gunicorn", "servestatic"),
    ("uvicorn", "pinknoise"),
    ("uvicorn", "servestatic"),
    ("granian", "pinknoise"),
    ("granian", "servestatic"),
    ("granian-rsgi", "pinknoise"),
    ("granian-rsgi", "floor"),
    ("nginx", None),
)
#: granian's own limit: an RSGI app answering from a table made at start-up.
FLOOR = "granian-rsgi+floor"


def label(server: str, target: str | None) -> str:
    return f"{server}+{target}" if target else server


ALL_SETUPS = [label(s, t) for s, t in SETUPS]


def ensure_tools() -> dict[str, str | None]:
    """Paths to wrk and nginx; installs Debian's packages through the repo's script."""
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"{missing} not found: running scripts/system-deps.sh", file=sys.stderr)
        script = targets.REPO / "scripts" / "system-deps.sh"
        subprocess.run(["bash", str(script)], check=False, timeout=600)
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    return {"wrk": shutil.which("wrk"), "nginx": nginx}


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
        conn = http.client.HTTPConnection(HOST, server.port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
            raise RuntimeError(f"{server.name} answered {response.status} for {path}")
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"{server.name} not ready after {timeout} s:\n{server.log_tail()}")


def stop(server: Server) -> None:
    """SIGTERM the server's master (graceful), then SIGKILL whatever is left of its group."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.proc.pid, signal.SIGKILL)  # the group we created for this server
    server.proc.wait(timeout=10)
    server.log.close()


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes {workers};
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen {host}:{port};
        location /{static}/ {{
            alias {root}/;
            gzip_static on;
        }}
    }}
}}
"""


def nginx_command(nginx: str, port: int, root: Path, prefix: Path) -> list[str]:
    """Write nginx's config under ``prefix``; the command that runs it in the foreground."""
    prefix.mkdir(parents=True, exist_ok=True)
    conf = NGINX_CONF.format(
        workers=WORKERS,
        prefix=prefix,
        host=HOST,
        port=port,
        root=root,
        static=targets.PREFIX,
        # Workers run as root only because the tree is in root's 0700 temp dir.
        user="user root;" if os.geteuid() == 0 else "",
    )
    (prefix / "nginx.conf").write_text(conf)
    return [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"]


def command(server: str, port: int, root: Path, nginx: str | None) -> list[str]:
    bind = ["--host", HOST, "--port", str(port)]
    if server == "gunicorn":
        app = ["--pythonpath", str(BENCH_DIR), "http_app:application"]
        return [sys.executable, "-m", "gunicorn", *GUNICORN_ARGS, "-b", f"{HOST}:{port}", *app]
    if server == "uvicorn":
        quiet = ["--log-level", "warning", "--no-access-log"]
        app = ["--app-dir", str(BENCH_DIR), "asgi_app:application"]
        return [sys.executable, "-m", "uvicorn", *bind, "--workers", str(WORKERS), *quiet, *app]
    if server == "granian":
        quiet = ["--log-level", "warning", "--no-access-log"]
        app = ["--working-dir", str(BENCH_DIR), "asgi_app:application"]
        granian = [sys.executable, "-m", "granian", "--interface", "asgi"]
        return [*granian, *bind, "--workers", str(WORKERS), *quiet, *app]
    if server == "granian-rsgi":
        quiet = ["--log-level", "warning", "--no-access-log"]
        app = ["--working-dir", str(BENCH_DIR), "rsgi_app:application"]
        granian = [sys.executable, "-m", "granian", "--interface", "rsgi"]
        return [*granian, *bind, "--workers", str(WORKERS), *quiet, *app]
    if server == "nginx" and nginx:
        return nginx_command(nginx, port, root, root.parent / f"nginx-{port}")
    raise ValueError(f"cannot start {server}")


def start(
    server: str, target: str | None, root: Path, nginx: str | None, accept_encoding: str = ""
) -> Server:
    port = free_port()
    env = os.environ | {"PINKNOISE_BENCH_ROOT": str(root), "PINKNOISE_BENCH_TARGET": target or ""}
    env["PINKNOISE_BENCH_ACCEPT_ENCODING"] = accept_encoding  # what the floor app answers
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH_DIR), env.get("PYTHONPATH")]))
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
    cmd = command(server, port, root, nginx)
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, start_new_session=True)
    return Server(label(server, target), port, proc, log)


@contextlib.contextmanager
def servers(
    setups: list[str], root: Path, path: str, nginx: str | None, accept_encoding: str = ""
) -> Iterator[dict[str, Server]]:
    """Start every set-up at once (they idle while another is measured), wait for all."""
    started: dict[str, Server] = {}
    try:
        for server, target in SETUPS:
            if label(server, target) in setups:
                started[label(server, target)] = start(server, target, root, nginx, accept_encoding)
        for srv in started.values():
            wait_ready(srv, path)
        yield started
    finally:
        for srv in started.values():
            stop(srv)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


@dataclass
class WrkRun:
    rps: float
    mb_per_s: float  # 10^6 bytes read per second, headers included
    latency_ms: dict[str, float]
    errors: int  # socket errors + non-2xx/3xx responses


def wrk(
    wrk_bin: str,
    port: int,
    path: str,
    seconds: int,
    connections: int,
    headers: tuple[str, ...] = (),
) -> WrkRun:
    """One wrk run; ``headers`` are ``"Name: value"`` lines sent with every request."""
    cmd = [wrk_bin, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for header in headers:
        cmd += ["-H", header]
    cmd.append(f"http://{HOST}:{port}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True)
    text = out.stdout
    rps_match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)([KMGT]?B)", text)
    if rps_match is None or transfer is None:
        raise RuntimeError(f"unexpected wrk output:\n{text}")
    latency = {
        p: _ms(m.group(1))
        for p in PERCENTILES
        if (m := re.search(rf"^\s+{p}\s+(\S+)\s*$", text, re.MULTILINE))
    }
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        errors += int(m.group(1))
    mbps = float(transfer.group(1)) * _BYTES[transfer.group(2)] / 1e6
    return WrkRun(float(rps_match.group(1)), mbps, latency, errors)


def _fetch_loop(port: int, path: str, deadline: float, out: list[int], errors: list[int]) -> None:
    """One keep-alive connection: GET ``path`` again and again until ``deadline``."""
    buf = memoryview(bytearray(RECV_BUFFER))
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    with socket.create_connection((HOST, port), timeout=10) as sock:
        while time.monotonic() < deadline:
            sock.sendall(request)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed before the headers")
                head += chunk
            header, _, got_body = head.partition(b"\r\n\r\n")
            lines = header.decode("latin-1").split("\r\n")
            if lines[0].split()[1] != "200":
                errors.append(1)
            fields = dict(line.lower().split(": ", 1) for line in lines[1:])
            length, got = int(fields["content-length"]), len(got_body)
            out.append(got)
            while got < length and time.monotonic() < deadline:
                n = sock.recv_into(buf[: min(RECV_BUFFER, length - got)])
                if not n:
                    raise ConnectionError("closed mid-body")
                got += n
                out.append(n)


def fetch(port: int, path: str, connections: int, seconds: float) -> dict[str, float]:
    """Body bytes per second over ``connections`` keep-alive connections (threads)."""
    import threading

    deadline = time.monotonic() + seconds
    outs: list[list[int]] = [[] for _ in range(connections)]
    errors: list[int] = []
    started = time.monotonic()
    threads = [
        threading.Thread(target=_fetch_loop, args=(port, path, deadline, out, errors))
        for out in outs
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {"mb_per_s": sum(map(sum, outs)) / elapsed / 1e6, "errors": len(errors)}


def fetch_large(port: int, path: str, seconds: int, connections: int) -> WrkRun:
    """``fetch`` in a process of its own, so the measuring client has its own GIL."""
    cmd = [sys.executable, __file__, "--fetch", str(port), path, str(connections), str(seconds)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True)
    got = json.loads(out.stdout)
    return WrkRun(0.0, got["mb_per_s"], {}, int(got["errors"]))


@dataclass
class HttpResult:
    setups: list[str]
    small_path: str = ""
    large_path: str = ""
    large_size: int = 0
    seconds: int = 0
    rounds: int = 0
    rps: dict[str, float] = field(default_factory=dict)
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    large_mbps: dict[str, float] = field(default_factory=dict)
    large_errors: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    accept_encoding: str = ""  #: sent with the small-file requests; "" for identity


def _versions(nginx: str | None, wrk_bin: str) -> dict[str, str]:
    def first_line(cmd: list[str]) -> str:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return (out.stdout + out.stderr).strip().splitlines()[0]

    found = {"wrk": first_line([wrk_bin, "-v"]).split(" [")[0].removeprefix("wrk ")}
    if nginx:
        found["nginx"] = first_line([nginx, "-v"]).split("nginx/")[-1]
    return found


def _rounds(
    client: Callable[[int, str, int, int], WrkRun],
    live: dict[str, Server],
    path: str,
    seconds: int,
    rounds: int,
    conns: int,
) -> dict[str, list[WrkRun]]:
    names = list(live)
    runs: dict[str, list[WrkRun]] = {n: [] for n in names}
    for r in range(rounds):
        for n in names[r % len(names) :] + names[: r % len(names)]:
            runs[n].append(client(live[n].port, path, seconds, conns))
    return runs


def run(
    setups: list[str] | None = None,
    seconds: int = 5,
    rounds: int = 3,
    large_size: int = LARGE_SIZE,
    warmup: bool = True,
    accept_encoding: str = "",
) -> HttpResult:
    setups = list(setups or ALL_SETUPS)
    tools = ensure_tools()
    wrk_bin, nginx = tools["wrk"], tools["nginx"]
    _, skipped_targets = targets.available()
    _, skipped_asgi = targets.available(asgi=True)
    skipped: dict[str, str] = {}
    for server, target in SETUPS:
        name = label(server, target)
        why = (
            skipped_asgi if server in ("uvicorn", "granian", "granian-rsgi") else skipped_targets
        ).get(target or "")
        if name in setups and (why or (server == "nginx" and not nginx)):
            skipped[name] = why or "nginx not installed"
    setups = [s for s in setups if s not in skipped]
    if wrk_bin is None:
        return HttpResult([], skipped=dict.fromkeys(setups, "wrk not installed") | skipped)
    small = f"/{targets.PREFIX}/{SMALL_FILE}"
    large = f"/{targets.PREFIX}/{LARGE_FILE}"
    res = HttpResult(
        setups,
        small,
        large,
        large_size,
        seconds,
        rounds,
        skipped=skipped,
        accept_encoding=accept_encoding,
    )
    res.versions = _versions(nginx, wrk_bin)
    with tempfile.TemporaryDirectory(prefix="pinknoise-bench-http-") as tmp:
        root = Path(tmp) / "site"
        build_site(root)
        build_large(root, large_size)
        with servers(setups, root, small, nginx, accept_encoding) as live:
            for srv in live.values():  # the large file answers too, and warm-up
                wait_ready(srv, large)
                if warmup:
                    wrk(wrk_bin, srv.port, small, 1, CONNECTIONS)
            sent = (f"Accept-Encoding: {accept_encoding}",) if accept_encoding else ()
            client = functools.partial(wrk, wrk_bin, headers=sent)
            small_runs = _rounds(client, live, small, seconds, rounds, CONNECTIONS)
            large_runs = _rounds(fetch_large, live, large, seconds, rounds, LARGE_CONNECTIONS)
    for n in setups:
        res.rps[n] = statistics.median(x.rps for x in small_runs[n])
        res.latency_ms[n] = {
            p: statistics.median(x.latency_ms[p] for x in small_runs[n]) for p in PERCENTILES
        }
        res.errors[n] = sum(x.errors for x in small_runs[n])
        res.large_mbps[n] = statistics.median(x.mb_per_s for x in large_runs[n])
        res.large_errors[n] = sum(x.errors for x in large_runs[n])
    return res


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def peer(name: str) -> str | None:
    """The ServeStatic set-up under the same server as a pinknoise set-up."""
    server, _, target = name.partition("+")
    return f"{server}+servestatic" if target == "pinknoise" else None


def format_table(res: HttpResult) -> str:
    lines: list[str] = []
    head = f"{'set-up':<22}{'req/s':>9}"
    head += "".join(f"{'p' + p[:-1] + ' ms':>9}" for p in PERCENTILES)
    head += f"{'vs wn':>8}{'vs nginx':>10}{'vs ss':>8}{'errors':>8}"
    lines += [head, "-" * len(head)]
    for n in res.setups:
        lat = "".join(f"{res.latency_ms[n][p]:>9.2f}" for p in PERCENTILES)
        ss = res.rps.get(peer(n) or "")
        lines.append(
            f"{n:<22}{res.rps[n]:>9.0f}{lat}{_ratio(res.rps[n], res.rps.get(BASELINE)):>8}"
            f"{_ratio(res.rps[n], res.rps.get(NATIVE)):>10}{_ratio(res.rps[n], ss):>8}"
            f"{res.errors[n]:>8}"
        )
    if res.setups:
        lines.append(
            f"GET {res.small_path} (24 KB, "
            f"{'Accept-Encoding: ' + res.accept_encoding if res.accept_encoding else 'identity'}), "
            f"wrk -t1 -c{CONNECTIONS} -d{res.seconds}s "
            f"--latency on {HOST}; median of {res.rounds} alternating rounds; higher req/s is "
            f"better. vs ss: pinknoise / ServeStatic under the same server."
        )
        head = f"{'set-up':<22}{'MB/s':>9}{'vs wn':>8}{'vs nginx':>10}{'vs ss':>8}{'errors':>8}"
        lines += ["", head, "-" * len(head)]
        for n in res.setups:
            mbps = res.large_mbps[n]
            ss = res.large_mbps.get(peer(n) or "")
            lines.append(
                f"{n:<22}{mbps:>9.0f}{_ratio(mbps, res.large_mbps.get(BASELINE)):>8}"
                f"{_ratio(mbps, res.large_mbps.get(NATIVE)):>10}{_ratio(mbps, ss):>8}"
                f"{res.large_errors[n]:>8}"
            )
        lines.append(
            f"GET {res.large_path} ({res.large_size / 2**20:.0f} MiB, incompressible), "
            f"{LARGE_CONNECTIONS} keep-alive connections for {res.seconds} s (bench_http.fetch); "
            f"MB/s = 10^6 body bytes received per second; median of {res.rounds} alternating "
            "rounds."
        )
        lines.append(
            f"{WORKERS} worker processes everywhere: gunicorn {' '.join(GUNICORN_ARGS[:6])}; "
            f"uvicorn --workers {WORKERS}; granian --interface asgi|rsgi --workers {WORKERS}; "
            f"nginx worker_processes {WORKERS}. "
            + "; ".join(f"{k} {v}" for k, v in res.versions.items())
        )
    rsgi, asgi, floor = "granian-rsgi+pinknoise", "granian+pinknoise", FLOOR
    if rsgi in res.rps:
        lines.append(
            f"PinkNoiseRSGI: small {_ratio(res.rps[rsgi], res.rps.get(floor))} the floor, "
            f"{_ratio(res.rps[rsgi], res.rps.get(asgi))} PinkNoiseASGI under granian; "
            f"32 MiB {_ratio(res.large_mbps[rsgi], res.large_mbps.get(NATIVE))} nginx."
        )
    for n, why in res.skipped.items():
        lines.append(f"skipped {n}: {why}")
    return "\n".join(lines)


def parse_setups(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in ALL_SETUPS]
    if unknown:
        raise ValueError(f"unknown set-up(s) {unknown}; choose from {ALL_SETUPS}")
    return names


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--fetch":
        port, path, conns, secs = sys.argv[2:6]
        print(json.dumps(fetch(int(port), path, int(conns), float(secs))))
        return
    parser = argparse.ArgumentParser(description="HTTP req/s, latency and MB/s with wrk.")
    parser.add_argument("--setups", type=parse_setups, default=ALL_SETUPS)
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1 round x 1 s, no warm-up")
    parser.add_argument(
        "--accept-encoding", default="", help="sent with the small-file requests (e.g. br)"
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 1, 1
    result = run(
        args.setups,
        args.seconds,
        args.rounds,
        warmup=not args.quick,
        accept_encoding=args.accept_encoding,
    )
    print(format_table(result))


if __name__ == "__main__":
    main()
