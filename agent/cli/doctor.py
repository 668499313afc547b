"""``cashflow doctor``: is this Odoo ready for the agent, and what should be fixed."""

from __future__ import annotations

import typer
from rich.table import Table

from agent.cli.errors import handle_errors
from agent.cli.output import Output
from agent.runtime import as_of_date, open_odoo
from tools.odoo.doctor import diagnose
from tools.settings import load_settings

ICONS = {"ok": "[green]✓[/green]", "warn": "[yellow]![/yellow]", "fail": "[red]✗[/red]"}


@handle_errors
def doctor(json_output: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    out = Output(json_output)
    settings = load_settings()
    with out.progress("Checking Odoo") as progress, open_odoo(settings, progress=progress) as client:
        report = diagnose(client, as_of=as_of_date(settings))
    if json_output:
        out.emit({"status": report.worst, "checks": [c.model_dump() for c in report.checks]})
    else:
        table = Table(show_header=True)
        table.add_column("")
        table.add_column("Check")
        table.add_column("Result")
        table.add_column("What to do")
        for c in report.checks:
            table.add_row(ICONS[c.status], c.name, c.detail, c.fix or "")
        out.print(table)
        out.print({"ok": "[green]Ready.[/green]", "warn": "[yellow]Usable, with warnings.[/yellow]",
                   "fail": "[red]Not ready: fix the failed checks.[/red]"}[report.worst])
    if report.worst == "fail":
        raise typer.Exit(5)
