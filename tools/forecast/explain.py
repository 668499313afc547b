"""Explanations: assumptions with their evidence, top drivers, and a confidence score with reasons."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tools.forecast.baseline import GroupForecast
from tools.forecast.events import EventBlock, FlowSet
from tools.forecast.orders import OrderLag
from tools.forecast.payment_behaviour import Behaviour, RefundHabits
from tools.forecast.pipeline import Pipeline
from tools.forecast.types import Assumption, Confidence, Driver
from tools.odoo.records import Snapshot

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Learned:
    """Everything the engine learned, for the explanations."""

    behaviours: dict[str, Behaviour]
    refunds: dict[str, RefundHabits]
    order_lags: dict[str, OrderLag]
    groups: list[GroupForecast]
    pipelines: dict[str, Pipeline]
    terms: dict[str, int]


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _days(x: float) -> str:
    x = round(x)
    return f"{_plural(x, 'day')} late" if x > 0 else (f"{_plural(-x, 'day')} early" if x < 0 else "on the due date")


def _slots(g: GroupForecast) -> str:
    parts = []
    for anchor, value, w in sorted(g.profile.slots, key=lambda s: -s[2])[:3]:
        if w < 0.12:
            continue
        if anchor == "E":
            parts.append("the last business day" if value == 0 else f"{value + 1} business days before month end")
        else:
            suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
            parts.append(f"the {value}{suffix}")
    return " and ".join(parts) if parts else "spread over the month"


def partner_assumptions(beh: Behaviour, events: EventBlock, top: int) -> list[Assumption]:
    exposure: dict[int, float] = defaultdict(float)
    for m, a in zip(events.meta, events.amounts, strict=True):
        if m.role == "open_item" and m.partner_id is not None and m.partner_id in beh.evidence:
            exposure[m.partner_id] += abs(a)
    out = []
    who = "customer" if beh.kind == "receivable" else "vendor"
    for pid, amount in sorted(exposure.items(), key=lambda kv: -kv[1])[:top]:
        ev = beh.evidence[pid]
        g = beh.group(pid)
        predicted = beh.expected_delay(pid)
        trend = float(beh.model.b[g])
        if ev.recent:
            subject = ev.name if beh.kind == "receivable" else f"We pay {ev.name}"
            verb = "pays" if beh.kind == "receivable" else ""
            text = f"{subject} {verb} {_days(ev.recent_median_late)}".replace("  ", " ")
            evidence = (f"median of the last {ev.recent} paid {'invoices' if who == 'customer' else 'bills'}; "
                        f"model expects {_days(predicted)} (shrunk toward all {who}s), {_money(amount)} open")
        else:
            text = f"{ev.name}: no paid history, assumed to behave like the average {who} ({_days(predicted)})"
            evidence = f"{_money(amount)} open; population of {beh.n_paid} paid installments"
        if abs(trend) >= 5 and ev.paid >= 4:
            text += f", {'getting slower' if trend > 0 else 'getting faster'} ({trend:+.0f} days per year)"
        out.append(Assumption(category="payment_behaviour", text=text, evidence=evidence))
    return out


def assumptions(learned: Learned, events: EventBlock, horizon: int, as_of: dt.date) -> list[Assumption]:
    out: list[Assumption] = []
    for kind, beh in learned.behaviours.items():
        who = "Customers pay" if kind == "receivable" else "We pay vendors"
        out.append(Assumption(category="payment_behaviour", text=f"{who} {_days(beh.model.pop_mean)} on average",
                              evidence=f"{beh.n_paid} paid installments, recent ones weighted more (half-life 9 "
                                       "months); partners with little history are pulled toward this average"))
        out += partner_assumptions(beh, events, 5 if kind == "receivable" else 3)
        t = beh.timing
        if t.matched:
            who = "customer" if kind == "receivable" else "vendor"
            out.append(Assumption(
                category="timing",
                text=f"Registered {who} payments reach the bank statement {_plural(t.lag_median, 'business day')} "
                     "later (median)",
                evidence=f"{t.matched} payments matched with bank lines of the same partner and amount; "
                         f"{t.bank_share:.0%} of settlements are reconciled directly on bank lines"))
        if t.run_weekday is not None:
            who = "Vendor payments go out" if kind == "payable" else "Customer payments are registered"
            out.append(Assumption(
                category="timing", text=f"{who} mostly on {WEEKDAYS[t.run_weekday]}s (payment run)",
                evidence=f"{t.weekday_share[t.run_weekday]:.0%} of the amounts settled in the last 12 months"))
        r = learned.refunds[kind]
        if r.n:
            who = "Customer" if kind == "receivable" else "Vendor"
            out.append(Assumption(
                category="credit_notes",
                text=f"{who} credit notes: {r.cash_share:.0%} refunded in cash (about {r.cash_days_median:.0f} days "
                     "after the credit note), the rest offset against the partner's next invoices",
                evidence=f"how {r.n} credit notes were settled"))
    out += _open_item_notes(events, horizon)
    for kind, lag in learned.order_lags.items():
        if lag.n_orders:
            what = "Sale orders are invoiced" if kind == "sale" else "Purchase orders are billed"
            ref = "commitment" if kind == "sale" else "planned"
            out.append(Assumption(
                category="orders",
                text=f"{what} {lag.median_lag:.0f} days after their {ref} date (median); only what remains to "
                     "invoice counts",
                evidence=f"{lag.n_orders} confirmed orders; {lag.invoiced_share:.0%} of the amount of orders older "
                         "than 4 months got invoiced"))
    for kind, p in learned.pipelines.items():
        label = "customer invoices" if kind == "receivable" else "vendor bills"
        orders = "sale orders" if kind == "receivable" else "purchase orders"
        text = (f"New {orders} keep being confirmed at about {_money(abs(p.recent_weekly))} per week (AutoETS level "
                f"with last year's seasonality where known) and are invoiced about {p.order_lag_median:.0f} days after "
                "confirmation")
        if abs(p.unordered_weekly) >= 1:
            text += f"; {label} without an order add about {_money(abs(p.unordered_weekly))} per week"
        evidence = (f"{p.history_weeks} weeks of confirmed {orders}, {p.invoiced_share:.0%} of their amount invoiced; "
                    f"{label} paid {p.lag_median:.0f} days after the invoice date (median), {p.paid_share:.0%} "
                    "eventually paid in cash")
        if kind == "receivable" and abs(p.coupling) >= 0.05:
            evidence += (f"; sales and purchase volumes {'rise and fall together' if p.coupling > 0 else 'move apart'}"
                         f" (correlation {p.coupling:+.2f} of past forecast errors)")
        out.append(Assumption(category="new_business", text=text, evidence=evidence))
    for g in sorted(learned.groups, key=lambda g: -abs(g.typical))[:8]:
        out.append(_group_assumption(g))
    return out


def _group_assumption(g: GroupForecast) -> Assumption:
    direction = "in" if g.typical > 0 else "out"
    d = g.driver
    evidence = f"{g.lines} bank lines, {g.method} ({g.history_months} months)"
    if d is not None:
        evidence += (f"; out of sample this driver missed by {_money(d.loo_mae)} on average, a level forecast by "
                     f"{_money(d.level_mae)}")
    if d is not None and d.kind == "balance":
        text = (f"{g.name}: when the bank balance the day before is above {_money(d.floor)}, about {d.slope:.0%} of "
                f"the excess goes {direction}, every {g.period} months on {_slots(g)}; nothing when cash is below that")
        return Assumption(category="no_document", text=text, evidence=evidence)
    if d is not None and g.size is not None and g.driver_x is not None and g.occurrence is not None \
            and np.any(g.occurrence > 0):
        i = int(np.argmax(g.occurrence))
        text = (f"{g.name}: {abs(d.slope):.1%} of the previous {g.period} months' net invoicing (invoices less "
                f"bills), about {_money(abs(g.size[i]))} {'in' if g.size[i] > 0 else 'out'} next time "
                f"(on {_money(g.driver_x[i])} of net invoicing, partly forecast), on {_slots(g)}")
        return Assumption(category="no_document", text=text, evidence=evidence)
    if g.occurrence is not None and g.size is not None and np.any(g.occurrence > 0):
        i = int(np.argmax(g.occurrence))
        amount = f"about {_money(abs(g.size[i]))} {direction} when it happens ({g.occurrence[i]:.0%} of months)" \
            if g.period is None else (f"about {_money(abs(g.size[i]))} {direction} every {g.period} months "
                                      f"({g.occurrence[i]:.0%} of those months had one)")
    else:
        amount = f"about {_money(abs(g.typical))} {direction} per month"
    return Assumption(category="no_document", text=f"{g.name}: {amount}, on {_slots(g)}", evidence=evidence)


def _open_item_notes(events: EventBlock, horizon: int) -> list[Assumption]:
    """Payments in transit, and what the open items are not expected to bring within the horizon."""
    out = []
    p_in = events.p_in()
    transit = [i for i, m in enumerate(events.meta) if m.role == "in_transit"]
    if transit:
        net = float(events.amounts[transit].sum())
        out.append(Assumption(category="timing", text=f"{len(transit)} posted payments not yet on the bank statement "
                              f"(net {_money(net)}) arrive after the usual payment-to-bank lag",
                              evidence="account.payment records not matched with a bank line yet"))
    for kind, label in (("invoice", "customer invoices"), ("bill", "vendor bills")):
        rows = [i for i, m in enumerate(events.meta) if m.role == "open_item" and m.kind == kind]
        if not rows:
            continue
        total = float(np.abs(events.amounts[rows]).sum())
        missing = float(np.abs(events.amounts[rows] * (1.0 - p_in[rows])).sum())
        if total > 0 and missing / total >= 0.01:
            out.append(Assumption(
                category="non_payment",
                text=f"{missing / total:.0%} of open {label} ({_money(missing)}) is not expected within the "
                     f"{horizon}-day horizon, mostly long-overdue items",
                evidence="the longer an item stays unpaid, the lower its chance of being paid: learned from how "
                         "overdue items were (or were not) paid in the past"))
    return out


def drivers(events: EventBlock, flows: FlowSet, top: int = 8) -> list[Driver]:
    totals: dict[tuple[str, str], float] = defaultdict(float)
    p_in = events.p_in()
    for m, a, p in zip(events.meta, events.amounts, p_in, strict=True):
        label = m.partner or m.source.name
        totals[(label, m.kind)] += a * p
    for name, path in zip(flows.names, flows.mean, strict=True):
        totals[(name, "no_document")] += float(path.sum())
    gross = sum(abs(v) for v in totals.values()) or 1.0
    best = sorted(totals.items(), key=lambda kv: -abs(kv[1]))[:top]
    return [Driver(label=k[0], kind=k[1], expected_amount=round(v, 2), share=round(abs(v) / gross, 4))
            for k, v in best]


def confidence(snapshot: Snapshot, as_of: dt.date, learned: Learned, events: EventBlock, flows: FlowSet,
               band_end: float) -> Confidence:
    score = 1.0
    reasons: list[str] = []
    bank_days = [t.date for t in snapshot.bank_transactions if t.date <= as_of]
    span = (as_of - min(bank_days)).days if bank_days else 0
    if span < 90:
        score *= 0.4
        reasons.append(f"only {span} days of bank history: recurring flows are barely known")
    elif span < 365:
        score *= 0.8
        reasons.append(f"{span} days of bank history (less than a year: no yearly pattern)")
    else:
        reasons.append(f"{span // 30} months of bank history")
    paid = sum(b.n_paid for b in learned.behaviours.values())
    if paid < 20:
        score *= 0.5
        reasons.append(f"only {paid} paid invoices and bills to learn payment behaviour from")
    elif paid < 100:
        score *= 0.85
        reasons.append(f"{paid} paid invoices and bills (thin payment history)")
    else:
        reasons.append(f"{paid} paid invoices and bills")
    thin = known = 0.0
    for m, a, p in zip(events.meta, events.amounts, events.p_in(), strict=True):
        beh = learned.behaviours["receivable" if m.kind in ("invoice", "sale_order") else "payable"]
        ev = beh.evidence.get(m.partner_id) if m.partner_id is not None else None
        if ev and ev.paid >= 3:
            known += abs(a * p)
        else:
            thin += abs(a * p)
    if thin + known > 0 and thin / (thin + known) > 0.3:
        score *= 0.85
        reasons.append(f"{thin / (thin + known):.0%} of expected document cash is from partners with little history")
    doc = float(np.abs(events.amounts * events.p_in()).sum()) if len(events) else 0.0
    flow = float(np.abs(flows.mean).sum()) if len(flows.mean) else 0.0
    if doc + flow > 0 and flow / (doc + flow) > 0.6:
        score *= 0.9
        reasons.append(f"{flow / (doc + flow):.0%} of the horizon's cash comes from recurring flows and documents that "
                       "do not exist yet")
    for issue in snapshot.quality:
        if issue.severity == "error":
            score *= 0.85
            reasons.append(f"data quality: {issue.message}")
        elif issue.severity == "warning":
            score *= 0.95
    gross = doc + flow
    if gross > 0 and band_end / gross > 0.5:
        score *= 0.85
        reasons.append("wide uncertainty band relative to the flows")
    score = float(np.clip(score, 0.0, 1.0))
    level: Literal["low", "medium", "high"] = "high" if score >= 0.7 else "medium" if score >= 0.45 else "low"
    return Confidence(score=round(score, 2), level=level, reasons=reasons)
