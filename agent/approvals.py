"""The approvals table and the audit trail (SQLite under ``CASHFLOW_HOME``).

LangGraph keeps each thread's state, but open-source LangGraph cannot list
interrupts across threads; this table can. It is also the source of truth for
decisions: the graph's approval node trusts what is recorded here, never the
resume value alone, and a decision is taken atomically (pending -> decided once).
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import json
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

Status = Literal["pending", "approved", "rejected", "executed", "failed"]
SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
    id TEXT PRIMARY KEY, thread TEXT NOT NULL, proposal_id TEXT NOT NULL, interrupt_id TEXT,
    action TEXT NOT NULL, args TEXT NOT NULL, preview TEXT NOT NULL, reason TEXT NOT NULL, cash_impact TEXT,
    status TEXT NOT NULL, requester TEXT NOT NULL, decider TEXT, decided_by TEXT, decision_note TEXT,
    idempotency_key TEXT NOT NULL, result TEXT, error TEXT,
    created_at TEXT NOT NULL, decided_at TEXT, executed_at TEXT,
    UNIQUE (thread, proposal_id)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, approval_id TEXT NOT NULL, event TEXT NOT NULL,
    actor TEXT, model TEXT, record_id INTEGER, details TEXT
);
"""


class Approval(BaseModel):
    """One proposed action awaiting, or past, a human decision."""

    id: str
    thread: str
    proposal_id: str
    interrupt_id: str | None = None
    action: str
    args: dict[str, Any]
    preview: str
    reason: str
    cash_impact: dict[str, Any] | None = None
    status: Status
    requester: str
    decider: str | None = None
    decided_by: Literal["human", "policy"] | None = None
    decision_note: str | None = None
    idempotency_key: str
    result: dict[str, Any] | None = None
    error: str | None = None
    created_at: str
    decided_at: str | None = None
    executed_at: str | None = None

    def summary(self) -> dict[str, Any]:
        """The ``approvals list --json`` shape."""
        return {"id": self.id, "thread": self.thread, "action": self.action, "args": self.args,
                "preview": self.preview, "status": self.status, "created_at": self.created_at,
                "decider": self.decider, "reason": self.reason}


class DecisionConflict(Exception):
    """The approval is not pending any more (decided by someone else, or twice)."""

    exit_code = 6


class UnknownApproval(Exception):
    exit_code = 2


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def idempotency_key(thread: str, proposal_id: str) -> str:
    """A short, stable key written on the Odoo record so a retried write finds its earlier self."""
    return "CF-" + hashlib.sha256(f"{thread}/{proposal_id}".encode()).hexdigest()[:10].upper()


class ApprovalStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._cursor_desc: Any = None

    def close(self) -> None:
        self._conn.close()

    def _row(self, row: sqlite3.Row | tuple[Any, ...] | None) -> Approval | None:
        if row is None:
            return None
        names = [d[0] for d in self._cursor_desc]
        data = dict(zip(names, row, strict=True))
        for key in ("args", "cash_impact", "result"):
            data[key] = json.loads(data[key]) if data[key] else None
        data["args"] = data["args"] or {}
        return Approval(**data)

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Approval]:
        with self._lock:
            cur = self._conn.execute(sql, params)
            self._cursor_desc = cur.description
            rows = cur.fetchall()
        return [a for r in rows if (a := self._row(r)) is not None]

    # -- lifecycle ----------------------------------------------------------------------------------
    def register(self, *, thread: str, proposal_id: str, action: str, args: dict[str, Any], preview: str,
                 reason: str, cash_impact: dict[str, Any] | None, requester: str) -> Approval:
        """Record a proposal awaiting a decision (idempotent per thread and proposal)."""
        existing = self._query("SELECT * FROM approvals WHERE thread = ? AND proposal_id = ?", (thread, proposal_id))
        if existing:
            return existing[0]
        approval_id = uuid.uuid4().hex[:8]
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO approvals (id, thread, proposal_id, action, args, preview, reason, cash_impact, "
                "status, requester, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                (approval_id, thread, proposal_id, action, json.dumps(args, default=str), preview, reason,
                 json.dumps(cash_impact, default=str) if cash_impact else None, requester,
                 idempotency_key(thread, proposal_id), _now()))
        self.audit(approval_id, "proposed", actor=requester, details={"action": action})
        return self._query("SELECT * FROM approvals WHERE thread = ? AND proposal_id = ?", (thread, proposal_id))[0]

    def set_interrupt(self, approval_id: str, interrupt_id: str) -> None:
        with self._lock:
            self._conn.execute("UPDATE approvals SET interrupt_id = ? WHERE id = ?", (interrupt_id, approval_id))

    def get(self, approval_id: str) -> Approval:
        found = self._query("SELECT * FROM approvals WHERE id = ? OR id LIKE ? ORDER BY id", (approval_id,
                                                                                             approval_id + "%"))
        exact = [a for a in found if a.id == approval_id]
        if exact:
            return exact[0]
        if len(found) == 1:
            return found[0]
        if not found:
            raise UnknownApproval(f"no approval with id '{approval_id}': see `cashflow approvals list`")
        raise UnknownApproval(f"'{approval_id}' matches several approvals: give more characters")

    def for_proposal(self, thread: str, proposal_id: str) -> Approval | None:
        found = self._query("SELECT * FROM approvals WHERE thread = ? AND proposal_id = ?", (thread, proposal_id))
        return found[0] if found else None

    def list(self, status: str | None = None) -> list[Approval]:
        if status:
            return self._query("SELECT * FROM approvals WHERE status = ? ORDER BY created_at, id", (status,))
        return self._query("SELECT * FROM approvals ORDER BY created_at, id")

    def decide(self, approval_id: str, *, status: Literal["approved", "rejected"], decider: str,
               note: str | None = None, args: dict[str, Any] | None = None, preview: str | None = None,
               by_policy: bool = False) -> Approval:
        """Take the decision once: pending -> approved/rejected (atomic), else DecisionConflict.

        An edit passes the new ``args`` and their ``preview``, so the record shows what was really approved.
        """
        current = self.get(approval_id)
        with self._lock:
            cur = self._conn.execute(
                "UPDATE approvals SET status = ?, decider = ?, decided_by = ?, decision_note = ?, decided_at = ?, "
                "args = COALESCE(?, args), preview = COALESCE(?, preview) WHERE id = ? AND status = 'pending'",
                (status, decider, "policy" if by_policy else "human", note, _now(),
                 json.dumps(args, default=str) if args is not None else None, preview, current.id))
        if cur.rowcount != 1:
            latest = self.get(current.id)
            who = f" by {latest.decider}" if latest.decider else ""
            raise DecisionConflict(f"approval {current.id} is already {latest.status}{who}; nothing to decide")
        self.audit(current.id, status, actor=decider, details={"note": note, "edited": args is not None,
                                                               "policy": by_policy})
        return self.get(current.id)

    def mark_executed(self, approval_id: str, result: dict[str, Any], actor: str) -> None:
        with self._lock:
            self._conn.execute("UPDATE approvals SET status = 'executed', result = ?, executed_at = ?, error = NULL "
                               "WHERE id = ?", (json.dumps(result, default=str), _now(), approval_id))
        self.audit(approval_id, "executed", actor=actor, model=result.get("model"), record_id=result.get("id"),
                   details=result)

    def mark_failed(self, approval_id: str, error: str, actor: str | None) -> None:
        with self._lock:
            self._conn.execute("UPDATE approvals SET status = 'failed', error = ? WHERE id = ?", (error, approval_id))
        self.audit(approval_id, "failed", actor=actor, details={"error": error})

    def retry(self, approval_id: str) -> None:
        """A failed execution may be attempted again (the idempotency key still prevents doubles)."""
        with self._lock:
            self._conn.execute("UPDATE approvals SET status = 'approved' WHERE id = ? AND status = 'failed'",
                               (approval_id,))

    # -- audit --------------------------------------------------------------------------------------
    def audit(self, approval_id: str, event: str, *, actor: str | None = None, model: str | None = None,
              record_id: int | None = None, details: dict[str, Any] | None = None) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO audit (at, approval_id, event, actor, model, record_id, details) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_now(), approval_id, event, actor, model, record_id, json.dumps(details or {}, default=str)))

    def audit_trail(self, approval_id: str | None = None) -> builtins.list[dict[str, Any]]:
        with self._lock:
            cur = self._conn.execute(
                "SELECT at, approval_id, event, actor, model, record_id, details FROM audit "
                + ("WHERE approval_id = ? " if approval_id else "") + "ORDER BY id",
                (approval_id,) if approval_id else ())
            rows = cur.fetchall()
        return [{"at": r[0], "approval_id": r[1], "event": r[2], "actor": r[3], "model": r[4], "record_id": r[5],
                 "details": json.loads(r[6] or "{}")} for r in rows]
