"""Output models of the forecast engine, and its one error type.

Everything here is plain data (pydantic, frozen) so the CLI, the agent and the
tests read the same thing. :meth:`Forecast.to_json` is exactly what
``cashflow forecast --json`` prints:

``as_of``, ``currency``, ``opening_balance``, ``threshold``, ``days``, ``weeks``,
``shortfalls``, ``events``, ``assumptions``, ``confidence``, ``warnings``.

Sign convention: company currency, positive = cash in, negative = cash out
(``outflow`` columns are therefore negative numbers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EventKind = Literal["invoice", "bill", "sale_order", "purchase_order", "no_document"]


class ForecastInputError(ValueError):
    """The forecast cannot be computed from these inputs; the message is one actionable line."""

    exit_code = 2


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EventSource(Model):
    """Where a cash event comes from: an Odoo record, or a flow group (``model='flow_group'``, ``id=None``)."""

    model: str
    id: int | None
    name: str


class CashEvent(Model):
    """One expected cash movement with its timing distribution over the horizon."""

    kind: EventKind
    source: EventSource
    partner: str | None
    amount: float = Field(description="Signed amount if it lands (company currency)")
    due_date: dt.date | None = None
    date_p10: dt.date | None = Field(description="Quantiles of the bank date, given it lands within the horizon")
    date_p50: dt.date | None
    date_p90: dt.date | None
    p_in_horizon: float = Field(description="Probability that the cash reaches the bank within the horizon")


class DayRow(Model):
    """One day: expected flows (means) and the simulated closing balance distribution."""

    date: dt.date
    inflow: float
    outflow: float
    net: float
    balance_p10: float
    balance_p50: float
    balance_p90: float
    p_below_threshold: float


class WeekRow(Model):
    """One week (days 7k-6 .. 7k after as_of): expected flows, closing balance quantiles, worst day's risk."""

    week: int
    start: dt.date
    end: dt.date
    inflow: float
    outflow: float
    net: float
    closing_p10: float
    closing_p50: float
    closing_p90: float
    p_below_threshold: float = Field(description="Max over the week's days of P(balance < threshold)")


class Shortfall(Model):
    """A run of consecutive days where P(balance < threshold) is material."""

    start: dt.date
    end: dt.date
    max_probability: float
    lowest_p50: float
    lowest_p50_date: dt.date


class Assumption(Model):
    """Something the forecast relies on, with the evidence it was learned from."""

    category: str
    text: str
    evidence: str


class Driver(Model):
    """A large contributor to the horizon's cash, for 'why' questions."""

    label: str
    kind: str
    expected_amount: float = Field(description="Signed amount expected within the horizon")
    share: float = Field(description="Share of the horizon's gross expected flows")


class Confidence(Model):
    score: float = Field(ge=0.0, le=1.0)
    level: Literal["low", "medium", "high"]
    reasons: list[str]


class Forecast(Model):
    """A daily cash forecast over the horizon with bands, events and explanations."""

    as_of: dt.date
    currency: str
    opening_balance: float
    threshold: float
    horizon_days: int
    days: list[DayRow] = Field(description="days[0] is as_of itself (opening balance, no flows)")
    weeks: list[WeekRow]
    shortfalls: list[Shortfall]
    events: list[CashEvent] = Field(description="Sorted by expected amount within the horizon, largest first")
    assumptions: list[Assumption]
    drivers: list[Driver] = Field(default_factory=list)
    confidence: Confidence
    warnings: list[str]

    def to_json(self) -> dict[str, Any]:
        """The JSON document printed by ``cashflow forecast --json`` (dates as ISO strings)."""
        data = self.model_dump(mode="json", exclude={"horizon_days", "drivers"})
        return {key: data[key] for key in JSON_KEYS}

    def min_balance(self) -> tuple[dt.date, float]:
        """The day with the lowest P50 balance."""
        row = min(self.days, key=lambda d: d.balance_p50)
        return row.date, row.balance_p50


JSON_KEYS = ("as_of", "currency", "opening_balance", "threshold", "days", "weeks", "shortfalls", "events",
             "assumptions", "confidence", "warnings")
