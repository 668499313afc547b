"""``cashflow sandbox``: serve the Odoo-compatible sandbox in the foreground."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from agent.cli.errors import UserInputError, handle_errors
from agent.cli.output import Output
from tools.settings import load_settings


@handle_errors
def sandbox(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8069, min=0, max=65535, help="TCP port (0 = any free port)."),
    seed: int = typer.Option(7, help="Seed of the demo company."),
    scale: float = typer.Option(1.0, min=0.05, max=50, help="Volume multiplier (20 = ~100,000 invoices)."),
    as_of: dt.datetime = typer.Option(None, "--as-of", formats=["%Y-%m-%d"], help="The company's 'today'."),
    data: Path = typer.Option(None, "--data", help="Keep state in this SQLite file (in memory otherwise)."),
    odoo_version: int = typer.Option(17, "--odoo-version", min=16, max=19, help="Odoo version to present."),
    without: list[str] = typer.Option([], "--without", help="Module to leave uninstalled (e.g. purchase)."),
) -> None:
    from sandbox.factory import DEFAULT_MODULES, demo_store, persistent_store, service_for
    from sandbox.server import RunningServer

    out = Output()
    settings = load_settings()
    unknown = set(without) - set(DEFAULT_MODULES)
    if unknown or "account" in without or "base" in without:
        raise UserInputError(f"--without accepts sale, purchase or mail (got {', '.join(sorted(without))})")
    modules = tuple(m for m in DEFAULT_MODULES if m not in without and not (m == "sale_management"
                                                                             and "sale" in without))
    day = as_of.date() if as_of else dt.date.today()
    with out.progress("Generating the demo company") as progress:
        if data:
            store = persistent_store(data, seed=seed, scale=scale, as_of=day, version=odoo_version,
                                     modules=modules, progress=progress)
        else:
            store = demo_store(seed=seed, scale=scale, as_of=day, version=odoo_version, modules=modules,
                               cache_dir=settings.data_dir, progress=progress)
    try:
        server = RunningServer(service_for(store), host=host, port=port)
    except OSError as exc:
        raise UserInputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port") \
            from None
    json2 = "  JSON-2 (/json/2): bearer <login>-api-key\n" if odoo_version >= 19 else ""
    out.print(f"Odoo {odoo_version}.0 sandbox serving the demo company at [bold]{server.url}[/bold]\n"
              "  database: demo   users: admin/admin, cashbot/cashbot, controller/controller, billing/billing\n"
              f"{json2}  API keys work as passwords: <login>-api-key   stats: GET /sandbox/stats\n"
              "Press Ctrl+C to stop.")
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        out.print("Stopped.")
    finally:
        server.httpd.server_close()
        store.close()
