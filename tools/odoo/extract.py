"""One extraction of everything a forecast needs, in a fixed number of (paged) calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from tools.odoo.bank import read_bank_transactions
from tools.odoo.client import OdooClient
from tools.odoo.context import company_context
from tools.odoo.ledger import read_ledger
from tools.odoo.orders import read_orders
from tools.odoo.partners import read_partners, read_payment_terms
from tools.odoo.quality import data_quality
from tools.odoo.records import Snapshot

Progress = Callable[[str, float], None]


def months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 - months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def extract_snapshot(client: OdooClient, *, as_of: dt.date, history_months: int = 24,
                     progress: Progress | None = None) -> Snapshot:
    """Read the company's ledger, orders and bank since ``history_months`` before ``as_of``."""
    step = progress or (lambda label, fraction: None)
    start_calls = client.calls
    start = months_before(as_of, history_months)
    step("company and bank", 0.0)
    context, accounts = company_context(client)
    step("partners and payment terms", 0.1)
    partners = read_partners(client)
    terms = read_payment_terms(client)
    step("invoices, bills and payments", 0.2)
    ledger = read_ledger(client, context.company.id, start)
    step("sale and purchase orders", 0.6)
    rates = {c.currency: c.rate for c in context.currencies}
    orders, warnings = read_orders(client, context.company.id, start, ledger.documents, rates)
    step("bank transactions", 0.75)
    accounts = replace(accounts, outstanding=accounts.outstanding | ledger.outstanding_accounts)
    bank = read_bank_transactions(client, context.company.id, start, accounts, context.bank_journals,
                                  company_currency=context.company.currency, with_unreconciled=True)
    step("data quality", 0.9)
    quality = data_quality(client, as_of=as_of, context=context, partners=partners,
                           installments=ledger.installments, orders=orders, bank=bank)
    bank = [t for t in bank if t.date >= start]  # older unreconciled lines only served the quality report
    if not context.bank_journals:
        warnings.append("this company has no bank journal: the forecast cannot start from a bank balance")
    step("done", 1.0)
    return Snapshot(as_of=as_of, history_start=start, context=context, partners=partners, payment_terms=terms,
                    installments=ledger.installments, orders=orders, bank_transactions=bank,
                    payments=ledger.payments, quality=quality, warnings=warnings,
                    rpc_calls=client.calls - start_calls)
