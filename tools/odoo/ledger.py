"""Receivable and payable installments with their settlements, payment history, and payments.

Odoo's truth about who paid what and when is its reconciliation: each
``account.partial.reconcile`` links an installment line (``date_maturity``,
``amount_residual``) with the payment, bank line or credit note that settled it.
A handful of paged queries read it all, whatever the number of documents:

1. receivable/payable lines of posted entries dated in the window or still open;
2. the partial reconciliations of receivable/payable lines in the window or of open lines;
3. the few lines those partials reach outside (1) (e.g. an invoice of before the window paid in it);
4. the invoices, bills and credit notes behind the lines, by id (payment terms, payment state, origin);
5. the posted payments of the window and those still in transit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from tools.odoo.client import OdooClient
from tools.odoo.records import Installment, Kind, OpenItem, Payment, PaymentRecord, RecordRef, Settlement
from tools.odoo.values import m2o_id, m2o_name, number, to_date, word

INVOICE_TYPES = ("out_invoice", "out_refund", "in_invoice", "in_refund", "out_receipt", "in_receipt")
OPEN_PAYMENT_STATES = ("not_paid", "partial", "in_payment")
ACCOUNT_TYPES: dict[Kind, str] = {"receivable": "asset_receivable", "payable": "liability_payable"}
LINE_FIELDS = ("move_id", "move_name", "move_type", "date", "invoice_date", "date_maturity", "partner_id", "balance",
               "amount_currency", "amount_residual", "amount_residual_currency", "currency_id", "payment_id",
               "statement_line_id", "account_type", "reconciled")
MOVE_FIELDS = ("name", "move_type", "partner_id", "invoice_date", "invoice_date_due", "invoice_payment_term_id",
               "payment_state", "invoice_origin", "currency_id", "amount_total_signed", "state", "date")


PARTIAL_FIELDS = ["debit_move_id", "credit_move_id", "amount", "max_date"]


@dataclass
class Ledger:
    installments: list[Installment]
    payments: list[Payment]
    lines_read: int = 0
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)
    outstanding_accounts: frozenset[int] = frozenset()


def _base_domain(company_id: int, kinds: tuple[Kind, ...] = ("receivable", "payable")) -> list[Any]:
    return [("account_type", "in", [ACCOUNT_TYPES[k] for k in kinds]), ("parent_state", "=", "posted"),
            ("company_id", "=", company_id)]


# -- payments ---------------------------------------------------------------------------------------
def read_payments(client: OdooClient, company_id: int, start: dt.date,
                  partner_id: int | None = None) -> tuple[list[Payment], frozenset[int]]:
    """Posted payments dated since ``start``, plus every payment the bank has not seen yet (in transit);
    and the outstanding receipt/payment accounts they use (to recognise bank lines that match a payment)."""
    fields = client.pick("account.payment", ["name", "date", "amount", "payment_type", "partner_id", "is_matched",
                                             "journal_id", "amount_company_currency_signed", "move_id", "state",
                                             "invoice_ids", "outstanding_account_id"])
    not_matched: list[Any] = [("is_matched", "=", False)] if "is_matched" in fields else \
        [("state", "=", "in_process")]
    domain = [*client.posted_payment_domain(), ("company_id", "=", company_id), "|",
              ("date", ">=", start.isoformat()), *not_matched]
    if partner_id is not None:
        domain.append(("partner_id", "=", partner_id))
    payments = []
    outstanding: set[int] = set()
    for row in client.search_read("account.payment", domain, fields):
        if account := m2o_id(row.get("outstanding_account_id")):
            outstanding.add(account)
        sign = 1.0 if row.get("payment_type") == "inbound" else -1.0
        signed = row.get("amount_company_currency_signed")
        amount = number(signed) if signed not in (None, False) else sign * number(row.get("amount"))
        matched = bool(row.get("is_matched")) if "is_matched" in row else row.get("state") == "paid"
        payments.append(Payment(
            ref=RecordRef(model="account.payment", id=row["id"], name=row.get("name") or f"Payment {row['id']}"),
            date=to_date(row.get("date")) or start, amount=round(amount, 2), partner_id=m2o_id(row.get("partner_id")),
            partner_name=m2o_name(row.get("partner_id")), is_matched=matched, journal_id=m2o_id(row.get("journal_id")),
            has_entry=bool(row.get("move_id", True)), invoice_ids=[int(i) for i in row.get("invoice_ids") or []]))
    return payments, frozenset(outstanding)


# -- compact rows -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Line:
    """What the ledger keeps of a receivable/payable journal item (raw rows are dropped page by page)."""

    id: int
    move_id: int
    move_name: str
    move_type: str
    date: dt.date | None
    invoice_date: dt.date | None
    date_maturity: dt.date | None
    partner_id: int | None
    partner_name: str
    balance: float
    amount_currency: float
    residual: float
    residual_currency: float
    currency: str
    payment_id: int | None
    payment_name: str
    statement_line_id: int | None
    statement_line_name: str
    account_type: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Line:
        return cls(id=row["id"], move_id=m2o_id(row.get("move_id")) or 0,
                   move_name=str(row.get("move_name") or m2o_name(row.get("move_id")) or ""),
                   move_type=word(row.get("move_type")), date=to_date(row.get("date")),
                   invoice_date=to_date(row.get("invoice_date")), date_maturity=to_date(row.get("date_maturity")),
                   partner_id=m2o_id(row.get("partner_id")), partner_name=m2o_name(row.get("partner_id")) or "",
                   balance=round(number(row.get("balance")), 2),
                   amount_currency=round(number(row.get("amount_currency")), 2),
                   residual=round(number(row.get("amount_residual")), 2),
                   residual_currency=round(number(row.get("amount_residual_currency")), 2),
                   currency=m2o_name(row.get("currency_id")) or "", payment_id=m2o_id(row.get("payment_id")),
                   payment_name=m2o_name(row.get("payment_id")) or "",
                   statement_line_id=m2o_id(row.get("statement_line_id")),
                   statement_line_name=m2o_name(row.get("statement_line_id")) or "",
                   account_type=word(row.get("account_type")))

    @property
    def is_document(self) -> bool:
        return self.move_type in INVOICE_TYPES


@dataclass(frozen=True, slots=True)
class _Document:
    """What the ledger keeps of an invoice, bill or credit note."""

    name: str
    partner_id: int | None
    partner_name: str
    invoice_date: dt.date | None
    due_date: dt.date | None
    term_id: int | None
    term_name: str | None
    payment_state: str
    origin: str | None
    amount_total_signed: float
    state: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Document:
        term = row.get("invoice_payment_term_id")
        return cls(name=str(row.get("name") or ""), partner_id=m2o_id(row.get("partner_id")),
                   partner_name=m2o_name(row.get("partner_id")) or "", invoice_date=to_date(row.get("invoice_date")),
                   due_date=to_date(row.get("invoice_date_due")), term_id=m2o_id(term), term_name=m2o_name(term),
                   payment_state=word(row.get("payment_state")), origin=row.get("invoice_origin") or None,
                   amount_total_signed=number(row.get("amount_total_signed")), state=word(row.get("state")))

    def for_orders(self) -> dict[str, Any]:
        return {"name": self.name, "invoice_date": self.invoice_date.isoformat() if self.invoice_date else False,
                "amount_total_signed": self.amount_total_signed, "state": self.state}


def _lines(client: OdooClient, domain: list[Any]) -> dict[int, _Line]:
    fields = client.pick("account.move.line", LINE_FIELDS)
    return {row["id"]: _Line.of(row) for page in client.iter_search_read("account.move.line", domain, fields)
            for row in page}


# -- the ledger -------------------------------------------------------------------------------------
def read_ledger(client: OdooClient, company_id: int, start: dt.date, *, partner_id: int | None = None) -> Ledger:
    """Every receivable/payable installment of posted documents dated since ``start``, still open, or settled
    since ``start``, with all its settlements since ``start`` (and every settlement of the open ones).

    A document dated before ``start`` and settled partly before, partly after it carries only its
    settlements since ``start``."""
    only: list[Any] = [] if partner_id is None else [("partner_id", "=", partner_id)]
    lines = _lines(client, [*_base_domain(company_id), *only, "|", ("date", ">=", start.isoformat()),
                            ("reconciled", "=", False)])
    partials = [(m2o_id(p["debit_move_id"]) or 0, m2o_id(p["credit_move_id"]) or 0, number(p["amount"]),
                 to_date(p["max_date"]))
                for page in client.iter_search_read("account.partial.reconcile", [
                    ("company_id", "=", company_id),
                    ("debit_move_id.account_id.account_type", "in", list(ACCOUNT_TYPES.values())),
                    *[(f"debit_move_id.{name}", op, value) for name, op, value in only],
                    "|", "|", ("max_date", ">=", start.isoformat()), ("debit_move_id.reconciled", "=", False),
                    ("credit_move_id.reconciled", "=", False)], PARTIAL_FIELDS)
                for p in page]
    outside = sorted({i for debit, credit, _, _ in partials for i in (debit, credit) if i and i not in lines})
    if outside:
        fields = client.pick("account.move.line", LINE_FIELDS)
        lines.update((row["id"], _Line.of(row)) for row in client.read("account.move.line", outside, fields))
    documents = _read_documents(client, lines)
    payments, outstanding = read_payments(client, company_id, start, partner_id=partner_id)
    in_transit = {p.ref.id for p in payments if not p.is_matched}
    settlements = _settlements(partials, lines, in_transit)
    del partials
    installments = [_installment(line, documents.get(line.move_id), settlements.get(line.id, []))
                    for line in lines.values() if line.is_document]
    return Ledger(installments=installments, payments=payments, lines_read=len(lines),
                  documents={mid: doc.for_orders() for mid, doc in documents.items()},
                  outstanding_accounts=outstanding)


def _read_documents(client: OdooClient, lines: dict[int, _Line]) -> dict[int, _Document]:
    """The invoices, bills and credit notes behind the lines (read by id in batches of ODOO_PAGE_SIZE)."""
    move_fields = client.pick("account.move", MOVE_FIELDS)
    ids = sorted({line.move_id for line in lines.values() if line.is_document} - {0})
    return {m["id"]: _Document.of(m) for m in client.read("account.move", ids, move_fields)} if ids else {}


def _settlements(partials: list[tuple[int, int, float, dt.date | None]], lines: dict[int, _Line],
                 in_transit: set[int]) -> dict[int, list[Settlement]]:
    result: dict[int, list[Settlement]] = defaultdict(list)
    for debit, credit, amount, max_date in partials:
        for own, other, sign in ((debit, credit, 1.0), (credit, debit, -1.0)):
            line = lines.get(own)
            if line is None or not line.is_document:
                continue
            result[line.id].append(_settlement(lines.get(other), other, sign * amount, max_date, in_transit))
    for items in result.values():
        items.sort(key=lambda s: (s.date, s.source.id))
    return result


def _installment(line: _Line, doc: _Document | None, settlements: list[Settlement]) -> Installment:
    return Installment(
        line_id=line.id,
        document=RecordRef(model="account.move", id=line.move_id, name=doc.name if doc and doc.name else
                           line.move_name),
        move_type=line.move_type,  # type: ignore[arg-type]
        kind="receivable" if line.account_type == "asset_receivable" else "payable",
        partner_id=line.partner_id or (doc.partner_id if doc else None),
        partner_name=line.partner_name or (doc.partner_name if doc else ""),
        invoice_date=line.invoice_date or (doc.invoice_date if doc else None),
        due_date=line.date_maturity or (doc.due_date if doc else None),
        amount=line.balance, residual=line.residual, residual_currency=line.residual_currency,
        amount_currency=line.amount_currency, currency=line.currency,
        payment_term_id=doc.term_id if doc else None, payment_term=doc.term_name if doc else None,
        payment_state=doc.payment_state if doc else "", origin=doc.origin if doc else None,
        settlements=settlements,
    )


def _settlement(counterpart: _Line | None, counterpart_id: int, amount: float, max_date: dt.date | None,
                in_transit: set[int]) -> Settlement:
    if counterpart is None:
        return Settlement(date=max_date or dt.date.min, amount=round(amount, 2), via="other",
                          source=RecordRef(model="account.move.line", id=counterpart_id, name=""))
    via: Literal["payment", "bank", "credit_note", "other"]
    if counterpart.payment_id:
        via, source = "payment", RecordRef(model="account.payment", id=counterpart.payment_id,
                                           name=counterpart.payment_name)
    elif counterpart.statement_line_id:
        via, source = "bank", RecordRef(model="account.bank.statement.line", id=counterpart.statement_line_id,
                                        name=counterpart.statement_line_name)
    else:
        via = "credit_note" if counterpart.is_document else "other"
        source = RecordRef(model="account.move", id=counterpart.move_id, name=counterpart.move_name)
    return Settlement(date=counterpart.date or max_date or dt.date.min, amount=round(amount, 2), via=via,
                      source=source, in_transit=bool(counterpart.payment_id and counterpart.payment_id in in_transit))


# -- read tools on top of the ledger ----------------------------------------------------------------
def read_open_installments(client: OdooClient, company_id: int, as_of: dt.date, *,
                           kinds: tuple[Kind, ...] = ("receivable", "payable"),
                           partner_id: int | None = None) -> list[OpenItem]:
    """One row per open receivable/payable line of posted invoices, bills and credit notes (two paged queries)."""
    domain = [*_base_domain(company_id, kinds), ("reconciled", "=", False), ("move_type", "in", list(INVOICE_TYPES)),
              ("amount_residual", "!=", 0.0)]
    if partner_id is not None:
        domain.append(("partner_id", "=", partner_id))
    lines = _lines(client, domain)
    documents = _read_documents(client, lines)
    items = [OpenItem.of(_installment(line, documents.get(line.move_id), []), as_of) for line in lines.values()]
    return sorted(items, key=lambda i: (i.due_date or dt.date.max, i.line_id))


def payment_history(installments: list[Installment], *, since: dt.date | None = None,
                    until: dt.date | None = None, partner_id: int | None = None) -> list[PaymentRecord]:
    """One row per cash (partial) payment of an invoice or bill installment, with days late.

    Credit notes offset against invoices are not payments and are left out; so are write-offs.
    """
    rows: list[PaymentRecord] = []
    for inst in installments:
        if partner_id is not None and inst.partner_id != partner_id:
            continue
        if inst.move_type not in ("out_invoice", "in_invoice", "out_receipt", "in_receipt"):
            continue
        for s in inst.settlements:
            if not s.is_cash or (since and s.date < since) or (until and s.date > until):
                continue
            rows.append(PaymentRecord(
                partner_id=inst.partner_id, partner_name=inst.partner_name, kind=inst.kind, document=inst.document,
                line_id=inst.line_id, invoice_date=inst.invoice_date, due_date=inst.due_date,
                installment_amount=inst.amount, paid_amount=s.amount, paid_date=s.date,
                days_late=(s.date - inst.due_date).days if inst.due_date else None,
                partial=abs(s.amount - inst.amount) >= 0.01))
    rows.sort(key=lambda r: (r.paid_date, r.line_id))
    return rows
