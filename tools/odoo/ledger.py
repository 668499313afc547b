"""Receivable and payable installments with their settlements, payment history, and payments.

Odoo's truth about who paid what and when is its reconciliation: each
``account.partial.reconcile`` links an installment line (``date_maturity``,
``amount_residual``) with the payment, bank line or credit note that settled it.
Four paged queries read it all, whatever the number of documents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tools.odoo.client import OdooClient
from tools.odoo.records import Installment, Payment, PaymentRecord, RecordRef, Settlement

INVOICE_TYPES = ("out_invoice", "out_refund", "in_invoice", "in_refund", "out_receipt", "in_receipt")
OPEN_PAYMENT_STATES = ("not_paid", "partial", "in_payment")


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def _id(value: Any) -> int | None:
    return int(value[0]) if isinstance(value, list) and value else None


def _name(value: Any) -> str:
    return str(value[1]) if isinstance(value, list) and len(value) > 1 else ""


@dataclass
class Ledger:
    installments: list[Installment]
    payments: list[Payment]
    lines_read: int = 0
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)


def _posted_payment_domain(client: OdooClient) -> list[Any]:
    if client.version >= 18:
        return [("state", "in", ["in_process", "paid"])]
    return [("state", "=", "posted")]


def read_payments(client: OdooClient, company_id: int, start: dt.date) -> list[Payment]:
    fields = client.pick("account.payment", ["name", "date", "amount", "payment_type", "partner_id", "is_matched",
                                             "journal_id", "amount_company_currency_signed"])
    domain = [*_posted_payment_domain(client), ("company_id", "=", company_id), "|",
              ("date", ">=", start.isoformat()), ("is_matched", "=", False)]
    payments = []
    for row in client.search_read("account.payment", domain, fields):
        sign = 1.0 if row["payment_type"] == "inbound" else -1.0
        amount = row.get("amount_company_currency_signed")
        amount = float(amount) if amount not in (None, False) else sign * float(row["amount"] or 0.0)
        payments.append(Payment(
            ref=RecordRef(model="account.payment", id=row["id"], name=row.get("name") or f"Payment {row['id']}"),
            date=_date(row["date"]) or start, amount=round(amount, 2), partner_id=_id(row["partner_id"]),
            partner_name=_name(row["partner_id"]) or None, is_matched=bool(row.get("is_matched")),
            journal_id=_id(row.get("journal_id"))))
    return payments


def read_ledger(client: OdooClient, company_id: int, start: dt.date) -> Ledger:
    """Every receivable/payable installment of posted documents since ``start`` or still open, settled."""
    line_fields = client.pick("account.move.line", [
        "move_id", "move_name", "move_type", "date", "invoice_date", "date_maturity", "partner_id", "balance",
        "amount_residual", "amount_residual_currency", "currency_id", "payment_id", "statement_line_id",
        "account_type"])
    lines = client.search_read("account.move.line", [
        ("account_type", "in", ["asset_receivable", "liability_payable"]), ("parent_state", "=", "posted"),
        ("company_id", "=", company_id), "|", ("date", ">=", start.isoformat()), ("reconciled", "=", False),
    ], line_fields)
    by_id = {line["id"]: line for line in lines}
    doc_lines = [line for line in lines if line.get("move_type") in INVOICE_TYPES]
    move_fields = client.pick("account.move", [
        "name", "move_type", "partner_id", "invoice_date", "invoice_date_due", "invoice_payment_term_id",
        "payment_state", "invoice_origin", "currency_id", "amount_total_signed", "state"])
    documents = {m["id"]: m for m in client.search_read("account.move", [
        ("move_type", "in", list(INVOICE_TYPES)), ("state", "=", "posted"), ("company_id", "=", company_id),
        "|", ("date", ">=", start.isoformat()), ("payment_state", "in", list(OPEN_PAYMENT_STATES)),
    ], move_fields)}
    missing = sorted({_id(line["move_id"]) or 0 for line in doc_lines} - set(documents))
    if missing:
        documents.update({m["id"]: m for m in client.read("account.move", missing, move_fields)})
    partials = client.search_read("account.partial.reconcile", [
        ("company_id", "=", company_id), ("max_date", ">=", start.isoformat())],
        ["debit_move_id", "credit_move_id", "amount", "max_date"])
    payments = read_payments(client, company_id, start)
    in_transit = {p.ref.id for p in payments if not p.is_matched}
    settlements: dict[int, list[Settlement]] = defaultdict(list)
    for partial in partials:
        debit, credit = _id(partial["debit_move_id"]), _id(partial["credit_move_id"])
        amount = float(partial["amount"] or 0.0)
        for own, other, sign in ((debit, credit, 1.0), (credit, debit, -1.0)):
            line = by_id.get(own or 0)
            if line is None or line.get("move_type") not in INVOICE_TYPES:
                continue
            settlements[line["id"]].append(_settlement(by_id.get(other or 0), other or 0, sign * amount,
                                                       _date(partial["max_date"]), in_transit))
    installments = []
    for line in doc_lines:
        move = documents.get(_id(line["move_id"]) or 0, {})
        kind = "receivable" if line.get("account_type") == "asset_receivable" else "payable"
        installments.append(Installment(
            line_id=line["id"],
            document=RecordRef(model="account.move", id=_id(line["move_id"]) or 0,
                               name=move.get("name") or line.get("move_name") or _name(line["move_id"])),
            move_type=line["move_type"], kind=kind,
            partner_id=_id(line.get("partner_id")) or _id(move.get("partner_id")),
            partner_name=_name(line.get("partner_id")) or _name(move.get("partner_id")),
            invoice_date=_date(line.get("invoice_date")) or _date(move.get("invoice_date")),
            due_date=_date(line.get("date_maturity")) or _date(move.get("invoice_date_due")),
            amount=round(float(line["balance"] or 0.0), 2),
            residual=round(float(line["amount_residual"] or 0.0), 2),
            residual_currency=round(float(line.get("amount_residual_currency") or 0.0), 2),
            currency=_name(line.get("currency_id")),
            payment_term_id=_id(move.get("invoice_payment_term_id")),
            payment_state=str(move.get("payment_state") or ""),
            origin=move.get("invoice_origin") or None,
            settlements=sorted(settlements.get(line["id"], []), key=lambda s: s.date),
        ))
    return Ledger(installments=installments, payments=payments, lines_read=len(lines), documents=documents)


def _settlement(counterpart: dict[str, Any] | None, counterpart_id: int, amount: float, max_date: dt.date | None,
                in_transit: set[int]) -> Settlement:
    if counterpart is None:
        return Settlement(date=max_date or dt.date.min, amount=round(amount, 2), via="other",
                          source=RecordRef(model="account.move.line", id=counterpart_id, name=""))
    payment = _id(counterpart.get("payment_id"))
    statement_line = _id(counterpart.get("statement_line_id"))
    if payment:
        via, source = "payment", RecordRef(model="account.payment", id=payment,
                                           name=_name(counterpart.get("payment_id")))
    elif statement_line:
        via, source = "bank", RecordRef(model="account.bank.statement.line", id=statement_line,
                                        name=_name(counterpart.get("statement_line_id")))
    elif counterpart.get("move_type") in INVOICE_TYPES:
        via, source = "credit_note", RecordRef(model="account.move", id=_id(counterpart["move_id"]) or 0,
                                               name=_name(counterpart["move_id"]))
    else:
        via, source = "other", RecordRef(model="account.move", id=_id(counterpart["move_id"]) or 0,
                                         name=_name(counterpart["move_id"]))
    return Settlement(date=_date(counterpart.get("date")) or max_date or dt.date.min, amount=round(amount, 2),
                      via=via, source=source, in_transit=bool(payment and payment in in_transit))


def payment_history(installments: list[Installment], *, since: dt.date | None = None,
                    partner_id: int | None = None) -> list[PaymentRecord]:
    """One row per cash (partial) payment of an installment, with days late."""
    rows: list[PaymentRecord] = []
    for inst in installments:
        if partner_id is not None and inst.partner_id != partner_id:
            continue
        if inst.move_type not in ("out_invoice", "in_invoice", "out_receipt", "in_receipt"):
            continue
        for s in inst.settlements:
            if not s.is_cash or (since and s.date < since):
                continue
            rows.append(PaymentRecord(
                partner_id=inst.partner_id, partner_name=inst.partner_name, kind=inst.kind, document=inst.document,
                line_id=inst.line_id, invoice_date=inst.invoice_date, due_date=inst.due_date,
                installment_amount=inst.amount, paid_amount=s.amount, paid_date=s.date,
                days_late=(s.date - inst.due_date).days if inst.due_date else None,
                partial=abs(s.amount - inst.amount) >= 0.01))
    return rows
