"""The data inventory behind ``cashflow status``: what this Odoo holds for a cash forecast, from aggregates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from tools.odoo.client import OdooClient
from tools.odoo.context import company_context

CUSTOMER_TYPES = ["out_invoice", "out_refund"]
VENDOR_TYPES = ["in_invoice", "in_refund"]
OPEN_STATES = ["not_paid", "partial"]


class OdooInfo(BaseModel):
    url: str
    database: str
    version: str
    user: str


class CompanyInfo(BaseModel):
    name: str
    currency: str


class JournalInfo(BaseModel):
    name: str
    code: str
    balance: float


class BankInfo(BaseModel):
    balance: float
    journals: list[JournalInfo]


class OpenItems(BaseModel):
    open_count: int
    open_amount: float
    overdue_amount: float


class OpenOrders(BaseModel):
    open_count: int
    to_invoice_amount: float


class History(BaseModel):
    first_date: dt.date | None
    last_date: dt.date | None
    paid_invoices: int


class Inventory(BaseModel):
    """``cashflow status --json``."""

    odoo: OdooInfo
    company: CompanyInfo
    bank: BankInfo
    receivables: OpenItems
    payables: OpenItems
    sales_orders: OpenOrders | None
    purchase_orders: OpenOrders | None
    history: History
    rpc_calls: int
    warnings: list[str] = []


def _sum(groups: list[dict[str, Any]], key: str) -> float:
    return float(sum(g.get(key) or 0.0 for g in groups))


def inventory(client: OdooClient, *, as_of: dt.date) -> Inventory:
    context, _ = company_context(client)
    company = context.company.id
    warnings: list[str] = []
    docs = client.read_group("account.move", [
        ("move_type", "in", CUSTOMER_TYPES + VENDOR_TYPES), ("state", "=", "posted"), ("company_id", "=", company)],
        ["amount_residual_signed:sum"], ["move_type", "payment_state"])

    def open_items(types: list[str], account_type: str, sign: float) -> OpenItems:
        rows = [g for g in docs if g["move_type"] in types and g["payment_state"] in OPEN_STATES]
        overdue = client.read_group("account.move.line", [
            ("account_type", "=", account_type), ("parent_state", "=", "posted"), ("reconciled", "=", False),
            ("move_id.move_type", "in", types), ("date_maturity", "<", as_of.isoformat()),
            ("company_id", "=", company)], ["amount_residual:sum"], [])
        return OpenItems(open_count=sum(int(g["__count"]) for g in rows),
                         open_amount=round(sign * _sum(rows, "amount_residual_signed"), 2),
                         overdue_amount=round(sign * _sum(overdue, "amount_residual"), 2))

    paid = sum(int(g["__count"]) for g in docs
               if g["move_type"] in ("out_invoice", "in_invoice") and g["payment_state"] in ("paid", "in_payment"))
    span = [client.search_read("account.move", [("move_type", "in", CUSTOMER_TYPES + VENDOR_TYPES),
                                                ("state", "=", "posted"), ("company_id", "=", company)],
                               ["invoice_date"], order=f"invoice_date {direction}, id", limit=1)
            for direction in ("asc", "desc")]
    first, last = ((dt.date.fromisoformat(rows[0]["invoice_date"]) if rows and rows[0]["invoice_date"] else None)
                   for rows in span)
    sales = purchases = None
    if client.has_model("sale.order"):
        groups = client.read_group("sale.order", [("state", "in", ["sale", "done"]),
                                                  ("invoice_status", "!=", "invoiced"), ("company_id", "=", company)],
                                   ["amount_to_invoice:sum"], [])
        sales = OpenOrders(open_count=sum(int(g["__count"]) for g in groups),
                           to_invoice_amount=round(_sum(groups, "amount_to_invoice"), 2))
    else:
        warnings.append("sale is not installed: no sales orders")
    if client.has_model("purchase.order"):
        lines = client.search_read("purchase.order.line", [
            ("order_id.state", "in", ["purchase", "done"]), ("order_id.invoice_status", "!=", "invoiced"),
            ("company_id", "=", company)], ["order_id", "product_qty", "qty_invoiced", "price_total"], order="id")
        remaining: dict[int, float] = {}
        for line in lines:
            qty = float(line["product_qty"] or 0.0)
            if qty > 0:
                left = max(qty - float(line["qty_invoiced"] or 0.0), 0.0)
                key = line["order_id"][0]
                remaining[key] = remaining.get(key, 0.0) + float(line["price_total"] or 0.0) * left / qty
        purchases = OpenOrders(open_count=len(remaining), to_invoice_amount=round(sum(remaining.values()), 2))
    else:
        warnings.append("purchase is not installed: no purchase orders")
    return Inventory(
        odoo=OdooInfo(url=context.url, database=context.database, version=context.server_version, user=context.user),
        company=CompanyInfo(name=context.company.name, currency=context.company.currency),
        bank=BankInfo(balance=context.bank_balance,
                      journals=[JournalInfo(name=j.name, code=j.code, balance=j.balance)
                                for j in context.bank_journals]),
        receivables=open_items(CUSTOMER_TYPES, "asset_receivable", 1.0),
        payables=open_items(VENDOR_TYPES, "liability_payable", -1.0),
        sales_orders=sales, purchase_orders=purchases,
        history=History(first_date=first, last_date=last, paid_invoices=paid),
        rpc_calls=client.calls, warnings=warnings)
