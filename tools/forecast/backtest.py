"""Shadow-mode backtest: forecast from past dates with what Odoo knew then, score against the bank.

``run_backtest(snapshot, *, origins=12, step_days=28, horizon_days=91, progress=None) -> BacktestResult``

Origins: the latest is ``as_of - horizon_days``, then every ``step_days`` back (origins with less
than ``MIN_HISTORY_DAYS`` of history are skipped). At each origin the snapshot is rewound
(:mod:`tools.forecast.rewind`), every method forecasts the next ``horizon_days`` and is scored
against the bank lines that really came (:mod:`tools.forecast.metrics`). Methods: ``model`` (this
engine), ``due_date``, ``due_date_plus_naive``, ``statsforecast_only`` (:mod:`baselines`) and
``oracle_timing`` (open documents at the dates their cash really came, the rest as the model).

``invoice_days_mae``: per open invoice/bill at the origin whose cash fully came within the horizon,
|predicted median bank date - actual bank date| in days (model: the event's P50; baselines: the
due date, or tomorrow when overdue), for partners with at least 5 paid installments at the origin.

``BacktestResult.to_json()`` -> ``{"origins", "horizon_days", "metrics": {method: {...}},
"gap_closed_vs_oracle", "improvement_vs", "per_origin_weekly_net_error", "invoices_scored",
"wall_seconds"}``. Runs origins on ``workers`` processes (default 2).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from tools.forecast import baselines
from tools.forecast.engine import compute
from tools.forecast.events import date_quantiles
from tools.forecast.matching import payment_bank_dates
from tools.forecast.metrics import days_mae, summarise
from tools.forecast.rewind import actual_daily, rewind
from tools.forecast.types import ForecastInputError
from tools.odoo.records import Snapshot

METHODS = ("model", "due_date", "due_date_plus_naive", "statsforecast_only", "oracle_timing")
MIN_HISTORY_DAYS = 120
MIN_PAID = 5
Progress = Callable[[str, float], None]


@dataclass
class OriginScore:
    origin: dt.date
    opening: float
    act_in: np.ndarray
    act_out: np.ndarray
    flows: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    bands: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    day_errors: dict[str, list[float]] = field(default_factory=dict)


class BacktestResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    origins: list[dt.date]
    horizon_days: int
    metrics: dict[str, dict[str, float | None]]
    gap_closed_vs_oracle: float | None
    improvement_vs: dict[str, float | None]
    per_origin_weekly_net_error: dict[str, list[float]]
    invoices_scored: int
    wall_seconds: float

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def origin_dates(snapshot: Snapshot, origins: int, step_days: int, horizon_days: int) -> list[dt.date]:
    latest = snapshot.as_of - dt.timedelta(days=horizon_days)
    dates = [latest - dt.timedelta(days=step_days * k) for k in range(origins)]
    return sorted(d for d in dates if (d - snapshot.history_start).days >= MIN_HISTORY_DAYS)


_SNAPSHOT: Snapshot | None = None


def _init(snapshot: Snapshot) -> None:
    global _SNAPSHOT
    _SNAPSHOT = snapshot


def _score_origin(origin: dt.date, horizon: int, n_paths: int, seed: int) -> OriginScore:
    full = _SNAPSHOT
    assert full is not None
    snap = rewind(full, origin)
    act_in, act_out = (np.array(x) for x in actual_daily(full, origin, horizon))
    score = OriginScore(origin, snap.context.bank_balance, act_in, act_out)
    result = compute(snap, as_of=origin, horizon_days=horizon, seed=seed, n_paths=n_paths)
    sim = result.simulation
    score.flows["model"] = (sim.inflow, sim.outflow)
    score.bands["model"] = (sim.p10, sim.p50, sim.p90)
    due = baselines.due_date_flows(snap, origin, horizon)
    score.flows["due_date"] = due
    naive_in, naive_out = baselines.naive_no_document(snap, origin, horizon)
    score.flows["due_date_plus_naive"] = (due[0] + naive_in, due[1] + naive_out)
    mean, sd = baselines.statsforecast_only(snap, origin, horizon)
    score.flows["statsforecast_only"] = (np.clip(mean, 0, None), np.clip(mean, None, 0))
    centre = score.opening + np.cumsum(mean)
    spread = 1.2815515655446004 * np.sqrt(np.cumsum(sd**2))
    score.bands["statsforecast_only"] = (centre - spread, centre, centre + spread)
    bank_dates = payment_bank_dates(full)
    oracle_docs = baselines.oracle_documents(full, snap, origin, horizon, bank_dates)
    oracle = compute(snap, as_of=origin, horizon_days=horizon, seed=seed, n_paths=n_paths,
                     replace_documents=oracle_docs, learned=result.learned)
    score.flows["oracle_timing"] = (oracle.simulation.inflow, oracle.simulation.outflow)
    score.bands["oracle_timing"] = (oracle.simulation.p10, oracle.simulation.p50, oracle.simulation.p90)
    score.day_errors = _invoice_errors(full, result, origin, horizon, bank_dates)
    return score


def _invoice_errors(full: Snapshot, result: Any, origin: dt.date, horizon: int,
                    bank_dates: dict[int, dt.date]) -> dict[str, list[float]]:
    by_line = {i.line_id: i for i in full.installments}
    events = result.events
    rows = [i for i, m in enumerate(events.meta) if m.role == "open_item" and m.key is not None]
    quant = date_quantiles(events.pmf[rows], origin, (0.5,)) if rows else []
    errors: dict[str, list[float]] = {"model": [], "due_date": []}
    for row, (p50,) in zip(rows, quant, strict=True):
        m = events.meta[row]
        beh = result.learned.behaviours["receivable" if m.kind == "invoice" else "payable"]
        ev = beh.evidence.get(m.partner_id)
        inst = by_line.get(m.key)
        if inst is None or ev is None or ev.paid < MIN_PAID or p50 is None:
            continue
        cash = baselines.cash_dates(inst, origin, bank_dates)
        paid = sum(a for _, a in cash)
        residual = float(events.amounts[row])
        end = origin + dt.timedelta(days=horizon)
        if not cash or abs(paid) < 0.99 * abs(residual) or max(d for d, _ in cash) > end:
            continue
        actual = max(d for d, _ in cash)
        due = max(m.due_date or origin, origin + dt.timedelta(days=1))
        errors["model"].append(float((p50 - actual).days))
        errors["due_date"].append(float((due - actual).days))
    return errors


def run_backtest(snapshot: Snapshot, *, origins: int = 12, step_days: int = 28, horizon_days: int = 91,
                 progress: Progress | None = None, n_paths: int = 500, workers: int = 2,
                 seed: int = 0) -> BacktestResult:
    """Backtest every method at ``origins`` past dates (see the module docstring)."""
    start = time.perf_counter()
    if not 1 <= horizon_days <= 730:
        raise ForecastInputError(f"horizon must be between 1 and 730 days (got {horizon_days})")
    if origins < 1 or step_days < 1:
        raise ForecastInputError("origins and step_days must be at least 1")
    dates = origin_dates(snapshot, origins, step_days, horizon_days)
    if not dates:
        raise ForecastInputError(f"not enough history for a backtest: need {MIN_HISTORY_DAYS} days before "
                                 f"{snapshot.as_of - dt.timedelta(days=horizon_days)} (history starts "
                                 f"{snapshot.history_start}); extract more history or shorten the horizon")
    step = progress or (lambda label, fraction: None)
    scores: list[OriginScore] = []
    if workers > 1 and len(dates) > 1:
        ctx = get_context("fork" if "fork" in get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init,
                                 initargs=(snapshot,)) as pool:
            futures = [pool.submit(_score_origin, d, horizon_days, n_paths, seed) for d in dates]
            for i, fut in enumerate(futures):
                scores.append(fut.result())
                step(f"origin {dates[i]}", (i + 1) / len(dates))
    else:
        _init(snapshot)
        for i, d in enumerate(dates):
            scores.append(_score_origin(d, horizon_days, n_paths, seed))
            step(f"origin {d}", (i + 1) / len(dates))
    return _aggregate(scores, horizon_days, time.perf_counter() - start)


def _aggregate(scores: list[OriginScore], horizon: int, wall: float) -> BacktestResult:
    act_in = np.array([s.act_in for s in scores])
    act_out = np.array([s.act_out for s in scores])
    opening = np.array([s.opening for s in scores])
    metrics: dict[str, dict[str, float | None]] = {}
    per_origin: dict[str, list[float]] = {}
    for method in METHODS:
        fc_in = np.array([s.flows[method][0] for s in scores])
        fc_out = np.array([s.flows[method][1] for s in scores])
        bands = None
        if all(method in s.bands for s in scores):
            bands = tuple(np.array([s.bands[method][q] for s in scores]) for q in range(3))
        metrics[method] = summarise(fc_in, fc_out, act_in, act_out, opening, bands)  # type: ignore[arg-type]
        per_origin[method] = [summarise(fc_in[i:i + 1], fc_out[i:i + 1], act_in[i:i + 1], act_out[i:i + 1],
                                        opening[i:i + 1], None)["weekly_net_error"] or 0.0
                              for i in range(len(scores))]
    model_err = [e for s in scores for e in s.day_errors.get("model", [])]
    due_err = [e for s in scores for e in s.day_errors.get("due_date", [])]
    for method in METHODS:
        source = model_err if method == "model" else due_err if method.startswith("due_date") else None
        metrics[method]["invoice_days_mae"] = days_mae(source) if source is not None else (
            0.0 if method == "oracle_timing" and model_err else None)
    m, d, o = (metrics[k]["weekly_net_error"] for k in ("model", "due_date", "oracle_timing"))
    gap = round((d - m) / (d - o), 4) if m is not None and d is not None and o is not None and d != o else None
    improvement = {k: (round(1 - m / v, 4) if m is not None and v else None)
                   for k in ("due_date", "due_date_plus_naive", "statsforecast_only")
                   for v in [metrics[k]["weekly_net_error"]]}
    return BacktestResult(origins=[s.origin for s in scores], horizon_days=horizon, metrics=metrics,
                          gap_closed_vs_oracle=gap, improvement_vs=improvement,
                          per_origin_weekly_net_error=per_origin, invoices_scored=len(model_err),
                          wall_seconds=round(wall, 2))
