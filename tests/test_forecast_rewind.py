"""Rewinding a snapshot to what Odoo knew at an earlier date."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.forecast_fixtures import AS_OF, Builder
from tools.forecast.rewind import actual_daily, rewind
from tools.odoo.records import Payment, RecordRef


def _company() -> Builder:
    b = Builder(balance=50_000.0)
    pid = b.partner("Customer")
    b.invoice(pid, AS_OF - dt.timedelta(days=60), 1000.0, due=AS_OF - dt.timedelta(days=30),
              paid=[(AS_OF - dt.timedelta(days=40), 400.0), (AS_OF - dt.timedelta(days=10), 600.0)])
    b.invoice(pid, AS_OF - dt.timedelta(days=5), 700.0, due=AS_OF + dt.timedelta(days=25))
    b.flow("630000 Rent", -1500.0, day_of_month=1)
    b.order(pid, date_order=AS_OF - dt.timedelta(days=50), expected=AS_OF - dt.timedelta(days=45), total=2000.0,
            invoiced=[(AS_OF - dt.timedelta(days=44), 1200.0), (AS_OF - dt.timedelta(days=8), 800.0)])
    b.order(pid, date_order=AS_OF - dt.timedelta(days=3), expected=None, total=900.0)
    b.payments.append(Payment(ref=RecordRef(model="account.payment", id=1, name="P1"),
                              date=AS_OF - dt.timedelta(days=2), amount=123.0, partner_id=pid,
                              partner_name="Customer", is_matched=False, journal_id=1))
    return b


def test_rewind_drops_later_documents_settlements_orders_and_lines() -> None:
    snap = _company().build()
    origin = AS_OF - dt.timedelta(days=20)
    old = rewind(snap, origin)
    assert old.as_of == origin
    assert len(old.installments) == 1
    inst = old.installments[0]
    assert [s.amount for s in inst.settlements] == [400.0]
    assert inst.residual == pytest.approx(600.0) and inst.payment_state == "partial"
    assert all(t.date <= origin for t in old.bank_transactions)
    assert not old.payments
    [order] = old.orders
    assert order.amount_to_invoice == pytest.approx(800.0) and len(order.invoices) == 1 and order.is_open


def test_rewound_balance_removes_later_bank_lines() -> None:
    snap = _company().build()
    origin = AS_OF - dt.timedelta(days=20)
    later = sum(t.amount for t in snap.bank_transactions if t.date > origin)
    assert rewind(snap, origin).context.bank_balance == pytest.approx(50_000.0 - later)
    inflow, outflow = actual_daily(snap, origin, 20)
    assert sum(inflow) + sum(outflow) == pytest.approx(later)


def test_rewind_to_the_snapshot_date_is_the_snapshot() -> None:
    snap = _company().build()
    assert rewind(snap, AS_OF) is snap
