"""Start-up cost of the CLI: `cashflow status` and `cashflow approvals` must stay light.

Prints the import time of the CLI, the wall time of `cashflow --help` and
`cashflow approvals list`, and checks that neither pulls in pandas, statsforecast
or langgraph. Run: `python benchmarks/bench_startup.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

HEAVY = ("pandas", "statsforecast", "langgraph", "matplotlib", "numba")


def run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    env = {**os.environ, "CASHFLOW_HOME": tempfile.mkdtemp(prefix="cf-bench-")}
    probe = ("import time, sys; t = time.perf_counter(); import agent.cli; "
             f"print(time.perf_counter() - t); print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True)
    seconds, heavy = out.stdout.strip().splitlines() + [""] * (2 - len(out.stdout.strip().splitlines()))
    print(f"import agent.cli: {float(seconds):.3f} s; heavy modules imported: {heavy or 'none'}")
    cli = [sys.executable, "-c", "from agent.cli import main; main()"]
    for label, args in (("cashflow --help", ["--help"]), ("cashflow approvals list", ["approvals", "list"])):
        best = min(run(cli + args, env) for _ in range(3))
        print(f"{label}: {best:.3f} s (best of 3; target < 1 s)")


if __name__ == "__main__":
    main()
