"""Every action type, reviewed (read-only) and executed on the sandbox as the approver: the right record in the right
place, a chatter note naming the approver, the idempotency key on the record, and never twice."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.services import Services
from sandbox.factory import DEFAULT_MODULES, generate, new_store, service_for
from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tests.test_agent_support import admin, delta, open_bill, overdue_invoice, search_read, settings_for, writes
from tools.actions.executors import ExecutionContext, ExecutionResult, execute
from tools.actions.proposals import (
    DraftVendorPayment,
    PostNote,
    PostToChannel,
    ProposalBase,
    SaveForecast,
    ScheduleActivity,
)
from tools.actions.review import review
from tools.odoo.client import ConnectionSpec, OdooClient
from tools.odoo.errors import OdooBadRequest, OdooNotFound
from tools.odoo.writer import OdooWriter

KEY = "CF-0123456789"


@pytest.fixture(scope="module")
def services(sandbox: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Reads (snapshot, forecast) on the shared read-only sandbox: the same demo data as every fresh copy."""
    s = Services(settings_for(sandbox, tmp_path_factory.mktemp("exec-home")), as_of=AS_OF)
    yield s
    s.close()


@pytest.fixture
def odoo(fresh_sandbox: RunningServer) -> Any:
    return admin(fresh_sandbox)


@pytest.fixture
def writer(fresh_sandbox: RunningServer) -> Iterator[OdooWriter]:
    client = OdooClient(ConnectionSpec(url=fresh_sandbox.url, database="demo", login="controller",
                                       secret="controller")).connect()
    yield OdooWriter(client)
    client.close()


def run(proposal: ProposalBase, writer: OdooWriter, services: Services, key: str = KEY) -> ExecutionResult:
    """Review (it must pass), then execute as the approver 'controller'."""
    checked = review(proposal, writer.client, "USD")
    assert checked.ok, checked.problems
    return execute(proposal, ExecutionContext(writer=writer, approver="controller", key=key,
                                              company_id=writer.client.company_id,
                                              forecast_payload=services.forecast_payload))


def chatter(odoo: Any, model: str, record_id: int) -> list[dict[str, Any]]:
    return search_read(odoo, "mail.message", [("model", "=", model), ("res_id", "=", record_id)],
                       ["body", "is_internal", "message_type", "attachment_ids", "author_id"])


# -- DraftVendorPayment ---------------------------------------------------------------------------------------
def test_a_draft_vendor_payment_is_created_in_draft_never_posted(writer: OdooWriter, services: Services,
                                                                 odoo: Any) -> None:
    bill_id, bill_name, amount = open_bill(services)
    proposal = DraftVendorPayment(bill_id=bill_id, amount=amount, payment_date=AS_OF, reason="Due this week.")
    before = writes(odoo)
    result = run(proposal, writer, services)

    assert result.model == "account.payment" and result.created
    (payment,) = search_read(odoo, "account.payment", [("id", "=", result.id)],
                             ["state", "amount", "ref", "payment_type", "partner_type", "partner_id", "date"])
    (bill,) = search_read(odoo, "account.move", [("id", "=", bill_id)], ["partner_id", "amount_residual",
                                                                         "payment_state"])
    assert payment["state"] == "draft"
    assert (payment["payment_type"], payment["partner_type"]) == ("outbound", "supplier")
    assert payment["partner_id"] == bill["partner_id"] and payment["amount"] == pytest.approx(amount)
    assert payment["ref"] == f"{bill_name} [{KEY}]" and payment["date"] == AS_OF.isoformat()
    assert bill["amount_residual"] == pytest.approx(amount)  # a draft pays nothing until an accountant posts it
    (note,) = chatter(odoo, "account.payment", result.id)
    assert "Approved by controller" in note["body"] and KEY in note["body"] and note["is_internal"]
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}

    again = run(proposal, writer, services)
    assert (again.id, again.created) == (result.id, False)
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}


def test_a_payment_above_what_is_due_is_refused_at_review_and_at_execution(writer: OdooWriter,
                                                                           services: Services, odoo: Any) -> None:
    bill_id, bill_name, amount = open_bill(services)
    proposal = DraftVendorPayment(bill_id=bill_id, amount=amount + 100, payment_date=AS_OF, reason="Too much.")
    checked = review(proposal, writer.client, "USD")
    assert not checked.ok and f"exceeds the {amount:,.2f} still due on {bill_name}" in checked.problems[0]
    before = writes(odoo)
    with pytest.raises(OdooBadRequest, match="exceeds what is still due"):
        execute(proposal, ExecutionContext(writer=writer, approver="controller", key=KEY,
                                           company_id=writer.client.company_id))
    assert writes(odoo) == before


@pytest.mark.parametrize("bill", ["customer invoice", "missing"])
def test_a_payment_for_something_that_is_not_an_open_vendor_bill_is_refused(
        writer: OdooWriter, services: Services, bill: str) -> None:
    bill_id = overdue_invoice(services)[0] if bill == "customer invoice" else 999_999
    proposal = DraftVendorPayment(bill_id=bill_id, amount=10, payment_date=AS_OF, reason="Wrong document.")
    assert review(proposal, writer.client, "USD").problems == [f"account.move {bill_id} is not a posted vendor bill"]
    with pytest.raises(OdooNotFound, match="not an open posted vendor bill"):
        execute(proposal, ExecutionContext(writer=writer, approver="controller", key=KEY,
                                           company_id=writer.client.company_id))


# -- ScheduleActivity -----------------------------------------------------------------------------------------
def test_an_activity_is_scheduled_on_the_record_for_the_named_user(writer: OdooWriter, services: Services,
                                                                   odoo: Any) -> None:
    invoice_id, invoice_name = overdue_invoice(services)
    deadline = AS_OF + dt.timedelta(days=2)
    proposal = ScheduleActivity(model="account.move", record_id=invoice_id, activity_type="call",
                                summary=f"Call about {invoice_name}", note="Overdue; ask for a payment date.",
                                deadline=deadline, user_login="billing", reason="Collect before the dip.")
    assert f"on account.move '{invoice_name}" in review(proposal, writer.client, "USD").preview
    before = writes(odoo)
    result = run(proposal, writer, services)

    (activity,) = search_read(odoo, "mail.activity", [("id", "=", result.id)],
                              ["res_model", "res_id", "user_id", "date_deadline", "note", "summary",
                               "activity_type_id"])
    assert (activity["res_model"], activity["res_id"]) == ("account.move", invoice_id)
    assert activity["user_id"][1] == "Bill Clerk" and activity["date_deadline"] == deadline.isoformat()
    assert activity["summary"] == f"Call about {invoice_name}" and activity["activity_type_id"][1] == "Call"
    assert "ask for a payment date" in activity["note"] and KEY in activity["note"]
    assert "Approved by controller" in activity["note"]
    notes = chatter(odoo, "account.move", invoice_id)
    assert any("Activity scheduled" in n["body"] and "Approved by controller" in n["body"] for n in notes)
    assert delta(before, writes(odoo)) == {"mail.activity": 1, "mail.message": 1}

    assert run(proposal, writer, services).created is False
    assert delta(before, writes(odoo)) == {"mail.activity": 1, "mail.message": 1}


def test_an_activity_without_an_assignee_goes_to_the_approver(writer: OdooWriter, services: Services,
                                                              odoo: Any) -> None:
    invoice_id, _ = overdue_invoice(services)
    proposal = ScheduleActivity(model="account.move", record_id=invoice_id, summary="Follow up",
                                deadline=AS_OF, reason="Overdue invoice.")
    result = run(proposal, writer, services)
    (activity,) = search_read(odoo, "mail.activity", [("id", "=", result.id)], ["user_id", "activity_type_id"])
    assert activity["user_id"][1] == "Clara Controller" and activity["activity_type_id"][1] == "To-Do"


def test_an_activity_for_an_unknown_user_or_record_is_refused_at_review(writer: OdooWriter) -> None:
    proposal = ScheduleActivity(model="sale.order", record_id=999_999, summary="Follow up", deadline=AS_OF,
                                user_login="nobody", reason="Test.")
    assert review(proposal, writer.client, "USD").problems == ["sale.order 999999 does not exist",
                                                              "no Odoo user with login 'nobody'"]


# -- PostNote -------------------------------------------------------------------------------------------------
def test_a_note_is_posted_internally_in_the_chatter(writer: OdooWriter, services: Services, odoo: Any) -> None:
    invoice_id, invoice_name = overdue_invoice(services)
    proposal = PostNote(model="account.move", record_id=invoice_id, body="Customer promised payment <Friday>.",
                        reason="Keep the collection history.")
    assert invoice_name in review(proposal, writer.client, "USD").preview
    before = writes(odoo)
    result = run(proposal, writer, services)

    (note,) = [n for n in chatter(odoo, "account.move", invoice_id) if n["id"] == result.id]
    assert note["is_internal"] and note["message_type"] == "comment"
    assert "Customer promised payment &lt;Friday&gt;." in note["body"]  # plain text, escaped: never markup
    assert "Approved by controller" in note["body"] and KEY in note["body"]
    assert note["author_id"][1] == "Clara Controller"
    assert delta(before, writes(odoo)) == {"mail.message": 1}
    assert run(proposal, writer, services).created is False
    assert delta(before, writes(odoo)) == {"mail.message": 1}


# -- SaveForecast ---------------------------------------------------------------------------------------------
def test_a_forecast_is_saved_as_a_json_attachment_on_the_company_with_a_chatter_note(
        writer: OdooWriter, services: Services, odoo: Any) -> None:
    assert not writer.client.has_model("cash.flow.forecast")  # the sandbox has no such model: the fallback path
    proposal = SaveForecast(name="13-week forecast 2026-11-24", threshold=50_000, reason="Share with the team.")
    assert "JSON attachment on the company" in review(proposal, writer.client, "USD").preview
    before = writes(odoo)
    result = run(proposal, writer, services)

    assert result.model == "ir.attachment" and KEY in result.name
    (attachment,) = search_read(odoo, "ir.attachment", [("id", "=", result.id)],
                                ["res_model", "res_id", "mimetype", "datas", "name"])
    assert (attachment["res_model"], attachment["res_id"]) == ("res.company", writer.client.company_id)
    assert attachment["mimetype"] == "application/json"
    saved = json.loads(base64.b64decode(attachment["datas"]))
    expected = services.forecast_payload(91, 50_000)
    assert saved["as_of"] == AS_OF.isoformat() and saved["threshold"] == 50_000
    assert saved["summary"] == expected["summary"]
    (company,) = search_read(odoo, "res.company", [("id", "=", writer.client.company_id)], ["partner_id"])
    notes = [n for n in chatter(odoo, "res.partner", company["partner_id"][0]) if KEY in n["body"]]
    assert len(notes) == 1 and notes[0]["attachment_ids"] == [result.id] and notes[0]["is_internal"]
    assert "Approved by controller" in notes[0]["body"]
    assert delta(before, writes(odoo)) == {"ir.attachment": 1, "mail.message": 1}

    assert run(proposal, writer, services).created is False
    assert delta(before, writes(odoo)) == {"ir.attachment": 1, "mail.message": 1}


@pytest.fixture(scope="module")
def with_module() -> Iterator[RunningServer]:
    """A demo company whose Odoo has the product's companion module (model cash.flow.forecast)."""
    store = generate(new_store(modules=(*DEFAULT_MODULES, "cashflow_forecast")), seed=7, scale=0.1, as_of=AS_OF)
    server = RunningServer(service_for(store)).start()
    yield server
    server.stop()
    store.close()


def test_with_the_companion_module_a_forecast_is_saved_as_a_cash_flow_forecast_record(
        with_module: RunningServer, tmp_path: Path) -> None:
    odoo = admin(with_module)
    client = OdooClient(ConnectionSpec(url=with_module.url, database="demo", login="controller",
                                       secret="controller")).connect()
    services = Services(settings_for(with_module, tmp_path), as_of=AS_OF)
    try:
        writer = OdooWriter(client)
        proposal = SaveForecast(name="13-week forecast", threshold=25_000, reason="Share with the team.")
        assert "as a cash.flow.forecast record" in review(proposal, client, "USD").preview
        before = writes(odoo)
        result = run(proposal, writer, services)
        again = run(proposal, writer, services)
        payload = services.forecast_payload(91, 25_000)
    finally:
        services.close()
        client.close()

    assert result.model == "cash.flow.forecast" and result.created and (again.id, again.created) == (result.id, False)
    (record,) = search_read(odoo, "cash.flow.forecast", [("id", "=", result.id)],
                            ["idempotency_key", "name", "date", "company_id", "horizon_days", "threshold",
                             "min_balance_p50", "shortfall_probability", "forecast_json", "note", "assumptions",
                             "confidence"])
    assert record["idempotency_key"] == KEY and record["name"] == "13-week forecast"
    assert record["date"] == AS_OF.isoformat() and record["company_id"][0] == 1 and record["horizon_days"] == 91
    assert record["threshold"] == 25_000
    assert record["min_balance_p50"] == pytest.approx(payload["summary"]["min_balance_p50"])
    assert record["shortfall_probability"] == pytest.approx(payload["summary"]["max_p_below_threshold"])
    assert json.loads(record["forecast_json"])["summary"] == payload["summary"]
    assert "Approved by controller" in record["note"]
    first = payload["assumptions"][0]
    assert record["assumptions"].splitlines()[0] == f"- [{first['category']}] {first['text']} ({first['evidence']})"
    assert record["confidence"] == payload["confidence"]["score"]
    notes = chatter(odoo, "cash.flow.forecast", result.id)
    assert len(notes) == 1 and KEY in notes[0]["body"]
    assert delta(before, writes(odoo)) == {"mail.message": 1}  # no attachment on this path


# -- PostToChannel --------------------------------------------------------------------------------------------
def test_a_message_is_posted_to_the_finance_channel(writer: OdooWriter, services: Services, odoo: Any) -> None:
    proposal = PostToChannel(channel="#finance", body="Cash alert: the balance may dip below 50,000.00 USD.",
                             reason="Keep finance informed.")
    assert proposal.channel == "finance"
    before = writes(odoo)
    result = run(proposal, writer, services)

    (channel,) = search_read(odoo, "discuss.channel", [("name", "=", "finance")], ["id"])
    (message,) = [m for m in chatter(odoo, "discuss.channel", channel["id"]) if m["id"] == result.id]
    assert "may dip below 50,000.00 USD" in message["body"] and KEY in message["body"]
    assert not message["is_internal"] and message["message_type"] == "comment"  # a post, not a note
    assert result.name == "#finance"
    assert delta(before, writes(odoo)) == {"mail.message": 1}
    assert run(proposal, writer, services).created is False
    assert delta(before, writes(odoo)) == {"mail.message": 1}


def test_a_post_to_an_unknown_channel_is_refused(writer: OdooWriter, services: Services) -> None:
    proposal = PostToChannel(channel="nowhere", body="Hello team.", reason="Test.")
    assert review(proposal, writer.client, "USD").problems == ["no Discuss channel named 'nowhere'"]
    with pytest.raises(OdooNotFound, match="no Discuss channel named 'nowhere'"):
        execute(proposal, ExecutionContext(writer=writer, approver="controller", key=KEY,
                                           company_id=writer.client.company_id))


# -- keys -----------------------------------------------------------------------------------------------------
def test_different_approvals_get_different_records(writer: OdooWriter, services: Services, odoo: Any,
                                                   tmp_path: Path) -> None:
    invoice_id, _ = overdue_invoice(services)
    proposal = PostNote(model="account.move", record_id=invoice_id, body="Same text twice.", reason="Two asks.")
    first, second = run(proposal, writer, services, key="CF-AAAAAAAAAA"), run(proposal, writer, services,
                                                                              key="CF-BBBBBBBBBB")
    assert first.id != second.id and first.created and second.created
