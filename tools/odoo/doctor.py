"""Health checks of an Odoo connection for this product: version, modules, rights, data quality.

Each check says what it found and, when something is wrong, what to do about
it. Rights are checked with ``check_access_rights`` so a denial names the Odoo
groups that would grant the access.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from tools.odoo.client import OdooClient
from tools.odoo.errors import OdooAccessError, OdooError

Status = Literal["ok", "warn", "fail"]
READS = ("res.users", "res.company", "res.partner", "res.currency", "ir.model.fields", "account.journal",
         "account.move", "account.move.line", "account.partial.reconcile", "account.payment",
         "account.payment.term", "account.payment.term.line", "account.bank.statement.line", "sale.order",
         "purchase.order", "purchase.order.line", "mail.activity.type")
"""Models the read user reads (sale/purchase only when installed)."""
REQUIRED = frozenset(READS) - {"sale.order", "purchase.order", "purchase.order.line", "mail.activity.type"}
WRITES = {"account.payment": "create", "mail.activity": "create", "mail.message": "create",
          "ir.attachment": "create"}
"""What approved actions write (with the approver's or the writer account, so only informative here)."""
MODULES: dict[str, Status] = {"account": "fail", "sale": "warn", "purchase": "warn", "mail": "warn"}
SUPPORTED = range(16, 20)


class Check(BaseModel):
    name: str
    status: Status
    detail: str
    fix: str | None = None


class DoctorReport(BaseModel):
    checks: list[Check]
    exit_code: int = 0

    @property
    def worst(self) -> Status:
        statuses = {c.status for c in self.checks}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"


def connection_failed(error: OdooError, url: str) -> DoctorReport:
    """The report when the connection itself failed: one failed check saying what to do."""
    fixes = {4: "check ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY (and ODOO_DB)",
             5: "check ODOO_DB, ODOO_COMPANY and the user's rights",
             3: "check ODOO_URL and that the server is up"}
    return DoctorReport(checks=[Check(name="connection", status="fail", detail=str(error),
                                      fix=fixes.get(error.exit_code, f"check the Odoo settings for {url}"))],
                        exit_code=error.exit_code)


def diagnose(client: OdooClient, *, as_of: dt.date, history_months: int = 12) -> DoctorReport:
    spec = client.spec
    checks = [Check(name="connection", status="ok",
                    detail=f"logged in as '{spec.login}' (uid {client.uid}) on database '{spec.database}' at "
                           f"{spec.url} over {client.protocol}")]
    supported = client.version in SUPPORTED
    checks.append(Check(name="version", status="ok" if supported else "warn", detail=f"Odoo {client.server_version}",
                        fix=None if supported else "this product is tested with Odoo 16 to 19"))
    checks += _modules(client)
    checks += _rights(client)
    checks += _data(client, as_of, history_months)
    failed_rights = any(c.status == "fail" and c.name.startswith("read ") for c in checks)
    worst = "fail" if any(c.status == "fail" for c in checks) else "ok"
    return DoctorReport(checks=checks, exit_code=(OdooAccessError.exit_code if failed_rights else 1)
                        if worst == "fail" else 0)


def _modules(client: OdooClient) -> list[Check]:
    try:
        installed = {r["name"]: r["state"] for r in client.search_read(
            "ir.module.module", [("name", "in", list(MODULES))], ["name", "state"])}
    except OdooAccessError:  # some databases hide the module list from plain users: judge by the models
        models = {"account": "account.move", "sale": "sale.order", "purchase": "purchase.order",
                  "mail": "mail.message"}
        installed = {m: "installed" if client.has_model(model) else "uninstalled" for m, model in models.items()}
    checks = []
    for module, severity in MODULES.items():
        ok = installed.get(module) == "installed"
        checks.append(Check(name=f"module {module}", status="ok" if ok else severity,
                            detail="installed" if ok else f"not installed ({installed.get(module, 'unknown')})",
                            fix=None if ok else f"install '{module}' for {_why(module)}"))
    return checks


def _rights(client: OdooClient) -> list[Check]:
    checks = []
    for model in READS:
        if model != "ir.model.fields" and not client.has_model(model):
            if model in REQUIRED:
                checks.append(Check(name=f"read {model}", status="fail", detail="model not found",
                                    fix="install the Accounting (account) module"))
            continue
        try:
            client.require(model, "read")
        except OdooAccessError as exc:
            checks.append(Check(name=f"read {model}", status="fail", detail=str(exc),
                                fix=_group_fix(str(exc), client.spec.login, model)))
            continue
        checks.append(Check(name=f"read {model}", status="ok", detail="allowed"))
    for model, operation in WRITES.items():
        if client.has_model(model):
            ok = client.can(model, operation)
            checks.append(Check(
                name=f"{operation} {model}", status="ok",
                detail="allowed" if ok else "not allowed (fine: approved actions are written with the approver's "
                                            "or the writer account)"))
    return checks


def _group_fix(message: str, login: str, model: str) -> str:
    if "add the user to group" in message:
        return message[message.index("add the user to group"):].replace("add the user", f"add user '{login}'", 1)
    return f"give user '{login}' read access to {model} (e.g. group Accounting / Read-only)"


def _data(client: OdooClient, as_of: dt.date, history_months: int) -> list[Check]:
    from tools.odoo.extract import extract_snapshot

    try:
        snapshot = extract_snapshot(client, as_of=as_of, history_months=history_months)
    except OdooError as exc:
        return [Check(name="data extraction", status="fail", detail=str(exc),
                      fix="fix the rights or settings named above, then run `cashflow doctor` again")]
    checks = [Check(name="data extraction", status="ok",
                    detail=f"{len(snapshot.installments)} installments, {len(snapshot.orders)} orders, "
                           f"{len(snapshot.bank_transactions)} bank lines in {snapshot.rpc_calls} calls")]
    for issue in snapshot.quality:
        examples = ", ".join(e.name for e in issue.examples[:3])
        checks.append(Check(name=f"data: {issue.code}", status="ok" if issue.severity == "info" else "warn",
                            detail=issue.message, fix=f"e.g. {examples}" if examples else None))
    for warning in snapshot.warnings:
        checks.append(Check(name="data", status="warn", detail=warning))
    return checks


def _why(module: str) -> str:
    return {"account": "invoices, bills and bank (required)", "sale": "sales orders in the forecast",
            "purchase": "purchase orders in the forecast", "mail": "activities, notes and Discuss posts"}[module]
