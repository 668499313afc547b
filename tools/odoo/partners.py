"""Partners (customers, vendors) with their payment terms, and the payment terms themselves."""

from __future__ import annotations

from typing import Any

from tools.odoo.client import OdooClient
from tools.odoo.records import Partner, PaymentTerm, PaymentTermLine


def _id(value: Any) -> int | None:
    return int(value[0]) if isinstance(value, list) and value else None


def read_partners(client: OdooClient) -> list[Partner]:
    fields = client.pick("res.partner", ["name", "customer_rank", "supplier_rank", "property_payment_term_id",
                                         "property_supplier_payment_term_id", "credit_limit"])
    rows = client.search_read("res.partner", [("parent_id", "=", False), "|", ("customer_rank", ">", 0),
                                              ("supplier_rank", ">", 0)], fields, order="id")
    return [Partner(id=r["id"], name=r["name"] or f"Partner {r['id']}", is_customer=(r.get("customer_rank") or 0) > 0,
                    is_vendor=(r.get("supplier_rank") or 0) > 0,
                    customer_term_id=_id(r.get("property_payment_term_id")),
                    vendor_term_id=_id(r.get("property_supplier_payment_term_id")),
                    credit_limit=float(r["credit_limit"]) if r.get("credit_limit") else None) for r in rows]


def read_payment_terms(client: OdooClient) -> list[PaymentTerm]:
    terms = client.search_read("account.payment.term", [], ["name"], order="sequence, id")
    line_fields = client.pick("account.payment.term.line", [
        "payment_id", "value", "value_amount", "nb_days", "delay_type", "days_next_month",
        "days", "months", "end_month", "days_after"])  # the last four are Odoo 16's
    lines = client.search_read("account.payment.term.line", [], line_fields, order="id")
    by_term: dict[int, list[PaymentTermLine]] = {}
    for line in lines:
        by_term.setdefault(_id(line["payment_id"]) or 0, []).append(_line(line))
    return [PaymentTerm(id=t["id"], name=t["name"], lines=by_term.get(t["id"], [])) for t in terms]


def _line(row: dict[str, Any]) -> PaymentTermLine:
    value = row.get("value") or "percent"
    amount = float(row.get("value_amount") or 0.0)
    if value == "balance":
        amount = 100.0
    if "nb_days" in row:
        days_next = row.get("days_next_month")
        return PaymentTermLine(value=value, value_amount=amount, nb_days=int(row.get("nb_days") or 0),
                               delay_type=row.get("delay_type") or "days_after",
                               days_next_month=int(days_next) if str(days_next or "").isdigit() else None)
    # Odoo 16: months + days, optionally to the end of the month, then days after
    days = int(row.get("days") or 0) + 30 * int(row.get("months") or 0)
    if row.get("end_month"):
        return PaymentTermLine(value=value, value_amount=amount, nb_days=int(row.get("days_after") or 0),
                               delay_type="days_after_end_of_next_month" if days >= 30 else "days_after_end_of_month")
    return PaymentTermLine(value=value, value_amount=amount, nb_days=days, delay_type="days_after")
