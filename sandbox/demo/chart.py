"""Reference data of the demo databases: countries, currencies and rates, companies, charts of
accounts, journals and payment terms.

:func:`create_books` writes one company with its accounts and journals and returns a :class:`Books`
telling later steps which ids to use.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field

from sandbox.demo.dates import iso, stamp
from sandbox.demo.loader import Loader

USD, EUR, GBP = 1, 2, 3

COUNTRIES = (
    ("US", "United States", USD), ("BE", "Belgium", EUR), ("DE", "Germany", EUR), ("FR", "France", EUR),
    ("GB", "United Kingdom", GBP), ("NL", "Netherlands", EUR), ("CA", "Canada", None),
)
CURRENCIES = (
    (USD, "USD", "$", "United States dollar", "before", "Dollars", "Cents"),
    (EUR, "EUR", "€", "Euro", "after", "Euros", "Cents"),
    (GBP, "GBP", "£", "Pound Sterling", "before", "Pounds", "Pence"),
)
ACCOUNTS = (
    ("101000", "Capital", "equity", False),
    ("101401", "Bank", "asset_cash", False),
    ("101402", "Bank Suspense Account", "asset_current", False),
    ("101403", "Outstanding Receipts", "asset_current", True),
    ("101404", "Outstanding Payments", "asset_current", True),
    ("101405", "Savings Account", "asset_cash", False),
    ("121000", "Account Receivable", "asset_receivable", True),
    ("131000", "Tax Paid", "asset_current", False),
    ("150000", "Equipment", "asset_fixed", False),
    ("170000", "Bank Loan", "liability_non_current", False),
    ("211000", "Account Payable", "liability_payable", True),
    ("251000", "Tax Received", "liability_current", False),
    ("252000", "Payroll Liabilities", "liability_current", False),
    ("400000", "Product Sales", "income", False),
    ("441000", "Foreign Exchange Gain", "income_other", False),
    ("600000", "Cost of Goods Sold", "expense_direct_cost", False),
    ("610000", "Operating Expenses", "expense", False),
    ("620000", "Salaries and Wages", "expense", False),
    ("630000", "Rent", "expense", False),
    ("640000", "Bank Fees", "expense", False),
    ("641000", "Foreign Exchange Loss", "expense", False),
    ("650000", "Interest Income", "income_other", False),
    ("999999", "Undistributed Profits/Losses", "equity_unaffected", False),
)
JOURNALS = (
    # code, name, type, default account, sequence
    ("INV", "Customer Invoices", "sale", "400000", 5),
    ("BILL", "Vendor Bills", "purchase", "600000", 6),
    ("MISC", "Miscellaneous Operations", "general", None, 7),
    ("EXCH", "Exchange Difference", "general", None, 9),
    ("BNK1", "Bank", "bank", "101401", 10),
    ("BNK2", "Savings", "bank", "101405", 11),
)


@dataclass(frozen=True)
class Term:
    """A payment term: (percent, nb_days, delay_type) per installment."""

    id: int
    name: str
    lines: tuple[tuple[float, int, str], ...]


TERMS = (
    Term(1, "Immediate Payment", ((100.0, 0, "days_after"),)),
    Term(2, "15 Days", ((100.0, 15, "days_after"),)),
    Term(3, "30 Days", ((100.0, 30, "days_after"),)),
    Term(4, "45 Days", ((100.0, 45, "days_after"),)),
    Term(5, "End of Following Month", ((100.0, 0, "days_after_end_of_next_month"),)),
    Term(6, "50% 30 Days, 50% 60 Days", ((50.0, 30, "days_after"), (50.0, 60, "days_after"))),
    Term(7, "60 Days", ((100.0, 60, "days_after"),)),
)
TERM_BY_ID = {t.id: t for t in TERMS}


@dataclass
class Rates:
    """Daily currency rates (units of currency per unit of company currency), as res.currency.rate."""

    by_currency: dict[int, tuple[list[dt.date], list[float]]] = field(default_factory=dict)

    def rate(self, currency_id: int, company_currency_id: int, day: dt.date) -> float:
        """The rate in force on ``day``; 1.0 for the company currency or a currency without rates."""
        if currency_id == company_currency_id or currency_id not in self.by_currency:
            return 1.0
        dates, values = self.by_currency[currency_id]
        i = bisect.bisect_right(dates, day) - 1
        return values[max(i, 0)]


@dataclass
class Books:
    """Ids of one company's ledger: accounts by code, journals by code."""

    company_id: int
    currency_id: int
    partner_id: int
    start: dt.date
    account: dict[str, int]
    journal: dict[str, int]
    name: str


def create_reference_data(loader: Loader, rng: random.Random, start: dt.date, end: dt.date) -> Rates:
    """Countries, currencies and EUR rates (GBP deliberately has none) from ``start`` to ``end``."""
    for cid, name, symbol, full, position, unit, sub in CURRENCIES:
        loader.add("res.currency", {
            "name": name, "symbol": symbol, "full_name": full, "active": True, "decimal_places": 2,
            "rounding": 0.01, "position": position, "currency_unit_label": unit, "currency_subunit_label": sub,
            "create_uid": 2, "write_uid": 2,
        }, rid=cid)
    for code, name, currency in COUNTRIES:
        loader.add("res.country", {"name": name, "code": code, "currency_id": currency})
    dates: list[dt.date] = []
    values: list[float] = []
    rate = 0.905
    day = start
    while day <= end:
        if day.weekday() < 5:
            rate = min(max(rate * (1 + rng.gauss(0, 0.0035)) + (0.92 - rate) * 0.01, 0.84), 0.99)
            dates.append(day)
            values.append(round(rate, 6))
            loader.add("res.currency.rate", {
                "name": iso(day), "rate": values[-1], "currency_id": EUR, "company_id": 1,
                "create_date": stamp(day, 60), "write_date": stamp(day, 60), "create_uid": 2, "write_uid": 2,
            })
        day += dt.timedelta(days=1)
    return Rates({EUR: (dates, values)})


def create_terms(loader: Loader) -> None:
    for seq, term in enumerate(TERMS, start=1):
        loader.add("account.payment.term", {
            "name": term.name, "active": True, "sequence": seq * 10, "company_id": None,
            "display_on_invoice": len(term.lines) > 1, "early_discount": False,
            "note": f"<p>Payment terms: {term.name}</p>", "create_uid": 2, "write_uid": 2,
        }, rid=term.id)
        for pct, nb_days, delay in term.lines:
            loader.add("account.payment.term.line", {
                "value": "percent", "value_amount": pct, "nb_days": nb_days, "delay_type": delay,
                "payment_id": term.id, "create_uid": 2, "write_uid": 2,
            })


def _group(account_type: str) -> str:
    if account_type.startswith("asset"):
        return "asset"
    if account_type.startswith("liability"):
        return "liability"
    if account_type.startswith("equity"):
        return "equity"
    if account_type.startswith("income"):
        return "income"
    return "expense"


def create_books(loader: Loader, company_id: int, name: str, currency_id: int, country: int,
                 start: dt.date, email: str, city: str) -> Books:
    """One company, its partner, chart of accounts and journals."""
    created = stamp(start, 8 * 60)
    meta = {"create_date": created, "write_date": created, "create_uid": 2, "write_uid": 2}
    partner_id = loader.new_id("res.partner")
    loader.add("res.partner", {
        "name": name, "complete_name": name, "is_company": True, "company_id": company_id,
        "commercial_partner_id": partner_id, "country_id": country, "email": email, "city": city,
        "active": True, "type": "contact", "customer_rank": 0, "supplier_rank": 0, **meta,
    }, rid=partner_id)
    account: dict[str, int] = {}
    for code, acc_name, acc_type, reconcile in ACCOUNTS:
        account[code] = loader.add("account.account", {
            "code": code, "name": acc_name, "account_type": acc_type, "internal_group": _group(acc_type),
            "reconcile": reconcile, "deprecated": False, "company_id": company_id, "currency_id": None, **meta,
        })
    journal: dict[str, int] = {}
    for code, j_name, j_type, default, seq in JOURNALS:
        journal[code] = loader.add("account.journal", {
            "name": j_name, "code": code, "type": j_type, "active": True, "company_id": company_id,
            "currency_id": None, "default_account_id": account[default] if default else None,
            "suspense_account_id": account["101402"] if j_type == "bank" else None, "sequence": seq,
            "show_on_dashboard": code != "EXCH", **meta,
        })
    loader.add("res.company", {
        "name": name, "currency_id": currency_id, "partner_id": partner_id, "parent_id": None,
        "sequence": 10 * company_id, "active": True, "email": email,
        "account_journal_payment_debit_account_id": account["101403"],
        "account_journal_payment_credit_account_id": account["101404"],
        "account_journal_suspense_account_id": account["101402"],
        "fiscalyear_last_day": 31, "fiscalyear_last_month": "12", "account_opening_date": iso(start), **meta,
    }, rid=company_id)
    return Books(company_id, currency_id, partner_id, start, account, journal, name)
