"""A floor for the band, learned from the company's own history of *unexplained* cash.

What the documents open at a date do not explain - new invoices and bills, orders, payroll, taxes,
owner distributions - is the part of a cash forecast that is really uncertain. From the history we
measure it directly: for every past week-end ``t`` and horizon week ``h``,

``U(t, h) = bank net flow in week t+h - cash that week from documents already issued by t``

(document cash from the reconciliations, dated by the bank line when a payment is matched; the bank
lines of flow groups the engine sizes with a driver are left out, their residual is modelled). A plain
level forecast of ``U`` (the average of the 13 latest comparable origins) makes errors whose
cumulative standard deviation over 1..13 weeks is what even a good model of those flows can expect;
the engine widens its simulated band wherever its own structural flow uncertainty is smaller.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from tools.forecast.matching import payment_bank_dates
from tools.odoo.records import Snapshot

WINDOW = 13
MIN_ORIGINS = 8
HALF_LIFE_WEEKS = 26.0
RAMP_DAYS = 14.0
"""The floor's variance ramps in linearly over this many days: near term, the documents and calendar flows
the engine models explain much more than a level forecast does."""


def unknown_flow_sd(snapshot: Snapshot, as_of: dt.date, weeks: int,
                    modelled: frozenset[int] = frozenset()) -> np.ndarray | None:
    """Cumulative sd (per horizon week 1..weeks) of a level forecast's error on the unexplained cash.

    ``modelled``: bank lines the engine models with a driver (their own residual is in the structural
    uncertainty), left out of the unexplained cash."""
    n = (as_of - snapshot.history_start).days // 7
    if n < WINDOW + MIN_ORIGINS + 2:
        return None

    def week(day: dt.date) -> int:
        return n - 1 - (as_of - day).days // 7

    net = np.zeros(n)
    for line in snapshot.bank_transactions:
        if snapshot.history_start <= line.date <= as_of and 0 <= week(line.date) < n and line.id not in modelled:
            net[week(line.date)] += line.amount
    known = np.zeros((n, n))  # [issue week, bank week]
    bank_dates = payment_bank_dates(snapshot)
    for inst in snapshot.installments:
        issued = inst.invoice_date or inst.due_date
        if issued is None or issued > as_of:
            continue
        i = max(week(issued), 0)
        for s in inst.settlements:
            if not s.is_cash or s.date > as_of:
                continue
            day = bank_dates.get(s.source.id, s.date) if s.via == "payment" else s.date
            b = week(min(day, as_of))
            if 0 <= b < n and b > i:
                known[i, b] += s.amount
    explained = np.cumsum(known, axis=0)  # explained[t, b]: cash in week b from documents issued by week t
    h_max = min(weeks, 13)
    u = np.full((n, h_max), np.nan)
    for t in range(n):
        for h in range(1, h_max + 1):
            if t + h < n:
                u[t, h - 1] = net[t + h] - explained[t, t + h]
    errors = []
    for t in range(WINDOW + h_max, n - 1):
        pred = np.array([np.nanmean(u[max(t - h - WINDOW + 1, 0):t - h + 1, h - 1]) for h in range(1, h_max + 1)])
        err = u[t] - pred
        if np.isnan(err).all():
            continue
        errors.append(np.nancumsum(err))
    if len(errors) < MIN_ORIGINS:
        return None
    e = np.array(errors)
    w = 0.5 ** (np.arange(len(e))[::-1] / HALF_LIFE_WEEKS)  # recent volatility matters more
    sq = np.where(np.isnan(e), 0.0, e**2)
    sd = np.sqrt((w[:, None] * sq).sum(axis=0) / np.maximum((w[:, None] * ~np.isnan(e)).sum(axis=0), 1e-12))
    sd = np.maximum.accumulate(np.nan_to_num(sd))
    if weeks > h_max:  # beyond 13 weeks: grow like a random walk
        extra = sd[-1] * np.sqrt(np.arange(h_max + 1, weeks + 1) / h_max)
        sd = np.concatenate([sd, extra])
    return sd


def extra_variance(target_weekly_sd: np.ndarray | None, structural_sd: np.ndarray) -> np.ndarray:
    """Daily variance increments so the flows' cumulative sd reaches the empirical floor (never negative)."""
    h = len(structural_sd)
    if target_weekly_sd is None or h == 0:
        return np.zeros(h)
    days = np.arange(1, h + 1)
    knots = np.concatenate([[0.0], 7.0 * np.arange(1, len(target_weekly_sd) + 1)])
    var = np.interp(days, knots, np.concatenate([[0.0], target_weekly_sd**2])) * np.minimum(days / RAMP_DAYS, 1.0)
    gap = np.maximum.accumulate(np.maximum(var - structural_sd**2, 0.0))
    return np.diff(np.concatenate([[0.0], gap]))
