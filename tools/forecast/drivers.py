"""What the size of a periodic no-document flow depends on, learned from the flow's own history.

A periodic flow (quarterly taxes, owner distributions...) happens on a calendar slot; its *size* is
often not a level plus noise but follows something the books already show. Two candidate drivers
are tried on the group's past slots (a slot with no flow counts as a zero):

* **turnover**: ``amount = slope x net issuance`` (invoices + bills, signed, credit notes included)
  over the period that ends before the slot's month (sales taxes / VAT settle the previous period's
  output tax less input tax);
* **balance** (cash sweep): ``amount = slope x max(0, balance the day before - floor)`` - a
  discretionary flow (owner distributions, transfers to savings, voluntary loan prepayments) that
  takes a share of the cash above a reserve, and skips the slot when cash is short.

A driver is used only for a flow scheduled on a calendar slot (``SCHEDULED``) and only when it clearly
beats the group's own level forecast out of sample (leave-one-out over the slots: mean absolute error at
most ``ADOPT`` times the level's), with enough slots (and, for the balance, enough flows) to tell;
otherwise the group keeps its level forecast.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tools.odoo.records import Snapshot

ADOPT = {"turnover": 0.75, "balance": 0.6}
"""A driver must cut the leave-one-out error of the level forecast by at least this much (the two-parameter
cash sweep needs more evidence)."""
SCHEDULED = 0.7
"""Only flows on a calendar slot (that slot carries this share of the amounts) get a driver."""
MIN_SLOTS = {"turnover": 4, "balance": 5}
MIN_ACTIVE_BALANCE = 3

DriverKind = Literal["turnover", "balance"]


@dataclass(frozen=True)
class FlowDriver:
    """``amount = slope * x`` (turnover) or ``sign * slope * max(0, balance - floor)`` (balance)."""

    kind: DriverKind
    slope: float
    floor: float
    sd: float
    """Residual standard deviation of the fit (in-sample, degrees of freedom corrected)."""
    sign: float
    slots: int
    active: int
    loo_mae: float
    level_mae: float

    def amount(self, x: float | np.ndarray) -> float | np.ndarray:
        if self.kind == "turnover":
            return self.slope * x
        return self.sign * self.slope * np.maximum(np.asarray(x) - self.floor, 0.0)


def balance_at(snapshot: Snapshot, as_of: dt.date) -> Callable[[dt.date], float]:
    """End-of-day total bank balance on any day up to ``as_of`` (from today's balance and the lines)."""
    lines = sorted((t.date, t.amount) for t in snapshot.bank_transactions if t.date <= as_of)
    days = [d for d, _ in lines]
    after = np.concatenate([np.cumsum([a for _, a in lines][::-1])[::-1], [0.0]]) if lines else np.zeros(1)
    opening = snapshot.context.bank_balance

    def at(day: dt.date) -> float:
        return float(opening - after[bisect.bisect_right(days, day)])

    return at


def monthly_issuance(snapshot: Snapshot, as_of: dt.date) -> dict[int, float]:
    """Net amount of invoices and bills (credit notes included, signed) per month index, up to ``as_of``."""
    out: dict[int, float] = {}
    for inst in snapshot.installments:
        d = inst.invoice_date
        if d is None or d > as_of or inst.move_type == "entry":
            continue
        m = d.year * 12 + d.month - 1
        out[m] = out.get(m, 0.0) + inst.amount
    return out


def fit_ratio(x: np.ndarray, y: np.ndarray) -> float:
    den = float(np.sum(x * x))
    return float(np.sum(x * y)) / den if den > 0 else 0.0


def fit_sweep(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares hinge ``y ~ k * max(0, x - floor)`` with ``k >= 0`` (``y`` as magnitudes); returns (k, floor).

    For each split of the sorted ``x`` into "below the floor" and "above", a line through the points above
    gives the floor where it crosses zero (kept within the split's gap), then ``k`` given that floor.
    """
    xs = np.unique(x)
    if not len(xs):
        return 0.0, 0.0
    best = (np.inf, 0.0, float(xs[0]) - 1.0)
    for j in range(len(xs)):
        lo = xs[j - 1] if j > 0 else -np.inf  # points >= xs[j] are above the floor, the others below
        above = x >= xs[j]
        floor = xs[j] - 1.0 if j == 0 else (xs[j - 1] + xs[j]) / 2.0
        if above.sum() >= 2 and np.ptp(x[above]) > 0:
            slope, intercept = np.polyfit(x[above], y[above], 1)
            if slope > 0:
                floor = float(np.clip(-intercept / slope, lo, xs[j]))
        h = np.maximum(x - floor, 0.0)
        den = float(np.sum(h * h))
        if den <= 0:
            continue
        k = max(float(np.sum(h * y)) / den, 0.0)
        sse = float(np.sum((y - k * h) ** 2))
        if sse < best[0] - 1e-9:
            best = (sse, k, float(floor))
    return best[1], best[2]


def _loo(predict: Callable[[np.ndarray, int], float], y: np.ndarray) -> float:
    mask = np.ones(len(y), dtype=bool)
    errors = []
    for i in range(len(y)):
        mask[i] = False
        errors.append(abs(y[i] - predict(mask, i)))
        mask[i] = True
    return float(np.mean(errors))


def choose_driver(y: np.ndarray, turnover: np.ndarray | None, balance: np.ndarray | None) -> FlowDriver | None:
    """The driver (if any) that explains the slot amounts ``y`` clearly better than their level.

    ``turnover`` / ``balance``: the candidate driver's value at each slot (NaN where unknown).
    """
    y = np.asarray(y, dtype=float)
    options: list[FlowDriver] = []
    active = np.abs(y) > 1e-6
    if turnover is not None:
        ok = np.isfinite(turnover)
        x, yy = turnover[ok], y[ok]
        if len(yy) >= MIN_SLOTS["turnover"] and np.any(x != 0):
            level = _loo(lambda m, i: float(np.mean(yy[m])), yy)
            loo = _loo(lambda m, i: fit_ratio(x[m], yy[m]) * x[i], yy)
            slope = fit_ratio(x, yy)
            resid = yy - slope * x
            sd = float(np.sqrt(np.sum(resid**2) / max(len(yy) - 1, 1)))
            options.append(FlowDriver("turnover", slope, 0.0, sd, 0.0, len(yy), int(np.sum(np.abs(yy) > 1e-6)),
                                      loo, level))
    if balance is not None and active.sum() >= MIN_ACTIVE_BALANCE:
        sign = float(np.sign(np.sum(y)))
        ok = np.isfinite(balance)
        x, mag = balance[ok], sign * y[ok]
        if len(mag) >= MIN_SLOTS["balance"] and sign != 0 and np.all(mag >= -1e-6) \
                and np.sum(mag > 1e-6) >= MIN_ACTIVE_BALANCE:
            level = _loo(lambda m, i: float(np.mean(mag[m])), mag)

            def predict(m: np.ndarray, i: int) -> float:
                if np.sum(mag[m] > 1e-6) < 2:
                    return float(np.mean(mag[m]))
                k, floor = fit_sweep(x[m], mag[m])
                return k * max(float(x[i]) - floor, 0.0)

            loo = _loo(predict, mag)
            k, floor = fit_sweep(x, mag)
            resid = mag - k * np.maximum(x - floor, 0.0)
            sd = float(np.sqrt(np.sum(resid**2) / max(len(mag) - 2, 1)))
            options.append(FlowDriver("balance", k, floor, sd, sign, len(mag), int(np.sum(mag > 1e-6)), loo, level))
    good = [o for o in options if o.level_mae > 0 and o.loo_mae <= ADOPT[o.kind] * o.level_mae]
    return min(good, key=lambda o: o.loo_mae / o.level_mae) if good else None
