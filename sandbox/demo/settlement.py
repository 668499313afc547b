"""Settling invoices and bills: customer receipts and vendor payments, the two Odoo ways.

Either an ``account.payment`` is registered and later matched by its bank statement line (through the
outstanding receipts/payments account), or a bank statement line is reconciled directly with the
receivable/payable line. Recent bank lines are sometimes left unreconciled.
"""

from __future__ import annotations

import datetime as dt

from sandbox.demo.banking import Counterpart
from sandbox.demo.behaviour import bank_delay, customer_plan, vendor_payment_date
from sandbox.demo.context import BANK, PAYMENTS, Ctx
from sandbox.demo.dates import add_business_days, days
from sandbox.demo.documents import register_payment
from sandbox.demo.ledger import Doc, Item, r2
from sandbox.demo.partners import Customer, Vendor


def schedule_receipts(ctx: Ctx, doc: Doc, cust: Customer, invoice_date: dt.date) -> None:
    """Plan the payments of every installment of a customer invoice (those before as-of happen)."""
    for item in doc.items:
        due = dt.date.fromisoformat(item.row["date_maturity"])
        base = item.residual_cur
        plan = customer_plan(ctx.rng, cust, invoice_date, due, ctx.start, ctx.as_of)
        channel_b = ctx.rng.random() < cust.channel_b
        for i, (when, share) in enumerate(plan):
            if when >= ctx.as_of:
                break
            amount = None if i == len(plan) - 1 else r2(base * share)
            ctx.agenda.at(when, PAYMENTS, _receive, ctx, doc, item, amount, cust, channel_b)


def _receive(day: dt.date, ctx: Ctx, doc: Doc, item: Item, amount: float | None, cust: Customer,
             direct: bool) -> None:
    if item.residual_cur <= 0.005:
        return
    amount_cur = item.residual_cur if amount is None else min(amount, item.residual_cur)
    rng, books = ctx.rng, ctx.books
    inv = doc.move["name"]
    label = _receipt_label(ctx, cust, inv, amount_cur)
    foreign = (cust.currency_id, amount_cur) if cust.currency_id != books.currency_id else None
    if direct:
        amount = r2(amount_cur / ctx.rate(cust.currency_id, day))
        if (ctx.as_of - day).days <= 12 and rng.random() < 0.3:
            ctx.bnk1.add(day, amount, label, partner_id=cust.party.id, partner_name=cust.party.name,
                         foreign=foreign)
            return
        ctx.bnk1.add(day, amount, label, partner_id=cust.party.id, partner_name=cust.party.name, foreign=foreign,
                     counterparts=[Counterpart("121000", -amount, -amount_cur, cust.currency_id, match=item)])
        return
    pay = register_payment(ctx.ledger, books, ctx.rates, day=day, party=cust.party, currency_id=cust.currency_id,
                           amount_cur=amount_cur, inbound=True, memo=inv, targets=[(doc, item)])
    bank_day = add_business_days(day, bank_delay(rng))
    if bank_day < ctx.as_of:
        with_partner = rng.random() < 0.85
        ctx.agenda.at(bank_day, BANK, _match, ctx, pay, label, cust.party.id if with_partner else None,
                      cust.party.name)


def _match(day: dt.date, ctx: Ctx, pay: Doc, label: str, partner_id: int | None, partner_name: str) -> None:
    """The bank statement line of a registered payment, matched with its outstanding line."""
    payment = pay.payment
    assert payment is not None
    amount = payment["amount_company_currency_signed"]
    amount_cur = payment["amount"] if amount > 0 else -payment["amount"]
    currency = payment["currency_id"]
    foreign = (currency, amount_cur) if currency != ctx.books.currency_id else None
    code = "101403" if amount > 0 else "101404"
    ctx.bnk1.add(day, amount, label, partner_id=partner_id, partner_name=partner_name, foreign=foreign,
                 counterparts=[Counterpart(code, -amount, -amount_cur, currency, match=pay.items[0])])


def _receipt_label(ctx: Ctx, cust: Customer, inv: str, amount_cur: float) -> str:
    rng = ctx.rng
    upper = cust.party.name.upper().replace(",", "")
    if cust.currency_id != ctx.books.currency_id:
        code = "EUR" if cust.currency_id == 2 else "GBP"
        return f"SEPA CT {upper[:28]} /RFB/{inv} {code} {amount_cur:.2f}" if code == "EUR" else (
            f"INTL WIRE IN {code} {amount_cur:.2f} ORD {upper[:24]}")
    if ctx.books.company_id == 2:
        return rng.choice((f"SEPA-GUTSCHRIFT {upper[:24]} {inv}", f"Überweisung {cust.party.name} RE {inv}"))
    kind = rng.randrange(7)
    if kind == 0:
        return f"ACH CREDIT {upper[:22]} PPD ID {rng.randrange(10**9, 10**10)}"
    if kind == 1:
        return f"WIRE TRF IN {upper[:26]} REF {inv}"
    if kind == 2:
        return inv
    if kind == 3:
        return f"CHECK DEPOSIT #{rng.randrange(1000, 9999)}"
    if kind == 4:
        return f"Payment {inv} {cust.party.name}"
    if kind == 5:
        return f"REMOTE DEP {rng.randrange(10**7, 10**8)} {inv.replace('/', '')}"
    return f"ORIG CO NAME:{upper[:16]} CO ENTRY DESCR:PAYMENT SEC:CCD IND ID:{inv}"


def schedule_disbursements(ctx: Ctx, doc: Doc, vendor: Vendor, bill_date: dt.date) -> None:
    """Plan when the company pays each installment of a bill."""
    for item in doc.items:
        due = dt.date.fromisoformat(item.row["date_maturity"])
        when = vendor_payment_date(ctx.rng, vendor, bill_date, due)
        if when < ctx.as_of:
            ctx.agenda.at(when, PAYMENTS, _disburse, ctx, doc, item, vendor)


def _disburse(day: dt.date, ctx: Ctx, doc: Doc, item: Item, vendor: Vendor) -> None:
    if item.residual_cur >= -0.005:
        return
    amount_cur = -item.residual_cur
    rng, books = ctx.rng, ctx.books
    ref = doc.move.get("ref") or doc.move["name"]
    upper = vendor.party.name.upper().replace(",", "")
    if vendor.habit == "direct":
        amount = -r2(amount_cur / ctx.rate(books.currency_id, day))
        label = rng.choice((f"{upper[:24]} DIRECT DEBIT {ref}", f"AUTOPAY {upper[:26]}",
                            f"ACH DEBIT {upper[:22]} {ref}"))
        ctx.bnk1.add(day, amount, label, partner_id=vendor.party.id, partner_name=vendor.party.name,
                     counterparts=[Counterpart("211000", -amount, amount_cur, books.currency_id, match=item)])
        return
    pay = register_payment(ctx.ledger, books, ctx.rates, day=day, party=vendor.party, currency_id=books.currency_id,
                           amount_cur=amount_cur, inbound=False, memo=ref, targets=[(doc, item)])
    bank_day = add_business_days(day + days(1), bank_delay(rng))
    if bank_day < ctx.as_of:
        kind = rng.randrange(4)
        label = (f"ACH DEBIT {upper[:22]} VENDOR PMT", f"BILL PAY {vendor.party.name} {ref}",
                 f"CHECK #{rng.randrange(10000, 19999)}", f"WIRE OUT {upper[:24]} {ref}")[kind]
        partner = vendor.party.id if kind != 2 else None
        ctx.agenda.at(bank_day, BANK, _match, ctx, pay, label, partner, vendor.party.name)
