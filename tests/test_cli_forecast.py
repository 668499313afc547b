"""``cashflow forecast`` and ``cashflow backtest`` from the command line: the documented JSON, the chart,
and a clear one-line message (never a traceback) for every kind of bad input."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from sandbox.bootstrap import bootstrap
from sandbox.demo.loader import Loader
from sandbox.factory import new_store, service_for
from sandbox.server import RunningServer
from tests.conftest import AS_OF

FORECAST_KEYS = {"as_of", "currency", "opening_balance", "threshold", "days", "weeks", "shortfalls", "events",
                 "assumptions", "confidence", "warnings"}
DAY_KEYS = {"date", "inflow", "outflow", "net", "balance_p10", "balance_p50", "balance_p90", "p_below_threshold"}
EVENT_KEYS = {"kind", "source", "partner", "amount", "due_date", "date_p10", "date_p50", "date_p90", "p_in_horizon"}


def env_for(server: RunningServer, **extra: str) -> dict[str, str]:
    return {"ODOO_URL": server.url, "ODOO_DB": "demo", "ODOO_USER": "cashbot", "ODOO_PASSWORD": "cashbot",
            **extra}


def run(args: list[str], env: dict[str, str]) -> Any:
    return CliRunner().invoke(app, args, env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def forecast_json(sandbox: RunningServer) -> dict[str, Any]:
    result = run(["forecast", "--json", "--threshold", "150000"], env_for(sandbox))
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_forecast_json_has_exactly_the_documented_keys(forecast_json: dict[str, Any]) -> None:
    assert set(forecast_json) == FORECAST_KEYS
    assert forecast_json["threshold"] == 150000.0
    assert all(set(day) == DAY_KEYS for day in forecast_json["days"])
    assert all(set(e) == EVENT_KEYS for e in forecast_json["events"])
    assert {e["kind"] for e in forecast_json["events"]} <= {"invoice", "bill", "sale_order", "purchase_order",
                                                           "no_document"}
    assert len(forecast_json["weeks"]) == 13


def test_day_zero_is_the_bank_balance_and_the_bands_are_ordered(sandbox: RunningServer,
                                                                forecast_json: dict[str, Any]) -> None:
    status = json.loads(run(["status", "--json"], env_for(sandbox)).stdout)
    first = forecast_json["days"][0]
    assert first["date"] == AS_OF.isoformat()
    assert first["balance_p50"] == pytest.approx(status["bank"]["balance"], abs=0.01)
    assert forecast_json["opening_balance"] == pytest.approx(status["bank"]["balance"], abs=0.01)
    for day in forecast_json["days"]:
        assert day["balance_p10"] <= day["balance_p50"] <= day["balance_p90"]
        assert 0.0 <= day["p_below_threshold"] <= 1.0


def test_every_document_event_names_its_odoo_record(forecast_json: dict[str, Any]) -> None:
    for event in forecast_json["events"]:
        source = event["source"]
        if event["kind"] == "no_document":
            assert source["name"]
        else:
            assert source["model"] in ("account.move", "account.payment", "sale.order", "purchase.order")
            assert source["id"] > 0


def test_the_table_and_the_chart_are_written(sandbox: RunningServer, tmp_path: Path) -> None:
    result = run(["forecast", "--out", str(tmp_path / "out")], env_for(sandbox))
    assert result.exit_code == 0, result.output
    assert "13-week" in result.output and "P50" in result.output
    chart = tmp_path / "out" / "forecast.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((tmp_path / "out" / "forecast.json").read_text())
    assert set(saved) == FORECAST_KEYS


def test_a_negative_threshold_is_an_overdraft_line(sandbox: RunningServer) -> None:
    result = run(["forecast", "--json", "--threshold", "-25,000"], env_for(sandbox))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["threshold"] == -25000.0


def test_a_past_as_of_date_forecasts_from_what_odoo_knew_then(sandbox: RunningServer) -> None:
    past = AS_OF - dt.timedelta(days=60)
    result = run(["forecast", "--json", "--as-of", past.isoformat(), "--horizon", "28"], env_for(sandbox))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == past.isoformat() and len(data["days"]) == 29


@pytest.mark.parametrize(("args", "needle"), [
    (["--horizon", "0"], "horizon"),
    (["--horizon", "731"], "horizon"),
    (["--threshold", "lots"], "threshold"),
    (["--as-of", "2099-01-01"], "future"),
    (["--as-of", "2001-01-01"], "history"),
    (["--as-of", "2026-13-40"], "as-of"),
])
def test_bad_input_gives_one_clear_line_and_exit_code_2(sandbox: RunningServer, args: list[str],
                                                        needle: str) -> None:
    result = run(["forecast", *args], env_for(sandbox))
    assert result.exit_code == 2, result.output
    assert needle in result.output.lower()
    assert "Traceback" not in result.output


def test_bad_input_in_json_mode_is_one_json_error(sandbox: RunningServer) -> None:
    result = run(["forecast", "--json", "--horizon", "0"], env_for(sandbox))
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["message"].startswith("--horizon")


@pytest.fixture
def bare_company() -> Iterator[RunningServer]:
    """An Odoo whose company has a bank journal but no invoices, bills or bank lines at all."""
    store = new_store()
    loader = Loader(store)
    loader.add("res.currency", {"name": "USD", "symbol": "$", "position": "before"}, rid=1)
    loader.add("res.partner", {"name": "Empty Co", "complete_name": "Empty Co", "is_company": True,
                               "commercial_partner_id": 1}, rid=1)
    loader.add("res.company", {"name": "Empty Co", "currency_id": 1, "partner_id": 1,
                               "account_opening_date": "2026-01-01"}, rid=1)
    loader.add("account.account", {"code": "101401", "name": "Bank", "account_type": "asset_cash",
                                   "company_id": 1}, rid=1)
    loader.add("account.journal", {"name": "Bank", "code": "BNK1", "type": "bank", "company_id": 1,
                                   "default_account_id": 1}, rid=1)
    loader.flush()
    bootstrap(store)
    store.set_meta({"as_of": AS_OF.isoformat()})
    server = RunningServer(service_for(store)).start()
    yield server
    server.stop()


def test_an_odoo_with_nothing_to_forecast_from_says_so(bare_company: RunningServer) -> None:
    result = run(["forecast"], env_for(bare_company))
    assert result.exit_code == 2, result.output
    assert "nothing to forecast" in result.output and "Traceback" not in result.output


def test_an_odoo_without_bank_journal_says_what_to_add(fresh_sandbox: RunningServer) -> None:
    store = fresh_sandbox.service.databases["demo"].store
    store.execute("UPDATE account_journal SET active = 0 WHERE type = 'bank'")
    result = run(["forecast"], env_for(fresh_sandbox))
    assert result.exit_code == 2, result.output
    assert "bank journal" in result.output and "Traceback" not in result.output


def test_thin_history_gives_a_low_confidence_forecast_that_says_why(sandbox: RunningServer) -> None:
    result = run(["forecast", "--json"], env_for(sandbox, ODOO_COMPANY="Bluebird Europe GmbH"))
    assert result.exit_code == 0, result.output
    confidence = json.loads(result.stdout)["confidence"]
    assert confidence["level"] in ("low", "medium") and confidence["reasons"]


def test_backtest_json_reports_every_method(sandbox: RunningServer) -> None:
    result = run(["backtest", "--json", "--origins", "2", "--step-days", "28", "--horizon", "28"], env_for(sandbox))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["origins"]) == 2
    assert set(data["metrics"]) == {"model", "due_date", "due_date_plus_naive", "statsforecast_only",
                                    "oracle_timing"}
    for metrics in data["metrics"].values():
        assert {"weekly_net_error", "wape_inflow", "wape_outflow", "balance_mae_w1", "balance_mae_w4",
                "balance_mae_w13", "coverage_p10_p90", "pinball", "invoice_days_mae"} <= set(metrics)
    assert data["metrics"]["due_date"]["coverage_p10_p90"] is None
