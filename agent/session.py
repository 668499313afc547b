"""The agent as the CLI and the service use it: ask questions, decide approvals, across processes.

A decision is taken in the approvals table first (atomically, by an Odoo user
authenticated with their own credentials and checked against the approver group
at decision time), then the thread is resumed so the executor can write.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from agent.approvals import Approval, DecisionConflict
from agent.checkpoint import open_checkpointer
from agent.context import Context
from agent.graph import build_graph
from agent.llm import ChatModel, chat_model
from agent.services import Services, WriterCredentials
from tools.actions.proposals import PROPOSAL_TYPES, parse_proposal
from tools.actions.review import review
from tools.odoo.errors import OdooAuthError
from tools.settings import Settings


class NotAuthorized(Exception):
    """The person deciding may not approve (wrong group, or the integration user)."""

    exit_code = 5


class InvalidEdit(Exception):
    exit_code = 2


class ThreadBusy(Exception):
    exit_code = 6


@dataclass
class TurnResult:
    thread: str
    answer: str
    verified: bool
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    waiting: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"answer": self.answer, "tool_calls": self.tool_calls, "proposals": self.proposals,
                "thread": self.thread, "verified": self.verified, "outcomes": self.outcomes,
                "waiting_for_approval": self.waiting}


class Agent:
    def __init__(self, settings: Settings, services: Services, checkpointer: Any, model: ChatModel | None = None,
                 requester: str = "cli") -> None:
        self.settings = settings
        self.services = services
        self.graph = build_graph(checkpointer)
        self.model = model
        self.requester = requester

    @classmethod
    @contextmanager
    def open(cls, settings: Settings, *, services: Services | None = None, model: ChatModel | None = None,
             requester: str = "cli", use_llm: bool = True) -> Iterator[Agent]:
        with ExitStack() as stack:
            services = services or Services(settings)
            stack.callback(services.close)
            checkpointer = stack.enter_context(open_checkpointer(settings))
            llm = model if model is not None else (chat_model(settings) if use_llm else None)
            yield cls(settings, services, checkpointer, llm, requester)

    def _context(self, writer: WriterCredentials | None = None) -> Context:
        return Context(services=self.services, model=self.model, requester=self.requester, writer=writer,
                       auto_approve=frozenset(self._policy()), max_tool_calls=self.settings.cashflow_max_tool_calls)

    def _policy(self) -> list[str]:
        raw = getattr(self.settings, "cashflow_auto_approve", "") or ""
        return [a.strip() for a in raw.split(",") if a.strip()]

    def _config(self, thread: str) -> dict[str, Any]:
        # a bound on graph steps of the order of the tool budget (LangGraph's own default is in the thousands):
        # a model that never stops cannot loop for long
        limit = 4 * self.settings.cashflow_max_tool_calls + 20
        return {"configurable": {"thread_id": thread}, "recursion_limit": limit}

    # -- asking -------------------------------------------------------------------------------------
    def ask(self, question: str, thread: str | None = None) -> TurnResult:
        thread = thread or f"t-{uuid.uuid4().hex[:10]}"
        waiting = self._interrupts(thread)
        if waiting:
            ids = ", ".join(str(i.value.get("approval_id")) for i in waiting)
            raise ThreadBusy(f"thread {thread} is waiting for a decision on approval {ids}: decide it first "
                             "(`cashflow approvals ...`) or ask in a new thread")
        before = self._turn_count(thread)
        self.graph.invoke({"question": question}, self._config(thread), context=self._context(), durability="sync")
        return self._result(thread, since_turn=before + 1)

    def _interrupts(self, thread: str) -> list[Any]:
        snap = self.graph.get_state(self._config(thread))
        return list(getattr(snap, "interrupts", ()) or ())

    def _turn_count(self, thread: str) -> int:
        values = self.graph.get_state(self._config(thread)).values or {}
        return int(values.get("turn", 0))

    def _result(self, thread: str, since_turn: int) -> TurnResult:
        snap = self.graph.get_state(self._config(thread))
        values = snap.values or {}
        waiting = bool(getattr(snap, "interrupts", ()))
        pending = [a.summary() for a in self.services.approvals.list() if a.thread == thread
                   and a.status == "pending"]
        answer = values.get("answer", "") if not waiting else values.get("answer") or self._waiting_text(pending)
        return TurnResult(
            thread=thread, answer=answer, verified=bool(values.get("verified", True)),
            tool_calls=[t for t in values.get("tool_log", []) if t.get("turn", 0) >= since_turn],
            proposals=pending, outcomes=list(values.get("outcomes", [])), waiting=waiting)

    @staticmethod
    def _waiting_text(pending: list[dict[str, Any]], others: bool = False) -> str:
        rows = "\n".join(f"- {p['id']}: {p['preview']}" for p in pending)
        written = "These have not been written to Odoo" if others else "Nothing has been written to Odoo"
        return (f"{'Still waiting' if others else 'Waiting'} for approval:\n{rows}\n{written}: each action waits "
                "for a person with approval rights (`cashflow approvals approve <id> --as <login>`, or `edit` / "
                "`reject`).")

    # -- deciding -----------------------------------------------------------------------------------
    def authenticate_approver(self, credentials: WriterCredentials) -> str:
        """Log in as the approver and check the approver group in Odoo, now."""
        integration = self.services.connection.login
        if credentials.login == integration:
            raise NotAuthorized(f"'{integration}' is the integration user the agent reads with: its credentials never "
                                "count as an approval; approve as a person (--as LOGIN)")
        try:
            writer = self.services.writer(credentials)
        except OdooAuthError:  # the transport's message names the integration user's settings: not the fix here
            raise OdooAuthError(f"Odoo refused the password or API key of '{credentials.login}': give your own Odoo "
                                "password or API key (--password-stdin or CASHFLOW_APPROVER_PASSWORD)") from None
        if writer.uid == self.services.client.uid:  # the same Odoo user under another spelling or an API key
            raise NotAuthorized(f"'{credentials.login}' is the integration user the agent reads with: its credentials "
                                "never count as an approval; approve as a person (--as LOGIN)")
        group = self.settings.cashflow_approver_group
        if not writer.client.has_group(group):
            raise NotAuthorized(f"Odoo user '{credentials.login}' is not in the approver group ({group}): "
                                "ask an administrator, or have an approver decide")
        return credentials.login

    def decide(self, approval_id: str, decision: Literal["approve", "edit", "reject"],
               credentials: WriterCredentials, *, changes: dict[str, Any] | None = None,
               reason: str | None = None) -> TurnResult:
        store = self.services.approvals
        record = store.get(approval_id)
        if record.status in ("executed", "rejected") or (record.status != "pending" and decision != "approve"):
            who = f" by {record.decider}" if record.decider else ""
            raise DecisionConflict(f"approval {record.id} is already {record.status}{who}; nothing to decide")
        decider = self.authenticate_approver(credentials)
        if record.status in ("approved", "failed"):
            # decided earlier, but the write did not complete (crash, failure): finish it, never twice
            if record.status == "failed":
                store.retry(record.id)
            return self._resume(record, credentials, completing=True)
        if decision == "reject":
            store.decide(record.id, status="rejected", decider=decider, note=reason or "no reason given")
        elif decision == "edit":
            args, preview = self._edited(record, changes or {})
            store.decide(record.id, status="approved", decider=decider, note=reason or "approved with edits",
                         args=args, preview=preview)
        else:
            store.decide(record.id, status="approved", decider=decider, note=reason)
        return self._resume(store.get(record.id), credentials)

    def _edited(self, record: Approval, changes: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The edited arguments, re-validated like a new proposal, and their new preview."""
        editable = sorted(set(PROPOSAL_TYPES[record.action].model_fields) - {"action", "reason", "cash_impact"})
        unknown = sorted(set(changes) - set(editable))
        if unknown:
            raise InvalidEdit(f"invalid edit of {record.action} {record.id}: cannot change {', '.join(unknown)}; "
                              f"editable fields are {', '.join(editable)}")
        args = {**record.args, **changes}
        try:
            proposal = parse_proposal(record.action, {**args, "reason": record.reason,
                                                      "cash_impact": record.cash_impact})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
            raise InvalidEdit(f"invalid edit of {record.action} {record.id}: {problems}") from None
        checked = review(proposal, self.services.client, self.services.currency)
        if not checked.ok:
            raise InvalidEdit(f"invalid edit of {record.action} {record.id}: {'; '.join(checked.problems)}")
        return proposal.model_dump(mode="json", exclude={"action", "reason", "cash_impact"}), checked.preview

    def _resume(self, record: Approval, credentials: WriterCredentials, completing: bool = False) -> TurnResult:
        from langgraph.types import Command

        config = self._config(record.thread)
        before = self._turn_count(record.thread)
        snap = self.graph.get_state(config)
        interrupts = list(getattr(snap, "interrupts", ()) or ())
        if interrupts:
            resume = {i.id: {"approval_id": record.id} for i in interrupts}
            self.graph.invoke(Command(resume=resume), config, context=self._context(credentials), durability="sync")
        elif snap.next:
            # the thread stopped between two nodes (the process died while executing): carry on from its last
            # checkpoint, so its state (what is pending, what happened) catches up with the approvals table
            self.graph.invoke(None, config, context=self._context(credentials), durability="sync")
        executed_now = False
        if self.services.approvals.get(record.id).status == "approved":
            # the thread already moved on, or its checkpoint is gone: run its executor node for this approval
            pending = [{"approval_id": record.id, "action": record.action, "approved": True}]
            self.graph.invoke(Command(goto="execute", update={"pending": pending}), config,
                              context=self._context(credentials), durability="sync")
            executed_now = True
        result = self._result(record.thread, since_turn=before)
        values = self.graph.get_state(config).values or {}
        update = next((m["content"] for m in reversed(values.get("messages", []))
                       if m["role"] == "system" and f" {record.id} " in m["content"]), None)
        if executed_now and update:  # what happened now, not the thread's last answer
            result.answer = update
        elif result.waiting and update:  # other proposals still wait: say first what became of this one
            pending = [p for p in result.proposals if p["id"] != record.id]
            result.answer = f"{update}\n{self._waiting_text(pending, others=True)}"
        elif completing and not result.answer:
            result.answer = f"Approval {record.id} was already approved; its execution has been completed."
        return result
