"""``cashflow status``: what this Odoo holds for a cash forecast."""

from __future__ import annotations

import typer
from rich.table import Table

from agent.cli.errors import handle_errors
from agent.cli.output import Output, money
from agent.runtime import as_of_date, open_odoo
from tools.odoo.status import Inventory, inventory
from tools.settings import load_settings


@handle_errors
def status(json_output: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    out = Output(json_output)
    settings = load_settings()
    with out.progress("Preparing the demo company" if settings.embedded else "Connecting") as progress, \
            open_odoo(settings, progress=progress) as client:
        report = inventory(client, as_of=as_of_date(settings))
    if json_output:
        out.emit(report.model_dump(mode="json"))
        return
    render(out, report, embedded=settings.embedded)


def render(out: Output, r: Inventory, *, embedded: bool) -> None:
    cur = r.company.currency
    where = "embedded demo company" if embedded else r.odoo.url
    out.print(f"[bold]{r.company.name}[/bold] ({cur}) — Odoo {r.odoo.version}, database [cyan]{r.odoo.database}"
              f"[/cyan] as [cyan]{r.odoo.user}[/cyan] on {where}")
    bank = Table(title="Bank", title_justify="left")
    bank.add_column("Journal")
    bank.add_column("Code")
    bank.add_column("Balance", justify="right")
    for j in r.bank.journals:
        bank.add_row(j.name, j.code, money(j.balance, cur))
    bank.add_row("[bold]Total", "", f"[bold]{money(r.bank.balance, cur)}")
    out.print(bank)
    items = Table(title="Open items", title_justify="left")
    for col, justify in (("", "left"), ("Open", "right"), ("Amount", "right"), ("Overdue", "right")):
        items.add_column(col, justify=justify)  # type: ignore[arg-type]
    items.add_row("Receivables", str(r.receivables.open_count), money(r.receivables.open_amount, cur),
                  money(r.receivables.overdue_amount, cur))
    items.add_row("Payables", str(r.payables.open_count), money(r.payables.open_amount, cur),
                  money(r.payables.overdue_amount, cur))
    out.print(items)
    orders = Table(title="Open orders", title_justify="left")
    for col, justify in (("", "left"), ("Open", "right"), ("To invoice / bill", "right")):
        orders.add_column(col, justify=justify)  # type: ignore[arg-type]
    for label, o in (("Sales orders", r.sales_orders), ("Purchase orders", r.purchase_orders)):
        orders.add_row(label, str(o.open_count) if o else "n/a", money(o.to_invoice_amount, cur) if o else "—")
    out.print(orders)
    h = r.history
    out.print(f"History: {h.first_date} → {h.last_date}, {h.paid_invoices} paid invoices and bills. "
              f"[dim]{r.rpc_calls} Odoo calls.[/dim]")
    for w in r.warnings:
        out.print(f"[yellow]! {w}[/yellow]")
