"""``cashflow doctor``: is this Odoo ready for the agent, and what should be fixed.

Exit codes: 0 ready (possibly with warnings), 3 Odoo unreachable, 4 credentials
refused, 5 the user lacks read rights the product needs, 1 another check failed,
2 invalid settings.
"""

from __future__ import annotations

import typer
from rich.table import Table

from agent.cli.errors import handle_errors
from agent.cli.output import Output
from agent.runtime import as_of_date, open_odoo
from tools.odoo.doctor import DoctorReport, connection_failed, diagnose
from tools.odoo.errors import OdooError
from tools.settings import load_settings

ICONS = {"ok": "[green]✓[/green]", "warn": "[yellow]![/yellow]", "fail": "[red]✗[/red]"}
VERDICT = {"ok": "[green]Ready.[/green]", "warn": "[yellow]Usable, with warnings.[/yellow]",
           "fail": "[red]Not ready: fix the failed checks.[/red]"}


@handle_errors
def doctor(json_output: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    out = Output(json_output)
    settings = load_settings()
    try:
        with out.progress("Checking Odoo") as progress, open_odoo(settings, progress=progress) as client:
            report = diagnose(client, as_of=as_of_date(settings))
    except OdooError as exc:
        report = connection_failed(exc, settings.odoo_url or "the embedded demo company")
    render(out, report)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def render(out: Output, report: DoctorReport) -> None:
    if out.json_mode:
        out.emit({"status": report.worst, "exit_code": report.exit_code,
                  "checks": [c.model_dump() for c in report.checks]})
        return
    table = Table(show_header=True)
    for column in ("", "Check", "Result", "What to do"):
        table.add_column(column)
    for c in report.checks:
        table.add_row(ICONS[c.status], c.name, c.detail, c.fix or "")
    out.print(table)
    out.print(VERDICT[report.worst])
