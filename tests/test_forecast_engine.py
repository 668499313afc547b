"""The engine end to end on a small synthetic company: balances, bands, thresholds, JSON, bad input."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pytest

from tests.forecast_fixtures import AS_OF, Builder, small_company
from tools.forecast import Forecast, ForecastInputError, build_forecast
from tools.forecast.adjust import NONE
from tools.forecast.engine import compute, learn
from tools.forecast.orders import order_events
from tools.forecast.types import JSON_KEYS
from tools.odoo.records import Snapshot


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return small_company().build()


@pytest.fixture(scope="module")
def forecast(snapshot: Snapshot) -> Forecast:
    return build_forecast(snapshot, threshold=50_000.0, seed=3, n_paths=400)


def test_day_zero_is_the_bank_balance(forecast: Forecast, snapshot: Snapshot) -> None:
    day0 = forecast.days[0]
    assert day0.date == AS_OF
    assert day0.balance_p10 == day0.balance_p50 == day0.balance_p90 == snapshot.context.bank_balance
    assert forecast.opening_balance == snapshot.context.bank_balance
    assert len(forecast.days) == 92 and len(forecast.weeks) == 13


def test_quantiles_are_ordered_every_day(forecast: Forecast) -> None:
    for d in forecast.days:
        assert d.balance_p10 <= d.balance_p50 <= d.balance_p90
        assert 0.0 <= d.p_below_threshold <= 1.0
        assert d.net == pytest.approx(d.inflow + d.outflow, abs=0.02)


def test_weeks_add_up(forecast: Forecast) -> None:
    assert sum(w.net for w in forecast.weeks) == pytest.approx(sum(d.net for d in forecast.days), abs=1.0)
    assert forecast.weeks[-1].closing_p50 == forecast.days[-1].balance_p50


def test_threshold_probability_behaves(snapshot: Snapshot) -> None:
    high = build_forecast(snapshot, threshold=10_000_000.0, n_paths=200)
    low = build_forecast(snapshot, threshold=-10_000_000.0, n_paths=200)
    assert min(d.p_below_threshold for d in high.days[1:]) > 0.99
    assert max(d.p_below_threshold for d in low.days) < 0.01
    assert high.shortfalls and not low.shortfalls


def test_seed_makes_it_deterministic(snapshot: Snapshot) -> None:
    a = build_forecast(snapshot, seed=5, n_paths=200)
    b = build_forecast(snapshot, seed=5, n_paths=200)
    assert a.to_json() == b.to_json()


def test_json_has_exactly_the_documented_keys(forecast: Forecast) -> None:
    data = forecast.to_json()
    assert tuple(data) == JSON_KEYS
    assert set(data["days"][0]) == {"date", "inflow", "outflow", "net", "balance_p10", "balance_p50",
                                    "balance_p90", "p_below_threshold"}
    assert set(data["weeks"][0]) == {"week", "start", "end", "inflow", "outflow", "net", "closing_p10",
                                     "closing_p50", "closing_p90", "p_below_threshold"}
    assert set(data["events"][0]) == {"kind", "source", "partner", "amount", "due_date", "date_p10", "date_p50",
                                      "date_p90", "p_in_horizon"}
    assert set(data["events"][0]["source"]) == {"model", "id", "name"}
    assert {e["kind"] for e in data["events"]} <= {"invoice", "bill", "sale_order", "purchase_order", "no_document"}
    assert set(data["confidence"]) == {"score", "level", "reasons"}
    assert {"category", "text", "evidence"} == set(data["assumptions"][0])
    import json

    json.dumps(data)  # serialisable as is


def test_events_carry_sources_and_explanations(forecast: Forecast) -> None:
    kinds = {e.kind for e in forecast.events}
    assert {"invoice", "bill", "sale_order", "no_document"} <= kinds
    invoice = next(e for e in forecast.events if e.kind == "invoice" and e.source.model == "account.move")
    assert invoice.due_date is not None and invoice.partner
    assert any("Salaries" in e.source.name for e in forecast.events if e.kind == "no_document")
    assert any("Customer 3" in a.text for a in forecast.assumptions)
    assert forecast.confidence.level in ("low", "medium", "high")


def test_partly_invoiced_order_contributes_only_its_remainder() -> None:
    b = small_company()
    pid = b.partners[0].id
    order = b.order(pid, date_order=AS_OF - dt.timedelta(days=20), expected=AS_OF - dt.timedelta(days=5),
                    total=10_000.0, invoiced=[(AS_OF - dt.timedelta(days=4), 6_000.0)])
    snap = b.build()
    learned = learn(snap, AS_OF)
    block, invoicing = order_events(snap, AS_OF, 91, learned.order_lags["sale"], learned.behaviours["receivable"],
                                    NONE)
    row = next(i for i, m in enumerate(block.meta) if m.source.id == order.ref.id)
    assert block.amounts[row] == pytest.approx(4_000.0)
    assert block.pmf[row].sum() <= 1.0 + 1e-9
    assert invoicing.sum() <= 4_000.0 + 5_000.0 + 1e-6  # this order's remainder + the other open order


def test_bad_inputs_raise_clear_errors(snapshot: Snapshot) -> None:
    cases = [
        (dict(horizon_days=0), "horizon must be between 1 and 730"),
        (dict(horizon_days=731), "horizon must be between 1 and 730"),
        (dict(as_of=AS_OF + dt.timedelta(days=1)), "after the snapshot"),
        (dict(as_of=snapshot.history_start - dt.timedelta(days=1)), "before the snapshot's history"),
        (dict(threshold="abc"), "threshold must be a number"),
        (dict(threshold=float("nan")), "threshold must be a number"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ForecastInputError, match=message) as err:
            build_forecast(snapshot, **kwargs)  # type: ignore[arg-type]
        assert "\n" not in str(err.value)


def test_no_bank_journal_and_no_history_raise() -> None:
    with pytest.raises(ForecastInputError, match="no bank journal"):
        build_forecast(small_company().build(journals=False))
    with pytest.raises(ForecastInputError, match="nothing to forecast from"):
        build_forecast(Builder().build())


def test_thin_history_gives_a_low_confidence_forecast() -> None:
    b = Builder(history_days=40)
    pid = b.partner("Only customer")
    b.invoice(pid, AS_OF - dt.timedelta(days=20), 1000.0, due=AS_OF + dt.timedelta(days=10))
    b.invoice(pid, AS_OF - dt.timedelta(days=35), 800.0, due=AS_OF - dt.timedelta(days=5),
              paid=[(AS_OF - dt.timedelta(days=2), 800.0)])
    f = build_forecast(b.build(), n_paths=200)
    assert f.confidence.level == "low"
    assert any("days of bank history" in r for r in f.confidence.reasons)
    assert len(f.days) == 92


def test_horizon_can_be_short_or_long(snapshot: Snapshot) -> None:
    assert len(build_forecast(snapshot, horizon_days=1, n_paths=100).days) == 2
    long = compute(snapshot, horizon_days=400, n_paths=100)
    assert len(long.forecast.weeks) == 58
    assert np.all(np.isfinite(long.simulation.p50))


def test_statsforecast_is_imported_lazily() -> None:
    code = "import sys, tools.forecast; assert 'statsforecast' not in sys.modules, 'eager import'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=".")


def test_forecast_as_of_an_earlier_date_rewinds_the_snapshot(snapshot: Snapshot) -> None:
    earlier = AS_OF - dt.timedelta(days=30)
    f = build_forecast(snapshot, as_of=earlier, n_paths=100)
    later = sum(t.amount for t in snapshot.bank_transactions if t.date > earlier)
    assert f.as_of == earlier
    assert f.opening_balance == pytest.approx(snapshot.context.bank_balance - later, abs=0.01)


def test_credit_notes_and_payments_in_transit_become_events() -> None:
    from tools.odoo.records import Payment, RecordRef

    b = small_company()
    customer = b.partners[0].id
    note = b.invoice(customer, AS_OF - dt.timedelta(days=3), 400.0, refund=True, due=AS_OF - dt.timedelta(days=3))
    b.payments.append(Payment(ref=RecordRef(model="account.payment", id=77, name="PAY/77"),
                              date=AS_OF - dt.timedelta(days=1), amount=900.0, partner_id=customer,
                              partner_name="Customer 0", is_matched=False, journal_id=1))
    f = build_forecast(b.build(), n_paths=100)
    notes = [e for e in f.events if e.source.id == note.document.id]
    assert notes and all(e.kind == "invoice" and e.amount < 0 for e in notes)
    assert sum(e.amount for e in notes) == pytest.approx(-400.0)
    transit = next(e for e in f.events if e.source.model == "account.payment")
    assert transit.amount == 900.0 and transit.p_in_horizon == pytest.approx(1.0)
    assert transit.date_p90 is not None and (transit.date_p90 - AS_OF).days <= 7
