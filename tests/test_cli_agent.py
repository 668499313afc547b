"""``cashflow ask``, ``cashflow approvals ...`` and ``cashflow eval`` as a person or a script uses them: JSON shapes,
who may decide, where the password comes from, clear refusals with non-zero exits, and a pending approval decided
from another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from agent.cli import app
from agent.services import Services
from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tests.fake_llm import answer, tool_call
from tests.test_agent_support import admin, delta, open_bill, search_read, settings_for, start_llm, writes

runner = CliRunner()


@pytest.fixture(scope="module")
def bill(sandbox: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, float]:
    """An open vendor bill of the demo company (the same in every copy of it)."""
    services = Services(settings_for(sandbox, tmp_path_factory.mktemp("cli-reads")), as_of=AS_OF)
    try:
        return open_bill(services)
    finally:
        services.close()


def env_for(server: RunningServer, home: Path, **extra: str) -> dict[str, str]:
    return {"ODOO_URL": server.url, "ODOO_DB": "demo", "ODOO_USER": "cashbot", "ODOO_PASSWORD": "cashbot",
            "CASHFLOW_HOME": str(home), **extra}


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), env=env, input=stdin)


def cli_json(env: dict[str, str], *args: str, stdin: str | None = None) -> Any:
    result = cli(env, *args, "--json", stdin=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def env(fresh_sandbox: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("CASHFLOW_HOME", str(tmp_path))
    return env_for(fresh_sandbox, tmp_path)


@pytest.fixture
def pending(env: dict[str, str], bill: tuple[int, str, float]) -> Iterator[str]:
    """The id of a draft payment proposed with ``cashflow ask``, waiting for a decision."""
    out = cli_json(env, "ask", f"Draft a payment for {bill[1]}")
    (proposal,) = out["proposals"]
    yield str(proposal["id"])


# -- ask ----------------------------------------------------------------------------------------------------
def test_ask_json_gives_the_answer_the_tools_the_proposals_and_the_thread(env: dict[str, str]) -> None:
    out = cli_json(env, "ask", "What is our cash position?")
    assert {"answer", "tool_calls", "proposals", "thread"} <= set(out)
    assert out["answer"].startswith("Cash position on") and out["proposals"] == []
    assert [t["name"] for t in out["tool_calls"]] == ["company_position"]
    assert out["tool_calls"][0]["ok"] is True

    again = cli_json(env, "ask", "Who owes us most?", "--thread", out["thread"])
    assert again["thread"] == out["thread"]
    assert [t["name"] for t in again["tool_calls"]] == ["open_items"]  # only this turn's tools


def test_ask_for_people_prints_the_answer_tools_and_what_awaits_approval(env: dict[str, str],
                                                                         bill: tuple[int, str, float]) -> None:
    result = cli(env, "ask", f"Draft a payment for {bill[1]}")
    assert result.exit_code == 0, result.output
    assert "Awaiting approval" in result.stdout and "DraftVendorPayment" in result.stdout
    assert "cashflow approvals approve <ID> --as <login>" in result.stdout and "Thread: t-" in result.stdout


def test_an_empty_question_is_refused(env: dict[str, str]) -> None:
    result = cli(env, "ask", "  ")
    assert result.exit_code == 2 and "the question is empty" in result.stderr


# -- list and show ------------------------------------------------------------------------------------------
def test_approvals_list_and_show(env: dict[str, str], pending: str, bill: tuple[int, str, float]) -> None:
    rows = cli_json(env, "approvals", "list")
    (row,) = rows
    assert {"id", "thread", "action", "args", "preview", "status", "created_at"} <= set(row)
    assert row["id"] == pending and row["status"] == "pending" and row["action"] == "DraftVendorPayment"
    assert row["args"] == {"bill_id": bill[0], "amount": bill[2], "payment_date": "2026-11-24"}
    assert row["created_at"][:2] == "20" and bill[1] in row["preview"]

    shown = cli_json(env, "approvals", "show", pending[:5])  # a unique prefix is enough
    assert shown["id"] == pending and [e["event"] for e in shown["audit"]] == ["proposed"]
    text = cli(env, "approvals", "show", pending)
    assert text.exit_code == 0 and "DRAFT vendor payment" in text.stdout and "pending" in text.stdout
    table = cli({**env, "COLUMNS": "200"}, "approvals", "list")
    assert pending in table.stdout and "DraftVendorPayment" in table.stdout


def test_an_unknown_approval_is_a_clear_error(env: dict[str, str]) -> None:
    result = cli(env, "approvals", "show", "nope")
    assert result.exit_code == 2 and "no approval with id 'nope'" in result.stderr
    result = cli(env, "approvals", "approve", "nope", "--as", "controller", "--password-stdin", stdin="controller\n")
    assert result.exit_code == 2 and "no approval with id 'nope'" in result.stderr


# -- deciding -----------------------------------------------------------------------------------------------
def test_approve_writes_once_and_a_second_approval_is_refused(env: dict[str, str], pending: str,
                                                              fresh_sandbox: RunningServer) -> None:
    odoo = admin(fresh_sandbox)
    before = writes(odoo)
    out = cli_json(env, "approvals", "approve", pending, "--as", "controller", "--password-stdin",
                   stdin="controller\n")
    assert out["approval"]["status"] == "executed" and out["approval"]["decider"] == "controller"
    assert out["approval"]["result"]["model"] == "account.payment"
    assert "written to Odoo as account.payment" in out["answer"]
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}

    again = cli(env, "approvals", "approve", pending, "--as", "controller", "--password-stdin",
                stdin="controller\n")
    assert again.exit_code == 6
    assert f"approval {pending} is already executed by controller; nothing to decide" in again.stderr
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}
    (row,) = cli_json(env, "approvals", "list", "--all")
    assert row["status"] == "executed"
    assert cli_json(env, "approvals", "list") == []  # nothing pending any more


def test_approve_for_people_says_what_was_written(env: dict[str, str], pending: str) -> None:
    result = cli({**env, "CASHFLOW_APPROVER_PASSWORD": "controller"}, "approvals", "approve", pending,
                 "--as", "controller")
    assert result.exit_code == 0, result.output
    assert "written to Odoo as account.payment" in " ".join(result.stdout.split())  # rich wraps long lines


def test_edit_writes_the_edited_values_and_a_bad_edit_is_refused(env: dict[str, str], pending: str,
                                                                 fresh_sandbox: RunningServer) -> None:
    odoo = admin(fresh_sandbox)
    before = writes(odoo)
    decide = {**env, "CASHFLOW_APPROVER_PASSWORD": "controller"}
    bad = cli(decide, "approvals", "edit", pending, "--set", "amount=999999999", "--as", "controller")
    assert bad.exit_code == 2 and f"invalid edit of DraftVendorPayment {pending}" in bad.stderr
    assert "exceeds" in bad.stderr
    unknown = cli(decide, "approvals", "edit", pending, "--set", "partner_id=7", "--as", "controller")
    assert unknown.exit_code == 2 and "cannot change partner_id" in unknown.stderr
    malformed = cli(decide, "approvals", "edit", pending, "--set", "amount", "--as", "controller")
    assert malformed.exit_code == 2 and "--set expects key=value" in malformed.stderr
    assert writes(odoo) == before

    out = cli_json(decide, "approvals", "edit", pending, "--set", "amount=100.5", "--set",
                   "payment_date=2026-11-30", "--as", "controller")
    assert out["approval"]["status"] == "executed" and out["approval"]["args"]["amount"] == 100.5
    (payment,) = search_read(odoo, "account.payment", [("id", "=", out["approval"]["result"]["id"])],
                             ["amount", "date", "state"])
    assert (payment["amount"], payment["date"], payment["state"]) == (100.5, "2026-11-30", "draft")


def test_reject_writes_nothing_and_records_the_reason(env: dict[str, str], pending: str,
                                                      fresh_sandbox: RunningServer) -> None:
    odoo = admin(fresh_sandbox)
    before = writes(odoo)
    out = cli_json(env, "approvals", "reject", pending, "--reason", "pay it next week", "--as", "controller",
                   "--password-stdin", stdin="controller\n")
    assert out["approval"]["status"] == "rejected" and "pay it next week" in out["answer"]
    assert writes(odoo) == before
    shown = cli_json(env, "approvals", "show", pending)
    assert shown["decision_note"] == "pay it next week" and shown["decider"] == "controller"
    again = cli(env, "approvals", "approve", pending, "--as", "controller", "--password-stdin",
                stdin="controller\n")
    assert again.exit_code == 6 and "already rejected by controller" in again.stderr


@pytest.mark.parametrize(("login", "secret", "code", "message"), [
    ("billing", "billing", 5, "'billing' is not in the approver group"),
    ("cashbot", "cashbot", 5, "'cashbot' is the integration user"),
    ("controller", "wrong-password", 4, "Odoo refused the password or API key of 'controller'"),
])
def test_who_may_not_decide_is_refused_with_a_clear_message(env: dict[str, str], pending: str, login: str,
                                                            secret: str, code: int, message: str,
                                                            fresh_sandbox: RunningServer) -> None:
    odoo = admin(fresh_sandbox)
    before = writes(odoo)
    result = cli(env, "approvals", "approve", pending, "--as", login, "--password-stdin", stdin=secret + "\n")
    assert result.exit_code == code and message in result.stderr
    assert "wrong-password" not in result.output
    assert writes(odoo) == before
    (row,) = cli_json(env, "approvals", "list")
    assert row["status"] == "pending"


def test_the_password_comes_from_stdin_then_the_environment_else_a_clear_error(env: dict[str, str],
                                                                               pending: str) -> None:
    missing = cli(env, "approvals", "approve", pending, "--as", "controller")
    assert missing.exit_code == 2
    assert "no password for 'controller': use --password-stdin or CASHFLOW_APPROVER_PASSWORD" in missing.stderr
    nobody = cli(env, "approvals", "approve", pending, "--password-stdin", stdin="controller\n")
    assert nobody.exit_code == 2 and "--as LOGIN" in nobody.stderr
    empty = cli(env, "approvals", "approve", pending, "--as", "controller", "--password-stdin", stdin="\n")
    assert empty.exit_code == 2 and "empty password" in empty.stderr
    # stdin wins over the environment
    wrong_env = {**env, "CASHFLOW_APPROVER_PASSWORD": "wrong-password"}
    ok = cli(wrong_env, "approvals", "approve", pending, "--as", "controller", "--password-stdin",
             stdin="controller\n")
    assert ok.exit_code == 0, ok.output


def test_on_a_terminal_the_password_is_prompted_for(env: dict[str, str], pending: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("agent.cli.approvals.sys", type("Sys", (), {"stdin": Terminal()}))
    result = cli(env, "approvals", "approve", pending, "--as", "controller", stdin="controller\n")
    assert result.exit_code == 0, result.output
    assert "Odoo password or API key of controller" in result.output
    assert "API key of controller: controller" not in result.output  # hidden input: never echoed


# -- a new process --------------------------------------------------------------------------------------------
def _cashflow() -> list[str]:
    script = Path(sys.executable).with_name("cashflow")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from agent.cli import main; main()"]


def test_a_pending_approval_survives_a_restart_and_is_approved_from_another_process(
        env: dict[str, str], pending: str, fresh_sandbox: RunningServer) -> None:
    odoo = admin(fresh_sandbox)
    before = writes(odoo)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "OPENAI_", "LLM_"))} | env
    done = subprocess.run([*_cashflow(), "approvals", "approve", pending, "--as", "controller", "--password-stdin",
                           "--json"], input="controller\n", env=child_env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["approval"]["status"] == "executed" and out["approval"]["decider"] == "controller"
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}

    twice = subprocess.run([*_cashflow(), "approvals", "approve", pending, "--as", "controller",
                            "--password-stdin"], input="controller\n", env=child_env, capture_output=True,
                           text=True, timeout=120, check=False)
    assert twice.returncode == 6 and "already executed" in twice.stderr
    assert delta(before, writes(odoo)) == {"account.payment": 1, "mail.message": 1}
    # the thread of the original question carries on in this process
    (row,) = cli_json(env, "approvals", "list", "--all")
    follow = cli_json(env, "ask", "What is our cash position?", "--thread", row["thread"])
    assert follow["answer"].startswith("Cash position on")


# -- eval -----------------------------------------------------------------------------------------------------
def test_eval_gates_on_the_pass_rate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from evals.run import CaseResult, EvalReport
    from evals.scorers import Score

    def fake_run(**_: Any) -> EvalReport:
        ok = CaseResult(id="a", question="q", passed=True, scores=[Score("facts", True)], answer="x")
        bad = CaseResult(id="b", question="q", passed=False, scores=[Score("facts", False, "missing 1")],
                         answer="y")
        return EvalReport(mode="offline", results=[ok, ok, ok, bad])

    monkeypatch.setattr("evals.run.run_evals", fake_run)
    env = {"CASHFLOW_HOME": str(tmp_path)}
    passed = cli(env, "eval", "--min-pass-rate", "0.75", "--json")
    assert passed.exit_code == 0 and json.loads(passed.stdout)["gate_passed"] is True
    failed = cli(env, "eval", "--json")
    data = json.loads(failed.stdout)
    assert failed.exit_code == 1 and data["pass_rate"] == 0.75 and data["gate"] == 0.9
    assert data["failures"][0]["why"] == ["facts: missing 1"]
    text = cli(env, "eval")
    assert "Pass rate 75.0%" in text.stdout and "facts: missing 1" in text.stdout


def test_a_thread_waiting_for_a_decision_refuses_a_new_question(env: dict[str, str], pending: str) -> None:
    (row,) = cli_json(env, "approvals", "list")
    result = cli(env, "ask", "What is our cash position?", "--thread", row["thread"])
    assert result.exit_code == 6 and f"waiting for a decision on approval {pending}" in result.stderr


def test_ask_uses_the_configured_llm_unless_offline(env: dict[str, str]) -> None:
    llm = start_llm([tool_call("company_position"), answer("The bank figures are in.")])
    try:
        with_llm = {**env, "OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "test-key", "LLM_MODEL": llm.model}
        out = cli_json(with_llm, "ask", "What is our cash position?")
        assert out["answer"] == "The bank figures are in." and len(llm.requests) == 2
        offline = cli_json(with_llm, "ask", "What is our cash position?", "--offline")
        assert offline["answer"].startswith("Cash position on") and len(llm.requests) == 2
    finally:
        llm.stop()
