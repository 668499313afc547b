"""Deterministic generator of the demo databases: "Bluebird Office Supply Co." (USD, 26 months of
history) and its small sister "Bluebird Europe GmbH" (EUR, 6 months).

The generator walks the calendar day by day. Each day it takes new orders, posts the invoices and bills
that fall due for posting, registers the payments planned for that day (following each partner's hidden
behaviour) and imports the bank lines, so that names and ids grow with dates just as in a real
database. Everything derives from ``seed``, ``scale`` and ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from sandbox.demo.banking import Bank, write_opening
from sandbox.demo.chart import EUR, USD, Books, Rates, create_books, create_reference_data, create_terms
from sandbox.demo.context import Agenda, Ctx
from sandbox.demo.dates import add_months, days, month_start, stamp
from sandbox.demo.documents import Party
from sandbox.demo.flows import Flows
from sandbox.demo.ledger import Ledger, r2
from sandbox.demo.loader import Loader
from sandbox.demo.names import DE_CUSTOMERS, DE_VENDORS, EU_CUSTOMERS
from sandbox.demo.partners import make_customers, make_service_partners, make_vendors
from sandbox.demo.purchases import Purchases
from sandbox.demo.sales import Sales
from sandbox.demo.specials import add_specials
from sandbox.store import Store

Progress = Callable[[str, float], None]
HISTORY_MONTHS = 26
EUROPE_MONTHS = 6


class _Company:
    """One simulated company: its context and the departments that act on it each day."""

    def __init__(self, ctx: Ctx, sales: Sales, purchases: Purchases, flows: Flows) -> None:
        self.ctx, self.sales, self.purchases, self.flows = ctx, sales, purchases, flows

    def day(self, day: dt.date) -> None:
        if day < self.ctx.start:
            return
        self.sales.day(day)
        self.purchases.day(day)
        self.ctx.agenda.run(day)
        self.flows.day(day)


def generate_demo_company(store: Store, *, seed: int = 7, scale: float = 1.0, as_of: dt.date,
                          progress: Progress | None = None) -> dict[str, int]:
    """Write both demo companies into ``store``; returns the number of records per model."""
    report = progress or (lambda _label, _fraction: None)
    rng = random.Random(seed)
    loader = Loader(store)
    ledger = Ledger(loader)
    start = month_start(add_months(as_of, -HISTORY_MONTHS))
    report("reference data", 0.0)
    rates = create_reference_data(loader, rng, start, as_of)
    create_terms(loader)
    main_books = create_books(loader, 1, "Bluebird Office Supply Co.", USD, 1, start,
                              "finance@bluebird-office.example.com", "Portland")
    europe_start = month_start(add_months(as_of, -EUROPE_MONTHS))
    europe_books = create_books(loader, 2, "Bluebird Europe GmbH", EUR, 3, europe_start,
                                "buchhaltung@bluebird-europe.example.com", "Köln")
    for books in (main_books, europe_books):
        ledger.register(books)
    openings = {1: loader.new_id("account.move"), 2: loader.new_id("account.move")}
    report("partners", 0.03)
    numbers: dict[str, int] = {}
    main = _main_company(loader, ledger, rates, rng, main_books, as_of, scale, numbers)
    europe = _europe_company(loader, ledger, rates, rng, europe_books, as_of, numbers)
    add_specials(main.ctx, main.sales, main.purchases)
    total = (as_of - start).days + 1
    day = start
    month = -1
    while day <= as_of:
        main.day(day)
        europe.day(day)
        if day.month != month:
            month = day.month
            report(f"simulating {day:%Y-%m}", 0.05 + 0.8 * (day - start).days / total)
        day += days(1)
    report("closing the books", 0.87)
    ledger.close()
    for company in (main, europe):
        company.sales.close()
        company.purchases.close()
        _finish_banks(company, openings[company.ctx.books.company_id])
    for company in (main, europe):
        _write_notes(company.ctx)
    report("writing", 0.93)
    loader.flush()
    report("done", 1.0)
    return dict(sorted(loader.counts.items()))


def _context(loader: Loader, ledger: Ledger, rates: Rates, rng: random.Random, books: Books, as_of: dt.date,
             base: float, counterparties: dict[str, Party], numbers: dict[str, int]) -> Ctx:
    bnk1 = Bank(ledger, books, "BNK1", "101401", as_of)
    bnk2 = Bank(ledger, books, "BNK2", "101405", as_of)
    return Ctx(loader, ledger, rates, rng, books, Agenda(), bnk1, bnk2, as_of, base, counterparties, numbers)


def _main_company(loader: Loader, ledger: Ledger, rates: Rates, rng: random.Random, books: Books,
                  as_of: dt.date, scale: float, numbers: dict[str, int]) -> _Company:
    created = stamp(books.start, 8 * 60)
    n_customers = max(6, round(80 * scale))
    n_vendors = max(4, round(40 * scale))
    n_foreign = min(len(EU_CUSTOMERS), max(2, round(n_customers * 0.04)))
    counterparties = make_service_partners(loader, rng, created)
    taken: set[str] = set()
    customers = make_customers(loader, rng, n_customers - n_foreign - 1, 1, created, taken=taken)
    foreign = [*EU_CUSTOMERS[:n_foreign], ("Thornbury Stationers Ltd", "GB")]
    customers += make_customers(loader, rng, len(foreign), 1, created, names=list(foreign))
    vendors = make_vendors(loader, rng, n_vendors, 1, created, taken=taken)
    base = sum(c.freq * c.mean for c in customers)
    ctx = _context(loader, ledger, rates, rng, books, as_of, base, counterparties, numbers)
    ctx.bnk2.opening = float(round(1.2 * base, -3))
    return _Company(ctx, Sales(ctx, customers), Purchases(ctx, vendors), Flows(ctx, full=True))


def _europe_company(loader: Loader, ledger: Ledger, rates: Rates, rng: random.Random, books: Books,
                    as_of: dt.date, numbers: dict[str, int]) -> _Company:
    created = stamp(books.start, 8 * 60)
    customers = make_customers(loader, rng, 8, 2, created, names=[(n, "DE") for n in DE_CUSTOMERS[:8]])
    vendors = make_vendors(loader, rng, 4, 2, created, names=list(DE_VENDORS[:4]))
    for cust in customers:
        cust.mean = min(cust.mean, 6000.0)
    base = sum(c.freq * c.mean for c in customers)
    ctx = _context(loader, ledger, rates, rng, books, as_of, base, {}, numbers)
    ctx.bnk2.opening = float(round(0.5 * base, -3))
    return _Company(ctx, Sales(ctx, customers), Purchases(ctx, vendors), Flows(ctx, full=False))


def _finish_banks(company: _Company, opening_move_id: int) -> None:
    """Choose the opening balance so the account never ran below two weeks of outflows, then write the
    opening entry and the chained statements."""
    ctx = company.ctx
    ctx.bnk1.opening = ctx.bnk1.opening_for(ctx.as_of)
    loan = company.flows.loan_principal if company.flows.full else 0.0
    write_opening(ctx.ledger, ctx.books, opening_move_id, [ctx.bnk1, ctx.bnk2],
                  equipment=r2(loan * 1.4), loan=loan)
    for bank in (ctx.bnk1, ctx.bnk2):
        bank.write_statements(bank.opening)


def _write_notes(ctx: Ctx) -> None:
    """Chatter notes on disputed invoices."""
    for model, res_id, name, day in ctx.notes:
        if day >= ctx.as_of:
            day = ctx.as_of - days(1)
        ctx.loader.add("mail.message", {
            "body": "<p>Customer disputes this invoice (quantities delivered do not match their receiving "
                    "report). Payment on hold until resolved.</p>",
            "model": model, "res_id": res_id, "message_type": "comment", "record_name": name,
            "subject": None, "date": stamp(day, 14 * 60), "is_internal": True, "author_id": None,
            "create_date": stamp(day, 14 * 60), "write_date": stamp(day, 14 * 60), "create_uid": 2, "write_uid": 2,
        })
