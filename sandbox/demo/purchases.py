"""Purchasing: purchase orders to goods suppliers, receipts and the vendor bills that follow, plus the
monthly bills of service vendors (no order). Orders wait in memory until fully billed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sandbox.demo.chart import TERM_BY_ID
from sandbox.demo.context import DOCUMENTS, Ctx
from sandbox.demo.dates import SEASONALITY, add_months, days, next_business_day, stamp
from sandbox.demo.documents import ProductLine, line_tax, post_invoice
from sandbox.demo.ledger import Doc, Row, r2
from sandbox.demo.names import PURCHASE_GOODS
from sandbox.demo.partners import Vendor
from sandbox.demo.settlement import schedule_disbursements

COGS_SHARE = 0.66
SERVICES_SHARE = 0.085


@dataclass(eq=False, slots=True)
class Receipt:
    """One reception of goods and the bill that follows it."""

    received: dt.date
    billed_on: dt.date
    qty: list[float]
    billed: bool = False


@dataclass(eq=False)
class PurchaseOrder:
    """A confirmed purchase order still being received or billed."""

    row: Row
    lines: list[Row]
    receipts: list[Receipt]
    vendor: Vendor
    account: str
    bills: list[int] = field(default_factory=list)
    last_day: dt.date | None = None


class Purchases:
    """Purchase orders and vendor bills of one company."""

    def __init__(self, ctx: Ctx, vendors: list[Vendor]) -> None:
        self.ctx = ctx
        self.goods = [v for v in vendors if v.kind == "goods"]
        self.services = [v for v in vendors if v.kind == "service"]
        self.bill_day = {v.party.id: ctx.rng.randint(3, 26) for v in self.services}
        self.open: dict[int, PurchaseOrder] = {}

    def day(self, day: dt.date) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        for vendor in self.services:
            if day == next_business_day(day.replace(day=self.bill_day[vendor.party.id])):
                self._service_bill(day, vendor)
        if day.weekday() >= 5:
            return
        ahead = add_months(day, 1)
        demand = SEASONALITY[ahead.month] * ctx.growth(day)
        for vendor in self.goods:
            if rng.random() < vendor.freq * demand / 21.7:
                target = COGS_SHARE * ctx.base_revenue * demand * vendor.weight / vendor.freq
                amount = rng.lognormvariate(math.log(target), 0.35)
                goods = rng.sample(PURCHASE_GOODS, rng.choice((1, 1, 2, 3)))
                weights = [rng.random() + 0.3 for _ in goods]
                items = [(n, p, float(max(1, round(amount * w / sum(weights) / p))))
                         for (n, p), w in zip(goods, weights, strict=True)]
                self.order(day, vendor, items, next_business_day(day + days(vendor.lead + rng.randint(-2, 4))))

    # -- orders ---------------------------------------------------------------------------------
    def order(self, day: dt.date, vendor: Vendor, items: list[tuple[str, float, float]], planned: dt.date,
              account: str = "600000", split: bool | None = None, state: str | None = None,
              later: int | None = None) -> PurchaseOrder | None:
        """A purchase order of ``items`` (name, unit price, quantity) expected on ``planned``."""
        ctx, rng = self.ctx, self.ctx.rng
        order_id = ctx.loader.new_id("purchase.order")
        created = stamp(day, rng.randint(13 * 60, 21 * 60))
        if state is None:
            roll = rng.random()
            state = "cancel" if roll < 0.03 else "draft" if roll < 0.045 else "sent" if roll < 0.06 else "purchase"
        lines: list[Row] = []
        for seq, (name, price, qty) in enumerate(items, start=1):
            subtotal = r2(qty * price)
            lines.append({
                "id": ctx.loader.new_id("purchase.order.line"), "order_id": order_id, "name": name,
                "product_qty": qty, "product_uom_qty": qty, "qty_received": 0.0, "qty_invoiced": 0.0,
                "qty_to_invoice": 0.0, "price_unit": price, "price_subtotal": subtotal, "price_tax": line_tax(subtotal),
                "price_total": r2(subtotal + line_tax(subtotal)), "date_planned": stamp(planned, 15 * 60),
                "state": state, "partner_id": vendor.party.id, "currency_id": ctx.books.currency_id,
                "company_id": ctx.books.company_id, "sequence": seq * 10, "discount": 0.0,
                "create_date": created, "write_date": created, "create_uid": 2, "write_uid": 2,
            })
        untaxed = r2(sum(ln["price_subtotal"] for ln in lines))
        tax = r2(sum(ln["price_tax"] for ln in lines))
        row: Row = {
            "id": order_id, "name": ctx.next_number("P"), "state": state, "partner_id": vendor.party.id,
            "partner_ref": f"SO{rng.randrange(100000, 999999)}" if rng.random() < 0.6 else None,
            "date_order": created, "date_approve": created if state == "purchase" else None,
            "date_planned": stamp(planned, 15 * 60), "payment_term_id": vendor.term_id,
            "currency_id": ctx.books.currency_id, "currency_rate": 1.0, "company_id": ctx.books.company_id,
            "user_id": 2, "amount_untaxed": untaxed, "amount_tax": tax, "amount_total": r2(untaxed + tax),
            "invoice_status": "no", "invoice_count": 0, "priority": "0", "create_date": created,
            "write_date": created, "create_uid": 2, "write_uid": 2,
        }
        if state != "purchase":
            self._write(row, lines)
            return None
        quantities = [ln["product_qty"] for ln in lines]
        receipts = [Receipt(planned, next_business_day(planned + days(vendor.lag)), quantities)]
        if (split if split is not None else rng.random() < 0.15) and sum(quantities) >= 2:
            first = [float(math.ceil(q * rng.uniform(0.4, 0.7))) if q > 1 else q for q in quantities]
            rest = [q - f for q, f in zip(quantities, first, strict=True)]
            if sum(rest) > 0:
                second = next_business_day(planned + days(later or rng.randint(10, 30)))
                receipts = [Receipt(planned, receipts[0].billed_on, first),
                            Receipt(second, next_business_day(second + days(vendor.lag)), rest)]
        po = PurchaseOrder(row, lines, receipts, vendor, account)
        self.open[order_id] = po
        for index, receipt in enumerate(receipts):
            if receipt.billed_on <= ctx.as_of:
                ctx.agenda.at(receipt.billed_on, DOCUMENTS, self._bill, po, index)
        return po

    def _bill(self, day: dt.date, po: PurchaseOrder, index: int) -> None:
        receipt = po.receipts[index]
        lines = [ProductLine(f"{po.row['name']}: {ln['name']}", q, ln["price_unit"], po.account,
                             purchase_line_id=ln["id"])
                 for ln, q in zip(po.lines, receipt.qty, strict=True) if q > 0]
        doc = self.bill(day, po.vendor, lines, origin=po.row["name"])
        receipt.billed = True
        po.bills.append(doc.move["id"])
        po.last_day = day
        if all(r.billed for r in po.receipts):
            del self.open[po.row["id"]]
            self._finish(po)

    def bill(self, day: dt.date, vendor: Vendor, lines: list[ProductLine], origin: str | None = None,
             pay: bool = True) -> Doc:
        """Post a vendor bill, apply open vendor credits and plan its payment."""
        ctx, rng = self.ctx, self.ctx.rng
        term = TERM_BY_ID.get(vendor.term_id) if vendor.term_id else None
        ref = f"{rng.choice(('INV', 'INV-', 'F', ''))}{rng.randrange(10000, 999999)}"
        doc = post_invoice(ctx.ledger, ctx.books, ctx.rates, move_type="in_invoice", day=day, party=vendor.party,
                           currency_id=ctx.books.currency_id, term=term, lines=lines, origin=origin, ref=ref)
        ctx.book_tax(day, -doc.move["amount_tax_signed"], False)
        for credit in list(vendor.credits):
            if credit.residual_cur > 0 and -doc.items[0].residual_cur >= 2 * credit.residual_cur:
                ctx.ledger.reconcile(credit, doc.items[0], day)
                vendor.credits.remove(credit)
        if rng.random() < 0.015 and day + days(10) < ctx.as_of:
            self._refund(next_business_day(day + days(rng.randint(5, 25))), vendor, lines[0], doc)
        if pay:
            schedule_disbursements(ctx, doc, vendor, day)
        return doc

    def _refund(self, day: dt.date, vendor: Vendor, line: ProductLine, bill: Doc) -> None:
        ctx = self.ctx
        if day >= ctx.as_of:
            return
        qty = float(max(1, round(line.quantity * ctx.rng.uniform(0.05, 0.2))))
        refund_line = ProductLine(f"Returned to vendor: {line.name}", qty, line.price_unit, line.account)
        ctx.agenda.at(day, DOCUMENTS, self._post_refund, vendor, refund_line, bill.move.get("ref"))

    def _post_refund(self, day: dt.date, vendor: Vendor, line: ProductLine, ref: str | None) -> None:
        ctx = self.ctx
        refund = post_invoice(ctx.ledger, ctx.books, ctx.rates, move_type="in_refund", day=day, party=vendor.party,
                              currency_id=ctx.books.currency_id, term=None, lines=[line], ref=f"CN-{ref}")
        ctx.book_tax(day, refund.move["amount_tax_signed"], False)
        if ctx.rng.random() < 0.6:
            vendor.credits.append(refund.items[0])

    def _service_bill(self, day: dt.date, vendor: Vendor) -> None:
        ctx = self.ctx
        if day < ctx.start or day > ctx.as_of:
            return
        amount = SERVICES_SHARE * ctx.base_revenue * ctx.growth(day) * vendor.weight
        amount = r2(amount * ctx.rng.lognormvariate(0, 0.12))
        line = ProductLine(f"{vendor.label} - {day:%B %Y}", 1.0, amount, "610000")
        self.bill(day, vendor, [line])

    # -- writing orders -------------------------------------------------------------------------
    def _finish(self, po: PurchaseOrder) -> None:
        ctx = self.ctx
        received = [sum(r.qty[i] for r in po.receipts if r.received <= ctx.as_of) for i in range(len(po.lines))]
        billed = [sum(r.qty[i] for r in po.receipts if r.billed) for i in range(len(po.lines))]
        done = all(b >= ln["product_qty"] for ln, b in zip(po.lines, billed, strict=True))
        pending = any(rq > b for rq, b in zip(received, billed, strict=True))
        state = "done" if done and po.last_day and po.last_day < ctx.as_of - days(60) and ctx.rng.random() < 0.5 \
            else "purchase"
        for ln, rq, b in zip(po.lines, received, billed, strict=True):
            ln.update(qty_received=rq, qty_invoiced=b, qty_to_invoice=rq - b, state=state)
        po.row.update(state=state, invoice_status="invoiced" if done else "to invoice" if pending else "no",
                      invoice_count=len(po.bills), invoice_ids=list(po.bills))
        if po.last_day is not None:
            po.row["write_date"] = stamp(po.last_day, 17 * 60)
        self._write(po.row, po.lines)

    def _write(self, row: Row, lines: list[Row]) -> None:
        self.ctx.ledger.write("purchase.order", row)
        for ln in lines:
            self.ctx.ledger.write("purchase.order.line", ln)

    def close(self) -> None:
        """Write the purchase orders still open on the as-of date."""
        for po in list(self.open.values()):
            self._finish(po)
        self.open.clear()

