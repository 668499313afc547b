"""Turn a simulation into the public :class:`~tools.forecast.types.Forecast`: days, weeks, shortfalls."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tools.forecast.simulate import Simulation
from tools.forecast.types import Assumption, CashEvent, Confidence, DayRow, Driver, Forecast, Shortfall, WeekRow
from tools.odoo.records import Snapshot

MATERIAL = 0.05
"""A day belongs to a shortfall when P(balance < threshold) is at least this."""


def _r(x: float) -> float:
    return round(float(x), 2)


def day_rows(as_of: dt.date, opening: float, sim: Simulation, threshold: float) -> list[DayRow]:
    rows = [DayRow(date=as_of, inflow=0.0, outflow=0.0, net=0.0, balance_p10=_r(opening), balance_p50=_r(opening),
                   balance_p90=_r(opening), p_below_threshold=1.0 if opening < threshold else 0.0)]
    for k in range(len(sim.p50)):
        rows.append(DayRow(date=as_of + dt.timedelta(days=k + 1), inflow=_r(sim.inflow[k]), outflow=_r(sim.outflow[k]),
                           net=_r(sim.inflow[k] + sim.outflow[k]), balance_p10=_r(sim.p10[k]),
                           balance_p50=_r(sim.p50[k]), balance_p90=_r(sim.p90[k]),
                           p_below_threshold=round(float(sim.p_below[k]), 4)))
    return rows


def week_rows(as_of: dt.date, sim: Simulation) -> list[WeekRow]:
    h = len(sim.p50)
    rows = []
    for w in range(-(-h // 7)):
        lo, hi = 7 * w, min(7 * w + 7, h)
        rows.append(WeekRow(week=w + 1, start=as_of + dt.timedelta(days=lo + 1), end=as_of + dt.timedelta(days=hi),
                            inflow=_r(sim.inflow[lo:hi].sum()), outflow=_r(sim.outflow[lo:hi].sum()),
                            net=_r(sim.inflow[lo:hi].sum() + sim.outflow[lo:hi].sum()),
                            closing_p10=_r(sim.p10[hi - 1]), closing_p50=_r(sim.p50[hi - 1]),
                            closing_p90=_r(sim.p90[hi - 1]),
                            p_below_threshold=round(float(sim.p_below[lo:hi].max()), 4)))
    return rows


def shortfalls(as_of: dt.date, sim: Simulation, material: float = MATERIAL) -> list[Shortfall]:
    out = []
    flagged = sim.p_below >= material
    k = 0
    while k < len(flagged):
        if not flagged[k]:
            k += 1
            continue
        end = k
        while end + 1 < len(flagged) and flagged[end + 1]:
            end += 1
        low = k + int(np.argmin(sim.p50[k:end + 1]))
        out.append(Shortfall(start=as_of + dt.timedelta(days=k + 1), end=as_of + dt.timedelta(days=end + 1),
                             max_probability=round(float(sim.p_below[k:end + 1].max()), 4),
                             lowest_p50=_r(sim.p50[low]), lowest_p50_date=as_of + dt.timedelta(days=low + 1)))
        k = end + 1
    return out


def snapshot_warnings(snapshot: Snapshot) -> list[str]:
    out = list(snapshot.warnings)
    out += [f"{q.severity}: {q.message}" for q in snapshot.quality if q.severity in ("warning", "error")]
    return out


def assemble(snapshot: Snapshot, as_of: dt.date, horizon: int, threshold: float, sim: Simulation,
             events: list[CashEvent], assumptions: list[Assumption], drivers: list[Driver], confidence: Confidence,
             warnings: list[str]) -> Forecast:
    opening = snapshot.context.bank_balance
    return Forecast(as_of=as_of, currency=snapshot.context.company.currency, opening_balance=_r(opening),
                    threshold=_r(threshold), horizon_days=horizon, days=day_rows(as_of, opening, sim, threshold),
                    weeks=week_rows(as_of, sim), shortfalls=shortfalls(as_of, sim), events=events,
                    assumptions=assumptions, drivers=drivers, confidence=confidence,
                    warnings=snapshot_warnings(snapshot) + warnings)
