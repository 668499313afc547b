"""The cash-flow forecast engine: pure computation on a :class:`~tools.odoo.records.Snapshot`.

Public API (the CLI's ``cashflow forecast`` / ``cashflow backtest`` use these):

* ``build_forecast(snapshot, *, as_of=None, horizon_days=91, threshold=0.0, seed=0, n_paths=1000)
  -> Forecast`` (:mod:`tools.forecast.engine`); ``Forecast.to_json()`` is the ``--json`` document;
* ``run_scenario(snapshot, scenarios, *, as_of=None, horizon_days=91, threshold=0.0, seed=0)
  -> ScenarioResult`` with scenario models ``DelayPartner``, ``ScaleSales``, ``MovePurchaseOrder``,
  ``ChangePaymentTerm``, ``OneOffFlow`` (:mod:`tools.forecast.scenarios`);
* ``run_backtest(snapshot, *, origins=12, step_days=28, horizon_days=91, progress=None)
  -> BacktestResult`` (:mod:`tools.forecast.backtest`);
* ``rewind(snapshot, origin) -> Snapshot`` (:mod:`tools.forecast.rewind`);
* rendering: ``print_forecast``, ``save_chart``, ``backtest_table``, ``scenario_table``
  (:mod:`tools.forecast.render`);
* errors: ``ForecastInputError`` (one actionable line).

statsforecast is imported lazily (inside the functions that fit models).
"""

from tools.forecast.backtest import BacktestResult, run_backtest
from tools.forecast.engine import build_forecast
from tools.forecast.rewind import rewind
from tools.forecast.scenarios import (
    ChangePaymentTerm,
    DelayPartner,
    MovePurchaseOrder,
    OneOffFlow,
    ScaleSales,
    Scenario,
    ScenarioResult,
    run_scenario,
)
from tools.forecast.types import Forecast, ForecastInputError

__all__ = [
    "BacktestResult",
    "ChangePaymentTerm",
    "DelayPartner",
    "Forecast",
    "ForecastInputError",
    "MovePurchaseOrder",
    "OneOffFlow",
    "ScaleSales",
    "Scenario",
    "ScenarioResult",
    "build_forecast",
    "rewind",
    "run_backtest",
    "run_scenario",
]
