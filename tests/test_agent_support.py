"""Helpers for the agent tests: settings for a sandbox, an independent admin view of what was written, and the
agent wired to the scripted LLM or the offline planner.

No tests here; the ``test_`` prefix only keeps it next to the tests it serves.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import odoorpc
from pydantic import SecretStr

from agent.services import Services, WriterCredentials
from agent.session import Agent
from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tests.fake_llm import Reply, ScriptedLLM
from tools.settings import Settings

WRITTEN = ("account.payment", "mail.activity", "mail.message", "ir.attachment")
"""The models an approved action may write to: counted before and after to prove nothing else was written."""

CONTROLLER = WriterCredentials(login="controller", secret="controller")
"""In the approver group (account.group_account_manager)."""
BILLING = WriterCredentials(login="billing", secret="billing")
"""An accountant outside the approver group."""
INTEGRATION = WriterCredentials(login="cashbot", secret="cashbot")
"""The read-only integration user the agent reads with: never an approver."""


def settings_for(server: RunningServer, home: Path, **extra: Any) -> Settings:
    """The product's settings for a sandbox: reads as the integration user, state under ``home``."""
    return Settings(odoo_url=server.url, odoo_db="demo", odoo_user="cashbot", odoo_password=SecretStr("cashbot"),
                    cashflow_home=home, **extra)


def start_llm(script: list[Reply]) -> ScriptedLLM:
    """A started :class:`ScriptedLLM` whose ``stop()`` returns at once (serve_forever polls every 10 ms, not 0.5 s)."""
    llm = ScriptedLLM(script)
    llm._thread = threading.Thread(target=llm._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    return llm.start()


def llm_settings(llm: ScriptedLLM) -> dict[str, Any]:
    return {"openai_base_url": llm.base_url, "openai_api_key": "test-key", "llm_model": llm.model}


def admin(server: RunningServer) -> Any:
    """A plain odoorpc connection as admin: the independent truth about what the agent wrote."""
    odoo = odoorpc.ODOO("127.0.0.1", port=int(server.url.rsplit(":", 1)[1]))
    odoo.login("demo", "admin", "admin")
    return odoo


def count(odoo: Any, model: str, domain: list[Any] | None = None) -> int:
    return int(odoo.execute_kw(model, "search_count", [domain or []], {}))


def search_read(odoo: Any, model: str, domain: list[Any], fields: list[str]) -> list[dict[str, Any]]:
    return list(odoo.execute_kw(model, "search_read", [domain], {"fields": fields}))


def writes(odoo: Any) -> dict[str, int]:
    """How many records each writable model holds (compare before/after)."""
    return {model: count(odoo, model) for model in WRITTEN}


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {m: after[m] - before[m] for m in before if after[m] != before[m]}


def services_for(settings: Settings, reads: Services | None = None) -> Services:
    """Services for one test (its own approvals table under ``settings.cashflow_home``).

    ``reads``: services on the same demo data (every sandbox fixture is a copy of one demo company) whose snapshot
    and forecasts are reused, so a test does not extract the company again. Their connection is reused too when
    they are on the very same sandbox; otherwise the test's services connect to their own (writes go there).
    """
    same = reads is not None and reads.settings.odoo_url == settings.odoo_url
    services = Services(settings, as_of=AS_OF, client=reads.client if reads is not None and same else None)
    if reads is not None:
        services.__dict__["snapshot"] = reads.snapshot  # prime the cached property
        services._forecasts = reads._forecasts
    return services


@contextmanager
def open_agent(settings: Settings, *, use_llm: bool = False, services: Services | None = None,
               reads: Services | None = None) -> Iterator[Agent]:
    """The agent as the CLI builds it: fresh services on the sandbox, a fixed 'today', its own checkpointer."""
    with Agent.open(settings, services=services or services_for(settings, reads), use_llm=use_llm) as agent:
        yield agent


def open_bill(services: Services, *, index: int = 0) -> tuple[int, str, float]:
    """(id, name, amount due) of an open posted vendor bill of the demo company."""
    bills = sorted({i.document.id: i for i in services.snapshot.installments
                    if i.kind == "payable" and i.is_open and i.move_type == "in_invoice"}.values(),
                   key=lambda i: i.document.id)
    bill = bills[index]
    return bill.document.id, bill.document.name, round(abs(bill.residual), 2)


def overdue_invoice(services: Services) -> tuple[int, str]:
    """(id, name) of an overdue customer invoice."""
    inv = next(i for i in sorted(services.snapshot.installments, key=lambda i: i.document.id)
               if i.kind == "receivable" and i.is_open and i.overdue_days(AS_OF) > 0)
    return inv.document.id, inv.document.name


def tool_messages(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in request["messages"] if m["role"] == "tool"]


def last_tool_result(request: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(tool_messages(request)[-1]["content"]))


__all__ = ["AS_OF", "BILLING", "CONTROLLER", "INTEGRATION", "admin", "count", "delta", "last_tool_result",
           "llm_settings", "open_agent", "open_bill", "overdue_invoice", "search_read", "services_for",
           "settings_for", "start_llm", "tool_messages", "writes"]
