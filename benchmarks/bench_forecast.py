"""Benchmark of the forecast engine on the demo company: import time, forecast time, memory, backtest.

Usage::

    PYTHONPATH=. python benchmarks/bench_forecast.py [--scales 1 20] [--backtest] [--cache-dir /tmp/cf-cache]

For each scale the demo company is generated (cached), served by the sandbox and extracted once
(pickled next to the cache); then a fresh process loads the snapshot and measures, separately:

* import time of ``tools.forecast`` and of its lazy dependencies (statsforecast, scipy);
* ``build_forecast`` wall time (imports done; first and second run);
* resident memory after loading the snapshot (the data layer's records) and after the imports, the peak
  (VmHWM) after the forecasts, and the peak minus the memory after imports (the engine's own use).

``--backtest`` also times ``run_backtest`` (12 origins, 2 workers) at scale 1 and prints its metrics;
``--seed`` picks another demo company, ``--backtest-as-of`` backtests it as it was on an earlier date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 24)
ROOT = Path(__file__).resolve().parents[1]


def snapshot_path(cache_dir: Path, scale: float, seed: int = 7) -> Path:
    return cache_dir / f"bench-snapshot-s{seed}-x{scale:g}-{AS_OF}.pickle"


def extract(cache_dir: Path, scale: float, seed: int = 7) -> Path:
    """Generate (cached), serve and extract the demo company once; returns the pickled snapshot's path."""
    path = snapshot_path(cache_dir, scale, seed)
    if path.exists():
        return path
    from sandbox.factory import demo_store, service_for
    from sandbox.server import RunningServer
    from tools.odoo.client import ConnectionSpec, OdooClient
    from tools.odoo.extract import extract_snapshot

    started = time.perf_counter()
    store = demo_store(seed=seed, scale=scale, as_of=AS_OF, cache_dir=cache_dir)
    server = RunningServer(service_for(store)).start()
    try:
        client = OdooClient(ConnectionSpec(url=server.url, database="demo", login="admin", secret="admin")).connect()
        snapshot = extract_snapshot(client, as_of=AS_OF)
    finally:
        server.stop()
    path.write_bytes(pickle.dumps(snapshot))
    print(f"scale {scale:g}: generated and extracted in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1]) / 1024.0
    return float("nan")


def measure(path: str) -> dict[str, float]:
    """Runs in a fresh process: load, import, forecast twice; times and memory."""
    snapshot = pickle.loads(Path(path).read_bytes())
    rss_loaded, hwm_loaded = _status("VmRSS"), _status("VmHWM")
    t0 = time.perf_counter()
    import tools.forecast as forecast

    t1 = time.perf_counter()
    import scipy.sparse  # lazy dependencies, imported on first use by the engine
    import scipy.special  # noqa: F401
    import statsforecast.models  # noqa: F401

    t2 = time.perf_counter()
    rss_imported = _status("VmRSS")
    forecast.build_forecast(snapshot, threshold=0.0, seed=0)
    t3 = time.perf_counter()
    forecast.build_forecast(snapshot, threshold=0.0, seed=1)
    t4 = time.perf_counter()
    return {"installments": len(snapshot.installments), "orders": len(snapshot.orders),
            "bank_lines": len(snapshot.bank_transactions), "import_tools_forecast_s": t1 - t0,
            "import_lazy_deps_s": t2 - t1, "forecast_first_s": t3 - t2, "forecast_second_s": t4 - t3,
            "rss_after_load_mb": rss_loaded, "peak_rss_after_load_mb": hwm_loaded, "peak_rss_mb": _status("VmHWM"),
            "rss_after_imports_mb": rss_imported,
            "forecast_peak_increment_mb": _status("VmHWM") - rss_imported}


def backtest(path: Path, as_of: dt.date | None = None) -> None:
    from tools.forecast import rewind, run_backtest

    snapshot = pickle.loads(path.read_bytes())
    if as_of is not None:
        snapshot = rewind(snapshot, as_of)
    started = time.perf_counter()
    result = run_backtest(snapshot, origins=12, step_days=28, horizon_days=91, workers=2)
    wall = time.perf_counter() - started
    print(f"backtest of {snapshot.as_of} (12 origins, 2 workers): {wall:.1f} s")
    header = ("method", "weekly_net_error", "wape_inflow", "wape_outflow", "balance_mae_w1", "balance_mae_w4",
              "balance_mae_w13", "coverage_p10_p90", "band_width", "pinball", "invoice_days_mae")
    print(" | ".join(header))
    for method, m in result.metrics.items():
        print(" | ".join([method] + ["-" if m.get(k) is None else f"{m[k]:.4g}" for k in header[1:]]))
    print("gap closed vs oracle:", result.gap_closed_vs_oracle, "improvement vs:", result.improvement_vs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 20.0])
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/cf-cache"))
    parser.add_argument("--backtest", action="store_true")
    parser.add_argument("--seed", type=int, default=7, help="demo company seed")
    parser.add_argument("--backtest-as-of", type=dt.date.fromisoformat, default=None,
                        help="backtest the company as it was on this date (rewound snapshot)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    for scale in args.scales:
        path = extract(args.cache_dir, scale, args.seed)
        out = subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True, capture_output=True,
                             text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"scale {scale:g}: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                                               for k, v in result.items()), flush=True)
    if args.backtest:
        backtest(extract(args.cache_dir, 1.0, args.seed), args.backtest_as_of)


if __name__ == "__main__":
    main()
