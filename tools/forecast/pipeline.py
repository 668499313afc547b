"""New business: invoices and bills that do not exist yet but will be issued, and paid, in the horizon.

Weekly issued amounts per kind (invoice date, net of credit notes; long format ``unique_id``, ``ds``,
``y``) are forecast with statsforecast ``AutoETS``. The invoicing already expected from open orders
(:mod:`tools.forecast.orders`) is subtracted week by week (never below zero), the rest is spread over
the week's days like past invoice dates, then turned into cash with the population's
invoice-date-to-settlement distribution (learned like payment behaviour, censoring what is still
open), the weekday habits and the payment->bank lag.

Uncertainty: the standard deviation of the *cumulative* issuance error over 1..13 weeks, the larger of
the ETS intervals and what a level forecast's errors really were on the series' own past (rolling
origins), is split into independent weekly increments; each becomes a shock path of a
:class:`~tools.forecast.events.FlowSet` once turned into cash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.forecast.baseline import Z80, _run
from tools.forecast.events import FlowSet, monthly_display
from tools.forecast.payment_behaviour import DOCUMENT_TYPES, REFUND_TYPES, Behaviour, recency
from tools.forecast.survival import GRID, Observations, fit
from tools.forecast.timing import to_bank_days
from tools.forecast.types import EventSource
from tools.odoo.records import Snapshot

REVERSION_WEEKS = 13.0
LABELS = {"receivable": "New customer invoices (not issued yet)", "payable": "New vendor bills (not received yet)"}


@dataclass
class Pipeline:
    kind: str
    weekly_mean: np.ndarray
    cumulative_sd: np.ndarray
    history_weeks: int
    recent_weekly: float
    lag_median: float
    paid_share: float
    flows: FlowSet


def _issuance(snapshot: Snapshot, as_of: dt.date, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Weekly issued amounts (oldest first, last = the 7 days up to as_of) and weekday shares."""
    weeks = max((as_of - snapshot.history_start).days // 7, 0)
    y = np.zeros(weeks)
    wd = np.zeros(7)
    for inst in snapshot.installments:
        d = inst.invoice_date
        if inst.kind != kind or d is None or inst.move_type not in DOCUMENT_TYPES + REFUND_TYPES:
            continue
        back = (as_of - d).days // 7
        if d <= as_of and back < weeks:
            y[weeks - 1 - back] += inst.amount
            wd[d.weekday()] += abs(inst.amount)
    return y, wd / wd.sum() if wd.sum() > 0 else np.array([0.2] * 5 + [0.0, 0.0])


def _cash_lag(snapshot: Snapshot, as_of: dt.date, kind: str) -> tuple[np.ndarray, float, float]:
    """Pmf of days from invoice date to settlement (index = days), median, and share ever paid in cash."""
    delay, event, weight = [], [], []
    for inst in snapshot.installments:
        if inst.kind != kind or inst.move_type not in DOCUMENT_TYPES or inst.invoice_date is None \
                or inst.invoice_date > as_of or abs(inst.amount) < 0.01:
            continue
        w0 = recency(inst.invoice_date, as_of)
        used = 0.0
        for s in inst.settlements:
            if s.date > as_of:
                continue
            share = min(abs(s.amount) / abs(inst.amount), 1.0 - used)
            used += share
            delay.append((s.date - inst.invoice_date).days)
            event.append(s.is_cash)
            weight.append(share * w0)
        if 1.0 - used > 0.005:
            delay.append((as_of - inst.invoice_date).days)
            event.append(False)
            weight.append((1.0 - used) * w0)
    if not any(event):
        pmf = np.zeros(61)
        pmf[30] = 1.0
        return pmf, 30.0, 1.0
    n = len(delay)
    obs = Observations(np.zeros(n, dtype=np.int64), np.array(delay, float), np.array(event, bool),
                       np.array(weight, float), np.zeros(n), 1)
    model = fit(obs, clip=(-30.0, 365.0))
    resid = model.residual_pmf(model.population)
    bins = np.clip(np.rint(model.pop_mean + GRID).astype(int), 0, None)
    pmf = np.bincount(bins, resid, minlength=int(bins.max()) + 1).astype(float)
    median = float(np.searchsorted(np.cumsum(pmf) / max(pmf.sum(), 1e-12), 0.5))
    return pmf, median, float(pmf.sum())


def typical_term_days(snapshot: Snapshot, as_of: dt.date, kind: str) -> int:
    days, weights = [], []
    for inst in snapshot.installments:
        if inst.kind == kind and inst.move_type in DOCUMENT_TYPES and inst.invoice_date and inst.due_date \
                and (as_of - inst.invoice_date).days <= 365 and inst.invoice_date <= as_of:
            days.append((inst.due_date - inst.invoice_date).days)
            weights.append(abs(inst.amount))
    if not days:
        return 30
    order = np.argsort(days)
    cum = np.cumsum(np.array(weights)[order])
    return int(np.array(days)[order][np.searchsorted(cum, cum[-1] / 2)])


def _seasonal_factors(y: np.ndarray, weeks: int, shrink: float = 0.75) -> np.ndarray:
    """Year-over-year shape: last year's weeks ahead relative to last year's (up to) 13 weeks before.

    Needs at least 4 weeks of last year before the same date (56+ weeks of history); the shorter that
    base, the more the factors are shrunk toward 1.
    """
    n = len(y)
    base_weeks = min(n - 52, 13)
    if base_weeks < 4:
        return np.ones(weeks)
    base = float(np.mean(y[n - 52 - base_weeks:n - 52]))
    if abs(base) < 1e-9:
        return np.ones(weeks)
    k = shrink * np.sqrt(base_weeks / 13.0)
    out = np.ones(weeks)
    for w in range(weeks):
        centre = n - 52 + w % 52  # the same week last year (cyclic beyond a year)
        lo, hi = max(centre - 2, 0), min(centre + 3, n)
        if hi > lo:
            out[w] = 1.0 + k * (float(np.mean(y[lo:hi])) / base - 1.0)
    return np.clip(out, 0.5, 2.0)


def cumulative_error_sd(y: np.ndarray, weeks: int, window: int = 13, min_origins: int = 8) -> np.ndarray | None:
    """Empirical sd of the cumulative error of a 'mean of the last ``window`` weeks' forecast, per horizon week.

    Rolling origins over the series itself: what the level forecast's error over 1..``weeks`` weeks
    really was in the past (None when the series is too short to tell).
    """
    n = len(y)
    starts = range(max(window, 13), n - 1)
    if len(starts) < min_origins:
        return None
    cum = np.concatenate([[0.0], np.cumsum(y)])
    sq = np.zeros(weeks)
    cnt = np.zeros(weeks)
    for t in starts:
        level = (cum[t] - cum[t - window]) / window
        h = np.arange(1, min(weeks, n - t) + 1)
        err = cum[t + h] - cum[t] - h * level
        sq[h - 1] += err**2
        cnt[h - 1] += 1
    sd = np.sqrt(sq / np.maximum(cnt, 1))
    known = cnt > 0
    if not known.all():  # extend beyond the longest observed horizon like a random walk
        last = int(np.flatnonzero(known).max())
        extra = np.arange(1, weeks - last)
        sd[last + 1:] = sd[last] * np.sqrt((last + 1 + extra) / (last + 1))
    return np.maximum.accumulate(sd)


def _base_mean(y: np.ndarray) -> float:
    n = len(y)
    base_weeks = min(n - 52, 13)
    return float(np.mean(y[n - 52 - base_weeks:n - 52])) if base_weeks >= 4 else float(np.mean(y[-13:]))


def _forecast(y: np.ndarray, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Weekly mean and sd of the cumulative error.

    The mean starts at the AutoETS level (no trend) times the yearly shape, and reverts to the last
    52 weeks' average (with the same yearly shape) with a half-life of ``REVERSION_WEEKS``: a quarter
    ahead the recent level matters, a year ahead the annual run-rate does.
    """
    if len(y) < 8:
        m = float(np.mean(y)) if len(y) else 0.0
        s = float(np.std(y)) if len(y) > 1 else abs(m)
        return np.full(weeks, m), s * np.sqrt(np.arange(1, weeks + 1))
    from statsforecast.models import AutoETS

    fc = _run([AutoETS(season_length=1, model="ZNN")],
              [pd.DataFrame({"unique_id": "issuance", "ds": np.arange(len(y)), "y": y})], weeks)
    factors = _seasonal_factors(y, weeks)
    level = fc["AutoETS"].to_numpy(dtype=float)
    annual = float(np.mean(y[-52:]))
    shape = factors * _base_mean(y) / annual if abs(annual) > 1e-9 else factors
    pull = 0.5 ** (np.arange(1, weeks + 1) / REVERSION_WEEKS)
    mean = pull * level * factors + (1.0 - pull) * annual * np.where(len(y) >= 56, shape, 1.0)
    sd_week = np.nan_to_num((fc["AutoETS-hi-80"] - fc["AutoETS-lo-80"]).to_numpy(dtype=float) / (2 * Z80))
    ets_cum = np.sqrt(np.cumsum(sd_week**2))
    empirical = cumulative_error_sd(y, weeks)
    cum = ets_cum if empirical is None else np.maximum(empirical, ets_cum)
    return mean, cum


def new_business(snapshot: Snapshot, as_of: dt.date, horizon: int, beh: Behaviour, order_invoicing: np.ndarray,
                 factor: float = 1.0) -> Pipeline:
    kind = beh.kind
    sign = 1.0 if kind == "receivable" else -1.0
    y, weekday_share = _issuance(snapshot, as_of, kind)
    weeks = -(-horizon // 7)
    mean, cum_sd = _forecast(y, weeks)
    mag = np.maximum(sign * mean, 0.0) * factor
    day_share = np.array([weekday_share[(as_of + dt.timedelta(days=k + 1)).weekday()] for k in range(horizon)])
    week_of = np.arange(horizon) // 7
    norm = np.bincount(week_of, day_share, weeks)
    daily_w = day_share / np.where(norm[week_of] > 0, norm[week_of], 1.0)
    orders = np.bincount(week_of, sign * order_invoicing, weeks)
    new = np.maximum(mag - np.maximum(orders, 0.0), 0.0)
    lag, median, paid = _cash_lag(snapshot, as_of, kind)
    increments = np.sqrt(np.maximum(np.diff(np.concatenate([[0.0], cum_sd**2])), 0.0)) * factor
    sources = [new[week_of] * daily_w] + [np.where(week_of == w, increments[w] * daily_w, 0.0) for w in range(weeks)]
    settle = np.array([np.convolve(src, lag)[:horizon] for src in sources])
    bank = to_bank_days(settle, as_of, beh.timing) * sign
    path, basis = bank[0], bank[1:]
    display = monthly_display(path, as_of, EventSource(model="flow_group", id=None, name=LABELS[kind]))
    flows = FlowSet([LABELS[kind]], path[None, :], basis[np.abs(basis).sum(axis=1) > 0], display)
    recent = float(np.mean(y[-13:])) if len(y) else 0.0
    return Pipeline(kind, sign * mag, cum_sd * factor, len(y), recent, median, paid, flows)

