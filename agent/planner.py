"""The deterministic planner: answers the common questions without an LLM, with template narration.

It reads only the user's question to decide what to do (never text from Odoo),
calls the same typed tools the LLM would, proposes actions through the same
approval path, and says plainly what it cannot answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.llm import AssistantTurn, ToolCall
from prompts import render

Results = dict[str, dict[str, Any]]
AMOUNT = r"(?P<amount>-?\$?\d[\d,]*(?:\.\d+)?\s*[kKmM]?|zero)"


def parse_amount(text: str) -> float:
    t = text.strip().lower().replace("$", "").replace(",", "")
    if t == "zero":
        return 0.0
    scale = 1_000.0 if t.endswith("k") else 1_000_000.0 if t.endswith("m") else 1.0
    return float(t.rstrip("km").strip()) * scale


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


@dataclass
class Step:
    """What the planner does next: call tools, or answer."""

    calls: list[tuple[str, dict[str, Any]]] | None = None
    answer: str | None = None


Intent = Callable[[re.Match[str], str, Results, dict[str, Any]], Step]


def _first(results: Results, name: str) -> dict[str, Any] | None:
    return results.get(name)


# -- intents ------------------------------------------------------------------------------------------------
def _position(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    pos = _first(r, "company_position")
    if pos is None:
        return Step(calls=[("company_position", {})])
    journals = ", ".join(f"{j['journal'].split(' ', 1)[-1]} {fmt(j['balance'])}" for j in pos["journals"])
    return Step(answer=render("narration/position", date=pos["as_of"], total=fmt(pos["bank_balance"]),
                              currency=pos["currency"], journals=journals or "no bank journal"))


def _shortfall(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    threshold = parse_amount(m.group("amount")) if m.groupdict().get("amount") else None
    short, fc = _first(r, "shortfall_days"), _first(r, "forecast")
    if short is None or fc is None:
        args = {"threshold": threshold} if threshold is not None else {}
        return Step(calls=[("shortfall_days", args), ("forecast", args)])
    cur = short["currency"]
    if short["first_day_likely_below"]:
        headline = (f"The balance is likely (≥{short['likely_means_probability_at_least']:.0%}) to fall below "
                    f"{fmt(short['threshold'])} {cur} from {short['first_day_likely_below']}; the risk peaks at "
                    f"{short['max_probability_below_threshold']:.0%}.")
    elif short["first_day_at_risk"]:
        headline = (f"The balance is not expected to fall below {fmt(short['threshold'])} {cur}, but there is a "
                    f"{short['max_probability_below_threshold']:.0%} risk from {short['first_day_at_risk']}.")
    else:
        headline = (f"The balance is not expected to fall below {fmt(short['threshold'])} {cur} in the next "
                    f"{short['horizon_days']} days (risk at most {short['max_probability_below_threshold']:.0%}).")
    return Step(answer=render("narration/shortfall", headline=headline, low=fmt(fc["lowest_balance_p50"]),
                              currency=cur, low_date=fc["lowest_balance_date"], low_p10=fmt(fc["lowest_balance_p10"]),
                              confidence=f"{fc['confidence']['level']} ({fc['confidence']['score']:.2f})"))


def _forecast(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    fc = _first(r, "forecast")
    if fc is None:
        return Step(calls=[("forecast", {})])
    cur = fc["currency"]
    weeks = "\n".join(f"- week {w['week']} (to {w['end']}): in {fmt(w['inflow'])}, out {fmt(w['outflow'])}, closing "
                      f"{fmt(w['closing_p50'])} (P10 {fmt(w['closing_p10'])}, P90 {fmt(w['closing_p90'])})"
                      for w in fc["weeks"])
    risk = (f"Risk of going below {fmt(fc['threshold'])} {cur}: up to {fc['max_probability_below_threshold']:.0%}."
            if fc["max_probability_below_threshold"] > 0 else "")
    drivers = "; ".join(f"{d['label']} ({fmt(d['expected_amount'])})" for d in fc["drivers"][:4]) or "none"
    return Step(answer=render("narration/forecast", date=fc["as_of"], opening=fmt(fc["opening_balance"]),
                              currency=cur, confidence=fc["confidence"]["level"], weeks=weeks,
                              low=fmt(fc["lowest_balance_p50"]), low_date=fc["lowest_balance_date"],
                              low_p10=fmt(fc["lowest_balance_p10"]), risk=risk, drivers=drivers))


def _items(kind: str, overdue: bool) -> Intent:
    def intent(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
        res = _first(r, "open_items")
        if res is None:
            return Step(calls=[("open_items", {"kind": kind, "overdue_only": overdue, "limit": 5})])
        sign = 1.0 if kind == "receivable" else -1.0  # payables are negative residuals: show what we owe
        lead = ""
        if res["top_partners"]:
            top = res["top_partners"][0]
            lead = (f"{'Largest debtor' if kind == 'receivable' else 'Largest creditor'}: {top['partner']} "
                    f"({fmt(sign * top['residual'])}).")
        rows = "\n".join(f"- {i['document']} — {i['partner']}: {fmt(sign * i['residual'])}, due {i['due_date']}"
                         + (f", {i['overdue_days']} days overdue" if i["overdue_days"] else "") for i in res["items"])
        cur = res["currency"]
        overdue_part = "" if overdue else f", of which {fmt(sign * res['overdue_total'])} {cur} are overdue"
        return Step(answer=render("narration/receivables", count=res["count"],
                                  kind="overdue " + kind if overdue else kind, total=fmt(sign * res["total_residual"]),
                                  currency=cur, overdue=overdue_part, lead=lead, rows=rows))

    return intent


def _late_payers(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    res = _first(r, "late_payers")
    if res is None:
        return Step(calls=[("late_payers", {})])
    rows = "\n".join(f"- {p['partner'].split(' ', 1)[-1]}: {p.get('median_days_late_last_6', 'n/a')} days late "
                     f"recently (overall {p.get('median_days_late', 'n/a')}, {p['payments']} payments"
                     + (f", trend {p['trend_days']:+} days" if "trend_days" in p else "") + ")"
                     for p in res["late_payers"][:5])
    return Step(answer=render("narration/late_payers", rows=rows or "- no customer with enough history"))


def _behaviour(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    res = _first(r, "payment_behaviour")
    if res is None:
        return Step(calls=[("payment_behaviour", {"partner": m.group("partner").strip(" ?.")})])
    if "error" in res:
        return Step(answer=res["error"] + (": " + ", ".join(res.get("candidates", [])) if res.get("candidates")
                                           else "."))
    rows = "\n".join(
        f"- {p['partner'].split(' ', 1)[-1]}: no paid invoice or bill yet, so no payment behaviour to show"
        if not p["payments"] else
        f"- {p['partner'].split(' ', 1)[-1]}: {p['payments']} payments, median {p['median_days_late']} days "
        f"late (last 6: {p['median_days_late_last_6']}), on time {p['share_on_time']:.0%}"
        + (f", trend {p['trend_days']:+} days" if "trend_days" in p else "") for p in res["partners"])
    return Step(answer=render("narration/behaviour", rows=rows))


def _what_if(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    res = _first(r, "scenario")
    partner, days = m.group("partner").strip(), int(m.group("days"))
    if res is None:
        return Step(calls=[("scenario", {"changes": [{"type": "delay_partner", "partner": partner, "days": days}]})])
    if "error" in res:
        return Step(answer=res["error"])
    return Step(answer=render("narration/scenario", description=f"{partner} pays {days} days later",
                              effect=res.get("summary", "")))


def _orders(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    res = _first(r, "open_orders")
    if res is None:
        return Step(calls=[("open_orders", {"kind": "both", "limit": 5})])
    lines = []
    for kind, label in (("sale", "Sales orders"), ("purchase", "Purchase orders")):
        part = res.get(kind)
        if part:
            verb = "still to invoice" if kind == "sale" else "still to be billed by vendors"
            lines.append(f"{label}: {part['count']} open, {fmt(abs(part['to_invoice_total']))} {res['currency']} "
                         f"{verb}")
            lines += [f"- {o['order']} — {o['partner']}: {fmt(abs(o['to_invoice']))}, expected {o['expected_date']}"
                      for o in part["orders"]]
    return Step(answer=render("narration/orders", rows="\n".join(lines)))


def _quality(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    res = _first(r, "data_quality")
    if res is None:
        return Step(calls=[("data_quality", {})])
    rows = "\n".join(f"- [{i['severity']}] {i['message']}" for i in res["issues"]) or "No data-quality issues found."
    rows += "".join(f"\n- {w}" for w in res["warnings"])
    return Step(answer=render("narration/quality", rows=rows))


def _follow_ups(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    items, short = _first(r, "open_items"), _first(r, "shortfall_days")
    if items is None or short is None:
        return Step(calls=[("shortfall_days", {}), ("open_items", {"kind": "receivable", "overdue_only": True,
                                                                    "limit": 3})])
    proposals = ctx.get("proposals", {})
    if not proposals and items["items"]:
        today = dt.date.fromisoformat(ctx["today"])
        calls = []
        for i in items["items"][:3]:
            move_id = int(i["document"].split("/")[1].split(" ")[0])
            calls.append(("ScheduleActivity", {
                "model": "account.move", "record_id": move_id, "activity_type": "call",
                "summary": f"Collection follow-up: {i['document'].split(' ', 1)[-1]}",
                "note": f"{fmt(i['residual'])} overdue by {i['overdue_days']} days.",
                "deadline": (today + dt.timedelta(days=2)).isoformat(),
                "reason": "Overdue receivable; collecting it early reduces the forecast shortfall risk.",
                "cash_impact": {"amount": i["residual"], "note": "residual of the overdue installment"}}))
        return Step(calls=calls)
    risk = (f"The balance may fall below {fmt(short['threshold'])} from {short['first_day_at_risk']} "
            f"(risk up to {short['max_probability_below_threshold']:.0%})." if short["first_day_at_risk"]
            else "No shortfall is expected, but these overdue invoices are worth chasing.")
    return _proposals_answer(risk, ctx)


def _proposals_answer(lead: str, ctx: dict[str, Any]) -> Step:
    proposals = ctx.get("proposals", {})
    if not proposals:
        return Step(answer=lead + " There was nothing to propose.")
    rows = "\n".join(f"- approval {p['approval_id']}: {p['preview']}" if p.get("approval_id")
                     else f"- not proposed: {p['error']}" for p in proposals.values())
    return Step(answer=render("narration/proposals", lead=lead, rows=rows))


def _save_forecast(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    if not ctx.get("proposals"):
        return Step(calls=[("SaveForecast", {"name": f"13-week cash forecast {ctx['today']}", "horizon_days": 91,
                                             "reason": "Keep the forecast and its assumptions in Odoo for the team."})])
    return _proposals_answer("I prepared saving the forecast in Odoo.", ctx)


def _post_channel(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    short = _first(r, "shortfall_days")
    if short is None:
        return Step(calls=[("shortfall_days", {})])
    if not ctx.get("proposals"):
        body = (f"Cash alert: balance at risk of going below {fmt(short['threshold'])} {short['currency']} from "
                f"{short['first_day_at_risk']} (up to {short['max_probability_below_threshold']:.0%})."
                if short["first_day_at_risk"] else
                f"Cash update: no shortfall expected in the next {short['horizon_days']} days.")
        channel = (m.groupdict().get("channel") or "finance").lstrip("#")
        return Step(calls=[("PostToChannel", {"channel": channel, "body": body,
                                              "reason": "Keep the finance team informed of the cash outlook."})])
    return _proposals_answer("I prepared a Discuss post.", ctx)


def _pay_bill(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    items = _first(r, "open_items")
    if items is None:
        return Step(calls=[("open_items", {"kind": "payable", "document": m.group("bill").upper(), "limit": 1})])
    name = m.group("bill").upper()
    match = next((i for i in items["items"] if i["document"].split(" ", 1)[-1].upper() == name), None)
    if match is None:
        return Step(answer=f"{name} is not among the open vendor bills.")
    if not ctx.get("proposals"):
        move_id = int(match["document"].split("/")[1].split(" ")[0])
        amount = abs(float(match["residual"]))
        return Step(calls=[("DraftVendorPayment", {
            "bill_id": move_id, "amount": amount, "payment_date": ctx["today"],
            "reason": f"Requested payment of {name}.",
            "cash_impact": {"amount": -amount, "date": ctx["today"], "note": "residual of the bill"}})])
    return _proposals_answer(f"I prepared a draft payment for {name}.", ctx)


def _pay_all(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    items, pos = _first(r, "open_items"), _first(r, "company_position")
    if items is None or pos is None:
        return Step(calls=[("company_position", {}), ("open_items", {"kind": "payable", "limit": 1})])
    total = -float(items["total_residual"])
    return Step(answer=render("narration/pay_vendors", total=fmt(total), currency=pos["currency"],
                              balance=fmt(pos["bank_balance"]), after=fmt(pos["bank_balance"] - total)))


def _refuse(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    return Step(answer=render("narration/refuse_approval"))


def _refuse_data_instructions(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    return Step(answer=render("narration/refuse_data_instructions"))


def _refuse_secrets(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    return Step(answer=render("narration/refuse_secrets"))


def _refuse_payment(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    return Step(answer=render("narration/refuse_payment"))


def _unknown(m: re.Match[str], q: str, r: Results, ctx: dict[str, Any]) -> Step:
    return Step(answer=render("narration/unknown"))


DATA_TEXT = r"(note|comment|narration|memo|label|description|chatter|partner name|customer name)s?"
INTENTS: list[tuple[str, Intent]] = [
    (r"(skip|bypass|without|no need for|ignore|override|auto.?approve|approve (it|them|this|all)|"
     r"pre.?approv)\w*.*(approv|review)|approve .*yourself|mark .* as approved|"
     r"\bapprove (it|them|this|that|all|everything|every|approval|request|pending)\b|"
     r"\b(execute|run|process|release) (the |all |every )?(pending|waiting|queued)\b", _refuse),
    (r"\b(passwords?|api.?keys?|credentials?|secrets?|tokens?)\b", _refuse_secrets),
    (r"\b(pay|transfer|wire|send)\b.*\b(to|into) (the )?(account|iban|bank account)\b|\bwire (money|funds|\$?\d)",
     _refuse_payment),
    (DATA_TEXT + r"\b.*\b(says?|tells?|asks?|instructs?|wants?|requests?)\b|\b(do|follow|execute|obey) (what|whatever)"
     r" (it|the \w+|they) (says?|asks?|tells?)|\binstructions? (in|from) (the )?(odoo|data|invoice|note|customer)",
     _refuse_data_instructions),
    (r"\bpay (all|every|each|everything|the vendors|all (the )?vendors|all (the )?bills|all (our )?suppliers)|"
     r"pay (our |all )?(vendors|suppliers|bills) (now|today|immediately)|"
     r"\bpayments? (for|to|of) (all|every|each)\b", _pay_all),
    (r"(?P<bill>\b(?:r?bill)/[\w/]+\d)", _pay_bill),
    (r"what if (?P<partner>.+?) (?:pays?|paid|is|were|was) (?P<days>\d+) days? late", _what_if),
    (r"\b(follow.?ups?|chase|collections?|dun|dunning)\b", _follow_ups),
    (r"save (the |this )?forecast", _save_forecast),
    (r"(post|share|send|notify|alert).*(?:channel|discuss|#(?P<channel>[\w-]+)|finance team)", _post_channel),
    (r"(?:(?:drop|fall|go|dip|be) (?:below|under)|below|under) " + AMOUNT + r"|short(?:fall|age)|run out of cash|"
     r"overdraft", _shortfall),
    (r"how (?:does|do|did) (?P<partner>.+?) pay(?:s|ing)?\b", _behaviour),
    (r"payment (?:behaviou?r|habits?) (?:of|for) (?P<partner>.+)", _behaviour),
    (r"(who|which customers?).*(pay|paying|pays) (us )?late|late payers|slow payers|worst payers", _late_payers),
    (r"overdue (customer )?(invoices|receivables)", _items("receivable", overdue=True)),
    (r"(what|who|how much) do we owe|payables?|vendor bills|bills (are )?(due|open)|open bills",
     _items("payable", overdue=False)),
    (r"(who|which customers?).*(owe|owes)|biggest (debtors|receivables)|top (debtors|receivables)|"
     r"receivables?", _items("receivable", overdue=False)),
    (r"(open|pending) (sales |purchase )?orders|\b(sales?|purchase) orders\b|order book|backlog", _orders),
    (r"data.?quality|what should (i|we) fix|data issues", _quality),
    (r"forecast|outlook|next \d+ weeks|13.?weeks?|projection|cash flow", _forecast),
    (r"cash position|bank balance|how much (cash|money)|cash (do we have|on hand|today)|balance today", _position),
]


def decide(question: str, results: Results, ctx: dict[str, Any]) -> Step:
    for pattern, intent in INTENTS:
        m = re.search(pattern, question, re.IGNORECASE)
        if m:
            return intent(m, question, results, ctx)
    return _unknown(re.match("", ""), question, results, ctx)  # type: ignore[arg-type]


def plan_turn(question: str, turn_messages: list[dict[str, Any]], turn: int, today: dt.date) -> AssistantTurn:
    """The next assistant message for this turn, from the results of the tools already run in it."""
    results: Results = {}
    proposals: dict[str, dict[str, Any]] = {}
    names = {}
    updates = [m["content"] for m in turn_messages if m["role"] == "system"]
    if updates:  # decisions came back: report them (the question itself was answered before)
        return AssistantTurn(content="\n".join(updates))
    for msg in turn_messages:
        if msg["role"] == "assistant":
            for c in msg.get("tool_calls") or []:
                names[c["id"]] = c["function"]["name"]
        elif msg["role"] == "tool":
            name = names.get(msg["tool_call_id"], "")
            content = json.loads(msg["content"]) if msg["content"].startswith("{") else {"text": msg["content"]}
            if name[:1].isupper():
                proposals[msg["tool_call_id"]] = content
            else:
                results[name] = content
    step = decide(question, results, {"today": today.isoformat(), "proposals": proposals})
    if step.calls:
        base = sum(1 for m in turn_messages if m["role"] == "tool")
        calls = [ToolCall(id=f"call_{turn}_{base + i}", name=name, arguments=json.dumps(args, default=str))
                 for i, (name, args) in enumerate(step.calls)]
        return AssistantTurn(tool_calls=calls)
    return AssistantTurn(content=step.answer or "")
