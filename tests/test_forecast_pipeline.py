"""New business from orders not confirmed yet: order-to-invoice lag, own-error uncertainty, sales/purchase coupling."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.forecast_fixtures import AS_OF, Builder
from tools.forecast.engine import learn
from tools.forecast.events import EventBlock, FlowSet
from tools.forecast.pipeline import Pipeline, couple, new_business, order_invoice_lag, own_error_sd

DAY = dt.timedelta(days=1)


def order_company() -> Builder:
    """Every Monday a 1,000 sale order, invoiced 14 days later (net 30) and paid on the due date."""
    b = Builder(history_days=400)
    net30 = b.term("30 Days")
    customer = b.partner("Customer", term_id=net30)
    day = b.history_start + DAY
    while day <= AS_OF:
        if day.weekday() == 0:
            inv_day = day + dt.timedelta(days=14)
            due = inv_day + dt.timedelta(days=30)
            invoiced = [(inv_day, 1000.0)] if inv_day <= AS_OF else []
            order = b.order(customer, date_order=day, expected=None, total=1000.0, invoiced=invoiced)
            if invoiced:
                b.invoice(customer, inv_day, 1000.0, due=due, paid=[(due, 1000.0)] if due <= AS_OF else None,
                          origin=order.ref.name)
        day += DAY
    return b


def test_order_invoice_lag_is_learned_per_unit_of_order_amount() -> None:
    snap = order_company().build()
    pmf, median = order_invoice_lag(snap, AS_OF, "receivable")
    assert median == 14.0
    assert pmf[14] == pytest.approx(1.0) and pmf.sum() == pytest.approx(1.0)
    assert order_invoice_lag(Builder().build(), AS_OF, "receivable")[1] == 14.0  # no orders: a default


def test_new_orders_become_cash_after_the_order_and_payment_lags() -> None:
    snap = order_company().build()
    learned = learn(snap, AS_OF)
    p = new_business(snap, AS_OF, 91, learned.behaviours["receivable"], np.zeros(91))
    path = p.flows.mean[0]
    assert path[:42].sum() < 0.05 * path.sum()  # an order confirmed tomorrow is paid ~44 days later
    # orders of weeks 1..~6 pay within the horizon: ~1,000 each
    assert 4_000.0 <= path.sum() <= 7_500.0
    assert p.weekly_mean[:13].sum() == pytest.approx(13 * 1000.0 - 1000.0 * 2, rel=0.25)  # invoices, 2 weeks late
    assert p.flows.display.meta[0].source.name == "New customer invoices (not issued yet)"


def test_own_error_sd_measures_the_forecasters_past_errors() -> None:
    assert own_error_sd(np.full(10, 5.0), 13) is None  # too short
    flat = own_error_sd(np.full(60, 5.0), 13)
    assert flat is not None and np.allclose(flat, 0.0)
    rng = np.random.default_rng(0)
    noisy = own_error_sd(100.0 + rng.normal(0.0, 10.0, 80), 13)
    assert noisy is not None and np.all(np.diff(noisy) >= 0) and 5.0 < noisy[0] < 20.0


def _pipeline(kind: str, conf: np.ndarray, other: np.ndarray) -> Pipeline:
    h = conf.shape[1]
    flows = FlowSet([kind], np.zeros((1, h)), np.vstack([conf, other]), EventBlock.empty(h))
    return Pipeline(kind, np.zeros(2), np.zeros(2), 10, 0.0, 0.0, 1.0, flows, conf_basis=conf, other_basis=other)


def test_coupling_correlates_sales_and_purchase_volume_shocks() -> None:
    h = 14
    r = np.zeros((2, h))
    r[0, 3:], r[1, 10:] = 100.0, 80.0
    p = -0.5 * r
    other = np.zeros((1, h))
    other[0, 5:] = 10.0
    rec, pay = _pipeline("receivable", r, other), _pipeline("payable", p, other.copy())
    couple(rec, pay, 0.6)
    total = np.vstack([rec.flows.basis, pay.flows.basis])
    var = (total[:, -1] ** 2).sum()
    expected = (r[:, -1] ** 2).sum() + (p[:, -1] ** 2).sum() + 2 * 0.6 * (r[:, -1] * p[:, -1]).sum() + 2 * 10.0**2
    assert var == pytest.approx(expected)
    assert rec.coupling == pay.coupling == 0.6
    untouched = _pipeline("receivable", r, other)
    couple(untouched, _pipeline("payable", p, other), 0.01)
    assert untouched.flows.basis.shape == (3, h)
