"""The agent graph: plan -> read tools -> ... -> proposals -> approval (interrupt) -> executor -> answer.

::

    receive -> plan -(tool calls)-> tools -(proposal pending)-> approval -(approved)-> execute -> ... -> plan
                 \\-(no tool call)-> verify -(numbers unsupported, once)-> plan
                                           \\-> END

Only ``execute`` writes to Odoo, and only for a proposal whose approval is
recorded in the approvals table. ``approval`` calls ``interrupt()`` first thing;
everything it does after the interrupt is idempotent, because LangGraph re-runs
the whole node on resume.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import ValidationError

from agent.context import Context
from agent.planner import plan_turn
from agent.state import InputState, State
from agent.tools import READ_TOOLS, untrusted
from agent.verify import unsupported_numbers
from prompts import render
from tools.actions.executors import ExecutionContext
from tools.actions.executors import execute as execute_proposal
from tools.actions.proposals import PROPOSAL_TYPES, parse_proposal
from tools.actions.review import review
from tools.odoo.errors import OdooError

log = logging.getLogger(__name__)


def _thread() -> str:
    return str(get_config()["configurable"]["thread_id"])


def _turn_messages(state: State) -> list[dict[str, Any]]:
    return state.messages[state.turn_start:]


def _error(message: str) -> dict[str, Any]:
    return {"error": message}


# -- nodes --------------------------------------------------------------------------------------------------
def receive(state: State) -> dict[str, Any]:
    """Start a turn: record the question."""
    return {"turn": state.turn + 1, "turn_start": len(state.messages), "steps": 0, "draft": "", "revisions": 0,
            "answer": "", "verified": True, "messages": [{"role": "user", "content": state.question}]}


def _proposal_tools() -> list[dict[str, Any]]:
    tools = []
    for name, cls in PROPOSAL_TYPES.items():
        schema = cls.model_json_schema()
        schema.get("properties", {}).pop("action", None)
        if "required" in schema:
            schema["required"] = [r for r in schema["required"] if r != "action"]
        tools.append({"type": "function", "function": {"name": name, "description": (cls.__doc__ or "").strip(),
                                                       "parameters": schema}})
    return tools


def plan(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Choose the next tools, or write the answer (LLM, or the deterministic planner)."""
    ctx = runtime.context
    services = ctx.services
    exhausted = state.steps >= ctx.max_tool_calls
    if ctx.model is None:
        turn = plan_turn(state.question, _turn_messages(state)[1:], state.turn, services.as_of)
        if turn.tool_calls and exhausted:
            turn.tool_calls, turn.content = [], _budget_answer(state)
        return {"messages": [turn.message()]}
    system = {"role": "system", "content": _system_prompt(services)}
    tools = [t.schema() for t in READ_TOOLS.values()] + _proposal_tools()
    turn = ctx.model.complete([system, *state.messages], tools, tool_choice="none" if exhausted else "auto")
    if turn.tool_calls and exhausted:
        turn.tool_calls, turn.content = [], turn.content or _budget_answer(state)
    return {"messages": [turn.message()]}


def _system_prompt(services: Any) -> str:
    company = services.snapshot.context.company
    # the company name is Odoo text too: printable, bounded and quoted, so it reads as a name, never as a rule
    return render("system", company=json.dumps(untrusted(company.name, 80)), currency=company.currency,
                  today=services.as_of.isoformat())


def _budget_answer(state: State) -> str:
    return ("I reached the limit of tool calls for one question. Here is what I found:\n"
            + _facts(_turn_messages(state)))


def _facts(messages: list[dict[str, Any]]) -> str:
    lines = [f"- {m['content'][:600]}" for m in messages if m["role"] == "tool"]
    return "\n".join(lines) or "- nothing yet"


def tools(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Run read tools; turn proposal tool calls into approval requests (nothing is written here)."""
    ctx = runtime.context
    services = ctx.services
    calls = state.messages[-1].get("tool_calls") or []
    results, log_rows, pending = [], [], list(state.pending)
    for call in calls:
        name, raw = call["function"]["name"], call["function"]["arguments"] or "{}"
        args: Any = {}
        try:
            args = json.loads(raw)
            if not isinstance(args, dict):
                raise ValueError("arguments must be a JSON object")
        except ValueError as exc:
            result = _error(f"invalid JSON arguments: {exc}")
        else:
            if name in READ_TOOLS:
                result = _read(services, name, args)
            elif name in PROPOSAL_TYPES:
                # tool-call ids are the model server's (some number them per response: 'call_0'); ours must be
                # unique in the thread, and stable if this node runs again from the same checkpoint
                proposal_id = f"{state.turn}.{len(state.messages)}.{call['id']}"
                result, item = _propose(ctx, name, args, proposal_id)
                if item:
                    pending.append(item)
            else:
                result = _error(f"unknown tool '{name}'")
        results.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result, default=str)})
        log_rows.append({"turn": state.turn, "name": name, "arguments": args if isinstance(args, dict) else raw,
                         "ok": "error" not in result})
    return {"messages": results, "tool_log": log_rows, "pending": pending, "steps": state.steps + len(calls)}


def _read(services: Any, name: str, args: dict[str, Any]) -> dict[str, Any]:
    from tools.forecast.types import ForecastInputError

    tool = READ_TOOLS[name]
    try:
        parsed = tool.args.model_validate(args)
    except ValidationError as exc:
        return _error(f"invalid arguments for {name}: {_short(exc)}")
    try:
        return tool.run(services, parsed)
    except (OdooError, ForecastInputError) as exc:
        return _error(str(exc))


def _short(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])


def _propose(ctx: Context, action: str, args: dict[str, Any], proposal_id: str) -> tuple[dict[str, Any],
                                                                                      dict | None]:
    services = ctx.services
    try:
        proposal = parse_proposal(action, args)
    except ValidationError as exc:
        return _error(f"invalid {action}: {_short(exc)}"), None
    try:
        checked = review(proposal, services.client, services.currency)
    except OdooError as exc:
        return _error(f"cannot check {action}: {exc}"), None
    if not checked.ok:
        return _error(f"{action} not proposed: {'; '.join(checked.problems)}"), None
    store = services.approvals
    data = proposal.model_dump(mode="json", exclude={"action", "reason", "cash_impact"})
    record = store.register(thread=_thread(), proposal_id=proposal_id, action=action, args=data,
                            preview=checked.preview, reason=proposal.reason,
                            cash_impact=proposal.cash_impact.model_dump(mode="json") if proposal.cash_impact else None,
                            requester=ctx.requester)
    status = record.status
    if action in ctx.auto_approve and status == "pending":
        record = store.decide(record.id, status="approved", decider="standing approval policy", by_policy=True)
        status = record.status
    if status not in ("pending", "approved"):  # decided and done before (never wait for it again)
        return {"approval_id": record.id, "status": status, "preview": checked.preview}, None
    result = {"approval_id": record.id, "status": "approved by standing policy" if record.decided_by == "policy"
              else "awaiting human approval", "preview": checked.preview}
    return result, {"approval_id": record.id, "action": action, "approved": record.status == "approved"}


def approval_request(state: State, store: Any) -> dict[str, Any]:
    """The typed payload of the interrupt: what would be written, where, why, and the choices."""
    item = state.pending[0]
    record = store.get(item["approval_id"])
    return {"approval_id": record.id, "action": record.action, "args": record.args, "preview": record.preview,
            "reason": record.reason, "cash_impact": record.cash_impact,
            "decisions": ["approve", "edit", "reject"], "thread": record.thread}


def approval(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Wait for a human decision (durably); then trust only the approvals table."""
    store = runtime.context.services.approvals
    interrupt(approval_request(state, store))
    records = [store.get(item["approval_id"]) for item in state.pending]
    decided = [r for r in records if r.status != "pending"]
    if not decided:
        return {}
    first = decided[0]
    rest = [item for item in state.pending if item["approval_id"] != first.id]
    if first.status == "rejected":
        note = (f"Approval update: {first.action} {first.id} was rejected by {first.decider}"
                f"{': ' + first.decision_note if first.decision_note else ''}. It was not written to Odoo.")
        return {"pending": rest, "messages": [{"role": "system", "content": note}],
                "outcomes": [{"approval_id": first.id, "action": first.action, "status": "rejected",
                              "decider": first.decider, "note": first.decision_note}]}
    return {"pending": [{"approval_id": first.id, "action": first.action, "approved": True}, *rest]}


def execute(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """The only node that writes to Odoo: one approved proposal, idempotently, with the approver's rights."""
    ctx = runtime.context
    services = ctx.services
    store = services.approvals
    item = state.pending[0]
    record = store.get(item["approval_id"])
    rest = state.pending[1:]
    outcome: dict[str, Any] = {"approval_id": record.id, "action": record.action, "decider": record.decider}
    if record.status == "executed":
        outcome.update(status="executed", record=record.result, note="already written earlier")
    elif record.status not in ("approved", "failed"):
        outcome.update(status=record.status, note="not approved; nothing written")
    else:
        creds = ctx.writer if (ctx.writer and record.decided_by == "human") else services.configured_writer()
        if creds is None:
            error = ("no Odoo credentials to write with: approve with `cashflow approvals approve ID --as LOGIN`, "
                     "or configure ODOO_WRITE_USER and ODOO_WRITE_PASSWORD/ODOO_WRITE_API_KEY")
            store.mark_failed(record.id, error, None)
            outcome.update(status="failed", note=error)
        else:
            try:
                writer = services.writer(creds)
                proposal = parse_proposal(record.action, {**record.args, "reason": record.reason,
                                                          "cash_impact": record.cash_impact})
                result = execute_proposal(proposal, ExecutionContext(
                    writer=writer, approver=record.decider or creds.login, key=record.idempotency_key,
                    company_id=services.client.company_id, forecast_payload=services.forecast_payload))
                store.mark_executed(record.id, result.model_dump(), actor=writer.login)
                outcome.update(status="executed", record=result.model_dump())
            except (OdooError, ValidationError) as exc:
                store.mark_failed(record.id, str(exc), creds.login)
                outcome.update(status="failed", note=str(exc))
    text = (f"Approval update: {record.action} {record.id} approved by {record.decider}: "
            + (f"written to Odoo as {outcome['record']['model']} {outcome['record']['name']} "
               f"(id {outcome['record']['id']})." if outcome.get("status") == "executed" and outcome.get("record")
               else f"{outcome['status']} — {outcome.get('note', '')}"))
    return {"pending": rest, "outcomes": [outcome], "messages": [{"role": "system", "content": text}]}


def verify(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Check every number of the draft against the tool results; one revision, then a factual fallback."""
    draft = state.messages[-1].get("content") or ""
    if not draft.strip():  # an empty answer would loop back to plan forever: end the turn with the facts
        log.warning("the model returned an empty answer")
        return {"answer": "I have no answer in words; here are the facts the tools returned:\n"
                          + _facts(_turn_messages(state)), "draft": draft, "verified": False}
    sources = [state.question] + [m["content"] for m in state.messages if m["role"] in ("tool", "system")]
    if runtime.context.model is not None:  # what the model was told (e.g. "the 13-week forecast")
        sources.append(_system_prompt(runtime.context.services))
    bad = unsupported_numbers(draft, sources)
    if not bad:
        return {"answer": draft, "draft": draft, "verified": True}
    if state.revisions < 1 and runtime.context.model is not None:
        return {"revisions": state.revisions + 1, "draft": draft,
                "messages": [{"role": "user", "content": render("revise", numbers=", ".join(bad))}]}
    log.warning("answer rejected by the verifier (unsupported numbers: %s)", bad)
    fallback = ("I could not verify every number of my answer against Odoo, so here are the facts the tools "
                "returned instead:\n" + _facts(_turn_messages(state)))
    return {"answer": fallback, "draft": draft, "verified": False}


# -- routers ------------------------------------------------------------------------------------------------
def after_plan(state: State) -> Literal["tools", "verify"]:
    return "tools" if state.messages[-1].get("tool_calls") else "verify"


def next_decision(state: State) -> Literal["approval", "execute", "plan"]:
    if not state.pending:
        return "plan"
    return "execute" if state.pending[0].get("approved") else "approval"


def after_verify(state: State) -> Literal["plan", "__end__"]:
    return "__end__" if state.answer else "plan"


def build_graph(checkpointer: Any = None) -> Any:
    builder = StateGraph(State, input_schema=InputState, context_schema=Context)
    builder.add_node("receive", receive)
    builder.add_node("plan", plan)
    builder.add_node("tools", tools)
    builder.add_node("approval", approval)
    builder.add_node("execute", execute)
    builder.add_node("verify", verify)
    builder.add_edge(START, "receive")
    builder.add_edge("receive", "plan")
    builder.add_conditional_edges("plan", after_plan)
    builder.add_conditional_edges("tools", next_decision)
    builder.add_conditional_edges("approval", next_decision)
    builder.add_conditional_edges("execute", next_decision)
    builder.add_conditional_edges("verify", after_verify, {"plan": "plan", "__end__": END})
    return builder.compile(checkpointer=checkpointer, name="cashflow-agent")


graph = build_graph()
"""Module-level compiled graph (LangGraph server injects its own checkpointer)."""
