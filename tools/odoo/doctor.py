"""Health checks of an Odoo connection for this product: version, modules, rights, data quality."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from tools.odoo.client import OdooClient
from tools.odoo.errors import OdooError

Status = Literal["ok", "warn", "fail"]
READS = ("res.company", "res.partner", "res.currency", "account.journal", "account.move", "account.move.line",
         "account.partial.reconcile", "account.payment", "account.payment.term", "account.bank.statement.line",
         "sale.order", "purchase.order", "purchase.order.line")
WRITES = {"account.payment": "create", "mail.activity": "create", "mail.message": "create",
          "ir.attachment": "create"}
MODULES = {"account": "fail", "sale": "warn", "purchase": "warn", "mail": "warn"}


class Check(BaseModel):
    name: str
    status: Status
    detail: str
    fix: str | None = None


class DoctorReport(BaseModel):
    checks: list[Check]

    @property
    def worst(self) -> Status:
        statuses = {c.status for c in self.checks}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"


def diagnose(client: OdooClient, *, as_of: dt.date) -> DoctorReport:
    checks = [Check(name="connection", status="ok",
                    detail=f"logged in as '{client.spec.login}' (uid {client.uid}) on '{client.spec.database}'")]
    version = client.version
    checks.append(Check(
        name="version", status="ok" if 16 <= version <= 19 else "warn", detail=f"Odoo {client.server_version}",
        fix=None if 16 <= version <= 19 else "this product is tested with Odoo 16 to 19"))
    installed = {r["name"]: r["state"] for r in client.search_read(
        "ir.module.module", [("name", "in", list(MODULES))], ["name", "state"])}
    for module, severity in MODULES.items():
        ok = installed.get(module) == "installed"
        checks.append(Check(name=f"module {module}", status="ok" if ok else severity,  # type: ignore[arg-type]
                            detail="installed" if ok else f"not installed ({installed.get(module, 'unknown')})",
                            fix=None if ok else f"install '{module}' for {_why(module)}"))
    for model in READS:
        if not client.has_model(model):
            continue
        try:
            ok = client.can(model, "read")
        except OdooError as exc:
            checks.append(Check(name=f"read {model}", status="fail", detail=str(exc)))
            continue
        checks.append(Check(name=f"read {model}", status="ok" if ok else "fail",
                            detail="allowed" if ok else "denied",
                            fix=None if ok else f"give user '{client.spec.login}' read access to {model} "
                                                "(e.g. group Accounting / Read-only)"))
    for model, operation in WRITES.items():
        if client.has_model(model):
            ok = client.can(model, operation)
            checks.append(Check(
                name=f"{operation} {model}", status="ok", detail="allowed" if ok else
                "denied (fine: approved actions are written with the approver's or the writer account)"))
    from tools.odoo.extract import extract_snapshot

    snapshot = extract_snapshot(client, as_of=as_of, history_months=12)
    for issue in snapshot.quality:
        checks.append(Check(name=f"data: {issue.code}", status="fail" if issue.severity == "error" else "warn",
                            detail=issue.message, fix=", ".join(e.name for e in issue.examples[:3]) or None))
    for warning in snapshot.warnings:
        checks.append(Check(name="data", status="warn", detail=warning))
    return DoctorReport(checks=checks)


def _why(module: str) -> str:
    return {"account": "invoices, bills and bank (required)", "sale": "sales orders in the forecast",
            "purchase": "purchase orders in the forecast", "mail": "activities, notes and Discuss posts"}[module]
