"""Typed records the Odoo data layer returns. Nothing above ``tools/odoo`` sees raw Odoo dicts.

Sign convention everywhere: amounts are in the company currency and signed from
the company's cash point of view: positive = cash coming in (customer invoices,
vendor refunds), negative = cash going out (vendor bills, customer refunds).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

_FIELDS_SETS: dict[tuple[type, frozenset[str]], set[str]] = {}


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_post_init(self, context: Any, /) -> None:
        """Share the set of explicitly given fields between records that have the same one.

        A large extraction holds hundreds of thousands of records and pydantic keeps one such set per
        record (about half of a small record's memory). Records are frozen, so the set is never mutated."""
        given = self.__pydantic_fields_set__
        shared = _FIELDS_SETS.setdefault((type(self), frozenset(given)), given)
        if shared is not given:
            object.__setattr__(self, "__pydantic_fields_set__", shared)


class RecordRef(Record):
    """A pointer to one Odoo record, so every number can be traced back."""

    model: str = Field(description="Odoo model, e.g. 'account.move'")
    id: int = Field(description="Record id in Odoo")
    name: str = Field(description="Display name, e.g. 'INV/2026/00042'")


class Company(Record):
    id: int
    name: str
    currency: str = Field(description="ISO code of the company currency")
    currency_id: int


class BankJournal(Record):
    id: int
    name: str
    code: str
    currency: str
    account_id: int | None = Field(description="The journal's bank account (default_account_id)")
    balance: float = Field(description="Balance of the bank account as Odoo computes it, company currency")
    balance_currency: float | None = Field(default=None, description="The same in the journal's currency, "
                                           "when it is not the company currency")
    last_statement_date: dt.date | None = None


class CurrencyRate(Record):
    currency: str
    currency_id: int
    rate: float = Field(description="Units of this currency per unit of company currency (Odoo's rate)")
    date: dt.date | None = Field(description="Date of the rate; None when Odoo has no rate for it")


class CompanyContext(Record):
    """Who we are talking to: server, database, user, company, bank and currencies."""

    url: str
    database: str
    user: str
    server_version: str
    company: Company
    bank_journals: list[BankJournal]
    currencies: list[CurrencyRate]

    @property
    def bank_balance(self) -> float:
        return round(sum(j.balance for j in self.bank_journals), 2)


class PaymentTermLine(Record):
    value: Literal["percent", "fixed", "balance"]
    value_amount: float
    nb_days: int
    delay_type: str = "days_after"
    days_next_month: int | None = None


class PaymentTerm(Record):
    id: int
    name: str
    lines: list[PaymentTermLine]


class Partner(Record):
    id: int
    name: str
    is_customer: bool
    is_vendor: bool
    customer_term_id: int | None = None
    vendor_term_id: int | None = None
    credit_limit: float | None = None
    country_code: str | None = None


Kind = Literal["receivable", "payable"]


class Settlement(Record):
    """One (partial) settlement of an installment, from Odoo's reconciliation."""

    date: dt.date = Field(description="Date of the counterpart: payment or bank line date")
    amount: float = Field(description="Amount settled, company currency, same sign as the installment")
    via: Literal["payment", "bank", "credit_note", "other"] = Field(
        description="payment = account.payment, bank = statement line reconciled directly, "
        "credit_note = offset by a credit note (no cash), other = write-off or misc entry"
    )
    source: RecordRef
    in_transit: bool = Field(default=False, description="A payment not yet matched with a bank statement line")

    @property
    def is_cash(self) -> bool:
        return self.via in ("payment", "bank")


class Installment(Record):
    """One receivable/payable line of a posted invoice, bill or credit note (one per installment)."""

    line_id: int
    document: RecordRef
    move_type: Literal["out_invoice", "out_refund", "in_invoice", "in_refund", "out_receipt", "in_receipt", "entry"]
    kind: Kind
    partner_id: int | None
    partner_name: str
    invoice_date: dt.date | None
    due_date: dt.date | None = Field(description="date_maturity of this installment")
    amount: float = Field(description="Original amount of the installment, signed, company currency")
    residual: float = Field(description="What is still open today, signed, company currency")
    residual_currency: float = Field(description="What is still open, document currency")
    amount_currency: float = Field(default=0.0, description="Original amount, signed, document currency")
    currency: str
    payment_term_id: int | None
    payment_term: str | None = Field(default=None, description="Name of the payment terms")
    payment_state: str
    origin: str | None = Field(default=None, description="Sale/purchase order the document came from")
    settlements: list[Settlement] = Field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return abs(self.residual) >= 0.005

    def overdue_days(self, as_of: dt.date) -> int:
        if not self.due_date:
            return 0
        return max(0, (as_of - self.due_date).days)


class OpenItem(Record):
    """One open receivable/payable installment as of a date: what the open-items tool returns."""

    line_id: int
    document: RecordRef
    move_type: str
    kind: Kind
    partner_id: int | None
    partner_name: str
    invoice_date: dt.date | None
    due_date: dt.date | None = Field(description="date_maturity of this installment")
    residual: float = Field(description="Open amount, signed, company currency (+ cash in, - cash out)")
    residual_currency: float = Field(description="Open amount, signed, document currency")
    currency: str
    payment_term_id: int | None
    payment_term: str | None
    payment_state: str
    overdue_days: int = Field(description="Days past date_maturity on the as-of date (0 when not yet due)")
    origin: str | None = None

    @classmethod
    def of(cls, inst: Installment, as_of: dt.date) -> OpenItem:
        return cls(line_id=inst.line_id, document=inst.document, move_type=inst.move_type, kind=inst.kind,
                   partner_id=inst.partner_id, partner_name=inst.partner_name, invoice_date=inst.invoice_date,
                   due_date=inst.due_date, residual=inst.residual, residual_currency=inst.residual_currency,
                   currency=inst.currency, payment_term_id=inst.payment_term_id, payment_term=inst.payment_term,
                   payment_state=inst.payment_state, overdue_days=inst.overdue_days(as_of), origin=inst.origin)


class PaymentRecord(Record):
    """A (partial) cash payment of an installment: the raw material of payment behaviour."""

    partner_id: int | None
    partner_name: str
    kind: Kind
    document: RecordRef
    line_id: int
    invoice_date: dt.date | None
    due_date: dt.date | None
    installment_amount: float
    paid_amount: float
    paid_date: dt.date
    days_late: int | None = Field(description="paid_date - due_date in days (negative = early)")
    partial: bool


class OrderInvoice(Record):
    move_id: int
    name: str
    date: dt.date | None
    amount: float = Field(description="Amount invoiced from this order by this document, company currency, signed")
    state: str


class Order(Record):
    """A sale or purchase order with what has been invoiced (billed) from it."""

    ref: RecordRef
    kind: Literal["sale", "purchase"]
    partner_id: int
    partner_name: str
    state: str
    locked: bool = False
    date_order: dt.date
    confirmed_on: dt.date | None = None
    expected_date: dt.date | None = Field(description="commitment_date (sale) or date_planned (purchase)")
    currency: str
    amount_total: float = Field(description="Signed, company currency")
    amount_invoiced: float = Field(description="Signed, company currency, posted invoices/bills")
    amount_to_invoice: float = Field(description="Signed, company currency: what remains to invoice or bill")
    payment_term_id: int | None
    invoice_status: str | None = None
    invoices: list[OrderInvoice] = Field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state in ("sale", "purchase", "done") and abs(self.amount_to_invoice) >= 0.005 and not (
            self.kind == "sale" and self.invoice_status == "invoiced")


class BankTransaction(Record):
    id: int
    date: dt.date
    amount: float = Field(description="Signed, company currency")
    partner_id: int | None
    partner_name: str | None
    label: str
    journal_id: int
    journal_code: str
    amount_currency: float | None = Field(default=None, description="Amount in the journal's own currency, when "
                                          "it is not the company currency")
    currency: str | None = Field(default=None, description="The journal's currency when foreign")
    matched: Literal["document", "other", "unreconciled"] = Field(
        description="document = settles an invoice or bill (directly or through a payment); other = booked to "
        "another account (payroll, rent, taxes ...); unreconciled = still on the suspense account"
    )
    counterpart_account: str | None = Field(description="Code and name of the counterpart account, when booked")
    counterpart_type: str | None = None
    reconciled: bool = Field(default=True, description="Odoo's is_reconciled: nothing left on the suspense account")


class Payment(Record):
    """A posted account.payment, with whether the bank has seen it yet."""

    ref: RecordRef
    date: dt.date
    amount: float = Field(description="Signed, company currency")
    partner_id: int | None
    partner_name: str | None
    is_matched: bool = Field(description="Matched with a bank statement line (False = still in transit)")
    journal_id: int | None
    has_entry: bool = Field(default=True, description="Odoo 18+: False for a payment without journal entry")
    invoice_ids: list[int] = Field(default_factory=list, description="Odoo 18+: invoices/bills it pays "
                                   "(matched_payment_ids)")


class DataQualityIssue(Record):
    code: str
    severity: Literal["info", "warning", "error"]
    message: str
    count: int
    examples: list[RecordRef] = Field(default_factory=list)


class Snapshot(Record):
    """Everything a forecast needs, read from one Odoo company at one moment.

    ``installments`` holds every receivable/payable line of posted documents in
    the history window plus every line still open, with its settlements, so the
    state of the ledger at any earlier date can be rebuilt (backtests).
    """

    as_of: dt.date = Field(description="The date the data describes ('today' for the company)")
    history_start: dt.date
    context: CompanyContext
    partners: list[Partner]
    payment_terms: list[PaymentTerm]
    installments: list[Installment]
    orders: list[Order]
    bank_transactions: list[BankTransaction]
    payments: list[Payment] = Field(description="Posted payments in the window, matched or still in transit")
    quality: list[DataQualityIssue] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list, description="E.g. 'purchase is not installed'")
    rpc_calls: int = 0

    def partner(self, partner_id: int | None) -> Partner | None:
        return next((p for p in self.partners if p.id == partner_id), None)

    def term(self, term_id: int | None) -> PaymentTerm | None:
        return next((t for t in self.payment_terms if t.id == term_id), None)
