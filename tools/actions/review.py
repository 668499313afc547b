"""Check a proposal against Odoo (read-only) and describe, for the approver, what would be written where."""

from __future__ import annotations

from dataclasses import dataclass

from tools.actions.proposals import (
    DraftVendorPayment,
    PostNote,
    PostToChannel,
    ProposalBase,
    SaveForecast,
    ScheduleActivity,
)
from tools.odoo.client import OdooClient


@dataclass(frozen=True)
class Review:
    preview: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _record_name(client: OdooClient, model: str, record_id: int) -> str | None:
    rows = client.read(model, [record_id], ["display_name"])
    return rows[0]["display_name"] if rows else None


def review(proposal: ProposalBase, client: OdooClient, currency: str) -> Review:
    """Validate the references of a proposal and write its preview; problems block the proposal."""
    problems: list[str] = []
    if isinstance(proposal, DraftVendorPayment):
        bills = client.read("account.move", [proposal.bill_id], ["name", "move_type", "state", "partner_id",
                                                                 "amount_residual", "currency_id"])
        if not bills or bills[0]["move_type"] != "in_invoice" or bills[0]["state"] != "posted":
            return Review(f"Draft vendor payment for bill id {proposal.bill_id}",
                          [f"account.move {proposal.bill_id} is not a posted vendor bill"])
        bill = bills[0]
        residual = float(bill["amount_residual"] or 0.0)
        if residual <= 0:
            problems.append(f"{bill['name']} is already paid")
        elif proposal.amount > residual + 0.005:
            problems.append(f"amount {proposal.amount:,.2f} exceeds the {residual:,.2f} still due on {bill['name']}")
        cur = bill["currency_id"][1] if bill["currency_id"] else currency
        return Review(
            f"Create a DRAFT vendor payment (account.payment, not posted) of {proposal.amount:,.2f} {cur} to "
            f"{bill['partner_id'][1]} for {bill['name']}, dated {proposal.payment_date}; "
            f"{residual:,.2f} {cur} is due on that bill.", problems)
    if isinstance(proposal, ScheduleActivity):
        name = _record_name(client, proposal.model, proposal.record_id)
        if name is None:
            problems.append(f"{proposal.model} {proposal.record_id} does not exist")
        if proposal.user_login and not client.search_read("res.users", [("login", "=", proposal.user_login)],
                                                          ["id"], limit=1):
            problems.append(f"no Odoo user with login '{proposal.user_login}'")
        who = proposal.user_login or "the approver"
        return Review(
            f"Schedule a '{proposal.activity_type}' activity \"{proposal.summary}\" due {proposal.deadline} for {who} "
            f"on {proposal.model} '{name or proposal.record_id}' (mail.activity).", problems)
    if isinstance(proposal, PostNote):
        name = _record_name(client, proposal.model, proposal.record_id)
        if name is None:
            problems.append(f"{proposal.model} {proposal.record_id} does not exist")
        excerpt = proposal.body if len(proposal.body) <= 160 else proposal.body[:157] + "..."
        return Review(f"Post an internal note on {proposal.model} '{name or proposal.record_id}': \"{excerpt}\"",
                      problems)
    if isinstance(proposal, SaveForecast):
        where = ("a cash.flow.forecast record" if client.has_model("cash.flow.forecast")
                 else "a JSON attachment on the company, with a chatter note")
        return Review(f"Save the {proposal.horizon_days}-day forecast \"{proposal.name}\" with its assumptions as "
                      f"{where}.", problems)
    if isinstance(proposal, PostToChannel):
        model = "discuss.channel" if client.has_model("discuss.channel") else "mail.channel"
        if not client.search_read(model, [("name", "=", proposal.channel)], ["id"], limit=1):
            problems.append(f"no Discuss channel named '{proposal.channel}'")
        excerpt = proposal.body if len(proposal.body) <= 160 else proposal.body[:157] + "..."
        return Review(f"Post in Discuss channel #{proposal.channel}: \"{excerpt}\"", problems)
    return Review(f"{type(proposal).__name__}", [f"unknown action {type(proposal).__name__}"])
