"""Company context: the company, its currency, bank journals with balances, active currencies with rates."""

from __future__ import annotations

from dataclasses import dataclass

from tools.odoo.client import OdooClient
from tools.odoo.records import BankJournal, Company, CompanyContext, CurrencyRate
from tools.odoo.values import m2o_id, m2o_name, to_date


@dataclass(frozen=True)
class AccountsOfInterest:
    """Accounts the data layer classifies bank flows with."""

    bank: frozenset[int]
    outstanding: frozenset[int]
    suspense: frozenset[int]


OUTSTANDING_FIELDS = ("account_journal_payment_debit_account_id", "account_journal_payment_credit_account_id")


def read_company(client: OdooClient) -> tuple[Company, dict[str, object]]:
    fields = client.pick("res.company", ["name", "currency_id", "account_journal_payment_debit_account_id",
                                         "account_journal_payment_credit_account_id",
                                         "account_journal_suspense_account_id"])
    row = client.read("res.company", [client.company_id], fields)[0]
    currency = row["currency_id"]
    return Company(id=row["id"], name=row["name"], currency=currency[1], currency_id=currency[0]), row


def company_context(client: OdooClient) -> tuple[CompanyContext, AccountsOfInterest]:
    """Read who we are and where the money is, in four calls (plus the accounts that classify bank lines)."""
    company, company_row = read_company(client)
    journals = client.search_read(
        "account.journal", [("type", "=", "bank"), ("company_id", "=", company.id)],
        client.pick("account.journal", ["name", "code", "currency_id", "default_account_id", "suspense_account_id"]),
        order="sequence, id")
    bank_accounts = [a for j in journals if (a := m2o_id(j.get("default_account_id")))]
    balances: dict[int, tuple[float, float]] = {}
    if bank_accounts:
        groups = client.read_group(
            "account.move.line",
            [("account_id", "in", bank_accounts), ("parent_state", "=", "posted"), ("company_id", "=", company.id)],
            ["balance:sum", "amount_currency:sum"], ["account_id"])
        balances = {g["account_id"][0]: (float(g["balance"] or 0.0), float(g.get("amount_currency") or 0.0))
                    for g in groups if g["account_id"]}
    bank = []
    for j in journals:
        account = m2o_id(j.get("default_account_id"))
        currency = m2o_name(j.get("currency_id")) or company.currency
        balance, in_currency = balances.get(account or 0, (0.0, 0.0))
        bank.append(BankJournal(id=j["id"], name=j["name"], code=j["code"], currency=currency, account_id=account,
                                balance=round(balance, 2),
                                balance_currency=round(in_currency, 2) if currency != company.currency else None))
    # rate and date are computed for the company in the context (allowed_company_ids) and today
    currencies = client.search_read("res.currency", [("active", "=", True)], ["name", "rate", "date"], order="name")
    rates = [CurrencyRate(currency=c["name"], currency_id=c["id"], rate=float(c["rate"] or 1.0),
                          date=to_date(c.get("date"))) for c in currencies]
    suspense = {a for j in journals if (a := m2o_id(j.get("suspense_account_id")))}
    if (s := m2o_id(company_row.get("account_journal_suspense_account_id"))) is not None:
        suspense.add(s)
    outstanding = {a for key in OUTSTANDING_FIELDS if (a := m2o_id(company_row.get(key))) is not None}
    spec = client.spec
    context = CompanyContext(url=spec.url, database=spec.database, user=spec.login,
                             server_version=client.server_version, company=company, bank_journals=bank,
                             currencies=rates)
    return context, AccountsOfInterest(frozenset(bank_accounts), frozenset(outstanding), frozenset(suspense))


def read_company_context(client: OdooClient) -> CompanyContext:
    """The company, its currency, bank journals with their balance, and active currencies with rates."""
    return company_context(client)[0]


def currency_rates(client: OdooClient) -> dict[str, float]:
    """Today's rate of every active currency: units per unit of company currency (one call)."""
    rows = client.search_read("res.currency", [("active", "=", True)], ["name", "rate"], order="name")
    return {str(r["name"]): float(r["rate"] or 1.0) for r in rows}
