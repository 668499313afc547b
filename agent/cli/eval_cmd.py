"""``cashflow eval``: run the agent eval dataset and gate on the pass rate."""

from __future__ import annotations

import typer
from rich.table import Table

from agent.cli.errors import UserInputError, handle_errors
from agent.cli.output import Output
from tools.settings import load_settings

DEFAULT_GATE = 0.9


@handle_errors
def eval_(
    live: bool = typer.Option(False, "--live", help="Use the configured LLM instead of the offline planner."),
    min_pass_rate: float = typer.Option(DEFAULT_GATE, "--min-pass-rate", min=0.0, max=1.0,
                                        help="Exit with code 1 below this pass rate."),
    scale: float = typer.Option(0.3, min=0.05, max=5, help="Size of the demo company used."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    from evals.run import run_evals

    out = Output(json_output)
    settings = load_settings()
    llm: dict[str, object] = {}
    if live:
        if not settings.llm_configured:
            raise UserInputError("--live needs an LLM: set OPENAI_BASE_URL and/or OPENAI_API_KEY, and LLM_MODEL")
        llm = {"openai_base_url": settings.openai_base_url, "openai_api_key": settings.openai_api_key,
               "llm_model": settings.llm_model}
    with out.progress("Running evals") as progress:
        report = run_evals(live=live, scale=scale, cache_dir=settings.data_dir, llm_settings=llm, progress=progress)
    data = report.as_json()
    if json_output:
        out.emit(data | {"gate": min_pass_rate, "gate_passed": report.pass_rate >= min_pass_rate})
    else:
        table = Table(title=f"Agent evals ({report.mode})", title_justify="left")
        table.add_column("Case")
        table.add_column("Result")
        table.add_column("Why")
        for r in report.results:
            why = "; ".join(f"{s.scorer}: {s.detail}" for s in r.scores if not s.passed)
            table.add_row(r.id, "[green]pass[/green]" if r.passed else "[red]fail[/red]", why)
        out.print(table)
        for name, rate in data["scorers"].items():
            out.print(f"{name}: {rate:.0%}")
        out.print(f"[bold]Pass rate {report.pass_rate:.1%}[/bold] ({data['passed']}/{data['cases']}), "
                  f"gate {min_pass_rate:.0%}")
    if report.pass_rate < min_pass_rate:
        raise typer.Exit(1)
