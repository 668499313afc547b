"""One idempotent executor per proposal type; called only by the agent's executor node, after approval.

Every executor first looks for its idempotency key on the Odoo side (payment
memo, activity note, message body, forecast record, attachment name), so
re-running it (resume, retry after a timeout, approving twice) never writes
twice. Every write also leaves a chatter note naming the approver.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from tools.actions.proposals import (
    DraftVendorPayment,
    PostNote,
    PostToChannel,
    ProposalBase,
    SaveForecast,
    ScheduleActivity,
)
from tools.odoo.errors import OdooBadRequest, OdooError, OdooNotFound
from tools.odoo.writer import OdooWriter

ACTIVITY_TYPES = {"todo": "mail_activity_data_todo", "call": "mail_activity_data_call",
                  "email": "mail_activity_data_email"}


class ExecutionResult(BaseModel):
    model: str
    id: int
    name: str
    created: bool
    """False when an earlier attempt had already written it (found by its idempotency key)."""


@dataclass
class ExecutionContext:
    writer: OdooWriter
    approver: str
    key: str
    company_id: int
    forecast_payload: Callable[[int, float | None], dict[str, Any]] | None = None


def _signature(ctx: ExecutionContext) -> str:
    return f"Approved by {ctx.approver} via the cash-flow agent (ref {ctx.key})"


def _html(text: str) -> str:
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip()) or "<p></p>"


def execute(proposal: ProposalBase, ctx: ExecutionContext) -> ExecutionResult:
    """Write one approved proposal, at most once; transient failures are retried after re-checking the key."""
    handler = HANDLERS[type(proposal)]
    for attempt in Retrying(retry=retry_if_exception(lambda e: isinstance(e, OdooError) and e.transient),
                            stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.5, max=4), reraise=True):
        with attempt:
            return handler(proposal, ctx)
    raise AssertionError("unreachable")  # pragma: no cover


def _payment(p: DraftVendorPayment, ctx: ExecutionContext) -> ExecutionResult:
    w = ctx.writer
    memo = "memo" if w.client.has_field("account.payment", "memo") else "ref"
    found = w.find("account.payment", [(memo, "ilike", ctx.key)], ["id", "display_name"])
    if found:
        return ExecutionResult(model="account.payment", id=found[0]["id"],
                               name=found[0]["display_name"] or f"Draft payment {found[0]['id']}", created=False)
    bills = w.client.read("account.move", [p.bill_id], ["name", "move_type", "state", "partner_id", "currency_id",
                                                        "amount_residual"])
    if not bills or bills[0]["move_type"] != "in_invoice" or bills[0]["state"] != "posted":
        raise OdooNotFound(f"vendor bill {p.bill_id} is not an open posted vendor bill any more")
    bill = bills[0]
    if p.amount > float(bill["amount_residual"] or 0.0) + 0.005:
        raise OdooBadRequest(f"{bill['name']}: amount {p.amount:,.2f} exceeds what is still due "
                             f"({float(bill['amount_residual']):,.2f})")
    values: dict[str, Any] = {
        "payment_type": "outbound", "partner_type": "supplier", "partner_id": bill["partner_id"][0],
        "amount": round(p.amount, 2), "date": p.payment_date.isoformat(), memo: f"{bill['name']} [{ctx.key}]",
        "currency_id": bill["currency_id"][0],
    }
    payment_id = w.create("account.payment", values)
    w.message_post("account.payment", payment_id, _html(
        f"Draft payment for {bill['name']} ({p.amount:,.2f}). Reason: {p.reason}\n{_signature(ctx)}"))
    shown = w.client.read("account.payment", [payment_id], ["display_name"])
    name = (shown[0]["display_name"] if shown else "") or f"Draft payment {payment_id}"
    return ExecutionResult(model="account.payment", id=payment_id, name=name, created=True)


def _activity(p: ScheduleActivity, ctx: ExecutionContext) -> ExecutionResult:
    w = ctx.writer
    found = w.find("mail.activity", [("res_model", "=", p.model), ("res_id", "=", p.record_id),
                                     ("note", "ilike", ctx.key)], ["id", "summary"])
    if found:
        return ExecutionResult(model="mail.activity", id=found[0]["id"], name=found[0]["summary"] or "",
                               created=False)
    model_ids = w.find("ir.model", [("model", "=", p.model)], ["id"])
    if not model_ids:
        raise OdooNotFound(f"model {p.model} is not installed")
    user_id = w.uid
    if p.user_login:
        users = w.find("res.users", [("login", "=", p.user_login)], ["id"])
        if not users:
            raise OdooNotFound(f"no Odoo user with login '{p.user_login}' to assign the activity to")
        user_id = users[0]["id"]
    types = w.find("ir.model.data", [("module", "=", "mail"), ("name", "=", ACTIVITY_TYPES[p.activity_type])],
                   ["res_id"])
    values: dict[str, Any] = {
        "res_model_id": model_ids[0]["id"], "res_id": p.record_id, "summary": p.summary,
        "note": _html(f"{p.note}\n{_signature(ctx)}"), "date_deadline": p.deadline.isoformat(), "user_id": user_id,
    }
    if types:
        values["activity_type_id"] = types[0]["res_id"]
    activity_id = w.create("mail.activity", values)
    w.message_post(p.model, p.record_id, _html(f"Activity scheduled: {p.summary} (due {p.deadline}). "
                                                  f"{_signature(ctx)}"))
    return ExecutionResult(model="mail.activity", id=activity_id, name=p.summary, created=True)


def _note(p: PostNote, ctx: ExecutionContext) -> ExecutionResult:
    w = ctx.writer
    found = w.find("mail.message", [("model", "=", p.model), ("res_id", "=", p.record_id),
                                    ("body", "ilike", ctx.key)], ["id"])
    if found:
        return ExecutionResult(model="mail.message", id=found[0]["id"], name=f"note on {p.model},{p.record_id}",
                               created=False)
    message_id = w.message_post(p.model, p.record_id, _html(f"{p.body}\n{_signature(ctx)}"))
    return ExecutionResult(model="mail.message", id=message_id, name=f"note on {p.model},{p.record_id}",
                           created=True)


def _forecast(p: SaveForecast, ctx: ExecutionContext) -> ExecutionResult:
    w = ctx.writer
    if ctx.forecast_payload is None:
        raise OdooBadRequest("no forecast available to save")
    payload = ctx.forecast_payload(p.horizon_days, p.threshold)
    if w.client.has_model("cash.flow.forecast"):
        found = w.find("cash.flow.forecast", [("idempotency_key", "=", ctx.key)], ["id", "name"])
        if found:
            return ExecutionResult(model="cash.flow.forecast", id=found[0]["id"], name=found[0]["name"],
                                   created=False)
        summary = payload.get("summary", {})
        confidence = payload.get("confidence") or 0.0
        if isinstance(confidence, dict):  # the forecast's {"score", "level", "reasons"}
            confidence = confidence.get("score") or 0.0
        values = {"name": p.name, "company_id": ctx.company_id, "date": payload.get("as_of"),
                  "horizon_days": p.horizon_days, "threshold": payload.get("threshold") or 0.0,
                  "opening_balance": payload.get("opening_balance") or 0.0,
                  "min_balance_p50": summary.get("min_balance_p50") or 0.0,
                  "min_balance_p10": summary.get("min_balance_p10") or 0.0,
                  "shortfall_probability": summary.get("max_p_below_threshold") or 0.0,
                  "confidence": float(confidence),
                  "assumptions": "\n".join(_assumption(a) for a in payload.get("assumptions", [])),
                  "forecast_json": json.dumps(payload, default=str), "idempotency_key": ctx.key,
                  "note": f"{p.reason}\n{_signature(ctx)}"}
        record_id = w.create("cash.flow.forecast", {k: v for k, v in values.items()
                                                     if w.client.has_field("cash.flow.forecast", k)})
        w.message_post("cash.flow.forecast", record_id, _html(_signature(ctx)))
        return ExecutionResult(model="cash.flow.forecast", id=record_id, name=p.name, created=True)
    found = w.find("ir.attachment", [("res_model", "=", "res.company"), ("res_id", "=", ctx.company_id),
                                     ("name", "ilike", ctx.key)], ["id", "name"])
    if found:
        return ExecutionResult(model="ir.attachment", id=found[0]["id"], name=found[0]["name"], created=False)
    name = f"cashflow-forecast-{payload.get('as_of')}-{ctx.key}.json"
    data = base64.b64encode(json.dumps(payload, default=str, indent=1).encode()).decode()
    attachment_id = w.create("ir.attachment", {"name": name, "res_model": "res.company", "res_id": ctx.company_id,
                                               "type": "binary", "datas": data, "mimetype": "application/json"})
    partner = w.client.read("res.company", [ctx.company_id], ["partner_id"])[0]["partner_id"][0]
    w.message_post("res.partner", partner, _html(f"{p.name}: forecast saved as {name}.\n{p.reason}\n"
                                                   f"{_signature(ctx)}"), attachment_ids=[attachment_id])
    return ExecutionResult(model="ir.attachment", id=attachment_id, name=name, created=True)


def _assumption(item: Any) -> str:
    """One line per assumption of the forecast ({"category", "text", "evidence"} in its JSON)."""
    if isinstance(item, dict):
        return f"- [{item.get('category', '')}] {item.get('text', '')} ({item.get('evidence', '')})"
    return f"- {item}"


def _channel(p: PostToChannel, ctx: ExecutionContext) -> ExecutionResult:
    w = ctx.writer
    model = "discuss.channel" if w.client.has_model("discuss.channel") else "mail.channel"
    channels = w.find(model, [("name", "=", p.channel)], ["id", "name"])
    if not channels:
        raise OdooNotFound(f"no Discuss channel named '{p.channel}'")
    channel_id = channels[0]["id"]
    found = w.find("mail.message", [("model", "=", model), ("res_id", "=", channel_id), ("body", "ilike", ctx.key)],
                   ["id"])
    if found:
        return ExecutionResult(model="mail.message", id=found[0]["id"], name=f"#{p.channel}", created=False)
    message_id = w.message_post(model, channel_id, _html(f"{p.body}\n{_signature(ctx)}"), note=False)
    return ExecutionResult(model="mail.message", id=message_id, name=f"#{p.channel}", created=True)


HANDLERS: dict[type[ProposalBase], Callable[[Any, ExecutionContext], ExecutionResult]] = {
    DraftVendorPayment: _payment, ScheduleActivity: _activity, PostNote: _note, SaveForecast: _forecast,
    PostToChannel: _channel,
}
