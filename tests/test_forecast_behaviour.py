"""Payment behaviour: per-partner delays, shrinkage, trends, conditional (overdue) distributions."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.forecast_fixtures import AS_OF, Builder, weekday_on_or_after
from tools.forecast.adjust import NONE
from tools.forecast.events import date_quantiles
from tools.forecast.installments import invoice_events, open_items
from tools.forecast.payment_behaviour import learn_behaviour


def _population(b: Builder, n: int = 8, late: int = 2) -> None:
    for i in range(n):
        pid = b.partner(f"Regular {i}")
        b.payer(pid, late=late, count=12, every=30, jitter=1, seed=i)


def test_partner_paying_ten_days_late_gets_p50_ten_days_after_due() -> None:
    b = Builder()
    _population(b)
    pid = b.partner("Ten Days Late")
    b.payer(pid, late=10, count=15, every=25)
    due = weekday_on_or_after(AS_OF + dt.timedelta(days=20))
    while (due + dt.timedelta(days=10)).weekday() >= 5:
        due += dt.timedelta(days=1)
    b.invoice(pid, AS_OF - dt.timedelta(days=10), 5000.0, due=due)
    snap = b.build()
    beh = learn_behaviour(snap, AS_OF, "receivable")
    block = invoice_events(open_items(snap, AS_OF), AS_OF, 91, beh, NONE)
    [(p10, p50, p90)] = date_quantiles(block.pmf, AS_OF)
    assert p50 == due + dt.timedelta(days=10)
    assert p10 is not None and p90 is not None and p10 <= p50 <= p90
    assert block.p_in()[0] > 0.95


def test_one_invoice_partner_is_pulled_toward_the_population() -> None:
    b = Builder()
    _population(b, late=2)
    pid = b.partner("Newcomer")
    b.payer(pid, late=40, count=1)
    beh = learn_behaviour(b.build(), AS_OF, "receivable")
    own = beh.evidence[pid].recent_median_late
    predicted = beh.expected_delay(pid)
    assert own == 40
    assert beh.model.pop_mean < predicted < 40
    assert predicted - beh.model.pop_mean < 0.5 * (40 - beh.model.pop_mean)


def test_well_known_partner_keeps_its_own_behaviour() -> None:
    b = Builder()
    _population(b, late=2)
    pid = b.partner("Slow but steady")
    b.payer(pid, late=30, count=18, every=20)
    beh = learn_behaviour(b.build(), AS_OF, "receivable")
    assert abs(beh.expected_delay(pid) - 30) < 3


def test_deteriorating_partner_is_predicted_later_than_its_history() -> None:
    b = Builder()
    _population(b, late=2)
    pid = b.partner("Slipping")
    lates = [2 * k for k in range(16)]
    b.payer(pid, late=lates, count=16, every=22)
    beh = learn_behaviour(b.build(), AS_OF, "receivable")
    history_mean = float(np.mean(lates))
    assert beh.model.b[beh.group(pid)] > 5  # days per year
    assert beh.expected_delay(pid) > history_mean


def test_overdue_item_is_conditional_and_may_never_be_paid() -> None:
    b = Builder()
    _population(b, late=3)
    pid = b.partner("Usually quick")
    b.payer(pid, late=2, count=12, every=30)
    fresh_due = AS_OF + dt.timedelta(days=20)
    b.invoice(pid, AS_OF - dt.timedelta(days=10), 1000.0, due=fresh_due)
    b.invoice(pid, AS_OF - dt.timedelta(days=90), 1000.0, due=AS_OF - dt.timedelta(days=15))
    b.invoice(pid, AS_OF - dt.timedelta(days=400), 1000.0, due=AS_OF - dt.timedelta(days=370))
    snap = b.build()
    beh = learn_behaviour(snap, AS_OF, "receivable")
    items = sorted(open_items(snap, AS_OF), key=lambda i: i.due_date or AS_OF, reverse=True)
    block = invoice_events(items, AS_OF, 91, beh, NONE)
    fresh, overdue, ancient = block.p_in()
    assert fresh > 0.9
    # overdue: all mass is after today (the pmf only covers the future) and part of it may never come
    assert overdue < 0.99
    assert ancient < 0.2  # nobody ever paid a year late
    assert fresh > overdue > ancient
