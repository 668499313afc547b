"""Backtest metrics on toy series with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from tools.forecast.metrics import balance_mae, coverage, pinball, summarise, wape, weekly, weekly_net_error


def test_weekly_sums_days() -> None:
    x = np.arange(1, 15, dtype=float)[None, :]
    assert weekly(x).tolist() == [[28.0, 77.0]]
    assert weekly(np.ones((1, 9))).tolist() == [[7.0, 2.0]]


def test_weekly_net_error_is_relative_to_gross_flows() -> None:
    act_in = np.zeros((1, 14))
    act_out = np.zeros((1, 14))
    act_in[0, 0], act_out[0, 1] = 100.0, -100.0  # week 1: +100 -100, net 0, gross 200
    act_in[0, 8] = 50.0  # week 2: net 50, gross 50
    perfect = act_in + act_out
    assert weekly_net_error(perfect, act_in, act_out) == 0.0
    zero = np.zeros((1, 14))
    assert weekly_net_error(zero, act_in, act_out) == pytest.approx(50.0 / 250.0)
    # a forecast with the right net in the wrong week of the same amount
    shifted = np.zeros((1, 14))
    shifted[0, 0] = 50.0
    assert weekly_net_error(shifted, act_in, act_out) == pytest.approx(100.0 / 250.0)


def test_wape_and_balance_mae() -> None:
    act = np.full((1, 14), 10.0)
    assert wape(act * 1.1, act) == pytest.approx(0.1)
    bal = np.cumsum(act, axis=1)
    assert balance_mae(bal + 5.0, bal, 1) == pytest.approx(5.0)
    assert balance_mae(bal, bal, 13) == 0.0


def test_coverage_and_pinball() -> None:
    act = np.array([[0.0, 1.0, 2.0, 3.0]])
    assert coverage(act - 1, act + 1, act) == 1.0
    assert coverage(act + 1, act + 2, act) == 0.0
    assert pinball((act, act, act), act) == 0.0
    # a median forecast 1 too high: loss (1-0.5)*1 at q=0.5; at q=0.1 (0.9*1); at q=0.9 (0.1*1) -> mean 0.5
    assert pinball((act + 1, act + 1, act + 1), act) == pytest.approx((0.9 + 0.5 + 0.1) / 3)


def test_summarise_point_method_has_no_band() -> None:
    act_in = np.full((2, 14), 5.0)
    act_out = np.full((2, 14), -3.0)
    out = summarise(act_in, act_out, act_in, act_out, np.array([100.0, 200.0]), None)
    assert out["weekly_net_error"] == 0.0 and out["coverage_p10_p90"] is None and out["band_width"] is None
    assert out["balance_mae_w4"] == 0.0
