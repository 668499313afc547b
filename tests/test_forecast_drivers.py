"""Drivers of periodic no-document flows (turnover, cash sweep) and balance-driven flows in the simulation."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from tests.forecast_fixtures import AS_OF, Builder
from tools.forecast import build_forecast
from tools.forecast.baseline import forecast_groups, month_index
from tools.forecast.drivers import balance_at, choose_driver, fit_ratio, fit_sweep, monthly_issuance
from tools.forecast.events import EventBlock, FlowSet, Policy
from tools.forecast.simulate import simulate
from tools.odoo.records import BankTransaction

DAY = dt.timedelta(days=1)


def test_fit_ratio_and_sweep_recover_known_parameters() -> None:
    x = np.array([100.0, 250.0, -40.0, 300.0])
    assert fit_ratio(x, -0.13 * x) == pytest.approx(-0.13)
    bal = np.array([1000.0, 1200.0, 1400.0, 1600.0, 2000.0])
    k, floor = fit_sweep(bal, 0.5 * np.maximum(bal - 1300.0, 0.0))
    assert k == pytest.approx(0.5) and floor == pytest.approx(1300.0)


def test_choose_driver_needs_clear_out_of_sample_evidence() -> None:
    turnover = np.array([900.0, 1500.0, 700.0, 1200.0, 1800.0, 1000.0])
    tax = -0.13 * turnover
    chosen = choose_driver(tax, turnover, None)
    assert chosen is not None and chosen.kind == "turnover" and chosen.slope == pytest.approx(-0.13)
    assert chosen.loo_mae < 1e-6 < chosen.level_mae
    rng = np.random.default_rng(0)
    assert choose_driver(rng.normal(-100.0, 30.0, 6), turnover, None) is None  # unrelated sizes: keep the level
    assert choose_driver(tax[:3], turnover[:3], None) is None  # too few slots to tell
    balance = np.array([1000.0, 1700.0, 1200.0, 2100.0, 1500.0, 1900.0, 900.0])
    sweep = -0.6 * np.maximum(balance - 1300.0, 0.0)
    chosen = choose_driver(sweep, None, balance)
    assert chosen is not None and chosen.kind == "balance" and chosen.sign == -1.0
    assert chosen.slope == pytest.approx(0.6, rel=0.05) and 1200.0 <= chosen.floor <= 1500.0
    assert np.all(chosen.amount(np.array([1000.0])) == 0.0)


def test_balance_at_rebuilds_past_balances_from_the_lines() -> None:
    b = Builder(balance=500.0)
    for k, amount in enumerate((100.0, -50.0, 200.0)):
        b.bank.append(BankTransaction(id=k + 1, date=AS_OF - dt.timedelta(days=10 - 3 * k), amount=amount,
                                      partner_id=None, partner_name=None, label="x", journal_id=1,
                                      journal_code="BNK1", matched="other", counterpart_account="999 Misc"))
    at = balance_at(b.build(), AS_OF)
    assert at(AS_OF) == 500.0
    assert at(AS_OF - dt.timedelta(days=5)) == pytest.approx(300.0)  # before the +200
    assert at(AS_OF - dt.timedelta(days=20)) == pytest.approx(250.0)


def _empty_flows(horizon: int, policies: list[Policy]) -> FlowSet:
    return FlowSet(["Capital"], np.zeros((1, horizon)), np.zeros((0, horizon)), EventBlock.empty(horizon),
                   [], policies)


def test_a_policy_takes_its_share_of_the_balance_above_the_floor_on_every_path() -> None:
    h = 10
    flows = _empty_flows(h, [Policy("Capital", 3, -1.0, 0.5, 600.0, 0.0)])
    deterministic = np.zeros(h)
    deterministic[0] = 1000.0  # a scenario one-off before the sweep does not change it
    sim = simulate(1000.0, EventBlock.empty(h), flows, deterministic, threshold=0.0, seed=1, n_paths=50)
    assert sim.policy_daily is not None and sim.policy_odds is not None
    assert sim.policy_daily[0, 2] == pytest.approx(-200.0) and sim.policy_odds[0] == 1.0
    assert sim.outflow[2] == pytest.approx(-200.0)
    assert sim.p50[1] == pytest.approx(2000.0) and sim.p50[2] == pytest.approx(1800.0)
    low = simulate(500.0, EventBlock.empty(h), _empty_flows(h, [Policy("Capital", 3, -1.0, 0.5, 600.0, 0.0)]),
                   np.zeros(h), threshold=0.0, seed=1, n_paths=50)
    assert low.policy_odds is not None and low.policy_odds[0] == 0.0 and low.p50[-1] == pytest.approx(500.0)


def _quarter_slots(start: dt.date, end: dt.date, months: tuple[int, ...], day: int) -> list[dt.date]:
    out = []
    for y in range(start.year, end.year + 1):
        for m in months:
            d = dt.date(y, m, day)
            while d.weekday() >= 5:
                d += DAY
            if start < d <= end:
                out.append(d)
    return out


def sweep_company() -> Builder:
    """Weekly receipts and rent; an owner takes 50% of the balance above 60,000 on the 25th of each quarter's end."""
    b = Builder(history_days=760)
    rng = random.Random(4)
    lines: list[tuple[dt.date, float, str]] = []
    day = b.history_start + DAY
    while day <= AS_OF:
        if day.weekday() == 2:
            lines.append((day, rng.uniform(2_000.0, 12_000.0), "400000 Cash sales"))
        if day.day == 1:
            lines.append((day, -18_000.0, "630000 Rent"))
        day += DAY
    balance = 40_000.0
    slots = _quarter_slots(b.history_start, AS_OF, (3, 6, 9, 12), 25)
    lines.sort()
    out: list[tuple[dt.date, float, str]] = []
    for d, amount, account in lines:
        while slots and slots[0] <= d:
            paid = 0.5 * max(balance - 60_000.0, 0.0)
            if paid > 0:
                out.append((slots[0], -paid, "101000 Capital"))
                balance -= paid
            slots.pop(0)
        out.append((d, amount, account))
        balance += amount
    for k, (d, amount, account) in enumerate(out):
        b.bank.append(BankTransaction(id=10_000 + k, date=d, amount=round(amount, 2), partner_id=None,
                                      partner_name=None, label=account, journal_id=1, journal_code="BNK1",
                                      matched="other", counterpart_account=account))
    b.balance = round(balance, 2)
    return b


def test_a_cash_sweep_is_learned_and_simulated_from_the_balance() -> None:
    snap = sweep_company().build()
    groups = {g.name: g for g in forecast_groups(snap, AS_OF, 91)}
    capital = groups["101000 Capital"]
    assert capital.period == 3 and capital.driver is not None and capital.driver.kind == "balance"
    assert capital.driver.slope == pytest.approx(0.5, abs=0.1)
    assert capital.driver.floor == pytest.approx(60_000.0, abs=15_000.0)
    f = build_forecast(snap, n_paths=300)
    event = next(e for e in f.events if e.source.name == "101000 Capital")
    assert event.amount < 0 and event.date_p50 == dt.date(2026, 9, 25) and 0.0 < event.p_in_horizon <= 1.0
    assert any("of the excess goes out" in a.text for a in f.assumptions)


def test_a_sales_tax_follows_the_previous_quarters_net_invoicing() -> None:
    b = Builder(history_days=760)
    customer, vendor = b.partner("Customer"), b.partner("Vendor", vendor=True)
    rng = random.Random(2)
    day = b.history_start + DAY
    while day <= AS_OF:
        if day.weekday() == 0:
            b.invoice(customer, day, rng.uniform(5_000.0, 30_000.0), due=day + dt.timedelta(days=30))
            b.invoice(vendor, day, rng.uniform(2_000.0, 15_000.0), due=day + dt.timedelta(days=30), vendor=True)
        day += DAY
    snap0 = b.build()
    issued = monthly_issuance(snap0, AS_OF)
    first = month_index(b.history_start) + 1
    for d in _quarter_slots(b.history_start, AS_OF, (1, 4, 7, 10), 20):
        m = month_index(d)
        if m - 3 < first:
            continue
        amount = -0.13 * sum(issued.get(k, 0.0) for k in range(m - 3, m))
        b.bank.append(BankTransaction(id=b.new_id(), date=d, amount=round(amount, 2), partner_id=None,
                                      partner_name=None, label="STATE SALES TAX", journal_id=1,
                                      journal_code="BNK1", matched="other", counterpart_account="251000 Tax"))
    snap = b.build()
    tax = next(g for g in forecast_groups(snap, AS_OF, 91) if g.name == "251000 Tax")
    assert tax.driver is not None and tax.driver.kind == "turnover"
    assert tax.driver.slope == pytest.approx(-0.13, abs=0.002)
    july = tax.months.index(month_index(dt.date(2026, 7, 1)))
    expected = -0.13 * sum(issued.get(k, 0.0) for k in range(month_index(dt.date(2026, 4, 1)),
                                                               month_index(dt.date(2026, 7, 1))))
    assert tax.size is not None and tax.size[july] == pytest.approx(expected, rel=0.02)
