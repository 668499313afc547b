"""``cashflow forecast`` and ``cashflow backtest``: the 13-week probabilistic forecast, and how good it is."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from agent.cli.errors import UserInputError, handle_errors
from agent.cli.output import Output
from agent.runtime import as_of_date, open_odoo
from tools.settings import Settings, load_settings

if TYPE_CHECKING:
    from tools.forecast.types import Forecast
    from tools.odoo.records import Snapshot

JSON = typer.Option(False, "--json", help="Print one JSON object.")


def parse_threshold(raw: str | None, settings: Settings) -> float:
    if raw is None:
        return settings.cashflow_threshold
    try:
        value = float(raw.replace(",", "").replace("_", ""))
    except ValueError:
        raise UserInputError(f"--threshold must be a number in company currency (got {raw!r}); "
                             "a negative number is an overdraft line") from None
    if not math.isfinite(value):
        raise UserInputError(f"--threshold must be a finite number (got {raw!r})")
    return value


def _horizon(value: int | None, settings: Settings) -> int:
    horizon = settings.cashflow_horizon_days if value is None else value
    if not 1 <= horizon <= 730:
        raise UserInputError(f"--horizon must be between 1 and 730 days (got {horizon})")
    return horizon


def _snapshot(settings: Settings, out: Output, history_months: int | None = None) -> Snapshot:
    from tools.odoo.extract import extract_snapshot

    today = as_of_date(settings)
    label = "Preparing the demo company" if settings.embedded else "Reading Odoo"
    with out.progress(label) as progress, open_odoo(settings, progress=progress) as client:
        return extract_snapshot(client, as_of=today, history_months=history_months or settings.cashflow_history_months,
                                progress=progress)


@handle_errors
def forecast(
    horizon: int = typer.Option(None, "--horizon", help="Days ahead (default 91 = 13 weeks; 1-730)."),
    as_of: dt.datetime = typer.Option(None, "--as-of", formats=["%Y-%m-%d"],
                                      help="Forecast as Odoo stood on this past date (default today)."),
    threshold: str = typer.Option(None, "--threshold", help="Safety threshold in company currency (may be negative)."),
    out_dir: Path = typer.Option(None, "--out", help="Also write forecast.json and forecast.png here."),
    json_output: bool = JSON,
) -> None:
    from tools.forecast.engine import build_forecast

    out = Output(json_output)
    settings = load_settings()
    days = _horizon(horizon, settings)
    limit = parse_threshold(threshold, settings)
    today = as_of_date(settings)
    day = as_of.date() if as_of else today
    if day > today:
        raise UserInputError(f"--as-of {day} is in the future (today is {today}): forecasts start from what Odoo "
                             "knows today or on a past date")
    snapshot = _snapshot(settings, out)
    with out.progress("Forecasting"):
        result = build_forecast(snapshot, as_of=day, horizon_days=days, threshold=limit)
    if out_dir is not None:
        _write(result, snapshot, out_dir, out)
    if json_output:
        out.emit(result.to_json())
        return
    from tools.forecast.render import forecast_renderables

    for item in forecast_renderables(result):
        out.print(item)


def _write(result: Forecast, snapshot: Snapshot, out_dir: Path, out: Output) -> None:
    from tools.forecast.render import save_chart

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    (out_dir / "forecast.json").write_text(json.dumps(result.to_json(), indent=2, default=str), encoding="utf-8")
    chart = save_chart(result, out_dir / "forecast.png", history=_history(snapshot, result.as_of))
    out.note(f"Wrote {out_dir / 'forecast.json'} and {chart}")


def _history(snapshot: Snapshot, as_of: dt.date, days: int = 91) -> list[tuple[dt.date, float]]:
    """Actual end-of-day bank balances before ``as_of`` (from today's balance and the bank lines)."""
    balance = snapshot.context.bank_balance
    lines = sorted((t for t in snapshot.bank_transactions if t.date > as_of - dt.timedelta(days=days)),
                   key=lambda t: t.date)
    later = sum(t.amount for t in snapshot.bank_transactions if t.date > as_of)
    balance -= later
    by_day: dict[dt.date, float] = {}
    for t in lines:
        if t.date <= as_of:
            by_day[t.date] = by_day.get(t.date, 0.0) + t.amount
    points = []
    running = balance
    for d in sorted(by_day, reverse=True):
        points.append((d, running))
        running -= by_day[d]
    return sorted(points)


@handle_errors
def backtest(
    origins: int = typer.Option(12, "--origins", min=1, max=60, help="How many past forecast dates."),
    step_days: int = typer.Option(28, "--step-days", min=1, max=365, help="Days between two origins."),
    horizon: int = typer.Option(None, "--horizon", help="Days ahead of each origin (default 91)."),
    json_output: bool = JSON,
) -> None:
    from tools.forecast.backtest import run_backtest

    out = Output(json_output)
    settings = load_settings()
    days = _horizon(horizon, settings)
    needed = math.ceil((origins * step_days + days + 365) / 30)
    snapshot = _snapshot(settings, out, history_months=max(settings.cashflow_history_months, needed))
    with out.progress("Backtesting") as progress:
        result = run_backtest(snapshot, origins=origins, step_days=step_days, horizon_days=days, progress=progress)
    if json_output:
        out.emit(result.to_json())
        return
    from tools.forecast.render import backtest_table

    out.print(backtest_table(result))
