"""Customer invoices, vendor bills, credit notes and payments as Odoo 17 posts them.

:func:`post_invoice` writes the product and tax lines at once and returns a pending :class:`Doc` whose
receivable/payable installment lines wait for their payments; :func:`register_payment` creates an
``account.payment`` with its journal entry and matches it with installments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sandbox.demo.chart import Books, Rates, Term
from sandbox.demo.dates import due_date, iso
from sandbox.demo.ledger import Doc, Item, Ledger, Row, r2

TAX_RATE = 0.15
PREFIX = {"out_invoice": ("INV", False), "out_refund": ("RINV", False), "in_invoice": ("BILL", True),
          "in_refund": ("RBILL", True)}
PRODUCT_SIGN = {"out_invoice": -1, "in_refund": -1, "in_invoice": 1, "out_refund": 1}
"""Sign of the product lines' balance; installment lines carry the opposite sign."""


@dataclass(frozen=True, slots=True)
class Party:
    """The partner of a document, as the ledger needs it."""

    id: int
    name: str


@dataclass(slots=True)
class ProductLine:
    """One invoice line before posting: description, quantity, unit price, income/expense account."""

    name: str
    quantity: float
    price_unit: float
    account: str
    sale_line_id: int | None = None
    purchase_line_id: int | None = None

    @property
    def subtotal(self) -> float:
        return r2(self.quantity * self.price_unit)


def line_tax(subtotal: float) -> float:
    return r2(subtotal * TAX_RATE)


def post_invoice(ledger: Ledger, books: Books, rates: Rates, *, move_type: str, day: dt.date, party: Party,
                 currency_id: int, term: Term | None, lines: list[ProductLine], state: str = "posted",
                 origin: str | None = None, ref: str | None = None, narration: str | None = None,
                 due: dt.date | None = None, reversed_entry_id: int | None = None,
                 rate: float | None = None) -> Doc:
    """Post (or leave in draft) an invoice, bill or credit note; returns it pending payment."""
    sales = move_type.startswith("out")
    journal = "INV" if sales else "BILL"
    prefix, monthly = PREFIX[move_type]
    name = ledger.next_name(books.company_id, prefix, day, monthly) if state == "posted" else "/"
    rate = rate or rates.rate(currency_id, books.currency_id, day)
    sign = PRODUCT_SIGN[move_type]
    untaxed = r2(sum(pl.subtotal for pl in lines))
    tax = r2(sum(line_tax(pl.subtotal) for pl in lines))
    total = r2(untaxed + tax)
    move = ledger.new_move(
        books, journal, move_type, day, name, currency_id=currency_id, partner_id=party.id, state=state,
        invoice_date=iso(day), invoice_payment_term_id=term.id if term else None, invoice_origin=origin,
        ref=ref, payment_reference=name if name != "/" else None, narration=narration,
        invoice_user_id=2, invoice_partner_display_name=party.name, reversed_entry_id=reversed_entry_id,
    )
    rows: list[Row] = []
    balance_sum = 0.0
    for seq, pl in enumerate(lines, start=1):
        bal = r2(sign * pl.subtotal / rate)
        balance_sum += bal
        extra: dict = {"purchase_line_id": pl.purchase_line_id} if pl.purchase_line_id else {}
        if pl.sale_line_id:
            extra["sale_line_ids"] = [pl.sale_line_id]
        rows.append(ledger.line(
            move, pl.account, bal, sign * pl.subtotal, currency_id, name=pl.name, quantity=pl.quantity,
            price_unit=pl.price_unit, price_subtotal=pl.subtotal, price_total=r2(pl.subtotal + line_tax(pl.subtotal)),
            sequence=seq, **extra))
    if tax:
        tax_bal = r2(sign * tax / rate)
        balance_sum += tax_bal
        rows.append(ledger.line(move, "251000" if sales else "131000", tax_bal, sign * tax, currency_id,
                                display_type="tax", name="Tax 15%", sequence=len(lines) + 1))
    installments = _installments(term, day, due, total)
    doc = ledger.track(Doc("invoice", move, []))
    code = "121000" if sales else "211000"
    remaining_bal, remaining_cur = -r2(balance_sum), total
    for i, (when, amount_cur) in enumerate(installments, start=1):
        last = i == len(installments)
        cur = remaining_cur if last else amount_cur
        bal = remaining_bal if last else r2(-sign * cur / rate)
        remaining_bal, remaining_cur = r2(remaining_bal - bal), r2(remaining_cur - cur)
        label = move["payment_reference"] or ""
        if len(installments) > 1:
            label = f"{label} installment #{i}".strip()
        row = ledger.line(move, code, bal, -sign * cur, currency_id, display_type="payment_term",
                          name=label, date_maturity=iso(when), sequence=100 + i)
        doc.items.append(ledger.item(row, move_type, doc))
    for row in rows:
        ledger.write("account.move.line", row)
    company_untaxed = r2(-sum(r["balance"] for r in rows if r["display_type"] == "product"))
    company_total = r2(sum(it.row["balance"] for it in doc.items))
    move.update(
        invoice_date_due=iso(installments[-1][0]), amount_untaxed=untaxed, amount_tax=tax, amount_total=total,
        amount_residual=total, amount_untaxed_signed=company_untaxed,
        amount_tax_signed=r2(company_total - company_untaxed), amount_total_signed=company_total,
        amount_total_in_currency_signed=r2(-sign * total), amount_residual_signed=company_total,
    )
    return doc


def _installments(term: Term | None, day: dt.date, due: dt.date | None,
                  total: float) -> list[tuple[dt.date, float]]:
    if term is None:
        return [(due or day, total)]
    return [(due_date(day, nb_days, delay), r2(total * pct / 100.0)) for pct, nb_days, delay in term.lines]


def register_payment(ledger: Ledger, books: Books, rates: Rates, *, day: dt.date, party: Party,
                     currency_id: int, amount_cur: float, inbound: bool, memo: str,
                     targets: list[tuple[Doc, Item]]) -> Doc:
    """An account.payment and its entry (outstanding vs receivable/payable), matched with ``targets``."""
    rate = rates.rate(currency_id, books.currency_id, day)
    amount = r2(amount_cur / rate)
    name = ledger.next_name(books.company_id, "PBNK1", day, False)
    pay_id = ledger.loader.new_id("account.payment")
    move = ledger.new_move(books, "BNK1", "entry", day, name, currency_id=currency_id, partner_id=party.id,
                           ref=memo, payment_id=pay_id)
    sign = 1 if inbound else -1
    label = f"{'Customer' if inbound else 'Vendor'} Payment {amount_cur:,.2f} - {party.name} - {iso(day)}"
    outstanding = ledger.line(move, "101403" if inbound else "101404", sign * amount, sign * amount_cur,
                              currency_id, name=label, payment_id=pay_id, sequence=10)
    counterpart = ledger.line(move, "121000" if inbound else "211000", -sign * amount, -sign * amount_cur,
                              currency_id, name=label, payment_id=pay_id, sequence=20)
    move.update(amount_total=amount_cur, amount_untaxed=amount_cur, amount_total_signed=amount,
                amount_untaxed_signed=amount, amount_total_in_currency_signed=amount_cur)
    payment: Row = {
        "id": pay_id, "move_id": move["id"], "amount": amount_cur, "payment_type": "inbound" if inbound else "outbound",
        "partner_type": "customer" if inbound else "supplier", "partner_id": party.id, "currency_id": currency_id,
        "destination_account_id": books.account["121000" if inbound else "211000"],
        "outstanding_account_id": books.account["101403" if inbound else "101404"],
        "is_reconciled": False, "is_matched": False, "is_internal_transfer": False, "payment_reference": memo,
        "amount_company_currency_signed": sign * amount, "date": iso(day), "name": name,
        "journal_id": books.journal["BNK1"], "company_id": books.company_id, "state": "posted", "ref": memo,
        "create_date": move["create_date"], "write_date": move["write_date"], "create_uid": 2, "write_uid": 2,
    }
    doc = ledger.track(Doc("payment", move, [], payment=payment))
    out_item = ledger.item(outstanding, "entry", doc)
    cp_item = ledger.item(counterpart, "entry", doc)
    doc.items = [out_item, cp_item]
    remaining = amount_cur
    for target, item in targets:
        target.unmatched += 1
        doc.targets.append(target)
        part = r2(min(remaining, abs(item.residual_cur)))
        remaining = r2(remaining - part)
        if inbound:
            ledger.reconcile(item, cp_item, day, amount_cur=part)
        else:
            ledger.reconcile(cp_item, item, day, amount_cur=part)
    return doc
