"""Sale and purchase orders: confirmed, with what has been invoiced (billed) and what remains.

What remains is Odoo's own figure where it has one: ``sale.order.amount_to_invoice``
(tax included, net of posted invoices). Purchase orders have none, so it is
computed from their lines as Odoo's "to bill" logic does: the quantity not billed
yet times the tax-included unit price. Amounts are converted to the company
currency with the order's own ``currency_rate`` (or, on a server without that field, today's rate).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Literal

from tools.odoo.client import OdooClient
from tools.odoo.context import currency_rates
from tools.odoo.errors import OdooNotFound
from tools.odoo.records import Order, OrderInvoice, RecordRef
from tools.odoo.values import m2o_id, m2o_name, number, to_date, word

OrderKind = Literal["sale", "purchase"]
ORDER_KINDS: tuple[OrderKind, ...] = ("sale", "purchase")
MODELS: dict[OrderKind, str] = {"sale": "sale.order", "purchase": "purchase.order"}
MODULES: dict[OrderKind, str] = {"sale": "sale", "purchase": "purchase"}
EXPECTED: dict[OrderKind, str] = {"sale": "commitment_date", "purchase": "date_planned"}


def _fields(client: OdooClient, kind: OrderKind, with_invoices: bool) -> list[str]:
    names = ["name", "state", "locked", "partner_id", "date_order", "date_approve", EXPECTED[kind], "amount_total",
             "amount_to_invoice", "invoice_status", "payment_term_id", "currency_id", "currency_rate"]
    if with_invoices:
        names.append("invoice_ids")
    return client.pick(MODELS[kind], names)


def missing_module_warning(kind: OrderKind) -> str:
    return (f"{MODELS[kind]} is not available on this Odoo (module {MODULES[kind]} not installed): "
            f"no {kind} orders in the forecast")


def _rates(client: OdooClient, kind: OrderKind, rows: list[dict[str, Any]],
           rates: Mapping[str, float] | None) -> Mapping[str, float]:
    """Today's rates, only needed when orders lack ``currency_rate`` (one call, only then)."""
    if rates is not None or not rows or "currency_rate" in rows[0]:
        return rates or {}
    if all(m2o_id(r.get("currency_id")) == m2o_id(rows[0].get("currency_id")) for r in rows):
        return {}
    return currency_rates(client)


def read_open_orders(client: OdooClient, company_id: int, kind: OrderKind, partner_id: int | None = None,
                     rates: Mapping[str, float] | None = None) -> list[Order]:
    """Confirmed orders not fully invoiced (billed) with an amount still to invoice; [] without the module."""
    model = MODELS[kind]
    if not client.has_model(model):
        return []
    domain: list[Any] = [("company_id", "=", company_id), ("state", "in", client.confirmed_states(model)),
                         ("invoice_status", "!=", "invoiced")]
    if partner_id is not None:
        domain.append(("partner_id", "=", partner_id))
    rows = client.search_read(model, domain, _fields(client, kind, with_invoices=False), order="id")
    remaining = _purchase_remaining(client, company_id, partner_id) if kind == "purchase" and rows else {}
    rates = _rates(client, kind, rows, rates)
    orders = [_order(kind, row, remaining, {}, {}, rates) for row in rows]
    return [o for o in orders if o.is_open]


def read_orders(client: OdooClient, company_id: int, start: dt.date, documents: dict[int, dict[str, Any]],
                rates: Mapping[str, float] | None = None) -> tuple[list[Order], list[str]]:
    """Open orders plus the orders of the history window (cancelled ones too, for invoicing rates)."""
    orders: list[Order] = []
    warnings: list[str] = []
    for kind in ORDER_KINDS:
        if not client.has_model(MODELS[kind]):
            warnings.append(missing_module_warning(kind))
            continue
        try:
            orders.extend(_read_window(client, kind, company_id, start, documents, rates))
        except OdooNotFound as exc:
            warnings.append(f"{MODELS[kind]} could not be read ({exc}): no {kind} orders in the forecast")
    return orders, warnings


def _read_window(client: OdooClient, kind: OrderKind, company_id: int, start: dt.date,
                 documents: dict[int, dict[str, Any]], rates: Mapping[str, float] | None) -> list[Order]:
    model = MODELS[kind]
    states = [*client.confirmed_states(model), "cancel"]
    rows = client.search_read(model, [
        ("company_id", "=", company_id), ("state", "in", states), "|",
        ("date_order", ">=", start.isoformat()), ("invoice_status", "!=", "invoiced")],
        _fields(client, kind, with_invoices=True), order="id")
    rows = [r for r in rows if r["state"] != "cancel" or (to_date(r.get("date_order")) or start) >= start]
    remaining = _purchase_remaining(client, company_id) if kind == "purchase" and rows else {}
    links: dict[int, int] = defaultdict(int)
    for row in rows:
        for mid in row.get("invoice_ids") or []:
            links[mid] += 1
    rates = _rates(client, kind, rows, rates)
    return [_order(kind, row, remaining, documents, links, rates) for row in rows]


def _order(kind: OrderKind, row: dict[str, Any], remaining: dict[int, float], documents: dict[int, dict[str, Any]],
           links: dict[int, int], rates: Mapping[str, float]) -> Order:
    sign = 1.0 if kind == "sale" else -1.0
    if "currency_rate" in row:
        rate = number(row.get("currency_rate")) or 1.0
    else:
        rate = rates.get(m2o_name(row.get("currency_id")) or "", 1.0) or 1.0
    total = sign * number(row.get("amount_total")) / rate
    invoices = _invoices(row.get("invoice_ids") or [], documents, links)
    invoiced = sum(i.amount for i in invoices if i.state == "posted")
    if kind == "sale" and "amount_to_invoice" in row:
        to_invoice = sign * number(row["amount_to_invoice"]) / rate
    elif kind == "purchase":
        to_invoice = sign * remaining.get(row["id"], 0.0) / rate
    else:
        to_invoice = total - invoiced
    if row["state"] == "cancel" or row.get("invoice_status") == "invoiced":
        to_invoice = 0.0
    expected = EXPECTED[kind]
    date_order = to_date(row.get("date_order")) or dt.date.min
    return Order(
        ref=RecordRef(model=MODELS[kind], id=row["id"], name=row["name"]), kind=kind,
        partner_id=m2o_id(row.get("partner_id")) or 0, partner_name=m2o_name(row.get("partner_id")) or "",
        state=word(row["state"]), locked=bool(row.get("locked")) or row["state"] == "done", date_order=date_order,
        confirmed_on=to_date(row.get("date_approve")) or date_order, expected_date=to_date(row.get(expected)),
        currency=m2o_name(row.get("currency_id")) or "", amount_total=round(total, 2),
        amount_invoiced=round(invoiced, 2), amount_to_invoice=round(to_invoice, 2),
        payment_term_id=m2o_id(row.get("payment_term_id")), invoice_status=row.get("invoice_status") or None,
        invoices=invoices)


def _invoices(move_ids: list[int], documents: dict[int, dict[str, Any]], links: dict[int, int]) -> list[OrderInvoice]:
    result = []
    for mid in move_ids:
        doc = documents.get(mid)
        if doc is None:
            continue
        shared = links.get(mid, 1) or 1
        result.append(OrderInvoice(move_id=mid, name=str(doc.get("name") or ""), date=to_date(doc.get("invoice_date")),
                                   amount=round(number(doc.get("amount_total_signed")) / shared, 2),
                                   state=word(doc.get("state") or "posted")))
    return result


def _purchase_remaining(client: OdooClient, company_id: int, partner_id: int | None = None) -> dict[int, float]:
    """Amount still to bill per open purchase order (tax included, order currency), from its lines."""
    domain: list[Any] = [("order_id.company_id", "=", company_id),
                         ("order_id.state", "in", client.confirmed_states("purchase.order")),
                         ("order_id.invoice_status", "!=", "invoiced")]
    if partner_id is not None:
        domain.append(("order_id.partner_id", "=", partner_id))
    fields = client.pick("purchase.order.line", ["order_id", "product_qty", "qty_invoiced", "price_total",
                                                 "display_type"])
    lines = client.search_read("purchase.order.line", domain, fields, order="id")
    remaining: dict[int, float] = defaultdict(float)
    for line in lines:
        qty = number(line.get("product_qty"))
        if line.get("display_type") or qty <= 0:
            continue
        left = max(qty - number(line.get("qty_invoiced")), 0.0)
        remaining[m2o_id(line["order_id"]) or 0] += number(line.get("price_total")) * left / qty
    return dict(remaining)
