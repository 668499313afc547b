"""Partners (customers, vendors) with their payment terms and credit limit, and the payment terms themselves."""

from __future__ import annotations

from typing import Any, Literal

from tools.odoo.client import OdooClient
from tools.odoo.records import Partner, PaymentTerm, PaymentTermLine
from tools.odoo.values import m2o_id, number


def read_partners(client: OdooClient, *, customers: bool = True, vendors: bool = True) -> list[Partner]:
    """Companies and individuals that are customers or vendors (commercial entities only), in one paged query."""
    fields = client.pick("res.partner", ["name", "customer_rank", "supplier_rank", "property_payment_term_id",
                                         "property_supplier_payment_term_id", "credit_limit", "country_code"])
    ranks: list[Any] = []
    if customers and vendors:
        ranks = ["|", ("customer_rank", ">", 0), ("supplier_rank", ">", 0)]
    elif customers:
        ranks = [("customer_rank", ">", 0)]
    elif vendors:
        ranks = [("supplier_rank", ">", 0)]
    rows = client.search_read("res.partner", [("parent_id", "=", False), *ranks], fields, order="id")
    return [Partner(id=r["id"], name=r["name"] or f"Partner {r['id']}",
                    is_customer=(r.get("customer_rank") or 0) > 0, is_vendor=(r.get("supplier_rank") or 0) > 0,
                    customer_term_id=m2o_id(r.get("property_payment_term_id")),
                    vendor_term_id=m2o_id(r.get("property_supplier_payment_term_id")),
                    credit_limit=number(r["credit_limit"]) if r.get("credit_limit") else None,
                    country_code=r.get("country_code") or None) for r in rows]


def read_payment_terms(client: OdooClient) -> list[PaymentTerm]:
    """Every payment term with its lines, in one query (the lines name their term)."""
    line_fields = client.pick("account.payment.term.line", [
        "payment_id", "value", "value_amount", "nb_days", "delay_type", "days_next_month",
        "days", "months", "end_month", "days_after"])  # the last four are Odoo 16's
    lines = client.search_read("account.payment.term.line", [], line_fields, order="payment_id, id")
    names: dict[int, str] = {}
    by_term: dict[int, list[PaymentTermLine]] = {}
    for line in lines:
        term = m2o_id(line["payment_id"]) or 0
        names[term] = str(line["payment_id"][1]) if isinstance(line["payment_id"], list) else f"Terms {term}"
        by_term.setdefault(term, []).append(_line(line))
    return [PaymentTerm(id=t, name=names[t], lines=by_term[t]) for t in sorted(by_term) if t]


def _line(row: dict[str, Any]) -> PaymentTermLine:
    raw = row.get("value")
    value: Literal["percent", "fixed", "balance"] = raw if raw in ("percent", "fixed", "balance") else "percent"
    amount = number(row.get("value_amount"))
    if value == "balance":
        amount = 100.0
    if "nb_days" in row:
        days_next = row.get("days_next_month")
        return PaymentTermLine(value=value, value_amount=amount, nb_days=int(row.get("nb_days") or 0),
                               delay_type=row.get("delay_type") or "days_after",
                               days_next_month=int(str(days_next)) if str(days_next or "").isdigit() else None)
    # Odoo 16: months + days, optionally to the end of the month, then days after
    days = int(row.get("days") or 0) + 30 * int(row.get("months") or 0)
    if row.get("end_month"):
        return PaymentTermLine(value=value, value_amount=amount, nb_days=int(row.get("days_after") or 0),
                               delay_type="days_after_end_of_next_month" if days >= 30 else "days_after_end_of_month")
    return PaymentTermLine(value=value, value_amount=amount, nb_days=days, delay_type="days_after")
