"""Actions the agent may propose. A proposal is a contract, not a side effect.

Each model's docstring and field descriptions are what the LLM sees as the tool
schema and what the approver sees in the preview. Nothing here talks to Odoo:
proposals are validated against Odoo by the agent's ``propose`` node (read-only)
and written, after approval, by the executor in :mod:`tools.actions.executors`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DOCUMENT_MODELS = ("account.move", "sale.order", "purchase.order", "res.partner")


class CashImpact(BaseModel):
    """The expected effect of the action on cash, in company currency."""

    model_config = ConfigDict(extra="forbid")

    amount: float = Field(description="Signed amount: negative = cash out, positive = cash in")
    date: dt.date | None = Field(default=None, description="When the cash would move")
    note: str = Field(default="", max_length=300, description="How the amount was derived")


class ProposalBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=1000, description="Why this action helps, in one or two sentences")
    cash_impact: CashImpact | None = Field(default=None, description="Expected effect on cash, if any")


class DraftVendorPayment(ProposalBase):
    """Create a DRAFT outbound payment (never posted) for one open vendor bill.

    The payment stays in draft in Odoo until an accountant posts it there.
    """

    action: Literal["DraftVendorPayment"] = "DraftVendorPayment"
    bill_id: int = Field(gt=0, description="Id of the open vendor bill (account.move, move_type in_invoice)")
    amount: float = Field(gt=0, le=1e10, description="Amount to pay, in the bill's currency; at most the residual")
    payment_date: dt.date = Field(description="Date of the draft payment")


class ScheduleActivity(ProposalBase):
    """Schedule a to-do, call or email activity on an invoice, order or partner (e.g. a collection follow-up)."""

    action: Literal["ScheduleActivity"] = "ScheduleActivity"
    model: Literal["account.move", "sale.order", "purchase.order", "res.partner"] = Field(
        description="Model of the record the activity is attached to")
    record_id: int = Field(gt=0, description="Id of that record")
    activity_type: Literal["todo", "call", "email"] = Field(default="todo", description="Kind of activity")
    summary: str = Field(min_length=3, max_length=200, description="Short title of the activity")
    note: str = Field(default="", max_length=2000, description="Details for the assignee")
    deadline: dt.date = Field(description="Due date of the activity")
    user_login: str | None = Field(default=None, max_length=100,
                                   description="Login of the assignee; the approver when empty")


class PostNote(ProposalBase):
    """Post an internal note (visible to employees only) in the chatter of a record."""

    action: Literal["PostNote"] = "PostNote"
    model: Literal["account.move", "sale.order", "purchase.order", "res.partner", "account.payment"] = Field(
        description="Model of the record")
    record_id: int = Field(gt=0, description="Id of the record")
    body: str = Field(min_length=3, max_length=4000, description="Text of the note (plain text)")


class SaveForecast(ProposalBase):
    """Store the current forecast, with its assumptions, in Odoo for the team to see."""

    action: Literal["SaveForecast"] = "SaveForecast"
    name: str = Field(min_length=3, max_length=120, description="Title, e.g. '13-week forecast 2026-11-24'")
    horizon_days: int = Field(default=91, ge=7, le=730, description="Forecast horizon in days")
    threshold: float | None = Field(default=None, description="Safety threshold used, company currency")


class PostToChannel(ProposalBase):
    """Post a message in a Discuss channel (e.g. a cash alert to #finance)."""

    action: Literal["PostToChannel"] = "PostToChannel"
    channel: str = Field(min_length=1, max_length=100, description="Channel name, e.g. 'finance'")
    body: str = Field(min_length=3, max_length=4000, description="Message text (plain text)")

    @field_validator("channel")
    @classmethod
    def _strip_hash(cls, value: str) -> str:
        return value.lstrip("#").strip()


Proposal = Annotated[
    DraftVendorPayment | ScheduleActivity | PostNote | SaveForecast | PostToChannel,
    Field(discriminator="action"),
]
PROPOSAL_TYPES: dict[str, type[ProposalBase]] = {
    cls.__name__: cls for cls in (DraftVendorPayment, ScheduleActivity, PostNote, SaveForecast, PostToChannel)
}


def parse_proposal(action: str, args: dict[str, object]) -> ProposalBase:
    """Validate arguments for an action (raises pydantic.ValidationError or KeyError)."""
    cls = PROPOSAL_TYPES[action]
    return cls.model_validate({**args, "action": action})
