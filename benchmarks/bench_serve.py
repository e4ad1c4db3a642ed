"""Load on ``unspin serve``: many concurrent clients POSTing ``/compare`` with 800-word texts.

Starts the real server (``python -m unspin serve``: uvicorn on a socket, as users run it),
then drives it for ``--seconds`` with ``--concurrency`` clients, each sending its next pair
as soon as the previous answer arrives (closed loop). Pairs are built from the BBC articles:
articles of one topic joined to about 800 words, and a copy spun at 30% by the benchmark
spinner (half of the copies also have their paragraphs reordered), so every request asks
for a real alignment. Reports requests, errors, throughput, latency percentiles (measured
by the client, so queueing in the server counts) and the server's peak resident memory.

Usage::

    python -m benchmarks.bench_serve [--seconds 60] [--concurrency 50] [--workers 1]
                                     [--json out.json]

The client runs on the same machine and takes some of its CPU; on a shared machine the
figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from benchmarks.testsets import load_bbc

ROOT = Path(__file__).resolve().parents[1]
WORDS = 800


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_pairs(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` request bodies: an ~800-word original (A) and its spun copy (B)."""
    articles = load_bbc()
    rng = random.Random(seed)
    by_topic: dict[str, list[str]] = {}
    for a in articles:
        by_topic.setdefault(a.topic, []).append(a.text)
    originals = []
    topics = sorted(by_topic)
    while len(originals) < n:
        pool = by_topic[topics[len(originals) % len(topics)]]
        start = rng.randrange(len(pool))
        parts, words = [], 0
        for text in pool[start:] + pool[:start]:
            parts.append(text.strip())
            words += len(text.split())
            if words >= WORDS:
                break
        text = "\n\n".join(parts)
        originals.append(" ".join(text.split(" ")[: int(WORDS * 1.05)]))
    try:
        from benchmarks.spinner import Spinner

        spinner = Spinner(rate=0.3, seed=seed)
        spun = [spinner.spin(t, seed=i).text for i, t in enumerate(originals)]
    except Exception as e:  # no thesaurus installed: a cruder copy still needs alignment
        print(f"(spinner unavailable: {e}; copies are reordered only)", file=sys.stderr)
        spun = list(originals)
    bodies = []
    for i, (a, b) in enumerate(zip(originals, spun, strict=True)):
        if i % 2:
            paragraphs = b.split("\n\n")
            rng.shuffle(paragraphs)
            b = "\n\n".join(paragraphs)
        bodies.append({"a": {"id": f"orig-{i}", "text": a}, "b": {"id": f"copy-{i}", "text": b}})
    return bodies


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (uvicorn's workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of the server, summed over its processes."""
    total = 0
    for p in _descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by the server, summed over its processes: what
    a request costs, whatever else the machine is doing."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ)
    # The repository's own code, whether or not the package is installed.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    cmd = [sys.executable, "-m", "unspin", "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--max-bytes", "4000000"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not answer /health within 60 s")


async def drive(
    url: str, bodies: list[dict[str, Any]], seconds: float, concurrency: int
) -> dict[str, Any]:
    """Closed loop: ``concurrency`` clients, each with one request in flight at a time."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    payloads = [json.dumps(b).encode() for b in bodies]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeout = httpx.Timeout(120.0)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        # Warm-up: the first request in each server process loads the lexicon.
        for p in payloads[:4]:
            await client.post("/compare", content=p, headers={"content-type": "application/json"})
        start = time.perf_counter()
        stop = start + seconds

        async def worker(k: int) -> None:
            i = k
            while time.perf_counter() < stop:
                body = payloads[i % len(payloads)]
                i += concurrency
                t0 = time.perf_counter()
                try:
                    r = await client.post(
                        "/compare", content=body, headers={"content-type": "application/json"}
                    )
                    status = str(r.status_code)
                    if r.status_code == 200:
                        verdicts[r.json()["verdict"]] += 1
                except httpx.HTTPError as e:
                    status = type(e).__name__
                latencies.append(time.perf_counter() - t0)
                statuses[status] += 1

        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    n = len(latencies)
    return {
        "requests": n,
        "errors": n - statuses.get("200", 0),
        "statuses": dict(statuses),
        "verdicts": dict(verdicts),
        "elapsed_s": round(elapsed, 2),
        "throughput_rps": round(n / elapsed, 2),
        "latency_ms": {
            "p50": round(pct(0.50), 1),
            "p90": round(pct(0.90), 1),
            "p99": round(pct(0.99), 1),
            "max": round(latencies[-1] * 1000, 1),
            "mean": round(statistics.fmean(latencies) * 1000, 1),
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--workers", type=int, default=1, help="server processes (--workers)")
    ap.add_argument("--pairs", type=int, default=40, help="distinct request bodies")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)

    bodies = build_pairs(args.pairs)
    words = statistics.median(len(b["a"]["text"].split()) for b in bodies)
    port = _free_port()
    load_before = os.getloadavg()
    server = start_server(port, args.workers)
    try:
        cpu_before = cpu_seconds(server.pid)
        result = asyncio.run(
            drive(f"http://127.0.0.1:{port}", bodies, args.seconds, args.concurrency)
        )
        cpu = cpu_seconds(server.pid) - cpu_before
        result["server_cpu_s"] = round(cpu, 1)
        # Includes the warm-up requests (4 per run), a rounding error at these counts.
        result["server_cpu_ms_per_request"] = round(1000 * cpu / max(1, result["requests"]), 1)
        result["server_peak_rss_mb"] = round(peak_rss_mb(server.pid), 1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    result.update(
        {
            "concurrency": args.concurrency,
            "server_workers": args.workers,
            "median_words_per_text": words,
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    )
    print(json.dumps(result, indent=2))
    lat = result["latency_ms"]
    print(
        f"\n| clients | workers | requests | errors | req/s | p50 ms | p90 ms | p99 ms | "
        f"server CPU ms/req | peak RSS MB |\n|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {args.concurrency} | {args.workers} | {result['requests']} | {result['errors']} | "
        f"{result['throughput_rps']} | {lat['p50']} | {lat['p90']} | {lat['p99']} | "
        f"{result['server_cpu_ms_per_request']} | {result['server_peak_rss_mb']} |"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
