"""Backtest metrics on (origins x days) arrays. Pooled over origins (ratios of sums, means of errors).

* ``weekly_net_error``: sum over weeks of |forecast net - actual net| / sum of actual gross flows
  (inflows + |outflows|) - the share of the money that moved that the forecast got wrong, week by week;
* ``wape_inflow`` / ``wape_outflow``: weekly WAPE of inflows / outflows (utilsforecast ``nd``);
* ``balance_mae_w{k}``: mean absolute error of the (median) closing balance at the end of week k;
* ``coverage_p10_p90``: share of days where the actual balance lies in [P10, P90] (utilsforecast
  ``coverage``); ``band_width``: mean P90 - P10;
* ``pinball``: mean quantile loss at 0.1 / 0.5 / 0.9 on daily balances (utilsforecast
  ``quantile_loss``; a point forecast is its own quantiles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUANTILES = (0.1, 0.5, 0.9)


def weekly(x: np.ndarray) -> np.ndarray:
    """Sum days into weeks: (origins, days) -> (origins, weeks); a trailing partial week is kept."""
    o, h = x.shape
    w = -(-h // 7)
    pad = np.zeros((o, w * 7))
    pad[:, :h] = x
    return pad.reshape(o, w, 7).sum(axis=2)


def weekly_net_error(fc_net: np.ndarray, act_in: np.ndarray, act_out: np.ndarray) -> float:
    err = np.abs(weekly(fc_net) - weekly(act_in + act_out)).sum()
    gross = (np.abs(act_in) + np.abs(act_out)).sum()
    return float(err / gross) if gross > 0 else float("nan")


def _long(actual: np.ndarray, **cols: np.ndarray) -> pd.DataFrame:
    data = {"unique_id": "all", "ds": np.arange(actual.size), "y": actual.ravel()}
    data.update({k: v.ravel() for k, v in cols.items()})
    return pd.DataFrame(data)


def wape(fc: np.ndarray, act: np.ndarray) -> float:
    from utilsforecast.losses import nd

    if np.abs(weekly(act)).sum() == 0:
        return float("nan")
    return float(nd(_long(weekly(act), f=weekly(fc)), models=["f"])["f"].iloc[0])


def balance_mae(fc_bal: np.ndarray, act_bal: np.ndarray, week: int) -> float:
    day = min(7 * week, fc_bal.shape[1]) - 1
    return float(np.mean(np.abs(fc_bal[:, day] - act_bal[:, day])))


def coverage(p10: np.ndarray, p90: np.ndarray, act_bal: np.ndarray) -> float:
    from utilsforecast.losses import coverage as uf_coverage

    df = _long(act_bal, **{"b-lo-80": p10, "b-hi-80": p90})
    return float(uf_coverage(df, models=["b"], level=80)["b"].iloc[0])


def pinball(quantiles: tuple[np.ndarray, np.ndarray, np.ndarray], act_bal: np.ndarray) -> float:
    from utilsforecast.losses import quantile_loss

    losses = []
    for q, fc in zip(QUANTILES, quantiles, strict=True):
        df = _long(act_bal, f=fc)
        losses.append(float(quantile_loss(df, models={"f": "f"}, q=q)["f"].iloc[0]))
    return float(np.mean(losses))


def summarise(fc_in: np.ndarray, fc_out: np.ndarray, act_in: np.ndarray, act_out: np.ndarray, opening: np.ndarray,
              bands: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> dict[str, float | None]:
    """All balance/flow metrics of one method over all origins."""
    act_bal = opening[:, None] + np.cumsum(act_in + act_out, axis=1)
    point = opening[:, None] + np.cumsum(fc_in + fc_out, axis=1)
    p50 = bands[1] if bands is not None else point
    out: dict[str, float | None] = {
        "weekly_net_error": weekly_net_error(fc_in + fc_out, act_in, act_out),
        "wape_inflow": wape(fc_in, act_in),
        "wape_outflow": wape(fc_out, act_out),
        "balance_mae_w1": balance_mae(p50, act_bal, 1),
        "balance_mae_w4": balance_mae(p50, act_bal, 4),
        "balance_mae_w13": balance_mae(p50, act_bal, 13),
        "coverage_p10_p90": coverage(bands[0], bands[2], act_bal) if bands is not None else None,
        "band_width": float(np.mean(bands[2] - bands[0])) if bands is not None else None,
        "pinball": pinball(bands if bands is not None else (point, point, point), act_bal),
    }
    return {k: (round(v, 4) if isinstance(v, float) and np.isfinite(v) else v) for k, v in out.items()}


def days_mae(errors: list[float]) -> float | None:
    return round(float(np.mean(np.abs(errors))), 3) if errors else None
