"""End to end on the small sandbox company: extract, forecast, render, backtest."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tools.forecast import build_forecast, run_backtest
from tools.forecast.render import backtest_table, print_forecast, save_chart
from tools.odoo.client import ConnectionSpec, OdooClient
from tools.odoo.extract import extract_snapshot
from tools.odoo.records import Snapshot


@pytest.fixture(scope="module")
def demo_snapshot(sandbox: RunningServer) -> Snapshot:
    client = OdooClient(ConnectionSpec(url=sandbox.url, database="demo", login="admin", secret="admin")).connect()
    return extract_snapshot(client, as_of=AS_OF)


def test_forecast_on_the_demo_company(demo_snapshot: Snapshot, tmp_path: Path) -> None:
    f = build_forecast(demo_snapshot, threshold=0.0, seed=7, n_paths=300)
    assert f.days[0].balance_p50 == demo_snapshot.context.bank_balance
    assert len(f.weeks) == 13 and f.events and f.assumptions
    assert {"invoice", "bill", "no_document"} <= {e.kind for e in f.events}
    console = Console(record=True, width=160)
    print_forecast(f, console)
    assert "13-week cash forecast" in console.export_text()
    png = save_chart(f, tmp_path / "forecast.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_backtest_beats_the_due_date_rule(demo_snapshot: Snapshot) -> None:
    result = run_backtest(demo_snapshot, origins=4, step_days=56, n_paths=200, workers=2)
    metrics = result.metrics
    assert len(result.origins) == 4
    model, due = metrics["model"]["weekly_net_error"], metrics["due_date"]["weekly_net_error"]
    assert model is not None and due is not None and model < due
    assert metrics["due_date"]["coverage_p10_p90"] is None and metrics["model"]["coverage_p10_p90"] is not None
    data = result.to_json()
    assert set(data["metrics"]) == {"model", "due_date", "due_date_plus_naive", "statsforecast_only", "oracle_timing"}
    assert {"weekly_net_error", "wape_inflow", "wape_outflow", "balance_mae_w1", "balance_mae_w4", "balance_mae_w13",
            "coverage_p10_p90", "pinball", "invoice_days_mae"} <= set(data["metrics"]["model"])
    Console(record=True, width=200).print(backtest_table(result))
