"""Shared state of one company's simulation: the agenda of future events, ledger, banks, tax totals."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.demo.banking import Bank
from sandbox.demo.chart import Books, Rates
from sandbox.demo.dates import month_key, quarter_of
from sandbox.demo.documents import Party
from sandbox.demo.ledger import Ledger
from sandbox.demo.loader import Loader

DOCUMENTS, PAYMENTS, BANK = 0, 1, 2
"""Order of events within a day: documents first, then payments, then bank lines."""


class Agenda:
    """Events to run on future days, in a deterministic order (day, priority, insertion)."""

    def __init__(self) -> None:
        self._days: dict[dt.date, list[list[tuple[Callable[..., None], tuple[Any, ...]]]]] = {}

    def at(self, day: dt.date, priority: int, fn: Callable[..., None], *args: Any) -> None:
        slots = self._days.get(day)
        if slots is None:
            slots = self._days[day] = [[], [], []]
        slots[priority].append((fn, args))

    def run(self, day: dt.date) -> None:
        """Run the events of ``day``, including those scheduled for the same day while running."""
        slots = self._days.get(day)
        if slots is None:
            return
        done = [0, 0, 0]
        priority = 0
        while priority < len(slots):
            events = slots[priority]
            if done[priority] < len(events):
                fn, args = events[done[priority]]
                done[priority] += 1
                fn(day, *args)
                priority = 0
            else:
                priority += 1
        del self._days[day]


@dataclass(eq=False)
class Ctx:
    """Everything the simulation of one company shares."""

    loader: Loader
    ledger: Ledger
    rates: Rates
    rng: random.Random
    books: Books
    agenda: Agenda
    bnk1: Bank
    bnk2: Bank
    as_of: dt.date
    base_revenue: float
    counterparties: dict[str, Party]
    numbers: dict[str, int]
    tax_received: dict[tuple[int, int], float] = field(default_factory=dict)
    tax_paid: dict[tuple[int, int], float] = field(default_factory=dict)
    revenue: dict[int, float] = field(default_factory=dict)
    notes: list[tuple[str, int, str, dt.date]] = field(default_factory=list)

    @property
    def start(self) -> dt.date:
        return self.books.start

    def rate(self, currency_id: int, day: dt.date) -> float:
        return self.rates.rate(currency_id, self.books.currency_id, day)

    def growth(self, day: dt.date) -> float:
        """Business growth of about 12% a year since the start of the history."""
        return float(1.12 ** ((day - self.start).days / 365.0))

    def book_tax(self, day: dt.date, tax: float, sales: bool) -> None:
        bucket = self.tax_received if sales else self.tax_paid
        key = quarter_of(day)
        bucket[key] = bucket.get(key, 0.0) + tax

    def book_revenue(self, day: dt.date, untaxed: float) -> None:
        key = month_key(day)
        self.revenue[key] = self.revenue.get(key, 0.0) + untaxed

    def next_number(self, prefix: str) -> str:
        n = self.numbers.get(prefix, 0) + 1
        self.numbers[prefix] = n
        return f"{prefix}{n:05d}"
