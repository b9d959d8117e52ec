"""PNG charts of one run's results (the JSON ``run.py --json`` or ``--charts`` writes).

    .venv/bin/python benchmarks/charts.py docs/benchmarks/results.json docs/benchmarks

One chart per part, each readable on its own: ratios on a log axis with a 1.0 line
where the figures span orders of magnitude, absolute figures printed on the bars.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, NullFormatter

COLORS = {
    "pinknoise": "#d6336c",
    "pinknoise-light": "#f3a6c0",
    "whitenoise": "#868e96",
    "servestatic": "#1c7ed6",
    "servestatic-light": "#a5d8ff",
    "nginx": "#2f9e44",
}
DPI = 110


def _color(name: str) -> str:
    if name.startswith("nginx"):
        return COLORS["nginx"]
    lib = "pinknoise" if "pinknoise" in name else "servestatic" if "servestatic" in name else ""
    if not lib:
        return COLORS["whitenoise"]
    light = "no-pathsend" in name or name.startswith("uvicorn")
    return COLORS[lib + "-light"] if light else COLORS[lib]


def _ratio_axis(ax: Axes, label: str) -> None:
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(label)
    ax.grid(axis="x", which="major", alpha=0.3)


def _footer(fig: Any, data: dict[str, Any]) -> None:
    m = data["machine"]
    text = f"{m['cpu']}, {m['python']}, load at start {m['load']}; pinknoise {m['pinknoise']}"
    fig.text(0.01, 0.005, text, fontsize=7, color="#555")


def inprocess(data: dict[str, Any], out: Path) -> Path | None:
    """Time per request relative to WhiteNoise (WSGI), every case, every adapter."""
    wsgi, asgi = data.get("inprocess"), data.get("asgi")
    if not wsgi:
        return None
    series = [("pinknoise WSGI", wsgi, "pinknoise"), ("servestatic WSGI", wsgi, "servestatic")]
    if asgi:
        for v in asgi["variants"]:
            series.append((f"{v} (ASGI)", asgi, v))
    cases = wsgi["cases"]
    fig, ax = plt.subplots(figsize=(9, 1.0 + 0.62 * len(cases) * len(series) / 3))
    height = 0.8 / len(series)
    for i, (name, res, key) in enumerate(series):
        ys, xs, texts = [], [], []
        for j, case in enumerate(cases):
            wn = wsgi["us"][case]["whitenoise"]
            us = res["us"].get(case, {}).get(key)
            if us is None or not wn:
                continue
            ys.append(j + (i - (len(series) - 1) / 2) * height)
            xs.append(us / wn)
            texts.append(f"{us:,.1f} us")
        color = _color(name.replace(" WSGI", " pathsend"))
        hatch = "//" if "WSGI" in name else None
        ax.barh(ys, xs, height=height, color=color, hatch=hatch, edgecolor="white", label=name)
        for y, x, t in zip(ys, xs, texts, strict=True):
            ax.text(x * 1.05, y, t, va="center", fontsize=6.5)
    ax.set_yticks(range(len(cases)), cases)
    ax.invert_yaxis()
    _ratio_axis(ax, "time per request / WhiteNoise (WSGI) time, same case (log; < 1x is faster)")
    ax.set_xlim(right=ax.get_xlim()[1] * 4)
    ax.set_title("In-process time per request, relative to WhiteNoise (lower is better)")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3)
    _footer(fig, data)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    path = out / "inprocess.png"
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def http_small(data: dict[str, Any], out: Path) -> Path | None:
    """Small-file req/s and p99 latency for every set-up, relative to nginx."""
    http = data.get("http")
    if not http or not http["setups"]:
        return None
    setups = http["setups"]
    nginx = http["rps"].get("nginx")
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 0.5 + 0.45 * len(setups)), sharey=True)
    ys = range(len(setups))
    rps = [http["rps"][s] for s in setups]
    left.barh(ys, rps, color=[_color(s) for s in setups])
    for y, s, v in zip(ys, setups, rps, strict=True):
        note = f"{v:,.0f}" + (f"  ({v / nginx:.2f}x nginx)" if nginx and s != "nginx" else "")
        left.text(v * 1.05, y, note, va="center", fontsize=7)
    left.set_xscale("log")
    left.set_xlim(right=max(rps) * 12)
    left.set_yticks(list(ys), setups)
    left.invert_yaxis()
    left.set_xlabel("requests/s (log; higher is better)")
    left.grid(axis="x", alpha=0.3)
    if nginx:
        left.axvline(nginx / 2, color=COLORS["nginx"], linestyle="--", linewidth=1)
        left.set_ylim(len(setups) - 0.5, -1.1)
        left.text(
            nginx / 2,
            -0.6,
            "50% of nginx ",
            color=COLORS["nginx"],
            fontsize=7,
            ha="right",
            va="bottom",
        )
    p99 = [http["latency_ms"][s]["99%"] for s in setups]
    p50 = [http["latency_ms"][s]["50%"] for s in setups]
    right.barh(ys, p99, color=[_color(s) for s in setups], alpha=0.45, label="p99")
    right.barh(ys, p50, color=[_color(s) for s in setups], label="p50")
    for y, a, b in zip(ys, p50, p99, strict=True):
        right.text(b * 1.05, y, f"p50 {a:.1f} / p99 {b:.1f}", va="center", fontsize=7)
    right.set_xscale("log")
    right.set_xlim(right=max(p99) * 12)
    right.set_xlabel("latency ms, p50 (solid) and p99 (pale) (log; lower is better)")
    right.grid(axis="x", alpha=0.3)
    fig.suptitle(
        f"Small file (24 KB CSS) over 127.0.0.1, wrk -c64, 2 workers per server, median of "
        f"{http['rounds']} x {http['seconds']} s"
    )
    _footer(fig, data)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    path = out / "http_small.png"
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def http_large(data: dict[str, Any], out: Path) -> Path | None:
    """32 MiB file throughput, MB/s, relative to nginx."""
    http = data.get("http")
    if not http or not http["setups"]:
        return None
    setups = http["setups"]
    mbps = [http["large_mbps"][s] for s in setups]
    nginx = http["large_mbps"].get("nginx")
    fig, ax = plt.subplots(figsize=(9, 0.6 + 0.42 * len(setups)))
    ys = range(len(setups))
    ax.barh(ys, mbps, color=[_color(s) for s in setups])
    for y, s, v in zip(ys, setups, mbps, strict=True):
        note = f"{v:,.0f} MB/s" + (f"  ({v / nginx:.2f}x nginx)" if nginx and s != "nginx" else "")
        ax.text(v * 1.05, y, note, va="center", fontsize=7)
    ax.set_xscale("log")
    ax.set_xlim(right=max(mbps) * 8)
    ax.set_yticks(list(ys), setups)
    ax.invert_yaxis()
    if nginx:
        ax.axvline(0.8 * nginx, color=COLORS["nginx"], linestyle="--", linewidth=1)
        ax.set_ylim(len(setups) - 0.5, -1.1)
        ax.text(
            0.8 * nginx,
            -0.6,
            "80% of nginx ",
            color=COLORS["nginx"],
            fontsize=7,
            ha="right",
            va="bottom",
        )
    ax.set_xlabel("MB/s (log; higher is better)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(
        f"Large file ({http['large_size'] / 2**20:.0f} MiB) over 127.0.0.1, 4 connections, "
        f"median of {http['rounds']} x {http['seconds']} s"
    )
    _footer(fig, data)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    path = out / "http_large.png"
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def startup(data: dict[str, Any], out: Path) -> Path | None:
    """Start-up CPU time and memory per file against the number of files."""
    res = data.get("startup")
    if not res:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for target in res["targets"]:
        rows = sorted((r for r in res["rows"] if r["target"] == target), key=lambda r: r["files"])
        files = [r["files"] for r in rows]
        kw = {"color": _color(target), "marker": "o", "label": target}
        left.plot(files, [r["cpu"] for r in rows], **kw)
        right.plot(files, [r["retained"] for r in rows], **kw)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("files in the tree (log)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    left.set_yscale("log")
    left.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    left.yaxis.set_minor_formatter(NullFormatter())
    left.set_ylabel("construction CPU s (log; lower is better)")
    right.set_ylabel("bytes kept per file (lower is better)")
    right.set_ylim(bottom=0)
    fig.suptitle("Start-up: building the middleware over N files (fresh interpreter each)")
    _footer(fig, data)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    path = out / "startup.png"
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def compress(data: dict[str, Any], out: Path) -> Path | None:
    """pinknoise compress / whitenoise.compress: wall time, .gz and .br bytes per corpus."""
    res = data.get("compress")
    if not res:
        return None
    names = list(res)
    metrics = (("seconds", "wall time"), ("gz_bytes", ".gz bytes"), ("br_bytes", ".br bytes"))
    fig, ax = plt.subplots(figsize=(10, 1.4 + 0.8 * len(names)))
    height = 0.8 / len(metrics)
    shades = (COLORS["pinknoise"], "#f08c00", "#7048e8")
    for i, (key, title) in enumerate(metrics):
        ys = [j + (i - 1) * height for j in range(len(names))]
        xs = [
            res[n]["results"]["pinknoise-thread"][key]  # the default executor
            / res[n]["results"]["whitenoise"][key]
            for n in names
        ]
        ax.barh(ys, xs, height=height, color=shades[i], label=title)
        for y, x in zip(ys, xs, strict=True):
            ax.text(
                x * 1.02,
                y,
                f"{x:.3f}x" if key != "seconds" else f"{x:.2f}x",
                va="center",
                fontsize=7,
            )
    labels = [f"{n}\n{res[n]['files']:,} files, {res[n]['size'] / 1e6:.1f} MB" for n in names]
    ax.set_yticks(range(len(names)), labels, fontsize=8)
    ax.invert_yaxis()
    _ratio_axis(ax, "pinknoise compress / python -m whitenoise.compress (log; < 1x is better)")
    ax.set_xlim(0.1, 4)
    ax.set_xticks([0.1, 0.25, 0.5, 1, 2, 4])
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_title("Compression (gzip + brotli): pinknoise relative to WhiteNoise's compressor")
    _footer(fig, data)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    path = out / "compress.png"
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def draw_all(data: dict[str, Any], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    drawn = [f(data, out) for f in (inprocess, http_small, http_large, startup, compress)]
    return [p for p in drawn if p is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="JSON written by run.py")
    parser.add_argument("out", type=Path, help="directory for the PNGs")
    args = parser.parse_args()
    for path in draw_all(json.loads(args.results.read_text()), args.out):
        print(path)


if __name__ == "__main__":
    main()
