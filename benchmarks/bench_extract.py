"""Cost of a full extraction on the client side: calls, seconds and peak memory, at two company sizes.

For each scale the demo company is generated afresh (no cache) and served by a
sandbox in a subprocess of its own; another subprocess connects as the
integration user and runs what ``cashflow status`` and a forecast read
(``inventory`` then ``extract_snapshot``), so the peak resident memory measured
is the client's alone. Calls are counted by the sandbox (``/sandbox/stats``);
"pages" are the calls that only fetched a further page or id batch.

Run: ``python benchmarks/bench_extract.py [--scales 1 20] [--page-size 2000]``
(scale 20 takes a few minutes to generate). Targets: at most 25 calls besides
pages, under 1.5 GB resident at scale 20.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 11, 24)
ROOT = Path(__file__).resolve().parent.parent
CALL_BUDGET = 25
RSS_BUDGET_MB = 1536


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def serve(scale: float) -> None:
    """Child: generate the company (no cache), serve it, print the URL, serve until stdin closes."""
    from sandbox.factory import generate, new_store, service_for
    from sandbox.server import RunningServer

    started = time.perf_counter()
    store = generate(new_store(), seed=7, scale=scale, as_of=AS_OF)
    server = RunningServer(service_for(store)).start()
    print(json.dumps({"url": server.url, "generate_seconds": round(time.perf_counter() - started, 1)}), flush=True)
    sys.stdin.read()
    server.stop()


def _stats(url: str, reset: bool = False) -> dict[str, Any]:
    if reset:
        request = urllib.request.Request(url + "/sandbox/stats/reset", data=b"{}", method="POST")
        urllib.request.urlopen(request, timeout=30).close()
        return {}
    with urllib.request.urlopen(url + "/sandbox/stats", timeout=30) as response:
        return dict(json.loads(response.read()))


def measure(url: str, page_size: int) -> None:
    """Child: connect, read status then the forecast snapshot; print one JSON line of measurements."""
    from tools.odoo.client import ConnectionSpec, OdooClient
    from tools.odoo.extract import extract_snapshot
    from tools.odoo.status import inventory

    result: dict[str, Any] = {"rss_before_mb": round(peak_rss_mb())}
    for what in ("status", "forecast"):
        _stats(url, reset=True)
        started, cpu = time.perf_counter(), cpu_seconds()
        client = OdooClient(ConnectionSpec(url=url, database="demo", login="cashbot", secret="cashbot",
                                           page_size=page_size, timeout=600)).connect()
        if what == "status":
            inventory(client, as_of=AS_OF)
            size = ""
        else:
            snapshot = extract_snapshot(client, as_of=AS_OF)
            size = (f"{len(snapshot.installments)} installments, {len(snapshot.orders)} orders, "
                    f"{len(snapshot.bank_transactions)} bank lines, {len(snapshot.payments)} payments")
        seconds = time.perf_counter() - started
        seen = _stats(url)
        result[what] = {"calls": seen["requests"], "pages": client.page_calls,
                        "calls_besides_pages": seen["requests"] - client.page_calls,
                        "seconds": round(seconds, 2), "client_cpu_seconds": round(cpu_seconds() - cpu, 2),
                        "peak_rss_mb": round(peak_rss_mb()), "records": size}
        client.close()
    print(json.dumps(result), flush=True)


def bench(scale: float, page_size: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(scale)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert server.stdout is not None
        ready = json.loads(server.stdout.readline())
        out = subprocess.run([sys.executable, __file__, "--measure", ready["url"], "--page-size", str(page_size)],
                             capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        return {"scale": scale, "generate_seconds": ready["generate_seconds"],
                **json.loads(out.stdout.strip().splitlines()[-1])}
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 20.0])
    parser.add_argument("--page-size", type=int, default=2000)
    parser.add_argument("--serve", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return
    if args.measure:
        measure(args.measure, args.page_size)
        return
    print(f"full extraction, client side (page size {args.page_size}; budget {CALL_BUDGET} calls besides pages, "
          f"{RSS_BUDGET_MB} MB peak RSS)")
    ok = True
    for scale in args.scales:
        r = bench(scale, args.page_size)
        print(f"scale {scale:g}: company generated in {r['generate_seconds']} s")
        for what in ("status", "forecast"):
            m = r[what]
            within = m["calls_besides_pages"] <= CALL_BUDGET and m["peak_rss_mb"] <= RSS_BUDGET_MB
            ok &= within
            print(f"  {what:<8} {m['calls']:>5} calls ({m['pages']} pages, {m['calls_besides_pages']} besides), "
                  f"{m['seconds']:>7.2f} s ({m['client_cpu_seconds']:.2f} s client CPU), "
                  f"peak RSS {m['peak_rss_mb']:>5} MB{'' if within else '  OVER BUDGET'}"
                  + (f"  [{m['records']}]" if m["records"] else ""))
    print("within budget" if ok else "OVER BUDGET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
