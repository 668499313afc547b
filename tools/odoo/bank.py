"""Bank statement lines, classified by what they were reconciled with.

``document``: the line settles an invoice or bill (directly, or through a
payment's outstanding account); ``other``: booked to another account (payroll,
rent, taxes, fees, loans: flows with no document); ``unreconciled``: still on
the suspense account.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from tools.odoo.client import OdooClient
from tools.odoo.context import AccountsOfInterest
from tools.odoo.records import BankTransaction

DOCUMENT_TYPES = ("asset_receivable", "liability_payable")


def _id(value: Any) -> int | None:
    return int(value[0]) if isinstance(value, list) and value else None


def _name(value: Any) -> str | None:
    return str(value[1]) if isinstance(value, list) and len(value) > 1 else None


def read_bank_transactions(client: OdooClient, company_id: int, start: dt.date,
                           accounts: AccountsOfInterest, journal_codes: dict[int, str]) -> list[BankTransaction]:
    """Statement lines of the company's bank journals since ``start``, in two paged queries."""
    lines = client.search_read("account.bank.statement.line", [
        ("date", ">=", start.isoformat()), ("journal_id", "in", list(journal_codes))],
        client.pick("account.bank.statement.line", ["date", "amount", "partner_id", "payment_ref", "journal_id",
                                                    "is_reconciled", "move_id"]), order="id")
    if not lines:
        return []
    counterparts = client.search_read("account.move.line", [
        ("statement_line_id", "!=", False), ("date", ">=", start.isoformat()), ("company_id", "=", company_id),
        ("account_id", "not in", sorted(accounts.bank)),
    ], ["statement_line_id", "account_id", "account_type", "balance"], order="id")
    by_line: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in counterparts:
        if (sid := _id(c["statement_line_id"])) is not None:
            by_line[sid].append(c)
    result = []
    for line in lines:
        parts = by_line.get(line["id"], [])
        matched, account, account_type = _classify(parts, accounts)
        journal = _id(line["journal_id"]) or 0
        result.append(BankTransaction(
            id=line["id"], date=dt.date.fromisoformat(line["date"]), amount=round(float(line["amount"] or 0.0), 2),
            partner_id=_id(line.get("partner_id")), partner_name=_name(line.get("partner_id")),
            label=str(line.get("payment_ref") or ""), journal_id=journal, journal_code=journal_codes.get(journal, ""),
            matched=matched, counterpart_account=account, counterpart_type=account_type))
    return result


def _classify(parts: list[dict[str, Any]], accounts: AccountsOfInterest) -> tuple[Any, str | None, str | None]:
    if not parts:
        return "unreconciled", None, None
    if any(p.get("account_type") in DOCUMENT_TYPES or _id(p["account_id"]) in accounts.outstanding for p in parts):
        return "document", None, None
    booked = [p for p in parts if _id(p["account_id"]) not in accounts.suspense]
    if not booked:
        return "unreconciled", None, None
    main = max(booked, key=lambda p: abs(float(p.get("balance") or 0.0)))
    return "other", _name(main["account_id"]), main.get("account_type") or None
