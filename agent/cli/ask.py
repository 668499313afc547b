"""``cashflow ask``: a question to the agent; shows the tools that ran and what awaits approval."""

from __future__ import annotations

import typer
from rich.markdown import Markdown
from rich.table import Table

from agent.cli.errors import UserInputError, handle_errors
from agent.cli.output import Output
from tools.settings import load_settings


@handle_errors
def ask(
    question: str = typer.Argument(..., help="Your question, e.g. \"When do we drop below 50,000?\""),
    thread: str = typer.Option(None, "--thread", help="Continue a conversation (thread id from a previous answer)."),
    offline: bool = typer.Option(False, "--offline", help="Use the deterministic planner even if an LLM is set."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    from agent.session import Agent

    if not question.strip():
        raise UserInputError("the question is empty")
    out = Output(json_output)
    settings = load_settings()
    with out.progress("Reading Odoo") as progress:
        from agent.services import Services

        services = Services(settings, progress=progress)
        with Agent.open(settings, services=services, use_llm=not offline) as agent:
            result = agent.ask(question, thread=thread)
    if json_output:
        out.emit(result.as_json())
        return
    out.print(Markdown(result.answer))
    if result.tool_calls:
        names = ", ".join(t["name"] for t in result.tool_calls)
        out.print(f"[dim]Tools: {names}[/dim]")
    if result.proposals:
        table = Table(title="Awaiting approval", title_justify="left")
        table.add_column("ID")
        table.add_column("Action")
        table.add_column("What would be written")
        for p in result.proposals:
            table.add_row(p["id"], p["action"], p["preview"])
        out.print(table)
        out.print("[dim]Decide with: cashflow approvals approve <ID> --as <login>  (or edit / reject)[/dim]")
    if not result.verified:
        out.print("[yellow]The LLM's wording failed number verification; the facts above come straight from the "
                  "tools.[/yellow]")
    out.print(f"[dim]Thread: {result.thread}[/dim]")
