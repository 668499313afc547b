"""Cash events with timing distributions: the common currency of every component.

An :class:`EventBlock` holds ``n`` events: signed amounts and a ``(n, H)`` matrix of probabilities
that the cash reaches the bank on day ``as_of + k`` (column ``k-1``); ``1 - row sum`` is the
probability that it does not land within the horizon (later, or never). The simulator samples one
day per event and per path from these rows; the expected daily flows are ``amounts @ pmf``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from tools.forecast.types import CashEvent, EventKind, EventSource


@dataclass(frozen=True)
class EventMeta:
    kind: EventKind
    source: EventSource
    partner: str | None
    partner_id: int | None = None
    due_date: dt.date | None = None
    role: str = "open_item"
    """open_item, credit_note, in_transit, order, flow"""
    key: int | None = None
    """Installment line id (open items), for backtests."""


@dataclass
class EventBlock:
    meta: list[EventMeta] = field(default_factory=list)
    amounts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pmf: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    horizon: int = 0

    @staticmethod
    def empty(horizon: int) -> EventBlock:
        return EventBlock([], np.zeros(0), np.zeros((0, horizon)), horizon)

    def __len__(self) -> int:
        return len(self.meta)

    def expected_daily(self) -> np.ndarray:
        """Expected signed cash per day (H,)."""
        return self.amounts @ self.pmf if len(self) else np.zeros(self.horizon)

    def p_in(self) -> np.ndarray:
        return self.pmf.sum(axis=1) if len(self) else np.zeros(0)

    def select(self, mask: np.ndarray) -> EventBlock:
        idx = np.flatnonzero(mask)
        return EventBlock([self.meta[i] for i in idx], self.amounts[idx], self.pmf[idx], self.horizon)


def concat(blocks: list[EventBlock], horizon: int) -> EventBlock:
    blocks = [b for b in blocks if len(b)]
    if not blocks:
        return EventBlock.empty(horizon)
    return EventBlock([m for b in blocks for m in b.meta], np.concatenate([b.amounts for b in blocks]),
                      np.vstack([b.pmf for b in blocks]), horizon)


def date_quantiles(pmf: np.ndarray, as_of: dt.date, qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> list[
        list[dt.date | None]]:
    """Per row, the dates of the given quantiles of the bank date given it lands within the horizon."""
    total = pmf.sum(axis=1)
    cdf = np.cumsum(pmf, axis=1) / np.where(total > 0, total, 1.0)[:, None]
    out: list[list[dt.date | None]] = []
    for i in range(len(pmf)):
        if total[i] < 1e-4:
            out.append([None] * len(qs))
            continue
        days = np.searchsorted(cdf[i], np.array(qs) - 1e-9) + 1
        out.append([as_of + dt.timedelta(days=int(d)) for d in days])
    return out


def to_cash_events(block: EventBlock, as_of: dt.date) -> list[CashEvent]:
    """Public events, sorted by expected amount within the horizon (largest magnitude first)."""
    if not len(block):
        return []
    p_in = block.p_in()
    quant = date_quantiles(block.pmf, as_of)
    order = np.argsort(-np.abs(block.amounts * p_in), kind="stable")
    events = []
    for i in order:
        m = block.meta[i]
        q10, q50, q90 = quant[i]
        events.append(CashEvent(kind=m.kind, source=m.source, partner=m.partner,
                                amount=round(float(block.amounts[i]), 2),
                                due_date=m.due_date, date_p10=q10, date_p50=q50, date_p90=q90,
                                p_in_horizon=round(float(min(p_in[i], 1.0)), 4)))
    return events


def point_mass(day_index: int, horizon: int) -> np.ndarray:
    """A pmf row with all mass on day ``day_index`` (1-based; outside the horizon = no mass)."""
    row = np.zeros(horizon)
    if 1 <= day_index <= horizon:
        row[day_index - 1] = 1.0
    return row


@dataclass(frozen=True)
class Lump:
    """A flow that happens (probability ``p``) or not, of ``size`` +- ``sd``, spread over days by ``row``."""

    p: float
    size: float
    sd: float
    row: np.ndarray

    def variance_path(self) -> np.ndarray:
        """Variance of the cumulative amount per day."""
        var = self.p * (self.sd**2 + self.size**2) - (self.p * self.size) ** 2
        return var * np.cumsum(self.row) ** 2


@dataclass(frozen=True)
class Policy:
    """A flow on day ``day`` (1-based) whose size depends on the balance the day before (a cash sweep).

    Each path pays ``sign * max(0, slope * (balance - floor) + sd * z)`` when its balance is above
    ``floor`` and nothing otherwise (see :mod:`tools.forecast.drivers`).
    """

    name: str
    day: int
    sign: float
    slope: float
    floor: float
    sd: float


@dataclass
class FlowSet:
    """Expected daily paths of flow series (no-document groups, new business) and their uncertainty.

    ``mean`` is (series, H) expected cash; ``basis`` is (K, H): each simulated path adds
    ``sum_k z_k basis[k]`` with independent standard normal ``z_k`` (e.g. one row per group and month:
    the month total's standard deviation spread over that month's days); ``lumps`` are flows that
    happen or not (their expectation is in ``mean``, the simulation swaps it for a draw);
    ``policies`` depend on the simulated balance (their ``mean`` rows are zero until the simulation
    fills them in). ``display`` summarises the series as events (one per series and month) for the output.
    """

    names: list[str]
    mean: np.ndarray
    basis: np.ndarray
    display: EventBlock
    lumps: list[Lump] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)

    @staticmethod
    def empty(horizon: int) -> FlowSet:
        return FlowSet([], np.zeros((0, horizon)), np.zeros((0, horizon)), EventBlock.empty(horizon))

    def structural_sd(self) -> np.ndarray:
        """Standard deviation of the cumulative flows per day (Gaussian shocks and lumps)."""
        horizon = self.display.horizon
        var = (np.cumsum(self.basis, axis=1) ** 2).sum(axis=0) if len(self.basis) else np.zeros(horizon)
        for lump in self.lumps:
            var = var + lump.variance_path()
        return np.sqrt(var)

    def expected_daily(self) -> np.ndarray:
        return self.mean.sum(axis=0) if len(self.mean) else np.zeros(self.display.horizon)


def merge_flows(sets: list[FlowSet], horizon: int) -> FlowSet:
    sets = [s for s in sets if len(s.names)]
    if not sets:
        return FlowSet.empty(horizon)
    return FlowSet([n for s in sets for n in s.names], np.vstack([s.mean for s in sets]),
                   np.vstack([s.basis for s in sets]), concat([s.display for s in sets], horizon),
                   [lump for s in sets for lump in s.lumps], [p for s in sets for p in s.policies])


def monthly_display(path: np.ndarray, as_of: dt.date, source: EventSource, kind: EventKind = "no_document",
                    min_amount: float = 0.005) -> EventBlock:
    """One display event per calendar month of ``path`` (expected signed cash per day)."""
    horizon = len(path)
    months = np.array([((as_of + dt.timedelta(days=k + 1)).year * 12 + (as_of + dt.timedelta(days=k + 1)).month)
                       for k in range(horizon)])
    meta, amounts, rows = [], [], []
    for m in np.unique(months):
        row = np.where(months == m, path, 0.0)
        total = row.sum()
        if abs(total) < min_amount:
            continue
        meta.append(EventMeta(kind, source, None, None, None, "flow"))
        amounts.append(total)
        weights = np.abs(row)
        rows.append(weights / weights.sum() if weights.sum() > 0 else row)
    if not meta:
        return EventBlock.empty(horizon)
    return EventBlock(meta, np.array(amounts), np.array(rows), horizon)
