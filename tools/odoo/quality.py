"""Data-quality report: what in the ledger would make a forecast less trustworthy, and what to fix.

Checks: bank lines left unreconciled for more than N days, posted invoices or
bills without a due date, draft invoices and bills, open documents and partners
without payment terms, and open amounts in a currency Odoo has no rate for.
One query (two without the bank lines), plus what the caller already read: partners, open items, orders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tools.odoo.client import OdooClient
from tools.odoo.records import (
    BankTransaction,
    CompanyContext,
    DataQualityIssue,
    Installment,
    OpenItem,
    Order,
    Partner,
    RecordRef,
)
from tools.odoo.values import number

INVOICE_TYPES = ["out_invoice", "out_refund", "in_invoice", "in_refund"]
EXAMPLES = 5


def data_quality(client: OdooClient, *, as_of: dt.date, context: CompanyContext, partners: list[Partner],
                 installments: Sequence[Installment | OpenItem], orders: Sequence[Order] = (),
                 bank: Sequence[BankTransaction] | None = None, stale_days: int = 30) -> list[DataQualityIssue]:
    """Every issue found, most severe first. ``bank``: the statement lines already read, unreconciled ones of
    every date included (read from Odoo when None)."""
    issues = [
        _stale_bank_lines(client, as_of, context, stale_days, bank),
        *_documents(client, context.company.id),
        *_without_terms(installments, partners),
        _without_rate(context, installments, orders),
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted((i for i in issues if i is not None), key=lambda i: order[i.severity])


def _stale_bank_lines(client: OdooClient, as_of: dt.date, context: CompanyContext, stale_days: int,
                      bank: Sequence[BankTransaction] | None) -> DataQualityIssue | None:
    journals = [j.id for j in context.bank_journals]
    if not journals:
        return None
    cutoff = as_of - dt.timedelta(days=stale_days)
    if bank is None:
        rows = client.search_read("account.bank.statement.line", [
            ("journal_id", "in", journals), ("is_reconciled", "=", False), ("date", "<", cutoff.isoformat())],
            ["date", "amount", "payment_ref"], order="date, id")
        stale = [(r["id"], str(r["date"])[:10], number(r["amount"]), str(r.get("payment_ref") or "")) for r in rows]
    else:
        stale = sorted((t.id, t.date.isoformat(), t.amount, t.label) for t in bank
                       if not t.reconciled and t.date < cutoff)
        stale.sort(key=lambda s: (s[1], s[0]))
    if not stale:
        return None
    total = sum(s[2] for s in stale)
    return DataQualityIssue(
        code="unreconciled_bank_lines", severity="warning", count=len(stale),
        message=f"{len(stale)} bank lines older than {stale_days} days are not reconciled (net {total:,.2f} "
                f"{context.company.currency}): reconcile them in Accounting so their flows are classified",
        examples=[RecordRef(model="account.bank.statement.line", id=i, name=f"{day} {label[:50]}".strip())
                  for i, day, _, label in stale[:EXAMPLES]])


def _documents(client: OdooClient, company: int) -> list[DataQualityIssue | None]:
    """Draft invoices and bills, and posted ones without a due date, in one query."""
    rows = client.search_read("account.move", [
        ("move_type", "in", INVOICE_TYPES), ("company_id", "=", company), "|", ("state", "=", "draft"),
        "&", ("state", "=", "posted"), ("invoice_date_due", "=", False)], ["name", "state"], order="id")
    drafts = [r for r in rows if r["state"] == "draft"]
    no_due = [r for r in rows if r["state"] == "posted"]
    draft_issue = no_due_issue = None
    if drafts:
        draft_issue = DataQualityIssue(
            code="draft_invoices", severity="info", count=len(drafts),
            message=f"{len(drafts)} draft invoices or bills are left out of the forecast until they are posted",
            examples=[RecordRef(model="account.move", id=m["id"], name=m["name"] or f"Draft {m['id']}")
                      for m in drafts[:EXAMPLES]])
    if no_due:
        no_due_issue = DataQualityIssue(
            code="posted_without_due_date", severity="warning", count=len(no_due),
            message=f"{len(no_due)} posted invoices or bills have no due date: their timing falls back to the "
                    "invoice date; set a due date or payment terms",
            examples=[RecordRef(model="account.move", id=m["id"], name=m["name"]) for m in no_due[:EXAMPLES]])
    return [draft_issue, no_due_issue]


def _without_terms(installments: Sequence[Installment | OpenItem],
                   partners: list[Partner]) -> list[DataQualityIssue | None]:
    open_docs: dict[int, RecordRef] = {}
    for i in installments:
        if abs(i.residual) >= 0.005 and i.payment_term_id is None and i.move_type in ("out_invoice", "in_invoice"):
            open_docs.setdefault(i.document.id, i.document)
    documents = None
    if open_docs:
        documents = DataQualityIssue(
            code="documents_without_payment_terms", severity="info", count=len(open_docs),
            message=f"{len(open_docs)} open invoices or bills have no payment terms (a due date typed by hand)",
            examples=list(open_docs.values())[:EXAMPLES])
    lacking = [p for p in partners if (p.is_customer and p.customer_term_id is None)
               or (p.is_vendor and p.vendor_term_id is None)]
    people = None
    if lacking:
        people = DataQualityIssue(
            code="partners_without_payment_terms", severity="info", count=len(lacking),
            message=f"{len(lacking)} customers or vendors have no default payment terms: set them on the contact "
                    "(Sales & Purchase tab) so new documents get a predictable due date",
            examples=[RecordRef(model="res.partner", id=p.id, name=p.name) for p in lacking[:EXAMPLES]])
    return [documents, people]


def _without_rate(context: CompanyContext, installments: Sequence[Installment | OpenItem],
                  orders: Sequence[Order]) -> DataQualityIssue | None:
    no_rate = {c.currency for c in context.currencies if c.date is None and c.currency != context.company.currency}
    affected: dict[tuple[str, int], RecordRef] = {}
    for i in installments:
        if abs(i.residual) >= 0.005 and i.currency in no_rate:
            affected.setdefault((i.document.model, i.document.id), i.document)
    for o in orders:
        if o.is_open and o.currency in no_rate:
            affected.setdefault((o.ref.model, o.ref.id), o.ref)
    if not affected:
        return None
    used = sorted({c for c in no_rate if any(i.currency == c and abs(i.residual) >= 0.005 for i in installments)
                   or any(o.currency == c and o.is_open for o in orders)})
    return DataQualityIssue(
        code="currency_without_rate", severity="error", count=len(affected),
        message=f"{len(affected)} open documents are in {', '.join(used)}, for which Odoo has no exchange rate: add "
                "rates in Accounting > Configuration > Currencies (amounts use Odoo's own company-currency figures)",
        examples=list(affected.values())[:EXAMPLES])
