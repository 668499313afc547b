"""The data inventory behind ``cashflow status``: what this Odoo holds for a cash forecast, from aggregates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from tools.odoo.client import OdooClient
from tools.odoo.context import company_context
from tools.odoo.orders import MODELS, ORDER_KINDS, OrderKind, missing_module_warning, read_open_orders
from tools.odoo.values import to_date

CUSTOMER_TYPES = ["out_invoice", "out_refund"]
VENDOR_TYPES = ["in_invoice", "in_refund"]


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
    open_count: int = Field(description="Posted invoices/bills and credit notes with an amount still open")
    open_amount: float = Field(description="What is still open, net of open credit notes, company currency")
    overdue_amount: float = Field(description="Part of it due before today (installment due dates)")


class OpenOrders(BaseModel):
    open_count: int = Field(description="Confirmed orders not fully invoiced (billed)")
    to_invoice_amount: float = Field(description="Amount still to invoice (bill), tax included, company currency")


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


def _count(groups: list[dict[str, Any]]) -> int:
    return sum(int(g.get("__count") or 0) for g in groups)


def _open_items(client: OdooClient, company: int, as_of: dt.date, types: list[str], account_type: str,
                sign: float) -> OpenItems:
    """Counts and amounts from Odoo's own company-currency figures (amount_residual_signed, amount_residual)."""
    docs = client.read_group("account.move", [
        ("move_type", "in", types), ("state", "=", "posted"), ("company_id", "=", company),
        ("amount_residual", "!=", 0.0)], ["amount_residual_signed:sum"], ["move_type"])
    overdue = client.read_group("account.move.line", [
        ("account_type", "=", account_type), ("parent_state", "=", "posted"), ("reconciled", "=", False),
        ("move_type", "in", types), ("date_maturity", "<", as_of.isoformat()), ("company_id", "=", company)],
        ["amount_residual:sum"], [])
    return OpenItems(open_count=_count(docs), open_amount=round(sign * _sum(docs, "amount_residual_signed"), 2),
                     overdue_amount=round(sign * _sum(overdue, "amount_residual"), 2))


def _history(client: OdooClient, company: int) -> History:
    domain = [("move_type", "in", CUSTOMER_TYPES + VENDOR_TYPES), ("state", "=", "posted"),
              ("company_id", "=", company), ("invoice_date", "!=", False)]
    first, last = (client.search_read("account.move", domain, ["invoice_date"], order=f"invoice_date {way}, id",
                                      limit=1) for way in ("asc", "desc"))
    paid = client.search_count("account.move", [
        ("move_type", "in", ["out_invoice", "in_invoice"]), ("state", "=", "posted"), ("company_id", "=", company),
        ("payment_state", "in", ["paid", "in_payment"])])
    return History(first_date=to_date(first[0]["invoice_date"]) if first else None,
                   last_date=to_date(last[0]["invoice_date"]) if last else None, paid_invoices=paid)


def _orders(client: OdooClient, company: int, kind: OrderKind, rates: dict[str, float]) -> OpenOrders:
    orders = read_open_orders(client, company, kind, rates=rates)
    return OpenOrders(open_count=len(orders), to_invoice_amount=round(abs(sum(o.amount_to_invoice for o in orders)),
                                                                        2))


def inventory(client: OdooClient, *, as_of: dt.date) -> Inventory:
    """What this Odoo holds for a cash forecast, from aggregates and the few open orders (about 18 calls)."""
    context, _ = company_context(client)
    company = context.company.id
    warnings: list[str] = []
    orders: dict[OrderKind, OpenOrders | None] = {}
    for kind in ORDER_KINDS:
        if client.has_model(MODELS[kind]):
            orders[kind] = _orders(client, company, kind, {c.currency: c.rate for c in context.currencies})
        else:
            orders[kind] = None
            warnings.append(missing_module_warning(kind))
    if not context.bank_journals:
        warnings.append("this company has no bank journal: the forecast cannot start from a bank balance")
    return Inventory(
        odoo=OdooInfo(url=context.url, database=context.database, version=context.server_version, user=context.user),
        company=CompanyInfo(name=context.company.name, currency=context.company.currency),
        bank=BankInfo(balance=context.bank_balance,
                      journals=[JournalInfo(name=j.name, code=j.code, balance=j.balance)
                                for j in context.bank_journals]),
        receivables=_open_items(client, company, as_of, CUSTOMER_TYPES, "asset_receivable", 1.0),
        payables=_open_items(client, company, as_of, VENDOR_TYPES, "liability_payable", -1.0),
        sales_orders=orders["sale"], purchase_orders=orders["purchase"],
        history=_history(client, company),
        rpc_calls=client.calls, warnings=warnings)
