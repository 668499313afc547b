"""Data-quality report: what in the ledger would make a forecast less trustworthy, and what to fix."""

from __future__ import annotations

import datetime as dt

from tools.odoo.client import OdooClient
from tools.odoo.records import (
    BankTransaction,
    CompanyContext,
    DataQualityIssue,
    Installment,
    Partner,
    RecordRef,
)

INVOICE_TYPES = ["out_invoice", "out_refund", "in_invoice", "in_refund"]


def data_quality(client: OdooClient, *, as_of: dt.date, context: CompanyContext, partners: list[Partner],
                 installments: list[Installment], bank: list[BankTransaction],
                 stale_days: int = 30) -> list[DataQualityIssue]:
    issues: list[DataQualityIssue] = []
    company = context.company.id
    stale = [t for t in bank if t.matched == "unreconciled" and (as_of - t.date).days > stale_days]
    if stale:
        total = sum(t.amount for t in stale)
        issues.append(DataQualityIssue(
            code="unreconciled_bank_lines", severity="warning", count=len(stale),
            message=f"{len(stale)} bank lines older than {stale_days} days are not reconciled (net {total:,.2f} "
                    f"{context.company.currency}): reconcile them so their flows are classified",
            examples=[RecordRef(model="account.bank.statement.line", id=t.id, name=t.label[:60])
                      for t in stale[:5]]))
    drafts = client.read_group("account.move", [("move_type", "in", INVOICE_TYPES), ("state", "=", "draft"),
                                                ("company_id", "=", company)], ["amount_total:sum"], ["move_type"])
    draft_count = sum(int(g["__count"]) for g in drafts)
    if draft_count:
        issues.append(DataQualityIssue(
            code="draft_invoices", severity="info", count=draft_count,
            message=f"{draft_count} draft invoices or bills are not in the forecast until posted"))
    no_due = client.search_read("account.move", [("move_type", "in", INVOICE_TYPES), ("state", "=", "posted"),
                                                 ("invoice_date_due", "=", False), ("company_id", "=", company)],
                                ["name"], limit=20)
    if no_due:
        issues.append(DataQualityIssue(
            code="posted_without_due_date", severity="warning", count=len(no_due),
            message=f"{len(no_due)} posted documents have no due date: their timing falls back to the invoice date",
            examples=[RecordRef(model="account.move", id=m["id"], name=m["name"]) for m in no_due[:5]]))
    open_items = [i for i in installments if i.is_open]
    no_term = [i for i in open_items if i.payment_term_id is None and i.move_type in ("out_invoice", "in_invoice")]
    if no_term:
        issues.append(DataQualityIssue(
            code="documents_without_payment_terms", severity="info", count=len(no_term),
            message=f"{len(no_term)} open invoices or bills have no payment terms",
            examples=[i.document for i in no_term[:5]]))
    partners_no_term = [p for p in partners if (p.is_customer and p.customer_term_id is None)
                        or (p.is_vendor and p.vendor_term_id is None)]
    if partners_no_term:
        issues.append(DataQualityIssue(
            code="partners_without_payment_terms", severity="info", count=len(partners_no_term),
            message=f"{len(partners_no_term)} customers or vendors have no default payment terms",
            examples=[RecordRef(model="res.partner", id=p.id, name=p.name) for p in partners_no_term[:5]]))
    no_rate = {c.currency for c in context.currencies if c.date is None and c.currency != context.company.currency}
    used = {i.currency for i in open_items} & no_rate
    if used:
        affected = [i for i in open_items if i.currency in used]
        issues.append(DataQualityIssue(
            code="currency_without_rate", severity="error", count=len(affected),
            message=f"open items in {', '.join(sorted(used))} but Odoo has no exchange rate for it: add rates in "
                    "Accounting > Configuration > Currencies (amounts use Odoo's own company-currency figures)",
            examples=[i.document for i in affected[:5]]))
    return issues
