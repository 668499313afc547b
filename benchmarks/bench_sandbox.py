"""Sandbox benchmark (run on demand, not a test): demo generation time and read throughput over HTTP.

    PYTHONPATH=. python benchmarks/bench_sandbox.py [--scales 1 20] [--rows 100000] [--page 5000]

Prints how long ``sandbox.factory.demo_store`` takes to generate the demo company
(no cache) at each scale, then how fast the real odoorpc client reads journal
items with ``search_read`` in pages over HTTP from the largest store.
Targets: scale 1 generated in under 30 s; 100,000 journal items read in under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
import urllib.parse

import odoorpc

from sandbox.factory import demo_store, service_for
from sandbox.server import RunningServer
from sandbox.store import Store

AS_OF = dt.date(2026, 11, 24)
FIELDS = ["move_id", "account_id", "partner_id", "date", "date_maturity", "debit", "credit", "balance",
          "amount_residual", "currency_id", "parent_state", "reconciled", "name", "journal_id"]
"""What a cash-flow forecast reads of each journal item."""
TARGETS = {1.0: 30.0}


def generate(scale: float) -> tuple[Store, float]:
    started = time.perf_counter()
    store = demo_store(seed=7, scale=scale, as_of=AS_OF, cache_dir=None)
    return store, time.perf_counter() - started


def read_lines(store: Store, rows: int, page: int, order: str, keyset: bool = False) -> tuple[int, float]:
    """Read ``rows`` journal items in pages of ``page`` with odoorpc; (rows read, seconds).

    Pages go by offset, or with ``keyset`` by ``id > last id seen`` (what the product's client does).
    """
    server = RunningServer(service_for(store)).start()
    try:
        url = urllib.parse.urlparse(server.url)
        client = odoorpc.ODOO(url.hostname, port=url.port, timeout=300)
        client.login("demo", "admin", "admin")
        domain: list = []
        context = {"allowed_company_ids": [1, 2]}
        read, last = 0, 0
        started = time.perf_counter()
        while read < rows:
            where = [*domain, ("id", ">", last)] if keyset else domain
            batch = client.execute_kw("account.move.line", "search_read", [where], {
                "fields": FIELDS, "offset": 0 if keyset else read, "limit": min(page, rows - read), "order": order,
                "context": context})
            if not batch:
                break
            read += len(batch)
            last = batch[-1]["id"]
        return read, time.perf_counter() - started
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 20.0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=5_000)
    args = parser.parse_args()

    stores: dict[float, Store] = {}
    print("demo generation (seed 7, no cache)")
    for scale in args.scales:
        store, seconds = generate(scale)
        stores[scale] = store
        lines = store.execute("SELECT count(*) FROM account_move_line").fetchone()[0]
        moves = store.execute("SELECT count(*) FROM account_move").fetchone()[0]
        target = TARGETS.get(scale)
        verdict = "" if target is None else f"  (target < {target:.0f} s: {'ok' if seconds < target else 'MISSED'})"
        print(f"  scale {scale:g}: {seconds:6.1f} s, {moves:,} entries, {lines:,} journal items{verdict}")

    biggest = max(stores)
    available = stores[biggest].execute("SELECT count(*) FROM account_move_line").fetchone()[0]
    if available < args.rows:
        print(f"\nscale {biggest:g} has only {available:,} journal items; reading them all")
    print(f"\nsearch_read of account.move.line over HTTP with odoorpc, pages of {args.page:,} (scale {biggest:g})")
    wanted = min(args.rows, available)
    read, seconds = read_lines(stores[biggest], wanted, args.page, "id")
    verdict = "ok" if seconds < 10 * read / 100_000 else "MISSED"
    print(f"  by offset, order 'id': {read:,} rows in {seconds:.2f} s = {read / seconds:,.0f} rows/s  "
          f"(target 100,000 in < 10 s: {verdict})")
    for label, order, keyset in (("by id > last id (the product's paging)", "id", True),
                                 ("by offset, default order", "date desc, move_name desc, id", False)):
        read, seconds = read_lines(stores[biggest], wanted, args.page, order, keyset)
        print(f"  {label}: {read:,} rows in {seconds:.2f} s = {read / seconds:,.0f} rows/s")


if __name__ == "__main__":
    main()
