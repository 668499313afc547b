"""The read tools the model may call, each with typed arguments and a compact, referenced result.

Results carry record references (``account.move/42 INV/2026/00042``) so every
number can be traced to Odoo. Text that comes from Odoo (names, labels, notes) is
data, never instructions: it is truncated and flagged as untrusted.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.odoo.ledger import payment_history
from tools.odoo.records import Installment, Partner

if TYPE_CHECKING:
    from agent.services import Services


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(Args):
    """No arguments."""


class OpenItemsArgs(Args):
    kind: Literal["receivable", "payable"] = Field(default="receivable", description="Customer or vendor side")
    partner: str | None = Field(default=None, max_length=120, description="Filter on a partner name (substring)")
    document: str | None = Field(default=None, max_length=64, description="Only this document, e.g. BILL/2026/10/0003")
    overdue_only: bool = Field(default=False, description="Only installments past their due date")
    min_amount: float | None = Field(default=None, ge=0, description="Only residuals at least this large")
    limit: int = Field(default=10, ge=1, le=50, description="How many rows to return, largest first")


class PartnerArgs(Args):
    partner: str = Field(min_length=1, max_length=120, description="Partner name (or part of it)")


class OrdersArgs(Args):
    kind: Literal["sale", "purchase", "both"] = "both"
    limit: int = Field(default=10, ge=1, le=50)


class ForecastArgs(Args):
    horizon_days: int = Field(default=91, ge=7, le=730, description="Days ahead")
    threshold: float | None = Field(default=None, description="Safety threshold in company currency")


class ShortfallArgs(Args):
    threshold: float | None = Field(default=None, description="Safety threshold in company currency")
    horizon_days: int = Field(default=91, ge=7, le=730)


class WhatIf(Args):
    """One change to the inputs of the forecast."""

    type: Literal["delay_partner", "scale_sales", "move_purchase_order", "change_payment_term", "one_off"]
    partner: str | None = Field(default=None, description="delay_partner / change_payment_term: partner name")
    days: int | None = Field(default=None, ge=-365, le=365, description="delay_partner: days later (or earlier)")
    factor: float | None = Field(default=None, gt=0, le=10, description="scale_sales: e.g. 0.8 for -20%")
    order: str | None = Field(default=None, description="move_purchase_order: PO name, e.g. P00042")
    date: dt.date | None = Field(default=None, description="move_purchase_order / one_off: the date")
    term: str | None = Field(default=None, description="change_payment_term: payment term name")
    amount: float | None = Field(default=None, description="one_off: signed amount (negative = out)")
    label: str | None = Field(default=None, max_length=120, description="one_off: what it is")


class ScenarioArgs(Args):
    changes: list[WhatIf] = Field(min_length=1, max_length=10)
    horizon_days: int = Field(default=91, ge=7, le=730)
    threshold: float | None = None


def ref(model: str, record_id: int | None, name: str) -> str:
    return f"{model}/{record_id} {name}" if record_id else name


def untrusted(text: str | None, limit: int = 80) -> str:
    """Odoo text as data: printable characters only, bounded length."""
    clean = "".join(ch if ch.isprintable() else " " for ch in (text or ""))
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def find_partners(partners: list[Partner], query: str) -> list[Partner]:
    q = query.strip().lower()
    exact = [p for p in partners if p.name.lower() == q]
    return exact or [p for p in partners if q in p.name.lower()]


# -- tools ------------------------------------------------------------------------------------------
def company_position(s: Services, _: NoArgs) -> dict[str, Any]:
    ctx = s.snapshot.context
    return {"as_of": s.as_of.isoformat(), "company": ctx.company.name, "currency": ctx.company.currency,
            "bank_balance": ctx.bank_balance,
            "journals": [{"journal": ref("account.journal", j.id, j.name), "balance": j.balance}
                         for j in ctx.bank_journals]}


def _open(items: list[Installment], args: OpenItemsArgs, as_of: dt.date) -> list[Installment]:
    rows = [i for i in items if i.is_open and i.kind == args.kind]
    if args.partner:
        q = args.partner.lower()
        rows = [i for i in rows if q in i.partner_name.lower()]
    if args.document:
        rows = [i for i in rows if i.document.name.lower() == args.document.strip().lower()]
    if args.overdue_only:
        rows = [i for i in rows if i.overdue_days(as_of) > 0]
    if args.min_amount is not None:
        rows = [i for i in rows if abs(i.residual) >= args.min_amount]
    return sorted(rows, key=lambda i: -abs(i.residual))


def open_items(s: Services, args: OpenItemsArgs) -> dict[str, Any]:
    rows = _open(s.snapshot.installments, args, s.as_of)
    by_partner: dict[str, float] = {}
    for i in rows:
        by_partner[i.partner_name] = by_partner.get(i.partner_name, 0.0) + i.residual
    top = sorted(by_partner.items(), key=lambda kv: -abs(kv[1]))[:5]
    return {"kind": args.kind, "currency": s.currency, "count": len(rows),
            "total_residual": round(sum(i.residual for i in rows), 2),
            "overdue_total": round(sum(i.residual for i in rows if i.overdue_days(s.as_of) > 0), 2),
            "top_partners": [{"partner": untrusted(p), "residual": round(v, 2)} for p, v in top],
            "items": [{"document": ref("account.move", i.document.id, i.document.name), "line_id": i.line_id,
                       "partner": untrusted(i.partner_name), "partner_id": i.partner_id,
                       "due_date": i.due_date.isoformat() if i.due_date else None,
                       "residual": i.residual, "overdue_days": i.overdue_days(s.as_of)}
                      for i in rows[: args.limit]]}


def _partner_stats(s: Services, partner: Partner) -> dict[str, Any]:
    history = payment_history(s.snapshot.installments, partner_id=partner.id)
    delays = [r.days_late for r in sorted(history, key=lambda r: r.paid_date) if r.days_late is not None]
    stats: dict[str, Any] = {"partner": ref("res.partner", partner.id, untrusted(partner.name)),
                             "payments": len(delays)}
    if delays:
        recent = delays[-6:]
        stats.update(median_days_late=statistics.median(delays), median_days_late_last_6=statistics.median(recent),
                     share_on_time=round(sum(1 for d in delays if d <= 0) / len(delays), 2),
                     worst_days_late=max(delays))
        if len(delays) >= 8:
            half = len(delays) // 2
            stats["trend_days"] = round(statistics.mean(delays[half:]) - statistics.mean(delays[:half]), 1)
    return stats


def payment_behaviour(s: Services, args: PartnerArgs) -> dict[str, Any]:
    matches = find_partners(s.snapshot.partners, args.partner)
    if not matches:
        return {"error": f"no customer or vendor matches '{untrusted(args.partner)}'"}
    if len(matches) > 5:
        return {"error": "several partners match; be more specific",
                "candidates": [untrusted(p.name) for p in matches[:10]]}
    return {"partners": [_partner_stats(s, p) for p in matches]}


def late_payers(s: Services, _: NoArgs) -> dict[str, Any]:
    customers = [p for p in s.snapshot.partners if p.is_customer]
    ranked = [st for p in customers if (st := _partner_stats(s, p)).get("payments", 0) >= 3]
    ranked.sort(key=lambda st: -float(st.get("median_days_late_last_6", 0)))
    return {"currency": s.currency, "late_payers": ranked[:8]}


def open_orders(s: Services, args: OrdersArgs) -> dict[str, Any]:
    kinds = ("sale", "purchase") if args.kind == "both" else (args.kind,)
    result: dict[str, Any] = {"currency": s.currency}
    for kind in kinds:
        rows = sorted((o for o in s.snapshot.orders if o.kind == kind and o.is_open),
                      key=lambda o: -abs(o.amount_to_invoice))
        result[kind] = {"count": len(rows), "to_invoice_total": round(sum(o.amount_to_invoice for o in rows), 2),
                        "orders": [{"order": ref(o.ref.model, o.ref.id, o.ref.name),
                                    "partner": untrusted(o.partner_name),
                                    "to_invoice": o.amount_to_invoice,
                                    "expected_date": o.expected_date.isoformat() if o.expected_date else None}
                                   for o in rows[: args.limit]]}
    return result


def forecast_summary(s: Services, args: ForecastArgs) -> dict[str, Any]:
    fc = s.forecast(args.horizon_days, args.threshold)
    low_day, low = fc.min_balance()
    return {
        "as_of": fc.as_of.isoformat(), "currency": fc.currency, "opening_balance": fc.opening_balance,
        "threshold": fc.threshold, "lowest_balance_p50": round(low, 2), "lowest_balance_date": low_day.isoformat(),
        "lowest_balance_p10": round(min(d.balance_p10 for d in fc.days), 2),
        "max_probability_below_threshold": round(max(d.p_below_threshold for d in fc.days), 2),
        "weeks": [{"week": w.week, "end": w.end.isoformat(), "inflow": round(w.inflow, 2),
                   "outflow": round(w.outflow, 2), "closing_p10": round(w.closing_p10, 2),
                   "closing_p50": round(w.closing_p50, 2), "closing_p90": round(w.closing_p90, 2),
                   "p_below_threshold": round(w.p_below_threshold, 2)} for w in fc.weeks],
        "shortfalls": [s_.model_dump(mode="json") for s_ in fc.shortfalls],
        "drivers": [{"label": untrusted(d.label), "expected_amount": round(d.expected_amount, 2)}
                    for d in fc.drivers[:6]],
        "confidence": {"score": fc.confidence.score, "level": fc.confidence.level},
    }


LIKELY, AT_RISK = 0.5, 0.1
"""Probabilities of being below the threshold that make a day 'likely below' and 'at risk'."""


def shortfall_days(s: Services, args: ShortfallArgs) -> dict[str, Any]:
    fc = s.forecast(args.horizon_days, args.threshold)
    first = next((d for d in fc.days if d.p_below_threshold >= LIKELY), None)
    risky = [d for d in fc.days if d.p_below_threshold >= AT_RISK]
    return {"currency": fc.currency, "threshold": fc.threshold, "opening_balance": fc.opening_balance,
            "horizon_days": args.horizon_days, "likely_means_probability_at_least": LIKELY,
            "at_risk_means_probability_at_least": AT_RISK,
            "first_day_likely_below": first.date.isoformat() if first else None,
            "first_day_at_risk": risky[0].date.isoformat() if risky else None,
            "days_at_risk": len(risky),
            "max_probability_below_threshold": round(max(d.p_below_threshold for d in fc.days), 2),
            "shortfalls": [s_.model_dump(mode="json") for s_ in fc.shortfalls]}


def scenario(s: Services, args: ScenarioArgs) -> dict[str, Any]:
    from agent.scenarios import run_what_if

    return run_what_if(s, args)


def data_quality(s: Services, _: NoArgs) -> dict[str, Any]:
    return {"issues": [{"code": q.code, "severity": q.severity, "count": q.count, "message": q.message,
                        "examples": [ref(e.model, e.id, untrusted(e.name, 40)) for e in q.examples[:3]]}
                       for q in s.snapshot.quality],
            "warnings": s.snapshot.warnings}


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args: type[Args]
    run: Callable[[Services, Any], dict[str, Any]]

    def schema(self) -> dict[str, Any]:
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": self.args.model_json_schema()}}


READ_TOOLS: dict[str, Tool] = {t.name: t for t in (
    Tool("company_position", "Bank balance per bank journal and in total, today.", NoArgs, company_position),
    Tool("open_items", "Open receivable or payable installments (filter by partner, overdue, amount), largest first.",
         OpenItemsArgs, open_items),
    Tool("payment_behaviour", "How a customer or vendor really pays: days late, recent trend, on-time share.",
         PartnerArgs, payment_behaviour),
    Tool("late_payers", "Customers ranked by how late they pay (recent median days late).", NoArgs, late_payers),
    Tool("open_orders", "Confirmed sale/purchase orders not fully invoiced, with amounts still to invoice.",
         OrdersArgs, open_orders),
    Tool("forecast", "The 13-week cash forecast: weekly flows, closing balance bands, lowest point, risk, drivers.",
         ForecastArgs, forecast_summary),
    Tool("shortfall_days", "When the balance may fall below a threshold, and how likely.", ShortfallArgs,
         shortfall_days),
    Tool("scenario", "What-if: delay a partner, scale sales, move a purchase order, change terms, add a one-off flow; "
                     "returns the change versus the base forecast.", ScenarioArgs, scenario),
    Tool("data_quality", "Data-quality issues in Odoo that weaken the forecast, and what to fix.", NoArgs,
         data_quality),
)}
