"""Bank statement lines, classified by what they were reconciled with.

``document``: the line settles an invoice or bill (directly, or through a
payment's outstanding account); ``other``: booked to another account (payroll,
rent, taxes, fees, loans: flows with no document); ``unreconciled``: still on
the suspense account.

Two paged queries: the statement lines, and the journal items of their entries
other than the bank account's own line (the counterparts).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from tools.odoo.client import OdooClient
from tools.odoo.context import AccountsOfInterest
from tools.odoo.records import BankJournal, BankTransaction
from tools.odoo.values import m2o_id, m2o_name, number, to_date, word

DOCUMENT_TYPES = ("asset_receivable", "liability_payable")


def outstanding_accounts(client: OdooClient, company_id: int) -> frozenset[int]:
    """Outstanding receipt/payment accounts the company's payments actually use (one read_group)."""
    if not client.stored("account.payment", "outstanding_account_id"):
        return frozenset()
    groups = client.read_group("account.payment", [("company_id", "=", company_id)], ["amount:sum"],
                               ["outstanding_account_id"])
    return frozenset(a for g in groups if (a := m2o_id(g.get("outstanding_account_id"))))


def read_bank_transactions(client: OdooClient, company_id: int, start: dt.date, accounts: AccountsOfInterest,
                           journals: list[BankJournal], *, until: dt.date | None = None,
                           company_currency: str | None = None,
                           with_unreconciled: bool = False) -> list[BankTransaction]:
    """Statement lines of the given bank journals dated from ``start`` (to ``until``), classified;
    ``with_unreconciled`` adds the lines still unreconciled from before ``start``."""
    if not journals:
        return []
    by_journal = {j.id: j for j in journals}
    window: list[Any] = [("date", ">=", start.isoformat())]
    if until:
        window.append(("date", "<=", until.isoformat()))
    dates = ["|", *window, ("is_reconciled", "=", False)] if with_unreconciled and not until else window
    by_line: dict[int, list[tuple[int | None, str | None, str, float]]] = defaultdict(list)
    for page in client.iter_search_read("account.move.line", [
            ("statement_line_id", "!=", False), *window, ("company_id", "=", company_id),
            ("journal_id", "in", list(by_journal)), ("account_id", "not in", sorted(accounts.bank))],
            ["statement_line_id", "account_id", "account_type", "balance"]):
        for c in page:
            if (sid := m2o_id(c["statement_line_id"])) is not None:
                by_line[sid].append((m2o_id(c["account_id"]), m2o_name(c["account_id"]), word(c.get("account_type")),
                                     number(c.get("balance"))))
    fields = client.pick("account.bank.statement.line", ["date", "amount", "partner_id", "payment_ref", "journal_id",
                                                         "is_reconciled"])
    result = []
    for page in client.iter_search_read("account.bank.statement.line",
                                        [*dates, ("journal_id", "in", list(by_journal))], fields):
        for line in page:
            result.append(_transaction(line, by_line.get(line["id"], []), accounts, by_journal, company_currency))
    return result


def _transaction(line: dict[str, Any], parts: list[tuple[int | None, str | None, str, float]],
                 accounts: AccountsOfInterest, by_journal: dict[int, BankJournal],
                 company_currency: str | None) -> BankTransaction:
    matched, account, account_type = _classify(parts, accounts)
    journal = by_journal.get(m2o_id(line["journal_id"]) or 0)
    foreign = journal is not None and company_currency is not None and journal.currency != company_currency
    amount = number(line.get("amount"))
    if foreign and parts:
        amount = -sum(p[3] for p in parts)  # the entry balances: the bank line is minus its counterparts
    return BankTransaction(
        id=line["id"], date=to_date(line["date"]) or dt.date.min, amount=round(amount, 2),
        amount_currency=round(number(line.get("amount")), 2) if foreign else None,
        currency=journal.currency if foreign and journal else None,
        partner_id=m2o_id(line.get("partner_id")), partner_name=m2o_name(line.get("partner_id")),
        label=str(line.get("payment_ref") or ""), journal_id=journal.id if journal else 0,
        journal_code=journal.code if journal else "", matched=matched, counterpart_account=account,
        counterpart_type=account_type, reconciled=bool(line.get("is_reconciled", matched != "unreconciled")))


def _classify(parts: list[tuple[int | None, str | None, str, float]],
              accounts: AccountsOfInterest) -> tuple[Any, str | None, str | None]:
    """(matched, counterpart account, its type) from the counterpart items (account id, name, type, balance)."""
    if not parts:
        return "unreconciled", None, None
    if any(kind in DOCUMENT_TYPES or account in accounts.outstanding for account, _, kind, _ in parts):
        return "document", None, None
    booked = [p for p in parts if p[0] not in accounts.suspense]
    if not booked:
        return "unreconciled", None, None
    _, name, kind, _ = max(booked, key=lambda p: abs(p[3]))
    return "other", name, kind or None
