"""Company context: the company, its currency, bank journals with balances, active currencies with rates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tools.odoo.client import OdooClient
from tools.odoo.records import BankJournal, Company, CompanyContext, CurrencyRate


@dataclass(frozen=True)
class AccountsOfInterest:
    """Accounts the data layer classifies bank flows with."""

    bank: frozenset[int]
    outstanding: frozenset[int]
    suspense: frozenset[int]


def _m2o_id(value: object) -> int | None:
    return int(value[0]) if isinstance(value, list) and value else None


def _m2o_name(value: object) -> str | None:
    return str(value[1]) if isinstance(value, list) and len(value) > 1 else None


def read_company(client: OdooClient) -> tuple[Company, dict[str, object]]:
    fields = client.pick("res.company", ["name", "currency_id", "account_journal_payment_debit_account_id",
                                         "account_journal_payment_credit_account_id",
                                         "account_journal_suspense_account_id"])
    row = client.read("res.company", [client.company_id], fields)[0]
    currency = row["currency_id"]
    return Company(id=row["id"], name=row["name"], currency=currency[1], currency_id=currency[0]), row


def company_context(client: OdooClient) -> tuple[CompanyContext, AccountsOfInterest]:
    """Read who we are and where the money is, in four calls."""
    company, company_row = read_company(client)
    journals = client.search_read(
        "account.journal", [("type", "=", "bank"), ("company_id", "=", company.id)],
        client.pick("account.journal", ["name", "code", "currency_id", "default_account_id", "suspense_account_id"]),
        order="sequence, id")
    bank_accounts = [a for j in journals if (a := _m2o_id(j.get("default_account_id")))]
    balances: dict[int, float] = {}
    if bank_accounts:
        groups = client.read_group(
            "account.move.line",
            [("account_id", "in", bank_accounts), ("parent_state", "=", "posted"), ("company_id", "=", company.id)],
            ["balance:sum"], ["account_id"])
        balances = {g["account_id"][0]: float(g["balance"] or 0.0) for g in groups if g["account_id"]}
    bank = [
        BankJournal(id=j["id"], name=j["name"], code=j["code"],
                    currency=_m2o_name(j.get("currency_id")) or company.currency,
                    account_id=_m2o_id(j.get("default_account_id")),
                    balance=round(balances.get(_m2o_id(j.get("default_account_id")) or 0, 0.0), 2))
        for j in journals
    ]
    currencies = client.search_read("res.currency", [("active", "=", True)], ["name", "rate", "date"], order="name")
    rates = [CurrencyRate(currency=c["name"], currency_id=c["id"], rate=float(c["rate"] or 1.0),
                          date=dt.date.fromisoformat(c["date"]) if c.get("date") else None) for c in currencies]
    suspense = {a for j in journals if (a := _m2o_id(j.get("suspense_account_id")))}
    if (s := _m2o_id(company_row.get("account_journal_suspense_account_id"))) is not None:
        suspense.add(s)
    outstanding = {a for key in ("account_journal_payment_debit_account_id", "account_journal_payment_credit_account_id")
                   if (a := _m2o_id(company_row.get(key))) is not None}
    spec = client.spec
    context = CompanyContext(url=spec.url, database=spec.database, user=spec.login,
                             server_version=client.server_version, company=company, bank_journals=bank,
                             currencies=rates)
    return context, AccountsOfInterest(frozenset(bank_accounts), frozenset(outstanding), frozenset(suspense))
