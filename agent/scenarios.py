"""What-if questions in business words (partner and order names) -> the engine's typed scenarios."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent.tools import ScenarioArgs, WhatIf, find_partners, untrusted

if TYPE_CHECKING:
    from agent.services import Services
    from tools.forecast.scenarios import Scenario


class ScenarioError(ValueError):
    pass


def _partner_id(services: Services, name: str | None) -> tuple[int, str]:
    if not name:
        raise ScenarioError("this change needs a partner name")
    matches = find_partners(services.snapshot.partners, name)
    if not matches:
        raise ScenarioError(f"no customer or vendor matches '{untrusted(name)}'")
    if len(matches) > 1 and not any(p.name.lower() == name.strip().lower() for p in matches):
        names = ", ".join(untrusted(p.name, 40) for p in matches[:5])
        raise ScenarioError(f"'{untrusted(name)}' matches several partners ({names}); be more specific")
    partner = matches[0]
    return partner.id, partner.name


def translate(services: Services, change: WhatIf) -> tuple[Scenario, str]:
    """One business-level change -> (engine scenario, description)."""
    from tools.forecast import scenarios as sc

    snapshot = services.snapshot
    if change.type == "delay_partner":
        pid, pname = _partner_id(services, change.partner)
        days = change.days if change.days is not None else 30
        return sc.DelayPartner(partner_id=pid, days=days), f"{pname} pays {days} days later"
    if change.type == "scale_sales":
        factor = change.factor if change.factor is not None else 1.0
        return sc.ScaleSales(factor=factor), f"expected sales x{factor:g}"
    if change.type == "move_purchase_order":
        order = next((o for o in snapshot.orders if o.kind == "purchase"
                      and o.ref.name.lower() == (change.order or "").strip().lower()), None)
        if order is None or change.date is None:
            raise ScenarioError(f"no open purchase order named '{untrusted(change.order)}' (or no date given)")
        return sc.MovePurchaseOrder(order_id=order.ref.id, date=change.date), f"{order.ref.name} moved to {change.date}"
    if change.type == "change_payment_term":
        pid, pname = _partner_id(services, change.partner)
        term = next((t for t in snapshot.payment_terms if t.name.lower() == (change.term or "").strip().lower()), None)
        if term is None:
            known = ", ".join(t.name for t in snapshot.payment_terms)
            raise ScenarioError(f"no payment term named '{untrusted(change.term)}' (known: {known})")
        return sc.ChangePaymentTerm(partner_id=pid, term_id=term.id), f"{pname} on '{term.name}'"
    if change.date is None or change.amount is None:
        raise ScenarioError("a one-off flow needs a date and an amount")
    label = untrusted(change.label or "one-off flow")
    return sc.OneOffFlow(date=change.date, amount=change.amount, label=label), \
        f"one-off {change.amount:,.2f} on {change.date} ({label})"


def run_what_if(services: Services, args: ScenarioArgs) -> dict[str, Any]:
    """Run the scenarios against the base forecast; a compact comparison with the numbers that moved."""
    from tools.forecast.scenarios import run_scenario
    from tools.forecast.types import ForecastInputError

    try:
        pairs = [translate(services, change) for change in args.changes]
        result = run_scenario(services.snapshot, [s for s, _ in pairs], as_of=services.as_of,
                              horizon_days=args.horizon_days, threshold=services.threshold(args.threshold))
    except (ScenarioError, ForecastInputError) as exc:
        return {"error": str(exc)}
    cur = result.base.currency
    moved = sorted(result.weeks, key=lambda w: -abs(w.closing_p50_delta))[:3]
    summary = (f"the lowest expected balance goes from {result.min_balance_base:,.2f} to "
               f"{result.min_balance_scenario:,.2f} {cur} ({result.min_balance_delta:+,.2f}); the risk of falling "
               f"below {result.base.threshold:,.2f} {cur} goes from {result.shortfall_probability_base:.0%} to "
               f"{result.shortfall_probability_scenario:.0%}.")
    return {
        "changes": [d for _, d in pairs], "currency": cur, "threshold": result.base.threshold,
        "min_balance_base": round(result.min_balance_base, 2),
        "min_balance_scenario": round(result.min_balance_scenario, 2),
        "min_balance_delta": result.min_balance_delta,
        "shortfall_probability_base": round(result.shortfall_probability_base, 2),
        "shortfall_probability_scenario": round(result.shortfall_probability_scenario, 2),
        "weeks_most_affected": [{"week": w.week, "end": w.end.isoformat(), "closing_p50_delta": w.closing_p50_delta}
                                for w in moved],
        "summary": summary,
    }
