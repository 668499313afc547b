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


def _k(x: float) -> str:
    """Thousands, for tables that must fit a terminal (the JSON keeps every cent)."""
    return f"{x / 1000:,.0f}k" if abs(x) >= 1000 else f"{x:,.0f}"


def _day(d: object) -> str:
    return d.strftime("%b %d") if hasattr(d, "strftime") else ""


def weekly_table(f: Forecast) -> Table:
    t = Table(title=f"13-week cash forecast from {f.as_of} ({f.currency}, k = thousands)",
              caption=f"Closing balance bands P10/P50/P90; Risk = highest daily P(balance < {_m(f.threshold)})")
    for col in ("Wk", "Ends", "In", "Out", "Net", "P10", "P50", "P90", "Risk"):
        t.add_column(col, justify="left" if col == "Ends" else "right", no_wrap=True)
    for w in f.weeks:
        risk = f"{w.p_below_threshold:.0%}"
        style = "bold red" if w.p_below_threshold >= 0.2 else ("yellow" if w.p_below_threshold >= 0.05 else "")
        t.add_row(str(w.week), _day(w.end), _k(w.inflow), _k(w.outflow), _k(w.net), _k(w.closing_p10),
                  Text(_k(w.closing_p50), style="bold"), _k(w.closing_p90), Text(risk, style=style))
    return t


def events_table(f: Forecast, top: int = 10) -> Table:
    t = Table(title=f"Largest expected movements (of {len(f.events)})",
              caption="Expected = median bank date ± half the P10–P90 spread; In = chance it lands in the horizon")
    t.add_column("Source", overflow="ellipsis", max_width=22, no_wrap=True)
    t.add_column("Partner", overflow="ellipsis", max_width=16, no_wrap=True)
    t.add_column("Amount", justify="right", no_wrap=True, min_width=10)
    t.add_column("Expected", no_wrap=True, min_width=11)
    t.add_column("In", justify="right", no_wrap=True, min_width=4)
    for e in f.events[:top]:
        when = ""
        if e.date_p50:
            spread = (e.date_p90 - e.date_p10).days / 2 if e.date_p10 and e.date_p90 else 0
            when = _day(e.date_p50) + (f" ±{spread:.0f}d" if spread >= 1 else "")
        t.add_row(e.source.name, e.partner or "", _m(e.amount), when, f"{e.p_in_horizon:.0%}")
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


BACKTEST_COLUMNS = (
    ("weekly_net_error", "Net err"), ("wape_inflow", "WAPE in"), ("wape_outflow", "WAPE out"),
    ("balance_mae_w1", "MAE w1"), ("balance_mae_w4", "MAE w4"), ("balance_mae_w13", "MAE w13"),
    ("coverage_p10_p90", "P10-P90"), ("band_width", "Band"), ("pinball", "Pinball"), ("invoice_days_mae", "Inv days"),
)


def backtest_table(result: BacktestResult) -> Table:
    """All methods side by side (short headers; the JSON carries the full metric names)."""
    t = Table(title=f"Backtest: {len(result.origins)} origins from {result.origins[0]} to {result.origins[-1]}, "
                    f"{result.horizon_days}-day horizon", caption=_backtest_caption(result))
    t.add_column("Method")
    for _, header in BACKTEST_COLUMNS:
        t.add_column(header, justify="right")
    for method, m in result.metrics.items():
        t.add_row(method, *[("-" if m.get(c) is None else f"{m[c]:,.3f}" if abs(m[c] or 0) < 100 else _m(m[c] or 0))
                            for c, _ in BACKTEST_COLUMNS])
    return t


def _backtest_caption(result: BacktestResult) -> str:
    """Weekly net error of the model against each baseline, and the share of the gap to the oracle closed."""
    parts = [f"{name}: {gain:.0%} lower" for name, gain in result.improvement_vs.items() if gain is not None]
    if result.gap_closed_vs_oracle is not None:
        parts.append(f"gap due_date→oracle closed: {result.gap_closed_vs_oracle:.0%}")
    return "Net err = Σ|forecast net − actual net| / Σ gross flow, weekly. Model vs " + "; ".join(parts)


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
