"""``cashflow``: the command line of the Odoo cash-flow agent.

Every command runs against the Odoo configured with ``ODOO_URL`` & co., or, when
none is configured, against the embedded demo company (no Odoo, no API key needed).
Heavy modules (pandas, statsforecast, langgraph) are imported inside the commands
that need them, so ``status`` and ``approvals`` start fast.
"""

from __future__ import annotations

import logging

import typer

from agent.cli import approvals, ask, doctor, eval_cmd, forecast, sandbox_cmd, status

app = typer.Typer(
    name="cashflow",
    help="See your Odoo cash 13 weeks ahead, understand why it moves, and act before a shortfall.\n\n"
         "With no ODOO_URL set, every command runs on the built-in demo company.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Verbose logs on stderr (never secrets).")) -> None:
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not debug:
        logging.getLogger("httpx").setLevel(logging.WARNING)


app.command("status", help="Inventory of the Odoo data the forecast uses (balances, open items, orders).")(
    status.status)
app.command("doctor", help="Check connectivity, version, rights, modules and data quality; say what to fix.")(
    doctor.doctor)
app.command("forecast", help="The 13-week daily cash forecast with P10/P50/P90 bands and shortfall risk.")(
    forecast.forecast)
app.command("backtest", help="Shadow-mode backtest: past forecasts scored against what happened, vs baselines.")(
    forecast.backtest)
app.command("ask", help="Ask the agent a question; actions it proposes wait for approval.")(ask.ask)
app.add_typer(approvals.app, name="approvals")
app.command("eval", help="Run the agent eval dataset (offline planner, or --live LLM) and gate on the pass rate.")(
    eval_cmd.eval_)
app.command("sandbox", help="Serve the embedded Odoo-compatible sandbox with the demo company until stopped.")(
    sandbox_cmd.sandbox)


def main() -> None:
    app()
