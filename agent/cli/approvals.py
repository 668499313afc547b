"""``cashflow approvals``: list, show and decide the actions waiting for a human."""

from __future__ import annotations

import json
import os
import sys

import typer
from rich.table import Table

from agent.approvals import ApprovalStore
from agent.cli.errors import UserInputError, handle_errors
from agent.cli.output import Output
from tools.settings import Settings, load_settings

app = typer.Typer(help="Actions proposed by the agent, waiting for (or past) a human decision.",
                  no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print one JSON object.")


def _store(settings: Settings) -> ApprovalStore:
    return ApprovalStore(settings.data_dir / "approvals.sqlite")


@app.command("list", help="Approvals, newest last (pending only unless --all).")
@handle_errors
def list_(all_: bool = typer.Option(False, "--all", help="Include decided ones."), json_output: bool = JSON) -> None:
    out = Output(json_output)
    store = _store(load_settings())
    rows = store.list() if all_ else store.list("pending")
    if json_output:
        out.emit([a.summary() for a in rows])
        return
    if not rows:
        out.print("No approvals." if all_ else "Nothing waits for approval.")
        return
    table = Table()
    for col in ("ID", "Status", "Action", "What would be written", "Created"):
        table.add_column(col)
    for a in rows:
        table.add_row(a.id, a.status, a.action, a.preview, a.created_at)
    out.print(table)


@app.command("show", help="Everything about one approval, with its audit trail.")
@handle_errors
def show(approval_id: str, json_output: bool = JSON) -> None:
    out = Output(json_output)
    store = _store(load_settings())
    a = store.get(approval_id)
    trail = store.audit_trail(a.id)
    if json_output:
        out.emit({**a.model_dump(), "audit": trail})
        return
    out.print(f"[bold]{a.id}[/bold] {a.action} — [cyan]{a.status}[/cyan]")
    out.print(f"What: {a.preview}")
    out.print(f"Why: {a.reason}")
    if a.cash_impact:
        out.print(f"Cash impact: {a.cash_impact.get('amount'):,.2f} ({a.cash_impact.get('note') or ''})")
    out.print(f"Arguments: {json.dumps(a.args, default=str)}")
    out.print(f"Requested by {a.requester} at {a.created_at} (thread {a.thread})")
    if a.decider:
        out.print(f"Decided by {a.decider} ({a.decided_by}) at {a.decided_at}: {a.decision_note or ''}")
    if a.result:
        out.print(f"Written: {a.result.get('model')} {a.result.get('name')} (id {a.result.get('id')})")
    if a.error:
        out.print(f"[red]Error: {a.error}[/red]")
    for event in trail:
        out.print(f"[dim]{event['at']} {event['event']} {event['actor'] or ''}[/dim]")


def _secret(login: str, password_stdin: bool) -> str:
    if password_stdin:
        secret = sys.stdin.readline().rstrip("\n")
    elif os.environ.get("CASHFLOW_APPROVER_PASSWORD"):
        secret = os.environ["CASHFLOW_APPROVER_PASSWORD"]
    elif sys.stdin.isatty():
        secret = typer.prompt(f"Odoo password or API key of {login}", hide_input=True)
    else:
        raise UserInputError(f"no password for '{login}': use --password-stdin or CASHFLOW_APPROVER_PASSWORD")
    if not secret:
        raise UserInputError(f"empty password for '{login}'")
    return secret


def _decide(approval_id: str, decision: str, login: str, password_stdin: bool, json_output: bool,
            changes: dict[str, object] | None = None, reason: str | None = None) -> None:
    from agent.services import Services, WriterCredentials
    from agent.session import Agent

    out = Output(json_output)
    settings = load_settings()
    if not login:
        raise UserInputError("say who decides: --as LOGIN (your own Odoo login)")
    secret = _secret(login, password_stdin)
    credentials = WriterCredentials(login=login, secret=secret, api_key=secret.endswith("-api-key"), display=login)
    with out.progress("Connecting to Odoo") as progress:
        services = Services(settings, progress=progress)
        with Agent.open(settings, services=services) as agent:
            result = agent.decide(approval_id, decision, credentials, changes=changes, reason=reason)  # type: ignore[arg-type]
            record = agent.services.approvals.get(approval_id)
    if json_output:
        out.emit({"approval": record.summary() | {"result": record.result, "error": record.error},
                  "answer": result.answer, "thread": result.thread})
    else:
        out.print(result.answer or f"Approval {record.id} is {record.status}.")
    if record.status == "failed":
        raise typer.Exit(3)


AS = typer.Option(None, "--as", help="Your Odoo login (you must be in the approver group).")
STDIN = typer.Option(False, "--password-stdin", help="Read your Odoo password or API key from stdin.")


@app.command("approve", help="Approve an action; it is written to Odoo with your rights, exactly once.")
@handle_errors
def approve(approval_id: str, login: str = AS, password_stdin: bool = STDIN, json_output: bool = JSON) -> None:
    _decide(approval_id, "approve", login, password_stdin, json_output)


@app.command("edit", help="Approve with changed arguments (re-validated), e.g. --set amount=1200.")
@handle_errors
def edit(approval_id: str, set_: list[str] = typer.Option(..., "--set", help="key=value (repeatable)."),
         login: str = AS, password_stdin: bool = STDIN, json_output: bool = JSON) -> None:
    changes: dict[str, object] = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserInputError(f"--set expects key=value (got {item!r})")
        try:
            changes[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            changes[key.strip()] = value
    _decide(approval_id, "edit", login, password_stdin, json_output, changes=changes)


@app.command("reject", help="Reject an action; the agent hears your reason. Nothing is written.")
@handle_errors
def reject(approval_id: str, reason: str = typer.Option(..., "--reason", help="Why (the agent is told)."),
           login: str = AS, password_stdin: bool = STDIN, json_output: bool = JSON) -> None:
    _decide(approval_id, "reject", login, password_stdin, json_output, reason=reason)
