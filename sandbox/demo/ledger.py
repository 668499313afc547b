"""Journal entries and their reconciliation, written the way Odoo 17 stores them.

Most rows are final when created and go straight to the loader. Rows whose values depend on later
events (a receivable line's residual and matching number, an invoice's ``payment_state``, a payment's
``is_matched``) stay pending as :class:`Item` / :class:`Doc` objects until they are settled;
:meth:`Ledger.close` writes whatever is still open on the as-of date. Only open documents are kept in
memory, so a large company streams through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sandbox.demo.chart import ACCOUNTS, Books
from sandbox.demo.dates import iso, stamp
from sandbox.demo.loader import Loader

Row = dict[str, Any]
RECONCILABLE = {code for code, _n, _t, rec in ACCOUNTS if rec}
CASH = {code for code, _n, acc_type, _r in ACCOUNTS if acc_type == "asset_cash"}
OPPOSITE = {"out_invoice": "out_refund", "out_refund": "out_invoice", "in_invoice": "in_refund",
            "in_refund": "in_invoice"}


def r2(value: float) -> float:
    """Round money to cents (and normalise -0.0)."""
    return round(value, 2) + 0.0


@dataclass(eq=False, slots=True)
class Item:
    """A journal item on a reconcilable account, not written until settled (or until the end)."""

    row: Row
    move_type: str
    """Type of the entry the line belongs to ("exchange" for exchange-difference lines)."""
    residual: float
    residual_cur: float
    group: Group | None = None
    doc: Doc | None = None
    written: bool = False

    @property
    def settled(self) -> bool:
        return abs(self.residual) < 0.005 and abs(self.residual_cur) < 0.005


@dataclass(eq=False, slots=True)
class Group:
    """Journal items linked by partial reconciliations; fully reconciled when all are settled."""

    items: list[Item]
    partials: list[Row]
    exchange_move_id: int | None = None
    closed: bool = False


@dataclass(eq=False, slots=True)
class Doc:
    """A journal entry (with its account.payment for payments) waiting for its final state."""

    kind: str
    move: Row
    items: list[Item]
    payment: Row | None = None
    unmatched: int = 0
    counter_types: set[str] = field(default_factory=set)
    targets: list[Doc] = field(default_factory=list)
    matched: bool = False
    written: bool = False


class Ledger:
    """Builds moves and lines, numbers them, reconciles items and streams the rows to the loader."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self._seq: dict[tuple[int, str, int, int], int] = {}
        self._pending: dict[int, Doc] = {}
        self._open_items: dict[int, Item] = {}
        self._accounts: dict[int, str] = {}
        self.books: dict[int, Books] = {}

    def register(self, books: Books) -> None:
        self.books[books.company_id] = books
        for code, aid in books.account.items():
            self._accounts[aid] = code

    # -- numbering ------------------------------------------------------------------------------
    def next_name(self, company_id: int, prefix: str, day: dt.date, monthly: bool) -> str:
        key = (company_id, prefix, day.year, day.month if monthly else 0)
        n = self._seq.get(key, 0) + 1
        self._seq[key] = n
        if monthly:
            return f"{prefix}/{day.year}/{day.month:02d}/{n:04d}"
        return f"{prefix}/{day.year}/{n:05d}"

    # -- building -------------------------------------------------------------------------------
    def new_move(self, books: Books, journal: str, move_type: str, day: dt.date, name: str, *,
                 currency_id: int | None = None, partner_id: int | None = None, state: str = "posted",
                 **extra: Any) -> Row:
        """A journal entry row with Odoo's defaults; amounts are filled by the caller."""
        created = stamp(day, 9 * 60 + len(self._seq) % 480)
        return {
            "id": self.loader.new_id("account.move"), "name": name, "move_type": move_type, "state": state,
            "date": iso(day), "journal_id": books.journal[journal], "company_id": books.company_id,
            "currency_id": currency_id or books.currency_id, "partner_id": partner_id,
            "commercial_partner_id": partner_id, "auto_post": "no", "posted_before": state == "posted",
            "to_check": False, "payment_state": "not_paid", "amount_untaxed": 0.0, "amount_tax": 0.0,
            "amount_total": 0.0, "amount_residual": 0.0, "amount_untaxed_signed": 0.0, "amount_tax_signed": 0.0,
            "amount_total_signed": 0.0, "amount_total_in_currency_signed": 0.0, "amount_residual_signed": 0.0,
            "create_date": created, "write_date": created, "create_uid": 2, "write_uid": 2, **extra,
        }

    def line(self, move: Row, code: str, balance: float, amount_currency: float, currency_id: int, *,
             display_type: str = "product", **extra: Any) -> Row:
        """One journal item of ``move`` on the account with ``code`` of the move's company."""
        books = self.books[move["company_id"]]
        balance = r2(balance)
        residual = balance if code in RECONCILABLE or code in CASH else 0.0
        residual_cur = r2(amount_currency) if code in RECONCILABLE or code in CASH else 0.0
        row: Row = {
            "id": self.loader.new_id("account.move.line"), "move_id": move["id"], "move_name": move["name"],
            "date": move["date"], "parent_state": move["state"], "journal_id": move["journal_id"],
            "company_id": move["company_id"], "company_currency_id": books.currency_id,
            "account_id": books.account[code], "partner_id": move.get("partner_id"),
            "debit": balance if balance > 0 else 0.0, "credit": -balance if balance < 0 else 0.0,
            "balance": balance, "amount_currency": r2(amount_currency), "currency_id": currency_id,
            "amount_residual": residual, "amount_residual_currency": residual_cur, "reconciled": False,
            "display_type": display_type, "invoice_date": move.get("invoice_date"), "ref": move.get("ref"),
            "blocked": False, "create_date": move["create_date"], "write_date": move["write_date"],
            "create_uid": 2, "write_uid": 2,
        }
        row.update(extra)
        return row

    def item(self, row: Row, move_type: str, doc: Doc | None = None) -> Item:
        """Keep a reconcilable line pending until it is settled."""
        it = Item(row, move_type, row["amount_residual"], row["amount_residual_currency"], doc=doc)
        self._open_items[row["id"]] = it
        return it

    def write(self, model: str, row: Row) -> None:
        self.loader.add(model, row, rid=row["id"])

    def track(self, doc: Doc) -> Doc:
        self._pending[doc.move["id"]] = doc
        return doc

    # -- reconciliation -------------------------------------------------------------------------
    def reconcile(self, debit: Item, credit: Item, day: dt.date, amount_cur: float | None = None,
                  amount: float | None = None) -> None:
        """Match ``debit`` (positive residual) with ``credit`` (negative) as Odoo's partial reconcile."""
        cur = r2(min(debit.residual_cur, -credit.residual_cur) if amount_cur is None else amount_cur)
        if amount is None:
            if cur == debit.residual_cur or cur == -credit.residual_cur:
                amount = min(debit.residual, -credit.residual)
            else:
                amount = min(cur * debit.residual / debit.residual_cur, debit.residual, -credit.residual)
        amount = r2(amount)
        books = self.books[debit.row["company_id"]]
        partial: Row = {
            "id": self.loader.new_id("account.partial.reconcile"), "debit_move_id": debit.row["id"],
            "credit_move_id": credit.row["id"], "amount": amount, "debit_amount_currency": cur,
            "credit_amount_currency": cur, "debit_currency_id": debit.row["currency_id"],
            "credit_currency_id": credit.row["currency_id"], "company_id": books.company_id,
            "max_date": max(debit.row["date"], credit.row["date"]), "full_reconcile_id": None,
            "create_date": stamp(day, 15 * 60), "write_date": stamp(day, 15 * 60), "create_uid": 2, "write_uid": 2,
        }
        debit.residual, debit.residual_cur = r2(debit.residual - amount), r2(debit.residual_cur - cur)
        credit.residual, credit.residual_cur = r2(credit.residual + amount), r2(credit.residual_cur + cur)
        group = self._merge(debit, credit)
        group.partials.append(partial)
        if debit.doc is not None and credit.move_type != "exchange":
            debit.doc.counter_types.add(credit.move_type)
        if credit.doc is not None and debit.move_type != "exchange":
            credit.doc.counter_types.add(debit.move_type)
        for it in (debit, credit):
            if abs(it.residual_cur) < 0.005 and abs(it.residual) >= 0.005:
                self._exchange_difference(it, day)
        if all(it.settled for it in group.items):
            self._close_group(group, day)

    def _merge(self, a: Item, b: Item) -> Group:
        if a.group is None and b.group is None:
            group = Group([a, b], [])
        elif a.group is None or b.group is None or a.group is b.group:
            group = a.group or b.group  # type: ignore[assignment]
            for it in (a, b):
                if it.group is None:
                    group.items.append(it)
        else:
            group, other = a.group, b.group
            group.items.extend(other.items)
            group.partials.extend(other.partials)
            group.exchange_move_id = group.exchange_move_id or other.exchange_move_id
            for it in other.items:
                it.group = group
        a.group = b.group = group
        return group

    def _exchange_difference(self, it: Item, day: dt.date) -> None:
        """Book the company-currency leftover of a line settled in foreign currency (EXCH journal)."""
        books = self.books[it.row["company_id"]]
        leftover = it.residual
        move = self.new_move(books, "EXCH", "entry", day, self.next_name(books.company_id, "EXCH", day, True),
                             partner_id=it.row.get("partner_id"), ref="Currency exchange rate difference")
        code = self._accounts[it.row["account_id"]]
        counter = self.line(move, code, -leftover, 0.0, it.row["currency_id"], name="Currency exchange rate difference")
        pnl = "641000" if leftover > 0 else "441000"
        other = self.line(move, pnl, leftover, leftover, books.currency_id, name="Currency exchange rate difference")
        move.update(amount_total=abs(leftover), amount_untaxed=abs(leftover), amount_total_signed=abs(leftover),
                    amount_total_in_currency_signed=abs(leftover), amount_untaxed_signed=abs(leftover))
        self.write("account.move", move)
        self.write("account.move.line", other)
        ex = self.item(counter, "exchange")
        if it.group is not None:
            it.group.exchange_move_id = move["id"]
        if leftover > 0:
            self.reconcile(it, ex, day, amount_cur=0.0, amount=leftover)
        else:
            self.reconcile(ex, it, day, amount_cur=0.0, amount=-leftover)

    def _close_group(self, group: Group, day: dt.date) -> None:
        if group.closed:
            return
        group.closed = True
        full_id = self.loader.add("account.full.reconcile", {
            "exchange_move_id": group.exchange_move_id, "create_date": stamp(day, 15 * 60),
            "write_date": stamp(day, 15 * 60), "create_uid": 2, "write_uid": 2,
        })
        for partial in group.partials:
            partial["full_reconcile_id"] = full_id
            self.write("account.partial.reconcile", partial)
        group.partials = []
        docs: list[Doc] = []
        for it in group.items:
            it.row.update(amount_residual=0.0, amount_residual_currency=0.0, reconciled=True,
                          full_reconcile_id=full_id, matching_number=str(full_id))
            self._write_item(it)
            if it.doc is not None and all(d is not it.doc for d in docs):
                docs.append(it.doc)
        for doc in docs:
            self.settle(doc)

    def _write_item(self, it: Item) -> None:
        if not it.written:
            it.written = True
            self._open_items.pop(it.row["id"], None)
            self.write("account.move.line", it.row)

    # -- documents ------------------------------------------------------------------------------
    def settle(self, doc: Doc) -> None:
        """Write ``doc`` if nothing about it can change any more."""
        if doc.kind == "payment" and not doc.matched and doc.items and doc.items[0].written:
            doc.matched = True
            for target in doc.targets:
                target.unmatched -= 1
                self.settle(target)
        if doc.written or doc.unmatched > 0 or not all(it.written for it in doc.items):
            return
        self._write_doc(doc)

    def _write_doc(self, doc: Doc) -> None:
        doc.written = True
        self._pending.pop(doc.move["id"], None)
        move = doc.move
        if doc.kind == "invoice" and move["state"] == "posted":
            residual_cur = r2(sum(it.residual_cur for it in doc.items))
            move["amount_residual"] = abs(residual_cur)
            move["amount_residual_signed"] = r2(sum(it.residual for it in doc.items))
            if abs(residual_cur) < 0.005:
                if doc.counter_types == {OPPOSITE[move["move_type"]]}:
                    move["payment_state"] = "reversed"
                else:
                    move["payment_state"] = "in_payment" if doc.unmatched > 0 else "paid"
            elif any(it.group is not None for it in doc.items):
                move["payment_state"] = "partial"
            else:
                move["payment_state"] = "not_paid"
        self.write("account.move", move)
        if doc.payment is not None:
            doc.payment["is_matched"] = bool(doc.items) and doc.items[0].settled
            doc.payment["is_reconciled"] = len(doc.items) > 1 and doc.items[1].settled
            self.write("account.payment", doc.payment)

    def close(self) -> None:
        """Write every pending item, partial and document in its state on the as-of date."""
        groups: list[Group] = []
        for it in list(self._open_items.values()):
            if it.group is not None and all(g is not it.group for g in groups):
                groups.append(it.group)
        for group in groups:
            number = "P" + str(min(p["id"] for p in group.partials)) if group.partials else None
            for partial in group.partials:
                self.write("account.partial.reconcile", partial)
            for it in group.items:
                it.row["matching_number"] = number
        for it in list(self._open_items.values()):
            it.row.update(amount_residual=it.residual, amount_residual_currency=it.residual_cur,
                          reconciled=it.settled)
            self._write_item(it)
        for doc in list(self._pending.values()):
            doc.unmatched = max(doc.unmatched, 0)
            if doc.kind == "payment":
                doc.matched = doc.items[0].settled
        for doc in list(self._pending.values()):
            if not doc.written:
                self._write_doc(doc)
