"""Flows with no document (payroll, rent, taxes, fees, loans, ...): monthly totals x calendar profile.

Per flow group (:mod:`tools.forecast.flowgroups`) the complete calendar months of history give a
monthly series (long format ``unique_id``, ``ds``, ``y``), forecast with statsforecast:

* **regular** groups (a flow in >= 75% of months): ``AutoETS`` on the monthly totals; the 80%
  prediction intervals give each month's standard deviation (Gaussian shocks in the simulation);
* **periodic** groups (flows only in months of one residue modulo 3, 4, 6, 12 or 2, e.g. quarterly
  taxes, owner distributions): ``AutoETS`` on the amounts of the months that had a flow, times the
  (recency-weighted) share of phase months that had one;
* **intermittent** groups (one-off equipment purchases...): ``CrostonOptimized`` on the monthly
  totals (an expected amount per month) = share of months with a flow x typical amount.

A periodic group's size may follow a *driver* (:mod:`tools.forecast.drivers`) instead of its level:
the previous period's net invoicing (sales taxes), or the bank balance the day before (owner
distributions taking the cash above a reserve). Turnover-driven groups use the invoicing already
issued plus the new-business forecast for the rest of the period; balance-driven groups become
:class:`~tools.forecast.events.Policy` flows that the simulation sizes path by path.

Periodic and intermittent groups are simulated as *lumps*: each month the flow happens or not
(Bernoulli) with a random amount, so the band is skewed the way such flows are. ``HistoricAverage``
is the fallback for series too short for ETS. Each month's total is then placed on the group's calendar slots
(:class:`~tools.forecast.flowgroups.Profile`); in the current month only the slots still ahead count.
statsforecast is imported lazily (it takes ~1.5 s).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.forecast.drivers import SCHEDULED, FlowDriver, balance_at, choose_driver, monthly_issuance
from tools.forecast.events import EventBlock, EventMeta, FlowSet, Lump, Policy, concat, monthly_display
from tools.forecast.flowgroups import Profile, group_lines, learn_profile
from tools.forecast.types import EventSource
from tools.odoo.records import BankTransaction, Snapshot

Z80 = 1.2815515655446004
PERIODS = (3, 4, 6, 12, 2)
"""Tried in this order: quarterly first (the commonest business calendar), bimonthly last."""


@dataclass
class GroupForecast:
    name: str
    method: str
    months: list[int]
    mean: np.ndarray
    sd: np.ndarray
    history_months: int
    lines: int
    profile: Profile
    typical: float
    occurrence: np.ndarray | None = None
    """Lumpy groups: probability of a flow in each month (None: regular group, Gaussian totals)."""
    size: np.ndarray | None = None
    size_sd: np.ndarray | None = None
    period: int | None = None
    driver: FlowDriver | None = None
    driver_x: np.ndarray | None = None
    """Turnover driver: the (partly forecast) net invoicing behind each month's amount."""
    line_ids: frozenset[int] = frozenset()
    """Bank lines of a driver-modelled group (the band's empirical floor leaves them out)."""


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _ym(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def monthly_totals(lines: list[BankTransaction], first: int, last: int) -> np.ndarray:
    y = np.zeros(max(last - first + 1, 0))
    for t in lines:
        m = month_index(t.date)
        if first <= m <= last:
            y[m - first] += t.amount
    return y


def _period(y: np.ndarray, first: int) -> tuple[int, int] | None:
    active = np.abs(y) > 0.01 * max(np.abs(y).max(), 1e-9)
    months = np.arange(first, first + len(y))
    for p in PERIODS:
        res = months[active] % p
        if not len(res):
            return None
        c = int(np.bincount(res, minlength=p).argmax())
        phase = months % p == c
        hits = active[phase]  # a discretionary flow may skip many slots: 3 on one phase are enough at 30%
        often = hits.mean() >= 0.5 or (hits.sum() >= 3 and hits.mean() >= 0.3)
        if (res == c).mean() >= 0.9 and phase.sum() >= 2 and often:
            return p, c
    return None


def _run(models: list[object], frames: list[pd.DataFrame], h: int) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import HistoricAverage

    df = pd.concat(frames, ignore_index=True)
    sf = StatsForecast(models=models, freq=1, n_jobs=1, fallback_model=HistoricAverage())
    return sf.forecast(df=df, h=h, level=[80])


def _fit_all(series: dict[str, np.ndarray], kinds: dict[str, str], h_by: dict[str, int]) -> dict[str, tuple[
        np.ndarray, np.ndarray]]:
    """Forecast mean and sd per series, batching one statsforecast call per model."""
    from statsforecast.models import AutoETS, CrostonOptimized

    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for method, model in (("ets", AutoETS(season_length=1, model="ZZN", damped=True)), ("croston", CrostonOptimized())):
        names = [n for n, k in kinds.items() if k == method and len(series[n]) >= 3 and h_by[n] > 0]
        if not names:
            continue
        h = max(h_by[n] for n in names)
        frames = [pd.DataFrame({"unique_id": n, "ds": np.arange(len(series[n])), "y": series[n]}) for n in names]
        fc = _run([model], frames, h)
        col = "AutoETS" if method == "ets" else "CrostonOptimized"
        for n, part in fc.groupby("unique_id", sort=False):
            mean = part[col].to_numpy(dtype=float)[:h_by[str(n)]]
            if f"{col}-hi-80" in part:
                sd = (part[f"{col}-hi-80"] - part[f"{col}-lo-80"]).to_numpy(dtype=float)[:h_by[str(n)]] / (2 * Z80)
            else:
                y = series[str(n)]
                sd = np.full(len(mean), float(np.std(y)) * np.sqrt(1 + 1 / len(y)))
            out[str(n)] = (mean, np.nan_to_num(sd))
    for n, y in series.items():
        if n not in out:
            sd = float(np.std(y)) if len(y) > 1 else abs(float(np.mean(y))) if len(y) else 0.0
            mean = float(np.mean(y)) if len(y) else 0.0
            out[n] = (np.full(h_by[n], mean), np.full(h_by[n], sd))
    return out


def _recent_share(active: np.ndarray, decay: float) -> float:
    """Recency-weighted share of active periods (latest weighs most)."""
    if not len(active):
        return 0.0
    w = decay ** np.arange(len(active))[::-1]
    return float(np.sum(w * active) / np.sum(w))


def slot_day(profile: Profile, month: int) -> dt.date:
    """The group's main date in a month (its heaviest calendar slot)."""
    year, mon = _ym(month)
    return max(profile.dates(year, mon), key=lambda dw: dw[1])[0]


def _future_turnover(issued: dict[int, float], issuance: np.ndarray | None, as_of: dt.date, months: range) -> float:
    """Net invoicing over ``months``: what is issued by ``as_of``, plus the forecast for the days after it."""
    total = sum(issued.get(m, 0.0) for m in months)
    if issuance is None or not len(issuance) or not len(months):
        return total
    end = dt.date(*_ym(months[-1] + 1), 1) - dt.timedelta(days=1)
    days = (end - as_of).days
    if days <= 0:
        return total
    start = max((dt.date(*_ym(months[0]), 1) - as_of).days, 1)
    known = issuance[start - 1:min(days, len(issuance))].sum() if start <= len(issuance) else 0.0
    beyond = max(days - max(len(issuance), start - 1), 0)
    return total + float(known) + beyond * float(np.mean(issuance[-7:]))


def _driver_inputs(lines: list[BankTransaction], profile: Profile, per: tuple[int, int], first: int, last: int,
                   snapshot: Snapshot, balance: Callable[[dt.date], float], issued: dict[int, float]) -> tuple[
        np.ndarray, np.ndarray, np.ndarray]:
    """Per past phase month: the amount, the previous period's net invoicing and the balance the day before."""
    p, c = per
    months = [m for m in range(first, last + 1) if m % p == c]
    y = monthly_totals(lines, first, last)[[m - first for m in months]]
    turnover = np.array([sum(issued.get(k, 0.0) for k in range(m - p, m)) if m - p >= first else np.nan
                         for m in months])
    bal = np.array([balance(slot_day(profile, m) - dt.timedelta(days=1))
                    if slot_day(profile, m) > snapshot.history_start else np.nan for m in months])
    return y, turnover, bal


def forecast_groups(snapshot: Snapshot, as_of: dt.date, horizon: int,
                    issuance: np.ndarray | None = None) -> list[GroupForecast]:
    """Monthly forecasts per flow group; ``issuance``: forecast net invoicing per day after ``as_of`` (H,)."""
    groups = group_lines(snapshot, as_of)
    hs = snapshot.history_start
    first = month_index(hs) + (0 if hs.day == 1 else 1)
    last = month_index(as_of) - 1
    months = list(range(month_index(as_of), month_index(as_of + dt.timedelta(days=horizon)) + 1))
    series: dict[str, np.ndarray] = {}
    kinds: dict[str, str] = {}
    h_by: dict[str, int] = {}
    plans: dict[str, tuple[str, tuple[int, int] | None, float, np.ndarray]] = {}
    profiles = {name: learn_profile(lines, as_of) for name, lines in groups.items()}
    found: dict[str, FlowDriver] = {}
    issued: dict[int, float] | None = None
    balance: Callable[[dt.date], float] | None = None
    for name, lines in groups.items():
        y = monthly_totals(lines, first, last)
        active = np.abs(y) > 0.01 * max(np.abs(y).max(initial=0.0), 1e-9)
        per = _period(y, first) if len(y) >= 4 and active.mean() < 0.75 else None
        if len(y) and active.mean() >= 0.75:
            series[name], kinds[name], h_by[name] = y, "ets", len(months)
            plans[name] = ("regular", None, 1.0, y)
        elif per is not None:
            p, c = per
            occ = y[(np.arange(first, last + 1) % p) == c]
            nonzero = occ[np.abs(occ) > 0.01 * np.abs(occ).max()]
            future = [m for m in months if m % p == c]
            series[name], kinds[name], h_by[name] = nonzero, "ets", len(future)
            plans[name] = ("periodic", per, _recent_share(np.abs(occ) > 0.01 * np.abs(occ).max(), 0.8), nonzero)
            if issued is None or balance is None:
                issued, balance = monthly_issuance(snapshot, as_of), balance_at(snapshot, as_of)
            slot_y, turnover, bal = _driver_inputs(lines, profiles[name], per, first, last, snapshot, balance, issued)
            scheduled = max(w for _, _, w in profiles[name].slots) >= SCHEDULED
            driver = choose_driver(slot_y, turnover, bal) if scheduled else None
            if driver is not None:
                found[name] = driver
        else:
            nonzero = y[active] if len(y) else y
            series[name], kinds[name], h_by[name] = y, "croston", len(months)
            plans[name] = ("intermittent", None, _recent_share(active[-24:], 0.93) if len(y) else 0.0, nonzero)
    fitted = _fit_all(series, kinds, h_by)
    result = []
    for name, lines in groups.items():
        mean, sd = fitted[name]
        plan, per, p_occ, nonzero = plans[name]
        spread = float(np.std(nonzero)) if len(nonzero) > 1 else 0.3 * float(np.abs(np.mean(nonzero))) \
            if len(nonzero) else 0.0
        size, size_sd = np.zeros(len(months)), np.zeros(len(months))
        occurrence = np.zeros(len(months))
        driver = found.get(name)
        driver_x = None
        if plan == "periodic" and per is not None:
            idx = [i for i, m in enumerate(months) if m % per[0] == per[1]]
            if driver is not None and driver.kind == "turnover":
                driver_x = np.zeros(len(months))
                for i in idx:
                    m = months[i]
                    driver_x[i] = _future_turnover(issued or {}, issuance, as_of, range(m - per[0], m))
                    size[i], size_sd[i], occurrence[i] = float(driver.amount(driver_x[i])), driver.sd, 1.0
                method = (f"{abs(driver.slope):.1%} of the previous {per[0]} months' net invoicing (invoices less "
                          f"bills), one month in {per[0]}; fitted on {driver.slots} past flows")
            elif driver is not None:
                occurrence[idx] = 1.0
                method = (f"{driver.slope:.0%} of the bank balance above {driver.floor:,.0f} the day before, one month "
                          f"in {per[0]} ({driver.active} of {driver.slots} past slots had a flow)")
            else:
                size[idx], size_sd[idx] = mean[:len(idx)], np.maximum(sd[:len(idx)], spread)
                occurrence[idx] = p_occ
                method = f"AutoETS on the amounts of the months with a flow, one month in {per[0]}"
        elif plan == "intermittent":
            occurrence[:] = p_occ
            size = np.where(p_occ > 0, mean / max(p_occ, 1e-9), 0.0)
            size_sd[:] = spread
            method = f"CrostonOptimized on monthly totals (a flow in {p_occ:.0%} of recent months)"
        else:
            method = "AutoETS on monthly totals"
        expected = occurrence * size if plan != "regular" else mean
        y = series[name] if plan == "regular" else monthly_totals(lines, first, last)
        recent = y[-6:] if len(y) else np.zeros(1)
        result.append(GroupForecast(name, method, months, expected, sd if plan == "regular" else np.zeros(len(months)),
                                    max(last - first + 1, 0), len(lines), profiles[name],
                                    float(np.mean(recent)), occurrence if plan != "regular" else None, size, size_sd,
                                    per[0] if per is not None else None, driver, driver_x,
                                    frozenset(t.id for t in lines) if driver is not None else frozenset()))
    return result


def allocate(forecast: GroupForecast, as_of: dt.date, horizon: int) -> tuple[
        np.ndarray, np.ndarray, list[Lump], list[Policy]]:
    """Daily expected path (H,), per-month Gaussian shock basis (regular groups), lumps and balance-driven flows."""
    path = np.zeros(horizon)
    basis = np.zeros((len(forecast.months), horizon))
    lumps: list[Lump] = []
    policies: list[Policy] = []
    driver = forecast.driver
    for i, m in enumerate(forecast.months):
        year, month = _ym(m)
        if driver is not None and driver.kind == "balance":
            if forecast.occurrence is not None and forecast.occurrence[i] > 0:
                k = (slot_day(forecast.profile, m) - as_of).days
                if 1 <= k <= horizon:
                    policies.append(Policy(forecast.name, k, driver.sign, driver.slope, driver.floor, driver.sd))
            continue
        row = np.zeros(horizon)
        for day, w in forecast.profile.dates(year, month):
            k = (day - as_of).days
            if 1 <= k <= horizon:
                row[k - 1] += w
        path += forecast.mean[i] * row
        if forecast.occurrence is None:
            basis[i] = forecast.sd[i] * row
        elif forecast.occurrence[i] > 0 and row.any():
            size = forecast.size[i] if forecast.size is not None else 0.0
            size_sd = forecast.size_sd[i] if forecast.size_sd is not None else 0.0
            lumps.append(Lump(float(forecast.occurrence[i]), float(size), float(size_sd), row))
    return path, basis[np.abs(basis).sum(axis=1) > 0], lumps, policies


def _lump_display(lumps: list[Lump], source: EventSource, horizon: int) -> EventBlock:
    """One event per lump: its amount if it happens, with its probability as ``p_in_horizon``."""
    rows = [lump for lump in lumps if lump.row.sum() > 0]
    if not rows:
        return EventBlock.empty(horizon)
    meta = [EventMeta("no_document", source, None, None, None, "flow") for _ in rows]
    amounts = np.array([lump.size * lump.row.sum() for lump in rows])
    pmf = np.array([lump.p * lump.row / lump.row.sum() for lump in rows])
    return EventBlock(meta, amounts, pmf, horizon)


def no_document_flows(snapshot: Snapshot, as_of: dt.date, horizon: int,
                      issuance: np.ndarray | None = None) -> tuple[FlowSet, list[GroupForecast]]:
    forecasts = forecast_groups(snapshot, as_of, horizon, issuance)
    names, means, bases, displays, lumps, policies = [], [], [], [], [], []
    for f in forecasts:
        path, basis, group_lumps, group_policies = allocate(f, as_of, horizon)
        names.append(f.name)
        means.append(path)
        bases.append(basis)
        lumps += group_lumps
        policies += group_policies
        source = EventSource(model="flow_group", id=None, name=f.name)
        displays.append(monthly_display(path, as_of, source) if f.occurrence is None
                        else _lump_display(group_lumps, source, horizon))
    if not names:
        return FlowSet.empty(horizon), forecasts
    return FlowSet(names, np.vstack(means), np.vstack(bases) if bases else np.zeros((0, horizon)),
                   concat(displays, horizon), lumps, policies), forecasts


def policy_display(flows: FlowSet, policy_daily: np.ndarray, odds: np.ndarray, horizon: int) -> EventBlock:
    """One event per balance-driven flow: its expected size if it happens, with its probability."""
    meta, amounts, rows = [], [], []
    for pol, daily, p in zip(flows.policies, policy_daily, odds, strict=True):
        total = float(daily.sum())
        if p <= 0 or abs(total) < 0.005:
            continue
        meta.append(EventMeta("no_document", EventSource(model="flow_group", id=None, name=pol.name), None, None,
                              None, "flow"))
        amounts.append(total / p)
        rows.append(p * np.abs(daily) / np.abs(daily).sum())
    if not meta:
        return EventBlock.empty(horizon)
    return EventBlock(meta, np.array(amounts), np.array(rows), horizon)
