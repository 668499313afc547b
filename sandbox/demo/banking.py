"""Bank journals of the demo company: statement lines, their entries, monthly statements, opening balance.

A :class:`Bank` receives its lines in date order (the generator walks the calendar), numbers them,
groups past months into ``account.bank.statement`` records and remembers the running balance so the
opening balance can be chosen at the end, once the lowest point of the history is known.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sandbox.demo.chart import Books
from sandbox.demo.dates import iso, month_key, stamp
from sandbox.demo.ledger import Item, Ledger, Row, r2

MAXINT = 2147483647


@dataclass(slots=True)
class Counterpart:
    """The other side of a statement line: an account, or an open item it settles."""

    code: str
    balance: float
    amount_cur: float | None = None
    currency_id: int | None = None
    match: Item | None = None
    name: str | None = None


@dataclass(slots=True)
class _Statement:
    id: int
    name: str
    first_index: str
    total: float = 0.0
    last: dt.date | None = None
    count: int = 0


@dataclass
class Bank:
    """One bank journal (``BNK1`` or ``BNK2``) of one company."""

    ledger: Ledger
    books: Books
    code: str
    account: str
    as_of: dt.date
    balance: float = 0.0
    lowest: float = 0.0
    outflow: float = 0.0
    opening: float = 0.0
    monthly_out: dict[int, float] = field(default_factory=dict)
    _month: int = -1
    _current: _Statement | None = None
    _statements: list[_Statement] = field(default_factory=list)
    _seq: int = 0

    def add(self, day: dt.date, amount: float, payment_ref: str, *, partner_id: int | None = None,
            partner_name: str | None = None, counterparts: list[Counterpart] | None = None,
            foreign: tuple[int, float] | None = None, transaction_type: str | None = None) -> Row:
        """A statement line dated ``day`` (a business day before as-of) and its journal entry.

        Without ``counterparts`` the line stays unreconciled on the suspense account.
        """
        amount = r2(amount)
        ledger, books = self.ledger, self.books
        stl_id = ledger.loader.new_id("account.bank.statement.line")
        statement = self._statement_for(day)
        name = ledger.next_name(books.company_id, self.code, day, False)
        move = ledger.new_move(books, self.code, "entry", day, name, partner_id=partner_id, statement_line_id=stl_id)
        move.update(amount_total=abs(amount), amount_untaxed=abs(amount), amount_total_signed=abs(amount),
                    amount_untaxed_signed=abs(amount), amount_total_in_currency_signed=abs(amount))
        common: dict[str, Any] = {"statement_line_id": stl_id, "statement_id": statement.id if statement else None}
        liquidity = ledger.line(move, self.account, amount, amount, books.currency_id, name=payment_ref,
                                sequence=10, **common)
        rows = [liquidity]
        items: list[tuple[Item, Counterpart]] = []
        reconciled = counterparts is not None
        if counterparts is None:
            cur, cur_amount = foreign if foreign else (books.currency_id, amount)
            counterparts = [Counterpart("101402", -amount, -cur_amount, cur)]
        for i, cp in enumerate(counterparts, start=2):
            row = ledger.line(move, cp.code, cp.balance, cp.balance if cp.amount_cur is None else cp.amount_cur,
                              cp.currency_id or books.currency_id, name=cp.name or payment_ref, sequence=10 * i,
                              **common)
            if cp.match is not None:
                items.append((ledger.item(row, "entry"), cp))
            else:
                rows.append(row)
        index = f"{day:%Y%m%d}{MAXINT - 1:0>10}{stl_id:0>10}"
        line: Row = {
            "id": stl_id, "move_id": move["id"], "amount": amount, "payment_ref": payment_ref,
            "partner_id": partner_id, "partner_name": partner_name, "currency_id": books.currency_id,
            "foreign_currency_id": foreign[0] if foreign else None, "amount_currency": foreign[1] if foreign else None,
            "statement_id": statement.id if statement else None, "sequence": 1, "is_reconciled": reconciled,
            "amount_residual": 0.0 if reconciled else -(foreign[1] if foreign else amount), "internal_index": index,
            "transaction_type": transaction_type, "create_date": move["create_date"], "write_date": move["write_date"],
            "create_uid": 2, "write_uid": 2,
        }
        ledger.write("account.move", move)
        ledger.write("account.bank.statement.line", line)
        for row in rows:
            ledger.write("account.move.line", row)
        for item, cp in items:
            assert cp.match is not None
            if item.residual > 0 or (item.residual == 0 and item.residual_cur > 0):
                ledger.reconcile(item, cp.match, day)
            else:
                ledger.reconcile(cp.match, item, day)
        self._track(day, amount, statement, index)
        return line

    def _statement_for(self, day: dt.date) -> _Statement | None:
        key = month_key(day)
        if key == self._month:
            return self._current
        self._month = key
        if key >= month_key(self.as_of):
            self._current = None
            return None
        sid = self.ledger.loader.new_id("account.bank.statement")
        self._current = _Statement(sid, f"{self.code} {day:%Y-%m}", "")
        self._statements.append(self._current)
        return self._current

    def _track(self, day: dt.date, amount: float, statement: _Statement | None, index: str) -> None:
        self.balance = r2(self.balance + amount)
        self.lowest = min(self.lowest, self.balance)
        if amount < 0:
            self.outflow = r2(self.outflow - amount)
            key = month_key(day)
            self.monthly_out[key] = r2(self.monthly_out.get(key, 0.0) - amount)
        if statement is not None:
            statement.total = r2(statement.total + amount)
            statement.last = day
            statement.count += 1
            if not statement.first_index or index < statement.first_index:
                statement.first_index = index

    def opening_for(self, day: dt.date) -> float:
        """The opening balance that keeps the account above two weeks of its average outflows
        (as seen on ``day``), whatever happened so far."""
        weeks = max(1.0, (day - self.books.start).days / 7)
        return float(round(max(0.0, -self.lowest) + 2 * self.outflow / weeks + 500, -3))

    def recent_outflow(self, day: dt.date) -> float:
        """Average monthly outflow over the three months before ``day``'s month."""
        key = month_key(day)
        return sum(self.monthly_out.get(k, 0.0) for k in range(key - 3, key)) / 3

    def write_statements(self, opening: float) -> None:
        """Write the monthly statements, chained from the opening balance."""
        balance = r2(opening)
        for st in self._statements:
            if not st.count or st.last is None:
                continue
            end = r2(balance + st.total)
            created = stamp(st.last, 18 * 60)
            self.ledger.loader.add("account.bank.statement", {
                "name": st.name, "date": iso(st.last), "journal_id": self.books.journal[self.code],
                "company_id": self.books.company_id, "balance_start": balance, "balance_end": end,
                "balance_end_real": end, "is_complete": True, "reference": f"{st.name}.ofx",
                "first_line_index": st.first_index, "create_date": created, "write_date": created,
                "create_uid": 2, "write_uid": 2,
            }, rid=st.id)
            balance = end


def write_opening(ledger: Ledger, books: Books, move_id: int, banks: list[Bank], equipment: float,
                  loan: float) -> None:
    """The opening entry (MISC) at the company's start: bank balances, equipment and loan against capital."""
    day = books.start
    name = ledger.next_name(books.company_id, "MISC", day, True)
    move = ledger.new_move(books, "MISC", "entry", day, name, ref="Opening balance")
    move["id"] = move_id
    lines = [(bank.account, bank.opening, f"Opening balance {bank.code}") for bank in banks]
    lines += [("150000", equipment, "Opening balance: equipment"), ("170000", -loan, "Opening balance: bank loan")]
    capital = -r2(sum(amount for _c, amount, _n in lines))
    lines.append(("101000", capital, "Opening balance: capital"))
    total = r2(sum(a for _c, a, _n in lines if a > 0))
    move.update(amount_total=total, amount_untaxed=total, amount_total_signed=total,
                amount_untaxed_signed=total, amount_total_in_currency_signed=total)
    ledger.write("account.move", move)
    for seq, (code, amount, label) in enumerate(lines, start=1):
        if amount:
            ledger.write("account.move.line", ledger.line(move, code, amount, amount, books.currency_id,
                                                          name=label, sequence=seq))
