"""From settlement dates to bank dates: payment runs, payment-to-bank lag, business days.

A settlement distribution (over days as_of+1 ..) becomes a bank-date distribution in two steps:

1. **payment runs**: when most settlements of a kind happen on one weekday (a company paying its
   vendors in a Thursday run), that share of each day's mass moves to the nearest run day
   (-3..+3 days, never before tomorrow);
2. **payment -> bank lag, in business days**: settlements through a payment reach the bank statement
   some business days later (learned by matching posted payments with bank lines of the same partner
   and amount); direct bank reconciliations have no lag. Weekend days roll to the next business day.

Both steps are sparse transition matrices over the horizon's days; mass pushed past the horizon
leaves it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from tools.forecast.matching import payment_bank_dates
from tools.odoo.records import Installment, Snapshot

MAX_LAG = 10
"""Business days."""
RUN_SHARE = 0.5
DEFAULT_LAG = np.full(4, 0.25)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class BankTiming:
    """Payment-run weekday (or None) and strength, and payment->bank lag pmfs (business days)."""

    run_weekday: int | None
    run_strength: float
    weekday_share: np.ndarray
    lag_pmf: np.ndarray
    payment_lag: np.ndarray
    bank_share: float
    lag_median: int
    matched: int

    @staticmethod
    def neutral() -> BankTiming:
        one = np.array([1.0])
        return BankTiming(None, 0.0, np.full(7, 1 / 7), one, one, 1.0, 0, 0)


def _bdays(start: dt.date, end: dt.date) -> int:
    return int(np.busday_count(start, end)) if end >= start else -int(np.busday_count(end, start))


def learn_bank_lag(snapshot: Snapshot, as_of: dt.date, sign: float) -> tuple[np.ndarray, int]:
    """Lag pmf (business days) from payment date to bank line date, from matched payments of this sign."""
    matched = payment_bank_dates(snapshot)
    lags = [min(max(_bdays(p.date, matched[p.ref.id]), 0), MAX_LAG) for p in snapshot.payments
            if p.ref.id in matched and p.amount * sign > 0 and matched[p.ref.id] <= as_of]
    if len(lags) < 5:  # no evidence: a payment reaches the bank within 0-3 business days
        return DEFAULT_LAG, len(lags)
    hist = np.bincount(np.array(lags), minlength=MAX_LAG + 1).astype(float)
    return hist / hist.sum(), len(lags)


def learn_timing(snapshot: Snapshot, installments: list[Installment], as_of: dt.date, kind: str) -> BankTiming:
    """Payment-run habits and payment->bank lag of one kind (receivable / payable)."""
    share = np.zeros(7)
    via_bank = via_payment = 0.0
    since = as_of - dt.timedelta(days=365)
    for inst in installments:
        if inst.kind != kind:
            continue
        for s in inst.settlements:
            if s.is_cash and since < s.date <= as_of:
                share[s.date.weekday()] += abs(s.amount)
                if s.via == "bank":
                    via_bank += abs(s.amount)
                else:
                    via_payment += abs(s.amount)
    share = share / share.sum() if share.sum() > 0 else np.full(7, 1 / 7)
    top = int(share.argmax())
    run = top if share[top] >= RUN_SHARE else None
    strength = float(np.clip((share[top] - 0.2) / 0.8, 0.0, 1.0)) if run is not None else 0.0
    lag, matched = learn_bank_lag(snapshot, as_of, 1.0 if kind == "receivable" else -1.0)
    bank = via_bank / (via_bank + via_payment) if via_bank + via_payment > 0 else 1.0
    lag = np.pad(lag, (0, MAX_LAG + 1 - len(lag)))
    pmf = (1.0 - bank) * lag
    pmf[0] += bank
    median = int(np.searchsorted(np.cumsum(lag), 0.5))
    return BankTiming(run, strength, share, pmf, lag, bank, median, matched)


def _apply(pmf: np.ndarray, moves: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """Move each column j's mass to columns ``target[j]`` with the given weights; targets >= K leave."""
    from scipy.sparse import csr_matrix

    k = pmf.shape[1]
    rows = np.concatenate([np.arange(k) for _ in moves])
    cols = np.concatenate([np.minimum(t, k) for t, _ in moves])
    data = np.concatenate([np.full(k, w) for _, w in moves])
    matrix = csr_matrix((data, (rows, cols)), shape=(k, k + 1))
    out = np.asarray((matrix.T @ pmf.T).T)
    return out[:, :k]


def to_bank_days(pmf: np.ndarray, as_of: dt.date, timing: BankTiming, *, runs: bool = True,
                 lag: bool = True) -> np.ndarray:
    """Turn settlement pmfs over days as_of+1..as_of+K (rows) into bank-date pmfs over the same days."""
    if not pmf.size:
        return pmf
    k = pmf.shape[1]
    days = np.datetime64(as_of) + np.arange(1, k + 1)
    idx = np.arange(k)
    if runs and timing.run_weekday is not None and timing.run_strength > 0:
        wd = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
        delta = (timing.run_weekday - wd + 3) % 7 - 3
        snapped = idx + delta
        snapped = np.where(snapped < 0, snapped + 7, snapped)
        pmf = _apply(pmf, [(idx, 1.0 - timing.run_strength), (snapped, timing.run_strength)])
    lags = timing.lag_pmf if lag else np.array([1.0])
    moves = []
    for d, p in enumerate(lags):
        if p > 0:
            target = np.busday_offset(days, d, roll="forward")
            moves.append(((target - np.datetime64(as_of)).astype(int) - 1, float(p)))
    return _apply(pmf, moves)


def business_day_roll(pmf: np.ndarray, as_of: dt.date) -> np.ndarray:
    """Weekend mass moves to the next Monday (nothing else)."""
    return to_bank_days(pmf, as_of, BankTiming.neutral(), runs=False, lag=False)
