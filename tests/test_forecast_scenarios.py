"""What-if scenarios change what they should, on common random numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.forecast_fixtures import AS_OF, small_company
from tools.forecast import (
    ChangePaymentTerm,
    DelayPartner,
    ForecastInputError,
    MovePurchaseOrder,
    OneOffFlow,
    ScaleSales,
    run_scenario,
)
from tools.forecast.scenarios import to_adjustments


def test_delaying_a_partner_moves_its_cash_later() -> None:
    snap = small_company().build()
    pid = snap.partners[0].id
    result = run_scenario(snap, [DelayPartner(partner_id=pid, days=21)], n_paths=300)
    name = snap.partners[0].name
    before = next(e for e in result.base.events if e.partner == name and e.kind == "invoice")
    after = next(e for e in result.scenario.events if e.source == before.source)
    assert before.date_p50 is not None and after.date_p50 is not None
    assert (after.date_p50 - before.date_p50).days >= 14
    others = [(a, b) for a, b in zip(result.base.events, result.scenario.events, strict=False)
              if a.partner not in (name,) and a.kind == "invoice" and a.source == b.source]
    assert all(a.date_p50 == b.date_p50 for a, b in others)


def test_one_off_flow_shifts_the_balance_by_exactly_its_amount_from_its_date() -> None:
    snap = small_company().build()
    day = AS_OF + dt.timedelta(days=20)
    result = run_scenario(snap, [OneOffFlow(date=day, amount=-25_000.0, label="new van")], n_paths=300)
    for base, alt in zip(result.base.days, result.scenario.days, strict=True):
        shift = -25_000.0 if base.date >= day else 0.0
        for q in ("balance_p10", "balance_p50", "balance_p90"):
            assert getattr(alt, q) - getattr(base, q) == pytest.approx(shift, abs=0.02)
    assert -25_000.0 - 0.02 <= result.min_balance_delta <= 0.0
    assert any(e.source.model == "scenario" and e.amount == -25_000.0 for e in result.scenario.events)
    assert result.weeks[2].net_delta == pytest.approx(-25_000.0, abs=0.02)


def test_scaling_sales_lowers_inflows() -> None:
    snap = small_company().build()
    result = run_scenario(snap, [ScaleSales(factor=0.5)], n_paths=200)
    assert sum(w.inflow for w in result.scenario.weeks) < sum(w.inflow for w in result.base.weeks)
    assert sum(w.outflow for w in result.scenario.weeks) == pytest.approx(sum(w.outflow for w in result.base.weeks))


def test_moving_a_purchase_order_moves_its_payment() -> None:
    b = small_company()
    vendor = next(p.id for p in b.partners if p.is_vendor)
    po = b.order(vendor, kind="purchase", date_order=AS_OF - dt.timedelta(days=2),
                 expected=AS_OF + dt.timedelta(days=5), total=30_000.0, term_id=1)
    snap = b.build()
    move = MovePurchaseOrder(order_id=po.ref.id, date=AS_OF + dt.timedelta(days=45))
    result = run_scenario(snap, [move], n_paths=200)
    before = next(e for e in result.base.events if e.source.id == po.ref.id)
    after = next(e for e in result.scenario.events if e.source.id == po.ref.id)
    assert after.p_in_horizon < before.p_in_horizon or (after.date_p50 and before.date_p50
                                                         and after.date_p50 > before.date_p50)


def test_changing_a_payment_term_applies_to_future_invoices() -> None:
    b = small_company()
    immediate = b.term("Immediate", *[])
    snap = b.build()
    pid = snap.partners[0].id
    result = run_scenario(snap, [ChangePaymentTerm(partner_id=pid, term_id=immediate)], n_paths=200)
    before = next(e for e in result.base.events if e.kind == "sale_order")
    after = next(e for e in result.scenario.events if e.source == before.source)
    assert after.date_p50 is not None and before.date_p50 is not None and after.date_p50 < before.date_p50


def test_scenarios_are_validated_and_serialisable() -> None:
    snap = small_company().build()
    with pytest.raises(ForecastInputError, match="partner 999"):
        to_adjustments(snap, [DelayPartner(partner_id=999, days=3)])
    with pytest.raises(ForecastInputError, match="not a purchase order"):
        to_adjustments(snap, [MovePurchaseOrder(order_id=123456, date=AS_OF)])
    from pydantic import TypeAdapter

    from tools.forecast.scenarios import Scenario

    parsed = TypeAdapter(list[Scenario]).validate_python([{"type": "scale_sales", "factor": 0.9},
                                                          {"type": "one_off", "date": "2026-07-15", "amount": 10}])
    assert isinstance(parsed[0], ScaleSales) and isinstance(parsed[1], OneOffFlow)
    result = run_scenario(snap, parsed, n_paths=100)
    data = result.to_json()
    assert {"weeks", "min_balance_delta", "shortfall_probability_delta", "base", "scenario"} <= set(data)


def test_paying_earlier_never_lowers_and_later_never_raises_the_expected_cash() -> None:
    snap = small_company().build()
    customers = [p.id for p in snap.partners if p.is_customer]
    for pid in customers[:3]:
        earlier = run_scenario(snap, [DelayPartner(partner_id=pid, days=-30)], n_paths=300)
        later = run_scenario(snap, [DelayPartner(partner_id=pid, days=30)], n_paths=300)
        for base, early, late in zip(earlier.base.days, earlier.scenario.days, later.scenario.days, strict=True):
            assert early.balance_p50 >= base.balance_p50 - 0.01
            assert late.balance_p50 <= base.balance_p50 + 0.01
        assert earlier.min_balance_delta >= -0.01 and later.min_balance_delta <= 0.01


def test_an_overdue_invoice_paid_earlier_lands_tomorrow_rather_than_vanishing() -> None:
    from tools.forecast.installments import shift_days

    pmf = np.array([[0.1, 0.2, 0.3, 0.2, 0.1, 0.05]])
    earlier = shift_days(pmf, np.array([-2]), horizon=4)
    assert earlier[0].tolist() == pytest.approx([0.6, 0.2, 0.1, 0.05])
    later = shift_days(pmf, np.array([2]), horizon=4)
    assert later[0].tolist() == pytest.approx([0.0, 0.0, 0.1, 0.2])
    assert shift_days(pmf, np.array([0]), horizon=4)[0].tolist() == pytest.approx([0.1, 0.2, 0.3, 0.2])
