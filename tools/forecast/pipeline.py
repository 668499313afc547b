"""New business: invoices and bills that do not exist yet but will be issued, and paid, in the horizon.

Nearly every invoice of a trading company comes from an order, and the open orders are already
events (:mod:`tools.forecast.orders`). What is left is cash from **orders not confirmed yet** and from
**documents that come without an order** (services, utilities...):

* weekly confirmed-order amounts and weekly order-less document amounts (signed, long format
  ``unique_id``, ``ds``, ``y``) are each forecast with statsforecast ``AutoETS`` (level), times last
  year's shape of the same weeks when a year of history shows one, reverting to the annual run-rate
  (:func:`shaped`);
* future confirmations become invoices through the order-to-invoice lag learned from orders old
  enough to be complete (:func:`order_invoice_lag`, per unit of order amount: what never gets invoiced
  stays out), spread over the week's days like past confirmations / invoice dates;
* invoices become cash with the population's invoice-date-to-settlement distribution (learned like
  payment behaviour, censoring what is still open), the weekday habits and the payment->bank lag.

Invoicing from open orders is not forecast here (no double count); it is added to
:attr:`Pipeline.weekly_mean`, the total issuance forecast that turnover-driven taxes use.

Uncertainty: per series the standard deviation of the *cumulative* error over 1..13 weeks, the larger of
the ETS intervals and this forecaster's own errors on the series' past (rolling origins,
:func:`own_error_sd`), is split into independent weekly increments, each a shock path of a
:class:`~tools.forecast.events.FlowSet` once turned into cash. The sales and purchase order-volume
shocks share a factor with the correlation their past forecast errors had (:func:`order_correlation`,
:func:`couple`): a distributor that sells more than expected buys more too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.forecast.baseline import Z80, _run
from tools.forecast.events import FlowSet, monthly_display
from tools.forecast.orders import confirmed
from tools.forecast.payment_behaviour import DOCUMENT_TYPES, REFUND_TYPES, Behaviour, recency
from tools.forecast.survival import GRID, Observations, fit
from tools.forecast.timing import to_bank_days
from tools.forecast.types import EventSource
from tools.odoo.records import Snapshot

REVERSION_WEEKS = 13.0
MAX_ORDER_LAG = 120
MIN_ORDERS = 10
ORDER_KIND = {"receivable": "sale", "purchase": "purchase", "payable": "purchase"}
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
    order_lag_median: float = 0.0
    """Days from an order's confirmation to its invoice (median)."""
    invoiced_share: float = 1.0
    unordered_weekly: float = 0.0
    """Recent weekly amount of documents issued without an order."""
    conf_basis: np.ndarray | None = None
    """(weeks, H) cash shock paths of the order volume, one per week (see :func:`couple`)."""
    other_basis: np.ndarray | None = None
    coupling: float = 0.0
    """Correlation of the sales and purchase volume shocks (see :func:`order_correlation`)."""
    orders_weekly: np.ndarray | None = None
    """The weekly confirmed-order history (signed, oldest first)."""


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


def _base_mean(y: np.ndarray) -> float:
    n = len(y)
    base_weeks = min(n - 52, 13)
    return float(np.mean(y[n - 52 - base_weeks:n - 52])) if base_weeks >= 4 else float(np.mean(y[-13:]))


def shaped(y: np.ndarray, level: np.ndarray | float, weeks: int) -> np.ndarray:
    """The weekly mean from a level: the level times the yearly shape, reverting to the last 52 weeks'
    average (with the same yearly shape) with a half-life of ``REVERSION_WEEKS``: a quarter ahead the
    recent level matters, a year ahead the annual run-rate does."""
    factors = _seasonal_factors(y, weeks)
    annual = float(np.mean(y[-52:]))
    shape = factors * _base_mean(y) / annual if abs(annual) > 1e-9 else factors
    pull = 0.5 ** (np.arange(1, weeks + 1) / REVERSION_WEEKS)
    return pull * level * factors + (1.0 - pull) * annual * np.where(len(y) >= 56, shape, 1.0)


def ses_levels(y: np.ndarray, alpha: float) -> np.ndarray:
    """Simple exponential smoothing: ``levels[t]`` is the level after seeing ``y[:t]`` (``levels[0]`` = start)."""
    levels = np.empty(len(y) + 1)
    levels[0] = float(np.mean(y[:4])) if len(y) else 0.0
    for t, v in enumerate(y):
        levels[t + 1] = levels[t] + alpha * (v - levels[t])
    return levels


def ses_alpha(y: np.ndarray) -> float:
    """The smoothing weight with the smallest one-step-ahead squared error (grid search)."""
    grid = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7)
    return min(grid, key=lambda a: float(np.sum((y - ses_levels(y, a)[:-1]) ** 2)))


def own_error_sd(y: np.ndarray, weeks: int, min_history: int = 13, min_origins: int = 8) -> np.ndarray | None:
    """Empirical sd of the cumulative error of the forecast this module makes, per horizon week 1..``weeks``.

    Rolling origins over the series itself: at every past week ``t`` the same point forecast (smoothed
    level, yearly shape, reversion; the level by simple exponential smoothing) from ``y[:t]`` only, against
    what came. The band is then as wide as the forecaster's own past errors, not those of a cruder one.
    None when the series is too short to tell.
    """
    n = len(y)
    starts = range(min_history, n - 1)
    if len(starts) < min_origins:
        return None
    levels = ses_levels(y, ses_alpha(y))
    cum = np.concatenate([[0.0], np.cumsum(y)])
    sq, cnt = np.zeros(weeks), np.zeros(weeks)
    for t in starts:
        h = np.arange(1, min(weeks, n - t) + 1)
        pred = np.cumsum(shaped(y[:t], levels[t], len(h)))
        err = cum[t + h] - cum[t] - pred
        sq[h - 1] += err**2
        cnt[h - 1] += 1
    sd = np.sqrt(sq / np.maximum(cnt, 1))
    known = cnt > 0
    if not known.all():  # extend beyond the longest observed horizon like a random walk
        last = int(np.flatnonzero(known).max())
        extra = np.arange(1, weeks - last)
        sd[last + 1:] = sd[last] * np.sqrt((last + 1 + extra) / (last + 1))
    return np.maximum.accumulate(sd)


def _forecast(y: np.ndarray, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Weekly mean (:func:`shaped` from the AutoETS level, no trend) and sd of the cumulative error (the larger
    of the ETS intervals and the forecaster's own rolling-origin errors)."""
    if len(y) < 8:
        m = float(np.mean(y)) if len(y) else 0.0
        s = float(np.std(y)) if len(y) > 1 else abs(m)
        return np.full(weeks, m), s * np.sqrt(np.arange(1, weeks + 1))
    from statsforecast.models import AutoETS

    fc = _run([AutoETS(season_length=1, model="ZNN")],
              [pd.DataFrame({"unique_id": "issuance", "ds": np.arange(len(y)), "y": y})], weeks)
    mean = shaped(y, fc["AutoETS"].to_numpy(dtype=float), weeks)
    sd_week = np.nan_to_num((fc["AutoETS-hi-80"] - fc["AutoETS-lo-80"]).to_numpy(dtype=float) / (2 * Z80))
    ets_cum = np.sqrt(np.cumsum(sd_week**2))
    empirical = own_error_sd(y, weeks)
    cum = ets_cum if empirical is None else np.maximum(empirical, ets_cum)
    return mean, cum


def _series(snapshot: Snapshot, as_of: dt.date, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weekly confirmed orders and weekly documents issued without an order (signed, oldest first, last = the
    7 days up to as_of), and the weekday shares of confirmations and of issuance."""
    weeks = max((as_of - snapshot.history_start).days // 7, 0)
    okind = ORDER_KIND[kind]
    has_orders = any(o.kind == okind for o in snapshot.orders)
    conf, other = np.zeros(weeks), np.zeros(weeks)
    wd_conf, wd_doc = np.zeros(7), np.zeros(7)
    for o in snapshot.orders:
        day = confirmed(o)
        if o.kind != okind or o.state == "cancel" or day > as_of:
            continue
        wd_conf[day.weekday()] += abs(o.amount_total)
        back = (as_of - day).days // 7
        if back < weeks:
            conf[weeks - 1 - back] += o.amount_total
    for inst in snapshot.installments:
        d = inst.invoice_date
        if inst.kind != kind or d is None or d > as_of or inst.move_type not in DOCUMENT_TYPES + REFUND_TYPES:
            continue
        wd_doc[d.weekday()] += abs(inst.amount)
        back = (as_of - d).days // 7
        if back < weeks and not (has_orders and inst.origin):
            other[weeks - 1 - back] += inst.amount
    default = np.array([0.2] * 5 + [0.0, 0.0])
    return (conf, other, wd_conf / wd_conf.sum() if wd_conf.sum() > 0 else default,
            wd_doc / wd_doc.sum() if wd_doc.sum() > 0 else default)


def order_invoice_lag(snapshot: Snapshot, as_of: dt.date, kind: str) -> tuple[np.ndarray, float]:
    """Pmf of days from an order's confirmation to its invoices, per unit of order amount (sums to the share
    that gets invoiced), from orders old enough to be complete (recent ones weigh more); and its median."""
    okind = ORDER_KIND[kind]
    orders = [o for o in snapshot.orders if o.kind == okind and o.state != "cancel" and confirmed(o) <= as_of
              and abs(o.amount_total) >= 0.01]
    for min_age in (MAX_ORDER_LAG, 30):
        mature = [o for o in orders if (as_of - confirmed(o)).days >= min_age]
        if len(mature) >= MIN_ORDERS:
            break
    else:
        pmf = np.zeros(MAX_ORDER_LAG + 1)
        pmf[14] = 1.0
        return pmf, 14.0
    pmf = np.zeros(MAX_ORDER_LAG + 1)
    total = 0.0
    for o in mature:
        w = recency(confirmed(o), as_of)
        total += abs(o.amount_total) * w
        for inv in o.invoices:
            if inv.date is not None and inv.state == "posted" and inv.date <= as_of:
                lag = min(max((inv.date - confirmed(o)).days, 0), MAX_ORDER_LAG)
                pmf[lag] += abs(inv.amount) * w
    pmf = pmf / total if total > 0 else pmf
    pmf *= min(1.0, 1.0 / max(pmf.sum(), 1e-12))
    cdf = np.cumsum(pmf) / max(pmf.sum(), 1e-12)
    return pmf, float(np.searchsorted(cdf, 0.5))


def _daily_weights(share: np.ndarray, as_of: dt.date, horizon: int) -> np.ndarray:
    """Per day, its share of its week (weeks of 7 days from as_of + 1), from weekday shares."""
    weeks = -(-horizon // 7)
    day_share = np.array([share[(as_of + dt.timedelta(days=k + 1)).weekday()] for k in range(horizon)])
    week_of = np.arange(horizon) // 7
    norm = np.bincount(week_of, day_share, weeks)
    return day_share / np.where(norm[week_of] > 0, norm[week_of], 1.0)


def _shocks(cum_sd: np.ndarray, daily_w: np.ndarray) -> list[np.ndarray]:
    """One daily shock path per week: the week's share of the cumulative sd, spread like the week's flows."""
    week_of = np.arange(len(daily_w)) // 7
    increments = np.sqrt(np.maximum(np.diff(np.concatenate([[0.0], cum_sd**2])), 0.0))
    return [np.where(week_of == w, increments[w] * daily_w, 0.0) for w in range(len(cum_sd))]


def new_business(snapshot: Snapshot, as_of: dt.date, horizon: int, beh: Behaviour, order_invoicing: np.ndarray,
                 factor: float = 1.0) -> Pipeline:
    """Cash from orders not confirmed yet and from documents that come without an order.

    ``order_invoicing``: the invoicing expected from the open orders (signed, per day), only added to
    :attr:`Pipeline.weekly_mean` (the total issuance forecast, which turnover-driven taxes use).
    """
    kind = beh.kind
    sign = 1.0 if kind == "receivable" else -1.0
    conf, other, wd_conf, wd_doc = _series(snapshot, as_of, kind)
    weeks = -(-horizon // 7)
    week_of = np.arange(horizon) // 7
    conf_lag, conf_median = order_invoice_lag(snapshot, as_of, kind)
    c_mean, c_sd = _forecast(conf, weeks) if np.any(conf) else (np.zeros(weeks), np.zeros(weeks))
    o_mean, o_sd = _forecast(other, weeks) if np.any(other) else (np.zeros(weeks), np.zeros(weeks))
    c_mag = np.maximum(sign * c_mean, 0.0) * factor
    o_mag = np.maximum(sign * o_mean, 0.0) * factor
    w_conf, w_doc = _daily_weights(wd_conf, as_of, horizon), _daily_weights(wd_doc, as_of, horizon)
    conf_daily = c_mag[week_of] * w_conf
    issued = np.convolve(conf_daily, conf_lag)[:horizon] + o_mag[week_of] * w_doc
    lag, median, paid = _cash_lag(snapshot, as_of, kind)
    sources = [issued] + [np.convolve(src, conf_lag)[:horizon] for src in _shocks(c_sd * factor, w_conf)] \
        + _shocks(o_sd * factor, w_doc)
    settle = np.array([np.convolve(src, lag)[:horizon] for src in sources])
    bank = to_bank_days(settle, as_of, beh.timing) * sign
    path, conf_basis, other_basis = bank[0], bank[1:weeks + 1], bank[weeks + 1:]
    display = monthly_display(path, as_of, EventSource(model="flow_group", id=None, name=LABELS[kind]))
    flows = FlowSet([LABELS[kind]], path[None, :], _nonzero(np.vstack([conf_basis, other_basis])), display)
    weekly_total = np.bincount(week_of, sign * issued + order_invoicing, weeks)
    recent = float(np.mean(conf[-13:])) if len(conf) else 0.0
    return Pipeline(kind, weekly_total, np.sqrt(c_sd**2 + o_sd**2) * factor, len(conf), recent, median, paid, flows,
                    conf_median, float(conf_lag.sum()), float(np.mean(other[-13:])) if len(other) else 0.0,
                    conf_basis, other_basis, orders_weekly=conf)


def _nonzero(rows: np.ndarray) -> np.ndarray:
    return rows[np.abs(rows).sum(axis=1) > 0]


def order_correlation(receivable: Pipeline, payable: Pipeline, horizon_weeks: int = 8, min_origins: int = 16) -> float:
    """How the errors of the sales and the purchase forecasts move together (correlation of the sizes' errors).

    Rolling origins over both weekly confirmed-order series, the same forecaster as :func:`own_error_sd`,
    errors cumulated over ``horizon_weeks``: a distributor that sells more than expected also buys more.
    Shrunk toward 0 by the number of non-overlapping windows (overlapping errors are not independent).
    """
    errors = []
    for kind, pipe in (("receivable", receivable), ("payable", payable)):
        y = pipe.orders_weekly if pipe.orders_weekly is not None else np.zeros(0)
        n = len(y)
        if n < 13 + horizon_weeks + min_origins or not np.any(y):
            return 0.0
        levels = ses_levels(y, ses_alpha(y))
        cum = np.concatenate([[0.0], np.cumsum(y)])
        sign = 1.0 if kind == "receivable" else -1.0
        errors.append([sign * (cum[t + horizon_weeks] - cum[t] - float(np.sum(shaped(y[:t], levels[t], horizon_weeks))))
                       for t in range(13, n - horizon_weeks + 1)])
    a, b = np.array(errors[0]), np.array(errors[1])
    if len(a) != len(b) or np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    windows = len(a) / horizon_weeks
    return float(np.corrcoef(a, b)[0, 1]) * windows / (windows + 3.0)


def couple(receivable: Pipeline, payable: Pipeline, rho: float) -> None:
    """Make the two pipelines' order-volume shocks correlated (``rho``, of the sizes) by sharing a factor."""
    r, p = receivable.conf_basis, payable.conf_basis
    r_other, p_other = receivable.other_basis, payable.other_basis
    if abs(rho) < 0.05 or r is None or p is None or r_other is None or p_other is None or r.shape != p.shape:
        return
    own = np.sqrt(1.0 - abs(rho))
    shared = np.sqrt(abs(rho)) * (r + np.sign(rho) * p)
    receivable.flows.basis = _nonzero(np.vstack([own * r, r_other, shared]))
    payable.flows.basis = _nonzero(np.vstack([own * p, p_other]))
    receivable.coupling = payable.coupling = rho
