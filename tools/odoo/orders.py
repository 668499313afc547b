"""Sale and purchase orders: confirmed, with what has been invoiced (billed) and what remains."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from tools.odoo.client import OdooClient
from tools.odoo.errors import OdooNotFound
from tools.odoo.records import Order, OrderInvoice, RecordRef


def _id(value: Any) -> int | None:
    return int(value[0]) if isinstance(value, list) and value else None


def _name(value: Any) -> str:
    return str(value[1]) if isinstance(value, list) and len(value) > 1 else ""


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def _confirmed_states(kind: str) -> list[str]:
    # Odoo 16 locks orders with state 'done'; 17+ keeps 'sale' and sets the `locked` flag
    return ["purchase", "done"] if kind == "purchase" else ["sale", "done"]


def read_orders(client: OdooClient, company_id: int, start: dt.date,
                documents: dict[int, dict[str, Any]]) -> tuple[list[Order], list[str]]:
    """Open orders plus the orders of the history window (cancelled ones too, for invoicing rates)."""
    orders: list[Order] = []
    warnings: list[str] = []
    for kind, model in (("sale", "sale.order"), ("purchase", "purchase.order")):
        if not client.has_model(model):
            warnings.append(f"{model} is not available on this Odoo (module {kind} not installed): "
                            f"no {kind} orders in the forecast")
            continue
        try:
            orders.extend(_read(client, kind, model, company_id, start, documents))
        except OdooNotFound:
            warnings.append(f"{model} could not be read: no {kind} orders in the forecast")
    return orders, warnings


def _read(client: OdooClient, kind: str, model: str, company_id: int, start: dt.date,
          documents: dict[int, dict[str, Any]]) -> list[Order]:
    expected = "commitment_date" if kind == "sale" else "date_planned"
    fields = client.pick(model, ["name", "state", "locked", "partner_id", "date_order", "date_approve", expected,
                                 "amount_total", "amount_to_invoice", "invoice_status", "payment_term_id",
                                 "currency_id", "currency_rate", "invoice_ids"])
    states = [*_confirmed_states(kind), "cancel"]
    rows = client.search_read(model, [
        ("company_id", "=", company_id), ("state", "in", states), "|",
        ("date_order", ">=", start.isoformat()), ("invoice_status", "!=", "invoiced")], fields, order="id")
    remaining = _purchase_remaining(client, rows) if kind == "purchase" else {}
    sign = 1.0 if kind == "sale" else -1.0
    links: dict[int, int] = defaultdict(int)
    for row in rows:
        for mid in row.get("invoice_ids") or []:
            links[mid] += 1
    result = []
    for row in rows:
        date_order = _date(row["date_order"])
        if date_order is None or (row["state"] == "cancel" and date_order < start):
            continue
        rate = float(row.get("currency_rate") or 1.0) or 1.0
        total = sign * float(row["amount_total"] or 0.0) / rate
        invoices = _invoices(row.get("invoice_ids") or [], documents, links, total)
        invoiced = sum(i.amount for i in invoices if i.state == "posted")
        if kind == "sale" and "amount_to_invoice" in row:
            to_invoice = sign * float(row["amount_to_invoice"] or 0.0) / rate
        elif kind == "purchase":
            to_invoice = sign * remaining.get(row["id"], 0.0) / rate
        else:
            to_invoice = total - invoiced
        if row["state"] == "cancel" or row.get("invoice_status") == "invoiced":
            to_invoice = 0.0
        result.append(Order(
            ref=RecordRef(model=model, id=row["id"], name=row["name"]), kind=kind,
            partner_id=_id(row["partner_id"]) or 0, partner_name=_name(row["partner_id"]), state=row["state"],
            locked=bool(row.get("locked")) or row["state"] == "done", date_order=date_order,
            confirmed_on=_date(row.get("date_approve")) or date_order, expected_date=_date(row.get(expected)),
            currency=_name(row.get("currency_id")), amount_total=round(total, 2), amount_invoiced=round(invoiced, 2),
            amount_to_invoice=round(to_invoice, 2), payment_term_id=_id(row.get("payment_term_id")),
            invoice_status=row.get("invoice_status") or None, invoices=invoices))
    return result


def _invoices(move_ids: list[int], documents: dict[int, dict[str, Any]], links: dict[int, int],
              order_total: float) -> list[OrderInvoice]:
    result = []
    for mid in move_ids:
        doc = documents.get(mid)
        if doc is None:
            continue
        amount = float(doc.get("amount_total_signed") or 0.0)
        shared = links.get(mid, 1)
        result.append(OrderInvoice(move_id=mid, name=str(doc.get("name") or ""), date=_date(doc.get("invoice_date")),
                                   amount=round(amount / shared, 2), state=str(doc.get("state") or "posted")))
    return result


def _purchase_remaining(client: OdooClient, rows: list[dict[str, Any]]) -> dict[int, float]:
    """Amount still to bill per purchase order (tax included), from its lines."""
    open_ids = [r["id"] for r in rows if r["state"] != "cancel" and r.get("invoice_status") != "invoiced"]
    if not open_ids:
        return {}
    lines = client.search_read("purchase.order.line", [("order_id", "in", open_ids)],
                               client.pick("purchase.order.line", ["order_id", "product_qty", "qty_invoiced",
                                                                   "price_total", "display_type"]), order="id")
    remaining: dict[int, float] = defaultdict(float)
    for line in lines:
        qty = float(line.get("product_qty") or 0.0)
        if line.get("display_type") or qty <= 0:
            continue
        left = max(qty - float(line.get("qty_invoiced") or 0.0), 0.0)
        remaining[_id(line["order_id"]) or 0] += float(line.get("price_total") or 0.0) * left / qty
    return dict(remaining)
