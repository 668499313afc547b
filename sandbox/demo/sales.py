"""Sales: quotations and sale orders, their deliveries and the customer invoices and credit notes they
lead to. An order waits in memory until it is fully invoiced; open orders are written at the end.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sandbox.demo.chart import TERM_BY_ID
from sandbox.demo.context import DOCUMENTS, Ctx
from sandbox.demo.dates import SEASONALITY, days, iso, next_business_day, stamp
from sandbox.demo.documents import ProductLine, line_tax, post_invoice
from sandbox.demo.ledger import Doc, Row, r2
from sandbox.demo.names import PRODUCTS
from sandbox.demo.partners import Customer
from sandbox.demo.settlement import schedule_receipts

BUSINESS_DAYS_PER_MONTH = 21.7
REASONS = ("wrong billing address", "duplicate invoice", "prices not per contract", "wrong quantities")


@dataclass(eq=False, slots=True)
class Part:
    """One delivery of an order and the invoice that follows it."""

    delivery: dt.date
    invoice: dt.date
    qty: list[float]
    invoiced: bool = False


@dataclass(eq=False)
class Order:
    """A confirmed sale order still being delivered or invoiced."""

    row: Row
    lines: list[Row]
    parts: list[Part]
    cust: Customer
    invoiced_total: float = 0.0
    last_day: dt.date | None = None
    invoices: list[int] = field(default_factory=list)


class Sales:
    """Order intake and invoicing of one company."""

    def __init__(self, ctx: Ctx, customers: list[Customer]) -> None:
        self.ctx = ctx
        self.customers = customers
        self.open: dict[int, Order] = {}

    # -- order intake ---------------------------------------------------------------------------
    def day(self, day: dt.date) -> None:
        if day.weekday() >= 5:
            return
        ctx = self.ctx
        factor = SEASONALITY[day.month] * ctx.growth(day) / BUSINESS_DAYS_PER_MONTH
        for cust in self.customers:
            if ctx.rng.random() < cust.freq * factor:
                self.order(day, cust)

    def order(self, day: dt.date, cust: Customer, *, lead: int | None = None, later: int | None = None) -> None:
        """A quotation or sale order of ``cust``; ``lead``/``later`` force the delivery lead time and a
        second delivery that many days after the first."""
        ctx, rng = self.ctx, self.ctx.rng
        rate = ctx.rate(cust.currency_id, day)
        target = rng.lognormvariate(math.log(cust.mean * ctx.growth(day)), 0.45)
        n_lines = rng.choice((1, 1, 2, 2, 3, 4))
        products = rng.sample(PRODUCTS, n_lines)
        weights = [rng.random() + 0.2 for _ in products]
        order_id = ctx.loader.new_id("sale.order")
        name = ctx.next_number("S")
        roll = 1.0 if lead is not None else rng.random()
        state = "cancel" if roll < 0.035 else ("draft" if roll < 0.05 else "sent") if roll < 0.07 else "sale"
        if lead is None:
            lead = max(1, cust.lead + rng.randint(-2, 3)) + (rng.randint(21, 56) if rng.random() < 0.15 else 0)
        commitment = next_business_day(day + days(lead))
        created = stamp(day, rng.randint(13 * 60, 22 * 60))
        lines: list[Row] = []
        for seq, ((pname, price), w) in enumerate(zip(products, weights, strict=True), start=1):
            price_unit = r2(price * rate)
            qty = float(max(1, round(target * rate * w / sum(weights) / price_unit)))
            subtotal = r2(qty * price_unit)
            lines.append({
                "id": ctx.loader.new_id("sale.order.line"), "order_id": order_id, "name": pname,
                "product_uom_qty": qty, "price_unit": price_unit, "price_subtotal": subtotal,
                "price_tax": line_tax(subtotal), "price_total": r2(subtotal + line_tax(subtotal)),
                "discount": 0.0, "sequence": seq * 10, "customer_lead": float(lead), "state": state,
                "currency_id": cust.currency_id, "company_id": ctx.books.company_id,
                "order_partner_id": cust.party.id, "qty_delivered": 0.0, "qty_invoiced": 0.0, "qty_to_invoice": 0.0,
                "untaxed_amount_invoiced": 0.0, "untaxed_amount_to_invoice": 0.0, "invoice_status": "no",
                "create_date": created, "write_date": created, "create_uid": 2, "write_uid": 2,
            })
        untaxed = r2(sum(ln["price_subtotal"] for ln in lines))
        tax = r2(sum(ln["price_tax"] for ln in lines))
        row: Row = {
            "id": order_id, "name": name, "state": state, "locked": False, "partner_id": cust.party.id,
            "partner_invoice_id": cust.party.id, "date_order": created, "commitment_date": stamp(commitment, 16 * 60),
            "validity_date": iso(day + days(30)), "payment_term_id": cust.term_id, "currency_id": cust.currency_id,
            "currency_rate": rate, "company_id": ctx.books.company_id, "user_id": 2, "amount_untaxed": untaxed,
            "amount_tax": tax,
            "amount_total": r2(untaxed + tax), "amount_to_invoice": 0.0, "invoice_status": "no",
            "client_order_ref": f"PO-{rng.randrange(10000, 99999)}" if rng.random() < 0.4 else None,
            "create_date": created, "write_date": created, "create_uid": 2, "write_uid": 2,
        }
        if state != "sale":
            self._write(row, lines)
            return
        quantities = [ln["product_uom_qty"] for ln in lines]
        parts = [Part(commitment, next_business_day(commitment + days(cust.lag)), quantities)]
        if (later is not None or rng.random() < cust.two_part * 1.2) and sum(quantities) >= 2:
            share = rng.uniform(0.4, 0.7)
            first = [float(math.ceil(q * share)) if q > 1 else q for q in quantities]
            rest = [q - f for q, f in zip(quantities, first, strict=True)]
            if sum(rest) > 0:
                second = next_business_day(commitment + days(later or rng.randint(14, 35)))
                parts = [Part(commitment, parts[0].invoice, first),
                         Part(second, next_business_day(second + days(cust.lag)), rest)]
        order = Order(row, lines, parts, cust)
        self.open[order_id] = order
        for index, part in enumerate(parts):
            if part.invoice <= ctx.as_of:
                ctx.agenda.at(part.invoice, DOCUMENTS, self._invoice, order, index)

    # -- invoicing ------------------------------------------------------------------------------
    def _invoice(self, day: dt.date, order: Order, index: int) -> None:
        cust = order.cust
        part = order.parts[index]
        lines = [ProductLine(ln["name"], q, ln["price_unit"], "400000", sale_line_id=ln["id"])
                 for ln, q in zip(order.lines, part.qty, strict=True) if q > 0]
        doc = self.invoice(day, cust, lines, origin=order.row["name"])
        part.invoiced = True
        order.invoiced_total = r2(order.invoiced_total + doc.move["amount_total"])
        order.last_day = day
        order.invoices.append(doc.move["id"])
        if all(p.invoiced for p in order.parts):
            del self.open[order.row["id"]]
            self._finish(order)

    def invoice(self, day: dt.date, cust: Customer, lines: list[ProductLine], origin: str | None = None,
                narration: str | None = None, fate: str | None = None) -> Doc:
        """Post a customer invoice, apply open credits and decide how it ends (paid, reversed, disputed)."""
        ctx, rng = self.ctx, self.ctx.rng
        term = TERM_BY_ID.get(cust.term_id) if cust.term_id else None
        doc = post_invoice(ctx.ledger, ctx.books, ctx.rates, move_type="out_invoice", day=day, party=cust.party,
                           currency_id=cust.currency_id, term=term, lines=lines, origin=origin, narration=narration)
        ctx.book_tax(day, doc.move["amount_tax_signed"], True)
        ctx.book_revenue(day, doc.move["amount_untaxed_signed"])
        for credit in list(cust.credits):
            if credit.residual_cur < 0 and doc.items[0].residual_cur >= -2 * credit.residual_cur:
                ctx.ledger.reconcile(doc.items[0], credit, day)
                cust.credits.remove(credit)
        roll = rng.random() if fate is None else 1.0
        if fate == "open":
            return doc
        if roll < 0.012 and day + days(40) < ctx.as_of:
            ctx.agenda.at(day + days(rng.randint(3, 30)), DOCUMENTS, self._reverse, doc, cust, lines, origin)
            return doc
        if fate == "disputed" or (roll < 0.02 and day < ctx.as_of - days(120)):
            ctx.notes.append(("account.move", doc.move["id"], doc.move["name"], day + days(rng.randint(20, 50))))
            return doc
        if roll < 0.045 and day + days(10) < ctx.as_of:
            ctx.agenda.at(day + days(rng.randint(7, 35)), DOCUMENTS, self._credit_note, doc, cust, lines[0])
        schedule_receipts(ctx, doc, cust, day)
        return doc

    def _reverse(self, day: dt.date, doc: Doc, cust: Customer, lines: list[ProductLine], origin: str | None) -> None:
        """Reverse an invoice in full (credit note reconciled with it) and issue a corrected one."""
        ctx = self.ctx
        day = next_business_day(day)
        rate = doc.move["amount_total"] / doc.move["amount_total_signed"] if doc.move["amount_total_signed"] else 1.0
        refund = post_invoice(ctx.ledger, ctx.books, ctx.rates, move_type="out_refund", day=day, party=cust.party,
                              currency_id=cust.currency_id, term=None, lines=lines, origin=origin,
                              ref=f"Reversal of: {doc.move['name']}, {ctx.rng.choice(REASONS)}",
                              reversed_entry_id=doc.move["id"], rate=rate)
        ctx.book_tax(day, refund.move["amount_tax_signed"], True)
        ctx.book_revenue(day, refund.move["amount_untaxed_signed"])
        for item in doc.items:
            ctx.ledger.reconcile(item, refund.items[0], day)
        self.invoice(day, cust, lines, origin=origin, fate="paid")

    def _credit_note(self, day: dt.date, doc: Doc, cust: Customer, line: ProductLine) -> None:
        """A partial credit note (returned goods): left open or applied to the customer's next invoice."""
        ctx, rng = self.ctx, self.ctx.rng
        day = next_business_day(day)
        qty = float(max(1, round(line.quantity * rng.uniform(0.05, 0.25))))
        credit_line = ProductLine(f"Returned: {line.name}", qty, line.price_unit, "400000")
        refund = post_invoice(ctx.ledger, ctx.books, ctx.rates, move_type="out_refund", day=day, party=cust.party,
                              currency_id=cust.currency_id, term=None, lines=[credit_line],
                              ref=f"Return of goods on {doc.move['name']}")
        ctx.book_tax(day, refund.move["amount_tax_signed"], True)
        ctx.book_revenue(day, refund.move["amount_untaxed_signed"])
        if rng.random() < 0.5:
            cust.credits.append(refund.items[0])

    # -- writing orders -------------------------------------------------------------------------
    def _finish(self, order: Order) -> None:
        ctx = self.ctx
        delivered = [sum(p.qty[i] for p in order.parts if p.delivery <= ctx.as_of) for i in range(len(order.lines))]
        invoiced = [sum(p.qty[i] for p in order.parts if p.invoiced) for i in range(len(order.lines))]
        statuses = []
        for ln, dq, iq in zip(order.lines, delivered, invoiced, strict=True):
            to_invoice = dq - iq
            status = "invoiced" if iq >= ln["product_uom_qty"] else "to invoice" if to_invoice > 0 else "no"
            statuses.append(status)
            ln.update(qty_delivered=dq, qty_invoiced=iq, qty_to_invoice=to_invoice, invoice_status=status,
                      untaxed_amount_invoiced=r2(iq * ln["price_unit"]),
                      untaxed_amount_to_invoice=r2(to_invoice * ln["price_unit"]))
        row = order.row
        status = "to invoice" if "to invoice" in statuses else "invoiced" if all(
            s == "invoiced" for s in statuses) else "no"
        row.update(invoice_status=status, amount_to_invoice=max(0.0, r2(row["amount_total"] - order.invoiced_total)))
        if status == "invoiced":
            row["amount_to_invoice"] = 0.0
        if order.last_day is not None:
            row["write_date"] = stamp(order.last_day, 17 * 60)
            if status == "invoiced" and order.last_day < ctx.as_of - days(90) and ctx.rng.random() < 0.35:
                row["locked"] = True
        self._write(row, order.lines)

    def _write(self, row: Row, lines: list[Row]) -> None:
        self.ctx.ledger.write("sale.order", row)
        for ln in lines:
            self.ctx.ledger.write("sale.order.line", ln)

    def close(self) -> None:
        """Write the orders still open on the as-of date."""
        for order in list(self.open.values()):
            self._finish(order)
        self.open.clear()
