"""The forecast engine: ``build_forecast(snapshot, *, as_of, horizon_days=91, threshold, seed) -> Forecast``.

Pure computation on a :class:`~tools.odoo.records.Snapshot` (no Odoo calls; the clock is ``as_of``,
default the snapshot's date; an earlier ``as_of`` rewinds the snapshot first). Steps:

1. learn payment behaviour per partner (customers, and our own habits per vendor), credit-note
   habits, order-to-invoice lags;
2. open items, credit notes, payments in transit and open orders become timed events
   (:mod:`installments`, :mod:`orders`); new business (orders not confirmed yet, documents without
   an order: :mod:`pipeline`) and recurring no-document flows (:mod:`baseline`) become flow series;
   periodic flows may be sized by a driver learned from their history (:mod:`drivers`: sales taxes
   from the previous period's net invoicing, which uses the new-business forecast; owner
   distributions from the balance, sized path by path in the simulation);
3. Monte-Carlo simulation (:mod:`simulate`) from the bank balance gives P10/P50/P90 balances and the
   probability of being below ``threshold`` each day;
4. explanations (:mod:`explain`): assumptions with evidence, drivers, confidence.

Bad input raises :class:`~tools.forecast.types.ForecastInputError` with a one-line message; thin
history gives a low-confidence forecast that says why.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tools.forecast.adjust import NONE, Adjustments
from tools.forecast.baseline import no_document_flows, policy_display
from tools.forecast.calibration import extra_variance, unknown_flow_sd
from tools.forecast.events import EventBlock, FlowSet, concat, merge_flows, to_cash_events
from tools.forecast.explain import Learned, assumptions, confidence, drivers
from tools.forecast.installments import document_events
from tools.forecast.orders import learn_order_lag, order_events
from tools.forecast.payment_behaviour import learn_behaviour, learn_refunds
from tools.forecast.pipeline import Pipeline, couple, new_business, order_correlation, typical_term_days
from tools.forecast.report import assemble
from tools.forecast.rewind import rewind
from tools.forecast.simulate import Simulation, simulate
from tools.forecast.types import CashEvent, EventSource, Forecast, ForecastInputError
from tools.odoo.records import Snapshot

MAX_HORIZON = 730
N_PATHS = 1000


@dataclass
class EngineResult:
    """The public forecast plus the internals the backtest and scenarios need."""

    forecast: Forecast
    events: EventBlock
    flows: FlowSet
    deterministic: np.ndarray
    simulation: Simulation
    learned: Learned

    @property
    def expected_net(self) -> np.ndarray:
        return self.simulation.inflow + self.simulation.outflow


def validate(snapshot: Snapshot, as_of: dt.date | None, horizon_days: int, threshold: float) -> dt.date:
    """Check the inputs; returns the effective as-of date."""
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int | np.integer):
        raise ForecastInputError(f"horizon must be a whole number of days between 1 and {MAX_HORIZON} "
                                 f"(got {horizon_days!r})")
    if not 1 <= horizon_days <= MAX_HORIZON:
        raise ForecastInputError(f"horizon must be between 1 and {MAX_HORIZON} days (got {horizon_days})")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | np.floating | np.integer) \
            or not math.isfinite(float(threshold)):
        raise ForecastInputError(f"threshold must be a number in {snapshot.context.company.currency} "
                                 f"(got {threshold!r}); negative values mean an overdraft line")
    day = as_of or snapshot.as_of
    if day > snapshot.as_of:
        raise ForecastInputError(f"as_of {day} is after the snapshot's date {snapshot.as_of}: extract a newer "
                                 "snapshot or pick an earlier date")
    if day < snapshot.history_start:
        raise ForecastInputError(f"as_of {day} is before the snapshot's history (starts {snapshot.history_start}): "
                                 "extract more history or pick a later date")
    if not snapshot.context.bank_journals:
        raise ForecastInputError("the company has no bank journal: add one in Odoo (Accounting > Configuration > "
                                 "Journals) so the forecast can start from a bank balance")
    if not any(t.date <= day for t in snapshot.bank_transactions) and not any(
            (i.invoice_date or i.due_date or day) <= day for i in snapshot.installments):
        raise ForecastInputError(f"no invoices, bills or bank transactions between {snapshot.history_start} and "
                                 f"{day}: there is nothing to forecast from; check the company and the history window")
    return day


def learn(snapshot: Snapshot, as_of: dt.date) -> Learned:
    """Payment behaviours, credit-note habits, order lags and typical terms known at ``as_of``."""
    behaviours = {k: learn_behaviour(snapshot, as_of, k) for k in ("receivable", "payable")}
    refunds = {k: learn_refunds(snapshot.installments, as_of, k) for k in ("receivable", "payable")}
    lags = {k: learn_order_lag(snapshot, as_of, k) for k in ("sale", "purchase")}
    terms = {k: typical_term_days(snapshot, as_of, k) for k in ("receivable", "payable")}
    return Learned(behaviours, refunds, lags, [], {}, terms)


def compute(snapshot: Snapshot, *, as_of: dt.date | None = None, horizon_days: int = 91, threshold: float = 0.0,
            seed: int = 0, adjustments: Adjustments = NONE, n_paths: int = N_PATHS,
            replace_documents: EventBlock | None = None, learned: Learned | None = None) -> EngineResult:
    """Everything :func:`build_forecast` does, returning the internals too.

    ``replace_documents`` (backtest oracle) replaces the open-document events; ``learned`` reuses
    behaviours learned for the same snapshot and date (scenarios).
    """
    day = validate(snapshot, as_of, horizon_days, threshold)
    if day < snapshot.as_of:
        snapshot = rewind(snapshot, day)
    h = horizon_days
    fresh = learn(snapshot, day) if learned is None else Learned(
        learned.behaviours, learned.refunds, learned.order_lags, [], {}, learned.terms)
    docs, warnings = document_events(snapshot, day, h, fresh.behaviours, fresh.refunds, fresh.terms, adjustments)
    if replace_documents is not None:
        keep = np.array([m.role not in ("open_item", "credit_note") for m in docs.meta], dtype=bool)
        docs = concat([docs.select(keep), replace_documents], h)
    sale, sale_inv = order_events(snapshot, day, h, fresh.order_lags["sale"], fresh.behaviours["receivable"],
                                  adjustments)
    purchase, purchase_inv = order_events(snapshot, day, h, fresh.order_lags["purchase"],
                                          fresh.behaviours["payable"], adjustments)
    events = concat([docs, sale, purchase], h)
    fresh.pipelines = {
        "receivable": new_business(snapshot, day, h, fresh.behaviours["receivable"], sale_inv,
                                   adjustments.sales_factor),
        "payable": new_business(snapshot, day, h, fresh.behaviours["payable"], purchase_inv)}
    rec, pay = fresh.pipelines["receivable"], fresh.pipelines["payable"]
    couple(rec, pay, order_correlation(rec, pay))
    nodoc, groups = no_document_flows(snapshot, day, h, future_issuance(fresh.pipelines.values(), h))
    fresh.groups = groups
    flows = merge_flows([nodoc, *(p.flows for p in fresh.pipelines.values())], h)
    deterministic = np.zeros(h)
    for one in adjustments.one_offs:
        k = (one.date - day).days
        if 1 <= k <= h:
            deterministic[k - 1] += one.amount
    opening = snapshot.context.bank_balance
    structural = flows.structural_sd()
    modelled = frozenset().union(*(g.line_ids for g in groups))
    floor = unknown_flow_sd(snapshot, day, -(-h // 7), modelled)
    rho = float(np.mean([b.rho for b in fresh.behaviours.values()]))
    sim = simulate(opening, events, flows, deterministic, threshold=float(threshold), seed=seed, n_paths=n_paths,
                   rho=rho, extra_variance=extra_variance(floor, structural))
    policy_events = _record_policies(flows, sim, h)
    cash_events = to_cash_events(concat([events, flows.display, policy_events], h), day)
    cash_events += _one_off_events(adjustments, day, h)
    band_end = float(sim.p90[-1] - sim.p10[-1])
    forecast = assemble(
        snapshot, day, h, float(threshold), sim, cash_events,
        assumptions(fresh, events, h, day), drivers(events, flows),
        confidence(snapshot, day, fresh, events, flows, band_end), warnings)
    return EngineResult(forecast, events, flows, deterministic, sim, fresh)


def future_issuance(pipelines: Iterable[Pipeline], horizon: int) -> np.ndarray:
    """Forecast net invoicing per day (invoices + bills, signed) from the new-business forecasts."""
    out = np.zeros(horizon)
    for p in pipelines:
        out += np.repeat(p.weekly_mean / 7.0, 7)[:horizon]
    return out


def _record_policies(flows: FlowSet, sim: Simulation, horizon: int) -> EventBlock:
    """Put the simulated balance-driven flows into the flow means (drivers, explanations) and events."""
    if not flows.policies or sim.policy_daily is None or sim.policy_odds is None:
        return EventBlock.empty(horizon)
    for pol, daily in zip(flows.policies, sim.policy_daily, strict=True):
        flows.mean[flows.names.index(pol.name)] += daily
    return policy_display(flows, sim.policy_daily, sim.policy_odds, horizon)


def _one_off_events(adj: Adjustments, as_of: dt.date, horizon: int) -> list[CashEvent]:
    out = []
    for one in adj.one_offs:
        inside = 1 <= (one.date - as_of).days <= horizon
        out.append(CashEvent(kind="no_document", source=EventSource(model="scenario", id=None, name=one.label),
                             partner=None, amount=round(one.amount, 2), due_date=one.date,
                             date_p10=one.date if inside else None, date_p50=one.date if inside else None,
                             date_p90=one.date if inside else None, p_in_horizon=1.0 if inside else 0.0))
    return out


def build_forecast(snapshot: Snapshot, *, as_of: dt.date | None = None, horizon_days: int = 91,
                   threshold: float = 0.0, seed: int = 0, n_paths: int = N_PATHS) -> Forecast:
    """The daily cash forecast of ``snapshot`` from ``as_of`` (default: the snapshot's date)."""
    return compute(snapshot, as_of=as_of, horizon_days=horizon_days, threshold=threshold, seed=seed,
                   n_paths=n_paths).forecast
