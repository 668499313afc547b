"""``cashflow status --json``: the inventory of the Odoo data a forecast uses. Its figures equal independent
computations from raw search_read on the same server; bad settings and unreachable servers give one line
(or one JSON object) and a meaningful exit code, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tests.test_odoo_support import closed_port, ek, raw

KEYS = {"odoo", "company", "bank", "receivables", "payables", "sales_orders", "purchase_orders", "history",
        "rpc_calls"}


def env_for(server: RunningServer | str, **extra: str) -> dict[str, str]:
    url = server if isinstance(server, str) else server.url
    return {"ODOO_URL": url, "ODOO_DB": "demo", "ODOO_USER": "cashbot", "ODOO_PASSWORD": "cashbot", **extra}


def run(args: list[str], env: dict[str, str]) -> Any:
    return CliRunner().invoke(app, args, env=env, catch_exceptions=False)


def status_json(env: dict[str, str]) -> dict[str, Any]:
    result = run(["status", "--json"], env)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def expected_status(server: RunningServer, company: int) -> dict[str, Any]:
    """The same inventory from raw search_read: plain records summed in Python."""
    odoo = raw(server)

    def rows(model: str, domain: list[Any], fields: list[str]) -> list[dict[str, Any]]:
        return list(ek(odoo, model, "search_read", domain, fields=fields, company=company))

    docs = rows("account.move", [("state", "=", "posted"), ("move_type", "in", ["out_invoice", "out_refund",
                                                                                "in_invoice", "in_refund"])],
                ["move_type", "amount_residual_signed", "amount_residual", "payment_state", "invoice_date"])
    lines = rows("account.move.line", [("parent_state", "=", "posted"), ("reconciled", "=", False),
                                       ("account_type", "in", ["asset_receivable", "liability_payable"])],
                 ["move_id", "amount_residual", "date_maturity", "account_type"])
    doc_types = {d["id"]: d["move_type"] for d in docs}
    out: dict[str, Any] = {}
    for key, prefix, sign in (("receivables", "out_", 1), ("payables", "in_", -1)):
        mine = [d for d in docs if d["move_type"].startswith(prefix) and abs(d["amount_residual"]) > 0.001]
        overdue = [line for line in lines if doc_types.get(line["move_id"][0], "").startswith(prefix)
                   and line["date_maturity"] and line["date_maturity"] < AS_OF.isoformat()]
        out[key] = {"open_count": len(mine),
                    "open_amount": round(sign * sum(d["amount_residual_signed"] for d in mine), 2),
                    "overdue_amount": round(sign * sum(line["amount_residual"] for line in overdue), 2)}
    dates = sorted(d["invoice_date"] for d in docs if d["invoice_date"])
    out["history"] = {"first_date": dates[0], "last_date": dates[-1],
                      "paid_invoices": sum(1 for d in docs if d["move_type"] in ("out_invoice", "in_invoice")
                                           and d["payment_state"] in ("paid", "in_payment"))}
    journals = rows("account.journal", [("type", "=", "bank"), ("company_id", "=", company)],
                    ["default_account_id"])
    bank = rows("account.move.line", [("parent_state", "=", "posted"),
                                      ("account_id", "in", [j["default_account_id"][0] for j in journals])],
                ["balance"])
    out["bank"] = round(sum(b["balance"] for b in bank), 2)
    rates = {c["name"]: c["rate"] for c in rows("res.currency", [], ["name", "rate"])}
    sales = rows("sale.order", [("state", "=", "sale"), ("invoice_status", "!=", "invoiced")],
                 ["amount_to_invoice", "currency_id", "currency_rate"])
    # Odoo's own rate of the order when it has one (17 does), today's rate otherwise
    to_invoice = [s["amount_to_invoice"] / (s.get("currency_rate") or rates[s["currency_id"][1]])
                  for s in sales if s["amount_to_invoice"] > 0]
    out["sales_orders"] = {"open_count": len(to_invoice), "to_invoice_amount": round(sum(to_invoice), 2)}
    purchases = rows("purchase.order", [("state", "in", ["purchase", "done"]), ("invoice_status", "!=", "invoiced")],
                     ["amount_total", "invoice_ids"])
    to_bill = []
    for po in purchases:
        bills = ek(odoo, "account.move", "read", po["invoice_ids"], fields=["amount_total", "state"]) \
            if po["invoice_ids"] else []
        left = po["amount_total"] - sum(b["amount_total"] for b in bills if b["state"] != "cancel")
        if left > 0.005:
            to_bill.append(left)
    out["purchase_orders"] = {"open_count": len(to_bill), "to_invoice_amount": round(sum(to_bill), 2)}
    return out


@pytest.mark.parametrize(("company", "setting"), [(1, None), (2, "Bluebird Europe GmbH")])
def test_status_json_equals_independent_computations(sandbox: RunningServer, company: int,
                                                     setting: str | None) -> None:
    env = env_for(sandbox, **({"ODOO_COMPANY": setting} if setting else {}))
    report = status_json(env)
    assert set(report) >= KEYS
    assert report["odoo"] == {"url": sandbox.url, "database": "demo", "version": "17.0", "user": "cashbot"}
    assert report["company"] == ({"name": "Bluebird Office Supply Co.", "currency": "USD"} if company == 1 else
                                 {"name": "Bluebird Europe GmbH", "currency": "EUR"})
    expected = expected_status(sandbox, company)
    for key in ("receivables", "payables", "history", "sales_orders", "purchase_orders"):
        assert report[key] == pytest.approx(expected[key], abs=0.05), key
    assert report["bank"]["balance"] == pytest.approx(expected["bank"], abs=0.01)
    assert report["bank"]["balance"] == pytest.approx(sum(j["balance"] for j in report["bank"]["journals"]),
                                                      abs=0.01)
    assert report["receivables"]["open_count"] > 0 and report["payables"]["open_amount"] > 0
    assert 0 < report["rpc_calls"] <= 25


def test_status_prints_tables_for_people(sandbox: RunningServer) -> None:
    result = run(["status"], env_for(sandbox))
    assert result.exit_code == 0
    for text in ("Bluebird Office Supply Co.", "Bank", "Receivables", "Payables", "Sales orders", "Odoo calls"):
        assert text in result.stdout


def test_status_of_the_embedded_demo_company(tmp_path: Path) -> None:
    env = {"CASHFLOW_HOME": str(tmp_path), "CASHFLOW_DEMO_SCALE": "0.1", "CASHFLOW_DEMO_AS_OF": AS_OF.isoformat()}
    report = status_json(env)
    assert report["odoo"]["user"] == "cashbot" and report["odoo"]["database"] == "demo"
    assert report["odoo"]["url"].startswith("http://127.0.0.1:")
    assert report["company"] == {"name": "Bluebird Office Supply Co.", "currency": "USD"}
    assert report["bank"]["balance"] > 0 and report["receivables"]["open_count"] > 0
    assert dt.date.fromisoformat(report["history"]["last_date"]) <= AS_OF
    assert report["history"]["paid_invoices"] > 0 and report["sales_orders"]["open_count"] > 0
    assert 0 < report["rpc_calls"] <= 25
    assert status_json(env)["receivables"] == report["receivables"]  # the demo is stable from run to run


# -- bad input and failures -------------------------------------------------------------------------
BAD_SETTINGS = [
    ({"ODOO_URL": "odoo.example.com"}, "ODOO_URL must start with http:// or https://"),
    ({"ODOO_DB": ""}, "ODOO_URL is set, so ODOO_DB must be set too"),
    ({"ODOO_TIMEOUT": "soon"}, "ODOO_TIMEOUT: Input should be a valid number"),
    ({"ODOO_PROTOCOL": "xmlrpc"}, "ODOO_PROTOCOL: Input should be 'auto', 'jsonrpc' or 'json2'"),
    ({"ODOO_URL": "https://admin:hunter2@odoo.example.com"}, "ODOO_URL must not contain a login or password"),
]


@pytest.mark.parametrize(("override", "message"), BAD_SETTINGS)
def test_malformed_settings_give_one_line_and_exit_code_2(sandbox: RunningServer, override: dict[str, str],
                                                          message: str) -> None:
    env = {**env_for(sandbox), **override}
    result = CliRunner().invoke(app, ["status"], env=env)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: invalid settings: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr and "hunter2" not in result.stderr
    as_json = CliRunner().invoke(app, ["status", "--json"], env=env)
    assert as_json.exit_code == 2
    error = json.loads(as_json.stdout)["error"]
    assert error["kind"] == "settings" and error["exit_code"] == 2 and message in error["message"]


def test_a_wrong_password_exits_with_code_4(sandbox: RunningServer) -> None:
    result = CliRunner().invoke(app, ["status"], env=env_for(sandbox, ODOO_PASSWORD="wrong-password"))
    assert result.exit_code == 4
    assert result.stderr == (f"Error: Odoo at {sandbox.url} refused the credentials of user 'cashbot' on database "
                             "'demo': check ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY\n")


def test_an_unreachable_server_exits_with_code_3_as_one_json_object() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    env = env_for(url, ODOO_RETRY_ATTEMPTS="2", ODOO_RETRY_MAX_SECONDS="1")
    result = CliRunner().invoke(app, ["status", "--json"], env=env)
    assert result.exit_code == 3
    assert json.loads(result.stdout) == {"error": {
        "kind": "OdooUnavailable", "exit_code": 3,
        "message": f"cannot reach Odoo at {url}: connection refused; is the server up and ODOO_URL right?"}}
