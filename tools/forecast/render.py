"""Rendering: rich tables for the terminal, the JSON document, a matplotlib PNG chart.

* ``forecast_json(forecast) -> dict`` - exactly what ``cashflow forecast --json`` prints;
* ``forecast_renderables(forecast, *, top_events=10) -> list`` - rich objects (summary, weekly table,
  shortfalls, top events, assumptions, confidence, warnings); ``print_forecast(forecast, console)``
  prints them;
* ``save_chart(forecast, path) -> Path`` - P10-P90 band, P50 line and the threshold, as a PNG
  (matplotlib imported lazily, Agg backend);
* ``backtest_table(result)`` / ``scenario_table(result)`` - rich tables of a backtest / what-if.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tools.forecast.types import Forecast

if TYPE_CHECKING:
    from tools.forecast.backtest import BacktestResult
    from tools.forecast.scenarios import ScenarioResult


def _m(x: float) -> str:
    return f"{x:,.0f}"


def forecast_json(forecast: Forecast) -> dict[str, Any]:
    return forecast.to_json()


def weekly_table(f: Forecast) -> Table:
    t = Table(title=f"13-week cash forecast ({f.currency}) from {f.as_of}", show_lines=False)
    for col in ("Week", "From", "To", "In", "Out", "Net", "Close P10", "Close P50", "Close P90", "P(<thr)"):
        t.add_column(col, justify="right" if col not in ("From", "To") else "left")
    for w in f.weeks:
        risk = f"{w.p_below_threshold:.0%}"
        style = "bold red" if w.p_below_threshold >= 0.2 else ("yellow" if w.p_below_threshold >= 0.05 else "")
        t.add_row(str(w.week), str(w.start), str(w.end), _m(w.inflow), _m(w.outflow), _m(w.net), _m(w.closing_p10),
                  _m(w.closing_p50), _m(w.closing_p90), Text(risk, style=style))
    return t


def events_table(f: Forecast, top: int = 10) -> Table:
    t = Table(title=f"Largest expected movements (of {len(f.events)})")
    for col in ("Kind", "Source", "Partner", "Amount", "Due", "P10", "P50", "P90", "P(in horizon)"):
        t.add_column(col, justify="right" if col in ("Amount", "P(in horizon)") else "left")
    for e in f.events[:top]:
        t.add_row(e.kind, e.source.name, e.partner or "", _m(e.amount), str(e.due_date or ""), str(e.date_p10 or ""),
                  str(e.date_p50 or ""), str(e.date_p90 or ""), f"{e.p_in_horizon:.0%}")
    return t


def forecast_renderables(f: Forecast, *, top_events: int = 10) -> list[Any]:
    low_date, low = f.min_balance()
    head = (f"Opening balance {_m(f.opening_balance)} {f.currency} on {f.as_of}; threshold {_m(f.threshold)}. "
            f"Lowest median balance {_m(low)} on {low_date}. Confidence {f.confidence.level} "
            f"({f.confidence.score:.2f}).")
    out: list[Any] = [Panel(head, title="Cash forecast"), weekly_table(f)]
    if f.shortfalls:
        s = Table(title="Possible shortfalls")
        for col in ("From", "To", "Max probability", "Lowest P50", "On"):
            s.add_column(col)
        for r in f.shortfalls:
            s.add_row(str(r.start), str(r.end), f"{r.max_probability:.0%}", _m(r.lowest_p50), str(r.lowest_p50_date))
        out.append(s)
    out.append(events_table(f, top_events))
    a = Table(title="Assumptions", show_header=True)
    a.add_column("Assumption")
    a.add_column("Evidence")
    for x in f.assumptions:
        a.add_row(x.text, x.evidence)
    out.append(a)
    out.append(Panel("\n".join(f"- {r}" for r in f.confidence.reasons) or "-", title="Confidence reasons"))
    if f.warnings:
        out.append(Panel("\n".join(f"- {w}" for w in f.warnings), title="Warnings", style="yellow"))
    return out


def print_forecast(f: Forecast, console: Console | None = None, *, top_events: int = 10) -> None:
    console = console or Console()
    for item in forecast_renderables(f, top_events=top_events):
        console.print(item)


def save_chart(f: Forecast, path: str | Path, history: Sequence[tuple[dt.date, float]] = ()) -> Path:
    """A PNG of the balance: actual history, P10-P90 band, P50, threshold and shortfall days."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    import matplotlib.dates as mdates

    dates = mdates.date2num([d.date for d in f.days])
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    try:
        ax.fill_between(dates, [d.balance_p10 for d in f.days], [d.balance_p90 for d in f.days], alpha=0.25,
                        label="P10-P90")
        ax.plot(dates, [d.balance_p50 for d in f.days], linewidth=1.8, label="P50 balance")
        if history:
            ax.plot(mdates.date2num([d for d, _ in history]), [b for _, b in history], color="black",
                    linewidth=1.2, label="actual balance")
        ax.axhline(f.threshold, color="crimson", linestyle="--", linewidth=1, label=f"threshold {_m(f.threshold)}")
        for s in f.shortfalls:
            ax.axvspan(float(mdates.date2num(s.start)), float(mdates.date2num(s.end)), color="crimson", alpha=0.08)
        ax.set_title(f"Cash balance forecast from {f.as_of} ({f.currency})")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        ax.legend(loc="best")
        ax.grid(alpha=0.3)
        fig.autofmt_xdate()
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path


def backtest_table(result: BacktestResult) -> Table:
    cols = ("weekly_net_error", "wape_inflow", "wape_outflow", "balance_mae_w1", "balance_mae_w4", "balance_mae_w13",
            "coverage_p10_p90", "band_width", "pinball", "invoice_days_mae")
    t = Table(title=f"Backtest: {len(result.origins)} origins, {result.horizon_days}-day horizon")
    t.add_column("method")
    for c in cols:
        t.add_column(c, justify="right")
    for method, m in result.metrics.items():
        t.add_row(method, *[("-" if m.get(c) is None else f"{m[c]:,.3f}" if abs(m[c] or 0) < 100 else _m(m[c] or 0))
                            for c in cols])
    return t


def scenario_table(result: ScenarioResult) -> Table:
    t = Table(title="Scenario vs base (per week)")
    for col in ("Week", "From", "To", "Net change", "Closing P50 change"):
        t.add_column(col, justify="right")
    for w in result.weeks:
        t.add_row(str(w.week), str(w.start), str(w.end), _m(w.net_delta), _m(w.closing_p50_delta))
    t.caption = (f"Min balance {_m(result.min_balance_base)} -> {_m(result.min_balance_scenario)}; "
                 f"max P(below threshold) {result.shortfall_probability_base:.0%} -> "
                 f"{result.shortfall_probability_scenario:.0%}")
    return t
