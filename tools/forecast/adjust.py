"""What-if adjustments applied to the engine's inputs (built from scenarios, or empty for the base case)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OneOff:
    date: dt.date
    amount: float
    label: str


@dataclass(frozen=True)
class Adjustments:
    """Input changes: partner payment delays, sales scaling, purchase-order dates, terms, one-off flows."""

    partner_delay: dict[int, int] = field(default_factory=dict)
    sales_factor: float = 1.0
    order_dates: dict[int, dt.date] = field(default_factory=dict)
    partner_terms: dict[int, int] = field(default_factory=dict)
    one_offs: tuple[OneOff, ...] = ()

    def delay(self, partner_id: int | None) -> int:
        return self.partner_delay.get(partner_id, 0) if partner_id is not None else 0


NONE = Adjustments()
