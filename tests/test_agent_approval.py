"""Human approval before every write: nothing reaches Odoo until a person in the approver group decides with
their own credentials, and an approved action is written exactly once, whatever happens in between."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.types import Command

from agent.approvals import ApprovalStore, DecisionConflict
from agent.llm import AssistantTurn, ToolCall
from agent.services import Services, WriterCredentials
from agent.session import Agent, InvalidEdit, NotAuthorized, ThreadBusy, TurnResult
from sandbox.server import RunningServer
from tests.fake_llm import ScriptedLLM, answer, tool_call
from tests.test_agent_support import (
    AS_OF,
    BILLING,
    CONTROLLER,
    INTEGRATION,
    admin,
    delta,
    llm_settings,
    open_agent,
    open_bill,
    overdue_invoice,
    search_read,
    services_for,
    settings_for,
    start_llm,
    writes,
)
from tools.odoo.errors import OdooAuthError
from tools.settings import Settings


class Crash(BaseException):
    """The process dies here (a BaseException, so nothing in the product can swallow it)."""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CASHFLOW_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def reads(sandbox: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The demo company extracted once: every fresh sandbox is a copy of the same data."""
    s = Services(settings_for(sandbox, tmp_path_factory.mktemp("approval-reads")), as_of=AS_OF)
    s.snapshot  # noqa: B018
    yield s
    s.close()


@pytest.fixture
def settings(fresh_sandbox: RunningServer, home: Path) -> Settings:
    return settings_for(fresh_sandbox, home)


@pytest.fixture
def odoo(fresh_sandbox: RunningServer) -> Any:
    return admin(fresh_sandbox)


def propose_payment(agent: Agent, index: int = 0) -> tuple[TurnResult, str, int, float]:
    """Ask the offline planner for a draft payment of an open bill: (turn, approval id, bill id, amount)."""
    bill_id, bill_name, amount = open_bill(agent.services, index=index)
    result = agent.ask(f"Draft a payment for {bill_name}")
    assert result.waiting and len(result.proposals) == 1
    return result, result.proposals[0]["id"], bill_id, amount


def payments_for(odoo: Any, key: str) -> list[dict[str, Any]]:
    return search_read(odoo, "account.payment", [("ref", "ilike", key)], ["amount", "state", "ref", "partner_id"])


# -- nothing before approval ---------------------------------------------------------------------------------
def test_a_proposal_writes_nothing_and_waits_durably_for_a_decision(settings: Settings, odoo: Any,
                                                                    reads: Services) -> None:
    before = writes(odoo)
    with open_agent(settings, reads=reads) as agent:
        result, approval_id, bill_id, amount = propose_payment(agent)
        snap = agent.graph.get_state({"configurable": {"thread_id": result.thread}})

    assert writes(odoo) == before
    assert [t["name"] for t in result.tool_calls] == ["open_items", "DraftVendorPayment"]
    assert "Waiting for approval" in result.answer and approval_id in result.answer
    (interrupt,) = snap.interrupts
    assert interrupt.value["approval_id"] == approval_id
    assert interrupt.value["action"] == "DraftVendorPayment"
    assert interrupt.value["args"] == {"bill_id": bill_id, "amount": amount, "payment_date": AS_OF.isoformat()}
    assert interrupt.value["decisions"] == ["approve", "edit", "reject"]
    assert "DRAFT vendor payment" in interrupt.value["preview"]
    record = ApprovalStore(settings.data_dir / "approvals.sqlite").get(approval_id)
    assert record.status == "pending" and record.requester == "cli"


def test_a_thread_waiting_for_a_decision_takes_no_new_question(settings: Settings, reads: Services) -> None:
    with open_agent(settings, reads=reads) as agent:
        result, approval_id, _, _ = propose_payment(agent)
        with pytest.raises(ThreadBusy, match=approval_id):
            agent.ask("What is our cash position?", thread=result.thread)
        assert "235" in agent.ask("What is our cash position?").answer  # a new thread is fine


# -- approve --------------------------------------------------------------------------------------------------
def test_approving_writes_a_draft_payment_exactly_once_with_the_approver_named(settings: Settings,
                                                                                 odoo: Any, reads: Services) -> None:
    before = writes(odoo)
    with open_agent(settings, reads=reads) as agent:
        result, approval_id, _, amount = propose_payment(agent)
        done = agent.decide(approval_id, "approve", CONTROLLER)
        record = agent.services.approvals.get(approval_id)
        trail = [e["event"] for e in agent.services.approvals.audit_trail(approval_id)]

    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}
    (payment,) = payments_for(odoo, record.idempotency_key)
    assert payment["state"] == "draft" and payment["amount"] == pytest.approx(amount)
    note = search_read(odoo, "mail.message", [("model", "=", "account.payment"), ("res_id", "=", payment["id"])],
                       ["body", "author_id"])
    assert "Approved by controller" in note[0]["body"] and record.idempotency_key in note[0]["body"]
    assert note[0]["author_id"][1] == "Clara Controller"  # written with the approver's own rights
    assert record.status == "executed" and record.decider == "controller" and record.decided_by == "human"
    assert record.result and record.result["id"] == payment["id"] and record.result["created"] is True
    assert trail == ["proposed", "approved", "executed"]
    assert not done.waiting and done.thread == result.thread
    assert "written to Odoo as account.payment" in done.answer
    assert done.outcomes[-1]["status"] == "executed"


def test_approving_twice_is_refused_and_writes_nothing_more(settings: Settings, odoo: Any, reads: Services) -> None:
    with open_agent(settings, reads=reads) as agent:
        _, approval_id, _, _ = propose_payment(agent)
        agent.decide(approval_id, "approve", CONTROLLER)
        after_first = writes(odoo)
        with pytest.raises(DecisionConflict, match="already executed by controller"):
            agent.decide(approval_id, "approve", CONTROLLER)
        with pytest.raises(DecisionConflict, match="already executed"):
            agent.decide(approval_id, "reject", CONTROLLER, reason="changed my mind")
    assert writes(odoo) == after_first


def test_resuming_the_thread_twice_writes_once(settings: Settings, odoo: Any, reads: Services) -> None:
    with open_agent(settings, reads=reads) as agent:
        result, approval_id, _, _ = propose_payment(agent)
        agent.decide(approval_id, "approve", CONTROLLER)
        after_first = writes(odoo)
        config = {"configurable": {"thread_id": result.thread}}
        # a duplicate resume (a retried HTTP request, a double click in a UI) finds nothing left to do
        agent.graph.invoke(Command(resume={"approval_id": approval_id}), config,
                           context=agent._context(CONTROLLER))
        record = agent.services.approvals.get(approval_id)
        agent._resume(record, CONTROLLER)
        assert agent.services.approvals.get(approval_id).status == "executed"
    assert writes(odoo) == after_first


def test_a_decision_recorded_before_a_crash_is_written_once_by_the_next_process(settings: Settings,
                                                                                  odoo: Any, reads: Services) -> None:
    before = writes(odoo)
    with open_agent(settings, reads=reads) as agent:
        result, approval_id, _, _ = propose_payment(agent)
        # the approver's decision reached the approvals table, then the process died before resuming the thread
        agent.services.approvals.decide(approval_id, status="approved", decider="controller")
    assert writes(odoo) == before

    with open_agent(settings) as again:  # a new process: new services, new checkpointer on the same files
        done = again.decide(approval_id, "approve", CONTROLLER)
        record = again.services.approvals.get(approval_id)
        with pytest.raises(DecisionConflict):
            again.decide(approval_id, "approve", CONTROLLER)
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}
    assert record.status == "executed" and record.decider == "controller"
    assert done.thread == result.thread and not done.waiting


def test_an_approval_whose_thread_state_is_lost_is_still_written_once_by_the_executor_node(
        settings: Settings, odoo: Any, reads: Services) -> None:
    before = writes(odoo)
    with open_agent(settings, reads=reads) as agent:
        _, approval_id, _, _ = propose_payment(agent)
    for leftover in settings.data_dir.glob("checkpoints.sqlite*"):
        leftover.unlink()  # the checkpoints were wiped; the approvals table survived

    with open_agent(settings) as again:
        done = again.decide(approval_id, "approve", CONTROLLER)
        record = again.services.approvals.get(approval_id)
        snap = again.graph.get_state({"configurable": {"thread_id": record.thread}})
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}
    assert record.status == "executed" and "written to Odoo" in done.answer
    assert snap.values["outcomes"][-1]["status"] == "executed"  # the thread's own executor node wrote it


def test_a_crash_between_the_write_and_its_bookkeeping_never_writes_twice(
        settings: Settings, odoo: Any, monkeypatch: pytest.MonkeyPatch, reads: Services) -> None:
    before = writes(odoo)

    def crash(*_: Any, **__: Any) -> None:
        raise Crash("killed after the Odoo write, before mark_executed")

    with open_agent(settings, reads=reads) as agent:
        result, approval_id, _, _ = propose_payment(agent)
        with monkeypatch.context() as m:
            m.setattr(ApprovalStore, "mark_executed", crash)
            with pytest.raises(Crash):
                agent.decide(approval_id, "approve", CONTROLLER)
        key = agent.services.approvals.get(approval_id).idempotency_key
    assert len(payments_for(odoo, key)) == 1  # written, but the approvals table still says 'approved'
    assert ApprovalStore(settings.data_dir / "approvals.sqlite").get(approval_id).status == "approved"

    with open_agent(settings) as again:
        done = again.decide(approval_id, "approve", CONTROLLER)
        record = again.services.approvals.get(approval_id)
        follow_up = again.ask("What is our cash position?", thread=result.thread)  # the thread is usable again

    assert len(payments_for(odoo, key)) == 1
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}
    assert record.status == "executed" and record.result and record.result["created"] is False
    assert not done.waiting and "written to Odoo as account.payment" in done.answer
    assert "Cash position" in follow_up.answer


# -- reject and edit ------------------------------------------------------------------------------------------
def test_rejecting_writes_nothing_and_the_agent_is_told_why(settings: Settings, odoo: Any, reads: Services) -> None:
    before = writes(odoo)
    with open_agent(settings, reads=reads) as agent:
        result, approval_id, _, _ = propose_payment(agent)
        done = agent.decide(approval_id, "reject", CONTROLLER, reason="we pay this vendor on Fridays")
        record = agent.services.approvals.get(approval_id)
        state = agent.graph.get_state({"configurable": {"thread_id": result.thread}}).values
        with pytest.raises(DecisionConflict, match="already rejected"):
            agent.decide(approval_id, "approve", CONTROLLER)
    assert writes(odoo) == before
    assert record.status == "rejected" and record.decision_note == "we pay this vendor on Fridays"
    heard = [m["content"] for m in state["messages"] if m["role"] == "system"]
    assert any("rejected by controller" in m and "we pay this vendor on Fridays" in m for m in heard)
    assert "rejected" in done.answer and "we pay this vendor on Fridays" in done.answer


def test_an_edit_is_revalidated_and_writes_the_edited_values(settings: Settings, odoo: Any, reads: Services) -> None:
    with open_agent(settings, reads=reads) as agent:
        _, approval_id, _, amount = propose_payment(agent)
        edited = round(amount / 2, 2)
        agent.decide(approval_id, "edit", CONTROLLER, changes={"amount": edited, "payment_date": "2026-11-27"})
        record = agent.services.approvals.get(approval_id)
    (payment,) = search_read(odoo, "account.payment", [("ref", "ilike", record.idempotency_key)],
                             ["amount", "date", "state"])
    assert payment["amount"] == pytest.approx(edited) and payment["date"] == "2026-11-27"
    assert payment["state"] == "draft"
    assert record.args["amount"] == edited and f"{edited:,.2f}" in record.preview  # what was approved is shown


@pytest.mark.parametrize(("changes", "message"), [
    ({"amount": 10_000_000.0}, "exceeds"),
    ({"amount": -5}, "amount: Input should be greater than 0"),
    ({"payment_date": "next friday"}, "payment_date"),
    ({"bill_id": 999_999}, "not a posted vendor bill"),
    ({"partner": "someone else"}, "partner"),
])
def test_a_bad_edit_is_refused_with_a_clear_message_and_nothing_is_decided(
        settings: Settings, odoo: Any, changes: dict[str, Any], message: str, reads: Services) -> None:
    before = writes(odoo)
    with open_agent(settings, reads=reads) as agent:
        _, approval_id, _, _ = propose_payment(agent)
        with pytest.raises(InvalidEdit, match=message) as err:
            agent.decide(approval_id, "edit", CONTROLLER, changes=changes)
        assert approval_id in str(err.value)
        assert agent.services.approvals.get(approval_id).status == "pending"
    assert writes(odoo) == before


# -- who may approve ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("who", "message"), [
    (BILLING, "'billing' is not in the approver group"),
    (INTEGRATION, "'cashbot' is the integration user"),
    (WriterCredentials(login="cashbot", secret="cashbot-api-key", api_key=True), "integration user"),
])
def test_only_a_person_in_the_approver_group_may_decide(settings: Settings, odoo: Any, who: WriterCredentials,
                                                        message: str, reads: Services) -> None:
    before = writes(odoo)
    with open_agent(settings, reads=reads) as agent:
        _, approval_id, _, _ = propose_payment(agent)
        with pytest.raises(NotAuthorized, match=message):
            agent.decide(approval_id, "approve", who)
        with pytest.raises(NotAuthorized, match=message):
            agent.decide(approval_id, "reject", who, reason="no")
        assert agent.services.approvals.get(approval_id).status == "pending"
    assert writes(odoo) == before


def test_a_wrong_approver_password_is_a_clear_error_even_after_a_right_one(settings: Settings, odoo: Any,
                                                                           reads: Services) -> None:
    with open_agent(settings, reads=reads) as agent:
        _, first, _, _ = propose_payment(agent, index=0)
        _, second, _, _ = propose_payment(agent, index=1)
        agent.decide(first, "approve", CONTROLLER)
        after_first = writes(odoo)
        wrong = WriterCredentials(login="controller", secret="not-the-password")
        with pytest.raises(OdooAuthError, match="Odoo refused the password or API key of 'controller'"):
            agent.decide(second, "approve", wrong)
        assert agent.services.approvals.get(second).status == "pending"
    assert writes(odoo) == after_first


def test_an_approver_can_use_an_api_key(settings: Settings, odoo: Any, reads: Services) -> None:
    before = writes(odoo)
    with open_agent(settings, reads=reads) as agent:
        _, approval_id, _, _ = propose_payment(agent)
        agent.decide(approval_id, "approve", WriterCredentials(login="controller", secret="controller-api-key",
                                                               api_key=True))
        assert agent.services.approvals.get(approval_id).status == "executed"
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}


# -- standing approvals ---------------------------------------------------------------------------------------
def _note_script(record_id: int) -> ScriptedLLM:
    return start_llm([
        tool_call("PostNote", model="account.move", record_id=record_id, body="Customer promised payment Friday.",
                  reason="Keep the collection history on the invoice."),
        answer("Noted on the invoice."),
    ])


def test_a_standing_approval_executes_with_the_writer_account_and_is_recorded_as_policy(
        fresh_sandbox: RunningServer, home: Path, odoo: Any, reads: Services) -> None:
    before = writes(odoo)
    invoice_id, _ = overdue_invoice(reads)
    llm = _note_script(invoice_id)
    settings = settings_for(fresh_sandbox, home, cashflow_auto_approve="PostNote", odoo_write_user="controller",
                            odoo_write_password="controller", **llm_settings(llm))
    try:
        with open_agent(settings, use_llm=True, reads=reads) as agent:
            result = agent.ask("Note on the invoice that the customer promised to pay Friday.")
            (record,) = agent.services.approvals.list()
    finally:
        llm.stop()
    assert not result.waiting and result.answer == "Noted on the invoice."
    assert record.status == "executed" and record.decided_by == "policy"
    assert record.decider == "standing approval policy"
    assert delta(before, writes(odoo)) == {"mail.message": 1}
    (note,) = search_read(odoo, "mail.message", [("model", "=", "account.move"), ("res_id", "=", invoice_id),
                                                 ("body", "ilike", record.idempotency_key)], ["body", "author_id"])
    assert "Customer promised payment Friday." in note["body"]
    assert note["author_id"][1] == "Clara Controller"
    assert "approved by standing policy" in llm.requests[1]["messages"][-2]["content"]


def test_a_standing_approval_without_a_writer_account_fails_clearly(fresh_sandbox: RunningServer, home: Path,
                                                                    odoo: Any, reads: Services) -> None:
    before = writes(odoo)
    invoice_id, _ = overdue_invoice(reads)
    llm = _note_script(invoice_id)
    settings = settings_for(fresh_sandbox, home, cashflow_auto_approve="PostNote", **llm_settings(llm))
    try:
        with open_agent(settings, use_llm=True, reads=reads) as agent:
            agent.ask("Note on the invoice that the customer promised to pay Friday.")
            (record,) = agent.services.approvals.list()
    finally:
        llm.stop()
    assert writes(odoo) == before
    assert record.status == "failed" and record.error and "ODOO_WRITE_USER" in record.error
    heard = llm.requests[1]["messages"][-1]["content"]
    assert "failed" in heard and "ODOO_WRITE_USER" in heard


def test_actions_outside_the_standing_approval_still_wait(fresh_sandbox: RunningServer, home: Path,
                                                          odoo: Any, reads: Services) -> None:
    before = writes(odoo)
    settings = settings_for(fresh_sandbox, home, cashflow_auto_approve="PostNote", odoo_write_user="controller",
                            odoo_write_password="controller")
    with open_agent(settings, reads=reads) as agent:
        result, approval_id, _, _ = propose_payment(agent)
        assert result.waiting
        assert agent.services.approvals.get(approval_id).status == "pending"
    assert writes(odoo) == before


# -- tool-call ids are the model server's, not ours -----------------------------------------------------------
class SameIdModel:
    """A model server that numbers tool calls per response ('call_0'), as some local servers do."""

    name = "same-id"

    def __init__(self, bills: list[tuple[int, float]]) -> None:
        self.turns: list[AssistantTurn] = []
        for bill_id, amount in bills:
            args = {"bill_id": bill_id, "amount": amount, "payment_date": "2026-11-24", "reason": "Due soon."}
            self.turns += [AssistantTurn(tool_calls=[ToolCall(id="call_0", name="DraftVendorPayment",
                                                              arguments=json.dumps(args))]),
                           AssistantTurn(content="Done.")]

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]],
                 tool_choice: str = "auto") -> AssistantTurn:
        return self.turns.pop(0)


def test_a_reused_tool_call_id_never_merges_two_proposals(settings: Settings, odoo: Any, reads: Services) -> None:
    first, second = open_bill(reads, index=0), open_bill(reads, index=1)
    model = SameIdModel([(first[0], first[2]), (second[0], second[2])])
    before = writes(odoo)
    with Agent.open(settings, services=services_for(settings, reads), model=model) as agent:
        one = agent.ask("Pay the first bill.")
        agent.decide(one.proposals[0]["id"], "approve", CONTROLLER)
        two = agent.ask("Now pay the second bill.", thread=one.thread)
        assert two.waiting and len(two.proposals) == 1
        assert two.proposals[0]["args"]["bill_id"] == second[0] and two.proposals[0]["id"] != one.proposals[0]["id"]
        agent.decide(two.proposals[0]["id"], "approve", CONTROLLER)
    assert delta(before, writes(odoo)) == {"account.payment": 2, "mail.message": 2}


# -- a write that fails ---------------------------------------------------------------------------------------
def test_a_failed_write_is_reported_and_can_be_retried_once_fixed(settings: Settings, odoo: Any,
                                                                  reads: Services) -> None:
    before = writes(odoo)
    (channel_id,) = odoo.execute_kw("discuss.channel", "search", [[("name", "=", "finance")]], {})
    with open_agent(settings, reads=reads) as agent:
        proposed = agent.ask("Post the cash alert to the finance channel.")
        approval_id = proposed.proposals[0]["id"]
        odoo.execute_kw("discuss.channel", "write", [[channel_id], {"name": "finance-archive"}], {})
        failed = agent.decide(approval_id, "approve", CONTROLLER)
        record = agent.services.approvals.get(approval_id)
        assert record.status == "failed" and record.error == "no Discuss channel named 'finance'"
        assert "failed — no Discuss channel named 'finance'" in failed.answer and not failed.waiting
        assert writes(odoo) == before

        odoo.execute_kw("discuss.channel", "write", [[channel_id], {"name": "finance"}], {})
        with pytest.raises(NotAuthorized):
            agent.decide(approval_id, "approve", BILLING)  # a retry is a decision too
        retried = agent.decide(approval_id, "approve", CONTROLLER)
        assert agent.services.approvals.get(approval_id).status == "executed"
        with pytest.raises(DecisionConflict):
            agent.decide(approval_id, "approve", CONTROLLER)
        events = [e["event"] for e in agent.services.approvals.audit_trail(approval_id)]
    assert "written to Odoo as mail.message #finance" in retried.answer
    assert events == ["proposed", "approved", "failed", "executed"]
    assert delta(before, writes(odoo)) == {"mail.message": 1}


def test_deciding_one_of_several_proposals_reports_it_and_keeps_the_others_waiting(
        settings: Settings, odoo: Any, reads: Services) -> None:
    before = writes(odoo)
    with open_agent(settings, reads=reads) as agent:
        asked = agent.ask("Chase the overdue customers.")
        first, second, third = (p["id"] for p in asked.proposals)
        done = agent.decide(first, "approve", CONTROLLER)
        assert done.waiting and [p["id"] for p in done.proposals] == [second, third]
        assert done.answer.startswith(f"Approval update: ScheduleActivity {first} approved by controller: written")
        rejected = agent.decide(third, "reject", CONTROLLER, reason="already called them")
        assert rejected.waiting and [p["id"] for p in rejected.proposals] == [second]
        assert "already called them" in rejected.answer
        last = agent.decide(second, "approve", CONTROLLER)
        assert not last.waiting and last.proposals == []
        assert {o["approval_id"]: o["status"] for o in last.outcomes} == {first: "executed", third: "rejected",
                                                                          second: "executed"}
        assert agent.ask("What is our cash position?", thread=asked.thread).answer.startswith("Cash position")
    assert delta(before, writes(odoo)) == {"mail.activity": 2, "mail.message": 2}
