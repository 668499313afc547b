"""Monte-Carlo simulation of the daily balance.

Each path draws, with a fixed seed:

* for every timed event (open items, orders, payments in transit) one bank day from its row of the
  pmf matrix, or "not within the horizon" with the row's remaining probability. Timing draws share a
  common factor (Gaussian copula with correlation ``rho``, learned as the intra-month correlation of
  past payment timing): when customers pay late together, independent draws would miss it;
* for every flow shock (no-document month totals, new-business level and weekly noise) a standard
  normal weight of its shock path;
* deterministic one-off flows are added as they are;
* balance-driven flows (:class:`~tools.forecast.events.Policy`, e.g. owner distributions that take
  a share of the cash above a reserve) are applied last, in date order, each from its own path's
  balance the day before (the balance without scenario one-offs, so a one-off shifts every path by
  exactly its amount);
* an independent random walk whose variance brings the flows' uncertainty up to the empirical floor
  learned from the company's history (:mod:`tools.forecast.calibration`), where the structural
  shocks fall short.

Independent random streams (events / flows / common factor) keep scenario comparisons on common
random numbers: adding a one-off flow shifts every path by exactly that amount.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.forecast.events import EventBlock, FlowSet

CHUNK = 2048


@dataclass
class Simulation:
    """Per day (H,): balance quantiles, P(balance < threshold), expected inflow / outflow."""

    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    p_below: np.ndarray
    inflow: np.ndarray
    outflow: np.ndarray
    mean_balance: np.ndarray
    policy_daily: np.ndarray | None = None
    """(policies, H): expected cash of each balance-driven flow per day."""
    policy_odds: np.ndarray | None = None
    """(policies,): probability that each balance-driven flow happens."""


def _ndtr(x: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return np.asarray(ndtr(x))


def sample_days(pmf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Day index (0..H-1, or H = not in horizon) per (event, path) from uniforms ``u`` (N, S)."""
    n, h = pmf.shape
    cdf = np.cumsum(pmf, axis=1)
    cdf = np.minimum(cdf, 1.0)
    off = 2.0 * np.arange(n)[:, None]
    idx = np.searchsorted((cdf + off).ravel(), (u + off).ravel(), side="right").reshape(u.shape)
    return np.minimum(idx - np.arange(n)[:, None] * h, h)


def simulate(opening: float, events: EventBlock, flows: FlowSet, deterministic: np.ndarray, *, threshold: float,
             seed: int, n_paths: int = 1000, rho: float = 0.2, extra_variance: np.ndarray | None = None) -> Simulation:
    """Simulate ``n_paths`` balance paths over the horizon.

    ``extra_variance`` (H,): daily variance increments of an independent random walk added to every
    path (the empirical floor of :mod:`tools.forecast.calibration`).
    """
    horizon = deterministic.shape[0]
    ev_rng, flow_rng, common_rng, extra_rng, policy_rng = (np.random.default_rng(s)
                                                           for s in np.random.SeedSequence(seed).spawn(5))
    net = np.zeros(n_paths * horizon)
    common = common_rng.standard_normal(n_paths)
    for start in range(0, len(events), CHUNK):
        pmf = events.pmf[start:start + CHUNK]
        amounts = events.amounts[start:start + CHUNK]
        eps = ev_rng.standard_normal((len(pmf), n_paths))
        u = _ndtr(np.sqrt(rho) * common[None, :] + np.sqrt(1.0 - rho) * eps)
        days = sample_days(pmf, u)
        keep = days < horizon
        flat = (np.arange(n_paths)[None, :] * horizon + days)[keep]
        net += np.bincount(flat, np.broadcast_to(amounts[:, None], days.shape)[keep], n_paths * horizon)
    daily = net.reshape(n_paths, horizon)
    daily += flows.expected_daily()[None, :] + deterministic[None, :]
    if len(flows.basis):
        z = flow_rng.standard_normal((n_paths, len(flows.basis)))
        daily += z @ flows.basis
    for lump in flows.lumps:
        happens = flow_rng.random(n_paths) < lump.p
        amount = lump.size + lump.sd * flow_rng.standard_normal(n_paths)
        daily += (happens * amount - lump.p * lump.size)[:, None] * lump.row[None, :]
    if extra_variance is not None and extra_variance.any():
        daily += extra_rng.standard_normal((n_paths, horizon)) * np.sqrt(extra_variance)[None, :]
    balance = opening + np.cumsum(daily, axis=1)
    policy_daily, odds = apply_policies(balance, opening, flows, deterministic, policy_rng)
    p10, p50, p90 = np.quantile(balance, [0.1, 0.5, 0.9], axis=0)
    p_below = (balance < threshold).mean(axis=0)
    inflow, outflow = expected_split(events, flows, deterministic)
    policy_total = policy_daily.sum(axis=0)
    inflow += np.clip(policy_total, 0.0, None)
    outflow += np.clip(policy_total, None, 0.0)
    return Simulation(p10, p50, p90, p_below, inflow, outflow, balance.mean(axis=0), policy_daily, odds)


def apply_policies(balance: np.ndarray, opening: float, flows: FlowSet, deterministic: np.ndarray,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Add the balance-driven flows to ``balance`` (paths, H) in place; their expected daily cash and odds."""
    n_paths, horizon = balance.shape
    daily = np.zeros((len(flows.policies), horizon))
    odds = np.zeros(len(flows.policies))
    if not flows.policies:
        return daily, odds
    own = balance - np.cumsum(deterministic)[None, :]
    for i in sorted(range(len(flows.policies)), key=lambda j: flows.policies[j].day):
        pol = flows.policies[i]
        z = rng.standard_normal(n_paths)
        if not 1 <= pol.day <= horizon:
            continue
        before = own[:, pol.day - 2] if pol.day >= 2 else np.full(n_paths, opening)
        excess = np.maximum(before - pol.floor, 0.0)
        size = np.where(excess > 0, np.maximum(pol.slope * excess + pol.sd * z, 0.0), 0.0)
        amount = pol.sign * size
        balance[:, pol.day - 1:] += amount[:, None]
        own[:, pol.day - 1:] += amount[:, None]
        daily[i, pol.day - 1] = float(amount.mean())
        odds[i] = float(np.mean(size > 0))
    return daily, odds


def expected_split(events: EventBlock, flows: FlowSet, deterministic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected inflow (>= 0) and outflow (<= 0) per day."""
    inflow = np.zeros(len(deterministic))
    outflow = np.zeros(len(deterministic))
    if len(events):
        pos = events.amounts > 0
        inflow += events.amounts[pos] @ events.pmf[pos]
        outflow += events.amounts[~pos] @ events.pmf[~pos]
    if len(flows.mean):
        inflow += np.clip(flows.mean, 0.0, None).sum(axis=0)
        outflow += np.clip(flows.mean, None, 0.0).sum(axis=0)
    inflow += np.clip(deterministic, 0.0, None)
    outflow += np.clip(deterministic, None, 0.0)
    return inflow, outflow
