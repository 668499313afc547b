"""The typed read tools: one function per question, a pydantic input model where it takes parameters.

Each tool reads the current company of a connected :class:`OdooClient` in a
fixed number of (paged) calls and returns typed records (``tools.odoo.records``)
signed from the company's cash point of view, in company currency. These are
what the agent exposes to the language model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.odoo.bank import outstanding_accounts, read_bank_transactions
from tools.odoo.client import OdooClient
from tools.odoo.context import company_context, read_company_context
from tools.odoo.extract import months_before
from tools.odoo.ledger import payment_history, read_ledger, read_open_installments
from tools.odoo.orders import ORDER_KINDS, OrderKind, read_open_orders
from tools.odoo.partners import read_partners
from tools.odoo.quality import data_quality
from tools.odoo.records import (
    BankTransaction,
    CompanyContext,
    DataQualityIssue,
    Kind,
    OpenItem,
    Order,
    Partner,
    PaymentRecord,
)

__all__ = [
    "BankTransactionsQuery", "DataQualityQuery", "OpenItemsQuery", "OpenOrdersQuery", "PartnersQuery",
    "PaymentHistoryQuery", "bank_transactions", "company", "data_quality_report", "open_items", "open_orders",
    "partners", "payment_history_of",
]


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenItemsQuery(Query):
    as_of: dt.date = Field(description="The day overdue days are counted to (usually today)")
    kind: Kind | None = Field(default=None, description="receivable, payable, or both when empty")
    partner_id: int | None = Field(default=None, description="Only this partner's items")
    overdue_only: bool = Field(default=False, description="Only items due before as_of")


class PaymentHistoryQuery(Query):
    as_of: dt.date = Field(description="End of the window (usually today)")
    months: int = Field(default=24, ge=1, le=120, description="Length of the window, in months")
    kind: Kind | None = Field(default=None, description="receivable (customers paying us), payable, or both")
    partner_id: int | None = Field(default=None, description="Only this partner's payments")


class OpenOrdersQuery(Query):
    kind: Literal["sale", "purchase"] | None = Field(default=None, description="sale, purchase, or both")
    partner_id: int | None = None


class BankTransactionsQuery(Query):
    date_from: dt.date
    date_to: dt.date | None = None
    journal_id: int | None = Field(default=None, description="One bank journal; all of the company's when empty")
    matched: Literal["document", "other", "unreconciled"] | None = Field(
        default=None, description="document = settles an invoice/bill; other = no document (payroll, rent, ...); "
                                  "unreconciled = not reconciled yet")


class PartnersQuery(Query):
    customers: bool = True
    vendors: bool = True


class DataQualityQuery(Query):
    as_of: dt.date
    stale_days: int = Field(default=30, ge=0, le=3650, description="Bank lines unreconciled for longer are flagged")


def company(client: OdooClient) -> CompanyContext:
    """Company, currency, bank journals with Odoo's balance of their bank account, active currencies with rates."""
    return read_company_context(client)


def open_items(client: OdooClient, query: OpenItemsQuery) -> list[OpenItem]:
    """Open receivable/payable installments of posted invoices, bills and credit notes, earliest due first."""
    kinds: tuple[Kind, ...] = (query.kind,) if query.kind else ("receivable", "payable")
    items = read_open_installments(client, client.company_id, query.as_of, kinds=kinds, partner_id=query.partner_id)
    return [i for i in items if i.overdue_days > 0] if query.overdue_only else items


def payment_history_of(client: OdooClient, query: PaymentHistoryQuery) -> list[PaymentRecord]:
    """Every (partial) cash payment of an invoice or bill in the window, with its due date and days late."""
    start = months_before(query.as_of, query.months)
    ledger = read_ledger(client, client.company_id, start, partner_id=query.partner_id)
    rows = payment_history(ledger.installments, since=start, until=query.as_of, partner_id=query.partner_id)
    return [r for r in rows if query.kind is None or r.kind == query.kind]


def open_orders(client: OdooClient, query: OpenOrdersQuery) -> list[Order]:
    """Confirmed sale/purchase orders with an amount still to invoice/bill (none without the module)."""
    kinds: tuple[OrderKind, ...] = (query.kind,) if query.kind else ORDER_KINDS
    return [o for kind in kinds for o in read_open_orders(client, client.company_id, kind, query.partner_id)]


def bank_transactions(client: OdooClient, query: BankTransactionsQuery) -> list[BankTransaction]:
    """Bank statement lines in a date range, each saying whether it settles a document or not."""
    context, accounts = company_context(client)
    journals = [j for j in context.bank_journals if query.journal_id in (None, j.id)]
    accounts = replace(accounts, outstanding=accounts.outstanding | outstanding_accounts(client, client.company_id))
    rows = read_bank_transactions(client, client.company_id, query.date_from, accounts, journals,
                                  until=query.date_to, company_currency=context.company.currency)
    return [t for t in rows if query.matched in (None, t.matched)]


def partners(client: OdooClient, query: PartnersQuery | None = None) -> list[Partner]:
    """Customers and vendors with their default payment terms and credit limit."""
    query = query or PartnersQuery()
    return read_partners(client, customers=query.customers, vendors=query.vendors)


def data_quality_report(client: OdooClient, query: DataQualityQuery) -> list[DataQualityIssue]:
    """What would make a forecast less trustworthy, most severe first, each with what to fix."""
    context = read_company_context(client)
    items = read_open_installments(client, client.company_id, query.as_of)
    orders = [o for kind in ORDER_KINDS for o in read_open_orders(client, client.company_id, kind)]
    return data_quality(client, as_of=query.as_of, context=context, partners=read_partners(client),
                        installments=items, orders=orders, stale_days=query.stale_days)
