"""Discrete-time survival model of delays with partner effects shrunk toward the population.

A *delay* is a number of days (payment date - due date, invoice date - order date, ...). Each
observation is an event (the cash came at that delay) or censored (still unpaid at that delay; or
settled without cash, which removes it from the risk set). Observations carry weights (share of the
amount x recency).

The model is a location-shift hierarchy:

* every group (partner) has a location ``mu_g(t) = a_g + b_g (t - t_g)``; ``a_g`` is the group's
  weighted mean delay shrunk toward the population mean by empirical Bayes (``B_g = tau^2 /
  (tau^2 + sigma^2 / n_g)``), ``b_g`` a weighted-least-squares trend on the invoice date shrunk toward
  zero the same way (a deteriorating payer gets later, a one-off outlier does not make a trend);
* the residual ``delay - mu_g(t)`` follows a discrete hazard ``h_g(r)``: the group's own weighted
  events / at-risk counts (box-smoothed over +-2 days), shrunk toward a population prior with ``prior_strength`` pseudo
  observations. The prior mixes the pooled residual hazard (partners well known) and the raw
  population hazard (partners barely known) by ``B_g``. Population hazards are kernel-smoothed
  (wider in the tail) and carry half a pseudo-observation of a weak, decreasing tail hazard
  (``TAIL_PRIOR``), so where the population never saw anyone pay that late the hazard is small but
  not zero; what the hazards never reach within the horizon is the probability of no payment.

Conditional predictions (an item unpaid ``o`` days after its due date) are the hazards from residual
``o - mu + 1`` on: no mass before today, and ``1 - sum`` is the probability of no payment at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LO, HI = -120, 900
"""Residual grid (days). Delays outside are clipped; hazards beyond HI are 0."""
GRID = np.arange(LO, HI + 1)
CHUNK = 256


@dataclass(frozen=True)
class Observations:
    """Delays of one population (e.g. customer payments), one row per (partial) observation."""

    group: np.ndarray  # int64 group index (0..n_groups-1)
    delay: np.ndarray  # float days (event time or censoring time)
    event: np.ndarray  # bool: cash received at this delay
    weight: np.ndarray  # float: share of the item's amount x recency weight
    when: np.ndarray  # float years before the as-of date (negative = past) of the item's reference date
    n_groups: int
    period: np.ndarray | None = None  # int calendar month of the due date (timing correlation)


@dataclass
class DelayModel:
    """A fitted model: locations and hazards per group, plus the population (row ``n_groups``)."""

    pop_mean: float
    a: np.ndarray  # (G+1,) shrunk mean delay per group (last row = population)
    b: np.ndarray  # (G+1,) shrunk trend, days per year
    t_ref: np.ndarray  # (G+1,) weighted mean reference time of the group's observations (years)
    shrink: np.ndarray  # (G+1,) B_g, weight of the group's own data in its location
    n_eff: np.ndarray  # (G+1,) effective number of paid items
    hazard: np.ndarray  # (G+1, T) discrete hazards on GRID

    @property
    def population(self) -> int:
        return len(self.a) - 1

    def location(self, group: np.ndarray, when: np.ndarray) -> np.ndarray:
        """Expected delay (days) of items of ``group`` dated ``when`` (years relative to as-of)."""
        span = np.clip(when - self.t_ref[group], -1.0, 1.0)
        trend = np.clip(self.b[group] * span, -60.0, 60.0)
        return self.a[group] + trend

    def conditional_pmf(self, group: np.ndarray, after: np.ndarray, length: int) -> np.ndarray:
        """P(residual = after + k), k = 1..length, given residual > after; rows may sum to < 1."""
        idx = after[:, None].astype(np.int64) + np.arange(1, length + 1)[None, :] - LO
        hz = self.hazard[group[:, None], np.clip(idx, 0, len(GRID) - 1)]
        hz = np.where((idx < 0) | (idx >= len(GRID)), 0.0, hz)
        surv = np.cumprod(1.0 - hz, axis=1)
        prev = np.concatenate([np.ones((len(group), 1)), surv[:, :-1]], axis=1)
        return hz * prev

    def residual_pmf(self, group: int) -> np.ndarray:
        """Unconditional pmf of the residual on GRID (sums to <= 1; the rest is 'never paid')."""
        return self.conditional_pmf(np.array([group]), np.array([LO - 1]), len(GRID))[0]


def _smooth(values: np.ndarray, base: float = 2.0, slope: float = 0.08) -> np.ndarray:
    """Box-filter with a half-width growing with |residual| (sharp near 0, smooth in the tail)."""
    half = np.rint(base + slope * np.abs(GRID)).astype(np.int64)
    cs = np.concatenate([[0.0], np.cumsum(values)])
    i = np.arange(len(values))
    lo, hi = np.clip(i - half, 0, len(values)), np.clip(i + half + 1, 0, len(values))
    return (cs[hi] - cs[lo]) / (2 * half + 1)


TAIL_PRIOR = 1.0 / (30.0 + np.clip(GRID, 0, None))
"""Weak prior hazard (a decreasing, Lomax-like tail: about 2/3 paid within 3 months when just overdue,
under 1/5 when a year overdue) where the population has no evidence either way."""
PRIOR_WEIGHT = 0.5
NO_HISTORY = np.where(GRID >= 0, 0.2, 0.0)
"""Hazard when nothing was ever paid: from the reference date on, 20% a day (mean about 4 days)."""


def _smooth_rows(values: np.ndarray, half: int = 2) -> np.ndarray:
    """Box-filter each row over +-``half`` days: a partner paid 10 days late is as likely to pay 9 or 11."""
    cs = np.concatenate([np.zeros((len(values), 1)), np.cumsum(values, axis=1)], axis=1)
    i = np.arange(values.shape[1])
    lo, hi = np.clip(i - half, 0, values.shape[1]), np.clip(i + half + 1, 0, values.shape[1])
    return (cs[:, hi] - cs[:, lo]) / (2 * half + 1)


def _hazard(events: np.ndarray, at_risk: np.ndarray) -> np.ndarray:
    h = (events + PRIOR_WEIGHT * TAIL_PRIOR) / (at_risk + PRIOR_WEIGHT)
    h = np.clip(h, 0.0, 1.0)
    h[-1] = 0.0
    return h


def _counts(group: np.ndarray, resid: np.ndarray, event: np.ndarray, weight: np.ndarray,
            n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted event counts and at-risk totals per (row, residual bin)."""
    col = np.clip(np.rint(resid).astype(np.int64), LO, HI) - LO
    ev = np.zeros((n_rows, len(GRID)))
    exits = np.zeros((n_rows, len(GRID)))
    np.add.at(ev, (group[event], col[event]), weight[event])
    np.add.at(exits, (group, col), weight)
    np.cumsum(exits[:, ::-1], axis=1, out=exits[:, ::-1])
    return ev, exits


def _weighted_stats(group: np.ndarray, x: np.ndarray, w: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    sw = np.bincount(group, w, n)
    sw2 = np.bincount(group, w * w, n)
    mean = np.bincount(group, w * x, n) / np.maximum(sw, 1e-12)
    n_eff = np.where(sw2 > 0, sw * sw / np.maximum(sw2, 1e-12), 0.0)
    return sw, mean, n_eff


def fit(obs: Observations, *, prior_strength: float = 2.0, clip: tuple[float, float] | None = None) -> DelayModel:
    """Fit locations (shrunk, with shrunk trends) and hazards (shrunk) from ``obs``."""
    g_n = obs.n_groups
    ev = obs.event & (obs.weight > 0)
    if not ev.any():  # no history at all: around the reference date, a few days' spread
        hazard = np.tile(NO_HISTORY, (g_n + 1, 1))
        zeros = np.zeros(g_n + 1)
        return DelayModel(0.0, zeros, zeros, zeros, zeros, zeros, hazard)
    x = obs.delay[ev]
    if clip is None:
        clip = (float(np.quantile(x, 0.02)), float(np.quantile(x, 0.98)))
    x = np.clip(x, *clip)
    w, g, t = obs.weight[ev], obs.group[ev], obs.when[ev]
    pop_mean = float(np.average(x, weights=w))
    _, mean, n_eff = _weighted_stats(g, x, w, g_n)
    sigma2 = float(np.average((x - mean[g]) ** 2, weights=w)) + 1.0
    known = n_eff >= 1.0
    se2 = sigma2 / np.maximum(n_eff, 1e-9)
    between = float(np.var(mean[known])) - float(np.mean(se2[known])) if known.sum() > 1 else 0.0
    tau2 = max(between, 0.05 * sigma2, 1.0)
    shrink = np.where(n_eff > 0, tau2 / (tau2 + se2), 0.0)
    a = pop_mean + shrink * (mean - pop_mean)
    b, t_ref = _trends(g, x, w, t, mean, n_eff, sigma2, g_n)
    a_all = np.append(a, pop_mean)
    b_all = np.append(b, 0.0)
    t_all = np.append(t_ref, 0.0)
    shrink_all = np.append(shrink, 0.0)
    model = DelayModel(pop_mean, a_all, b_all, t_all, shrink_all, np.append(n_eff, float(n_eff.sum())),
                       np.zeros((g_n + 1, len(GRID))))
    # residual hazards
    resid = obs.delay - model.location(obs.group, obs.when)
    ev_g, risk_g = _counts(obs.group, resid, obs.event, obs.weight, g_n)
    h_res = _hazard(_smooth(ev_g.sum(0)), _smooth(risk_g.sum(0)))
    ev_g, risk_g = _smooth_rows(ev_g), _smooth_rows(risk_g)
    zero = np.zeros(len(obs.group), dtype=np.int64)
    ev_raw, risk_raw = _counts(zero, obs.delay - pop_mean, obs.event, obs.weight, 1)
    h_raw = _hazard(_smooth(ev_raw[0]), _smooth(risk_raw[0]))
    scale = _scales(g, x - mean[g], w, n_eff, g_n)
    hazard = np.empty((g_n + 1, len(GRID)))
    for lo in range(0, g_n, CHUNK):  # bounded temporaries for companies with thousands of partners
        sl = slice(lo, min(lo + CHUNK, g_n))
        prior = shrink[sl, None] * _rescaled(h_res, scale[sl]) + (1.0 - shrink[sl, None]) * h_raw[None, :]
        hazard[sl] = np.clip((ev_g[sl] + prior_strength * prior) / (risk_g[sl] + prior_strength), 0.0, 1.0)
    hazard[:, -1] = 0.0
    hazard[g_n] = h_raw
    model.hazard = hazard
    return model


def _scales(g: np.ndarray, dev: np.ndarray, w: np.ndarray, n_eff: np.ndarray, g_n: int,
            strength: float = 3.0) -> np.ndarray:
    """Each group's spread relative to the pooled spread (robust, shrunk toward 1)."""
    absdev = np.abs(dev) + 0.5
    pooled = float(np.average(absdev, weights=w))
    own = np.bincount(g, w * absdev, g_n) / np.maximum(np.bincount(g, w, g_n), 1e-12)
    ratio = (n_eff * own + strength * pooled) / (n_eff + strength) / pooled
    return np.clip(ratio, 0.25, 4.0)


def _rescaled(hazard: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The pooled residual hazard stretched to each group's spread: a tight payer already a few days past
    its usual date is in the pooled distribution's tail, not in its busy middle."""
    positions = (GRID[None, :] / scale[:, None]).clip(LO, HI)
    cumulative = np.concatenate([[0.0], np.cumsum(-np.log1p(-np.clip(hazard, 0.0, 0.999999)))])
    # cumulative hazard at the start of each stretched day, in pooled units
    lo = np.interp(positions, GRID - 0.5, cumulative[:-1])
    hi = np.interp(positions + 1.0 / scale[:, None], GRID - 0.5, cumulative[:-1])
    return 1.0 - np.exp(-(hi - lo))


def _trends(g: np.ndarray, x: np.ndarray, w: np.ndarray, t: np.ndarray, mean: np.ndarray, n_eff: np.ndarray,
            sigma2: float, g_n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-group WLS slope of delay on time (days/year), shrunk toward 0 by empirical Bayes."""
    sw = np.bincount(g, w, g_n)
    t_ref = np.bincount(g, w * t, g_n) / np.maximum(sw, 1e-12)
    dt_ = t - t_ref[g]
    sxx = np.bincount(g, w * dt_ * dt_, g_n)
    sxy = np.bincount(g, w * dt_ * (x - mean[g]), g_n)
    span_ok = (sxx / np.maximum(sw, 1e-12)) > (0.08**2)
    ok = (n_eff >= 4) & span_ok
    slope = np.where(ok, sxy / np.maximum(sxx, 1e-12), 0.0)
    # variance of the slope: sigma^2 / (n_eff * var_t)
    var_t = sxx / np.maximum(sw, 1e-12)
    se2 = np.where(ok, sigma2 / np.maximum(n_eff * var_t, 1e-12), np.inf)
    if ok.sum() >= 3:
        tau2 = max(float(np.var(slope[ok])) - float(np.median(se2[ok])), 1.0)
    else:
        tau2 = max(float(np.mean(slope[ok] ** 2)) if ok.any() else 0.0, 1.0)
    shrunk = np.where(ok, slope * tau2 / (tau2 + se2), 0.0)
    return shrunk, t_ref


def timing_correlation(model: DelayModel, obs: Observations, min_count: int = 5) -> float:
    """Intra-month correlation of payment timing: do items due the same month run late together?

    Each paid observation's probability integral transform under its group's distribution becomes a
    normal score; the one-way ANOVA intraclass correlation of those scores by due month is the
    correlation the simulation's timing copula uses (0 when months look independent).
    """
    if obs.period is None:
        return 0.0
    ev = obs.event & (obs.weight > 0)
    if ev.sum() < 30:
        return 0.0
    from scipy.special import ndtri

    groups = np.arange(len(model.a))
    pmf = model.conditional_pmf(groups, np.full(len(groups), LO - 1), len(GRID))
    cdf = np.cumsum(pmf, axis=1) / np.maximum(pmf.sum(axis=1, keepdims=True), 1e-12)
    g = obs.group[ev]
    col = np.clip(np.rint(obs.delay[ev] - model.location(g, obs.when[ev])).astype(np.int64) - LO, 0, len(GRID) - 1)
    upper = cdf[g, col]
    lower = np.where(col > 0, cdf[g, np.maximum(col - 1, 0)], 0.0)
    z = ndtri(np.clip((upper + lower) / 2, 0.001, 0.999))
    months = obs.period[ev]
    _, inverse, counts = np.unique(months, return_inverse=True, return_counts=True)
    keep = counts[inverse] >= min_count
    if keep.sum() < 30 or (counts >= min_count).sum() < 3:
        return 0.0
    z, inverse = z[keep], inverse[keep]
    n_m = np.bincount(inverse)
    used = n_m > 0
    month_mean = np.bincount(inverse, z) / np.maximum(n_m, 1)
    means = month_mean[used]
    within = float(np.sum((z - month_mean[inverse]) ** 2) / max(len(z) - int(used.sum()), 1))
    between = float(np.var(means, ddof=1)) - within / float(np.mean(n_m[used]))
    return float(np.clip(between / (between + within), 0.0, 0.5)) if between > 0 else 0.0

