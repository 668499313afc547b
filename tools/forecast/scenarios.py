"""What-if scenarios: typed changes to the forecast's inputs, and their effect on the forecast.

Scenarios (pydantic, discriminated by ``type``):

* ``delay_partner`` - a partner pays (or is paid) ``days`` later than its learned behaviour
  (open invoices/bills and open orders of that partner);
* ``scale_sales`` - expected sales not invoiced yet (open sale orders and new customer invoices)
  times ``factor``;
* ``move_purchase_order`` - a purchase order's planned date becomes ``date`` (its bill and payment
  follow);
* ``change_payment_term`` - a partner's future invoices (its open orders) use payment term ``term_id``
  (already issued invoices keep their due dates);
* ``one_off`` - an extra flow of ``amount`` (signed) on ``date``.

``run_scenario(snapshot, scenarios, *, as_of, horizon_days, threshold, seed) -> ScenarioResult``
forecasts the base and the scenario on common random numbers and reports the difference per week
and in minimum balance and shortfall probability.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.forecast.adjust import Adjustments, OneOff
from tools.forecast.engine import N_PATHS, compute
from tools.forecast.types import Forecast, ForecastInputError
from tools.odoo.records import Snapshot


class _Scenario(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DelayPartner(_Scenario):
    type: Literal["delay_partner"] = "delay_partner"
    partner_id: int
    days: int = Field(description="Extra days of delay (negative = earlier)")


class ScaleSales(_Scenario):
    type: Literal["scale_sales"] = "scale_sales"
    factor: float = Field(ge=0.0, description="1.0 = unchanged, 0.8 = 20% less")


class MovePurchaseOrder(_Scenario):
    type: Literal["move_purchase_order"] = "move_purchase_order"
    order_id: int
    date: dt.date


class ChangePaymentTerm(_Scenario):
    type: Literal["change_payment_term"] = "change_payment_term"
    partner_id: int
    term_id: int


class OneOffFlow(_Scenario):
    type: Literal["one_off"] = "one_off"
    date: dt.date
    amount: float = Field(description="Signed: positive = cash in")
    label: str = "one-off flow"


Scenario = Annotated[DelayPartner | ScaleSales | MovePurchaseOrder | ChangePaymentTerm | OneOffFlow,
                     Field(discriminator="type")]


class WeekDelta(BaseModel):
    model_config = ConfigDict(frozen=True)

    week: int
    start: dt.date
    end: dt.date
    net_delta: float
    closing_p50_delta: float


class ScenarioResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    scenarios: list[Scenario]
    base: Forecast
    scenario: Forecast
    weeks: list[WeekDelta]
    min_balance_base: float
    min_balance_scenario: float
    min_balance_delta: float
    shortfall_probability_base: float
    shortfall_probability_scenario: float
    shortfall_probability_delta: float

    def to_json(self) -> dict[str, object]:
        data = self.model_dump(mode="json", exclude={"base", "scenario"})
        data["base"] = self.base.to_json()
        data["scenario"] = self.scenario.to_json()
        return data


def to_adjustments(snapshot: Snapshot, scenarios: list[Scenario]) -> Adjustments:
    """Validate the scenarios against the snapshot and merge them into input adjustments."""
    partners = {p.id for p in snapshot.partners} | {i.partner_id for i in snapshot.installments if i.partner_id}
    orders = {o.ref.id: o for o in snapshot.orders}
    terms = {t.id for t in snapshot.payment_terms}
    delay: dict[int, int] = {}
    factor = 1.0
    dates: dict[int, dt.date] = {}
    new_terms: dict[int, int] = {}
    one_offs: list[OneOff] = []
    for s in scenarios:
        if isinstance(s, DelayPartner | ChangePaymentTerm) and s.partner_id not in partners:
            raise ForecastInputError(f"scenario {s.type}: partner {s.partner_id} is not in the snapshot")
        if isinstance(s, DelayPartner):
            delay[s.partner_id] = delay.get(s.partner_id, 0) + s.days
        elif isinstance(s, ScaleSales):
            factor *= s.factor
        elif isinstance(s, MovePurchaseOrder):
            order = orders.get(s.order_id)
            if order is None or order.kind != "purchase":
                raise ForecastInputError(f"scenario move_purchase_order: {s.order_id} is not a purchase order id")
            dates[s.order_id] = s.date
        elif isinstance(s, ChangePaymentTerm):
            if s.term_id not in terms:
                raise ForecastInputError(f"scenario change_payment_term: payment term {s.term_id} does not exist")
            new_terms[s.partner_id] = s.term_id
        else:
            one_offs.append(OneOff(s.date, s.amount, s.label))
    return Adjustments(delay, factor, dates, new_terms, tuple(one_offs))


def _min_balance(f: Forecast) -> float:
    return min(d.balance_p50 for d in f.days)


def _shortfall(f: Forecast) -> float:
    return max(d.p_below_threshold for d in f.days)


def run_scenario(snapshot: Snapshot, scenarios: list[Scenario], *, as_of: dt.date | None = None,
                 horizon_days: int = 91, threshold: float = 0.0, seed: int = 0,
                 n_paths: int = N_PATHS) -> ScenarioResult:
    """The base forecast, the scenario forecast (same random numbers) and their difference."""
    adj = to_adjustments(snapshot, scenarios)
    base = compute(snapshot, as_of=as_of, horizon_days=horizon_days, threshold=threshold, seed=seed, n_paths=n_paths)
    alt = compute(snapshot, as_of=as_of, horizon_days=horizon_days, threshold=threshold, seed=seed, n_paths=n_paths,
                  adjustments=adj, learned=base.learned)
    b, s = base.forecast, alt.forecast
    weeks = [WeekDelta(week=wb.week, start=wb.start, end=wb.end, net_delta=round(ws.net - wb.net, 2),
                       closing_p50_delta=round(ws.closing_p50 - wb.closing_p50, 2))
             for wb, ws in zip(b.weeks, s.weeks, strict=True)]
    return ScenarioResult(scenarios=list(scenarios), base=b, scenario=s, weeks=weeks,
                          min_balance_base=_min_balance(b), min_balance_scenario=_min_balance(s),
                          min_balance_delta=round(_min_balance(s) - _min_balance(b), 2),
                          shortfall_probability_base=_shortfall(b), shortfall_probability_scenario=_shortfall(s),
                          shortfall_probability_delta=round(_shortfall(s) - _shortfall(b), 4))
