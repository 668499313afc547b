"""``cashflow doctor`` checks connectivity, version, installed modules, the rights of the configured user on
every model the product reads or writes, and the data-quality report, and says what to fix; its exit code
tells a script whether the Odoo is ready."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from sandbox import rights
from sandbox.factory import DEFAULT_MODULES
from sandbox.server import RunningServer
from tests.test_cli_status import env_for
from tests.test_odoo_support import closed_port, serving
from tools.odoo.doctor import READS


def doctor(env: dict[str, str], *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["doctor", "--json", *args], env=env)
    return result.exit_code, json.loads(result.stdout)


def checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in report["checks"]}


@pytest.fixture(scope="module")
def without_purchase() -> Iterator[RunningServer]:
    with serving(modules=tuple(m for m in DEFAULT_MODULES if m != "purchase"), scale=0.05) as server:
        yield server


def test_a_ready_odoo_passes_every_check(sandbox: RunningServer) -> None:
    code, report = doctor(env_for(sandbox))
    assert code == 0 and report["status"] in ("ok", "warn")
    found = checks(report)
    assert found["connection"]["status"] == "ok" and "'cashbot'" in found["connection"]["detail"]
    assert found["version"] == {"name": "version", "status": "ok", "detail": "Odoo 17.0", "fix": None}
    for module in ("account", "sale", "purchase", "mail"):
        assert found[f"module {module}"]["status"] == "ok"
    for model in READS:
        assert found[f"read {model}"]["status"] == "ok", model
    assert found["create account.payment"]["status"] == "ok"  # informative only: cashbot writes nothing
    assert "not allowed" in found["create account.payment"]["detail"]
    assert found["data extraction"]["status"] == "ok"
    assert found["data: currency_without_rate"]["status"] == "warn"  # the demo's GBP customer has no rate
    assert "Accounting > Configuration > Currencies" in found["data: currency_without_rate"]["detail"]
    assert found["data: unreconciled_bank_lines"]["fix"].startswith("e.g. ")


def test_a_user_without_rights_on_one_model_fails_with_exit_code_5_and_the_groups_to_add(
        sandbox: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    model = "account.bank.statement.line"
    monkeypatch.setitem(rights.ACCESS, model, [(g, p) for g, p in rights.ACCESS[model]
                                               if g not in ("account.group_account_readonly", "cashflow.group_reader")])
    code, report = doctor(env_for(sandbox))
    assert code == 5 and report["status"] == "fail" and report["exit_code"] == 5
    found = checks(report)
    denied = found[f"read {model}"]
    assert denied["status"] == "fail"
    assert denied["detail"].startswith(f"user 'cashbot' may not read {model} on {sandbox.url}")
    assert denied["fix"].startswith("add user 'cashbot' to group Accounting / Billing")
    assert found["data extraction"]["status"] == "fail"
    human = CliRunner().invoke(app, ["doctor"], env=env_for(sandbox))
    assert human.exit_code == 5 and "Not ready: fix the failed checks." in human.stdout


def test_a_missing_optional_module_is_a_warning(without_purchase: RunningServer) -> None:
    code, report = doctor(env_for(without_purchase))
    assert code == 0 and report["status"] == "warn"
    found = checks(report)
    assert found["module purchase"]["status"] == "warn"
    assert found["module purchase"]["fix"] == "install 'purchase' for purchase orders in the forecast"
    assert "read purchase.order" not in found
    assert found["data"]["detail"].startswith("purchase.order is not available on this Odoo")


def test_wrong_credentials_fail_the_connection_check_with_exit_code_4(sandbox: RunningServer) -> None:
    code, report = doctor(env_for(sandbox, ODOO_PASSWORD="wrong-password"))
    assert code == 4
    assert report["checks"] == [{
        "name": "connection", "status": "fail",
        "detail": f"Odoo at {sandbox.url} refused the credentials of user 'cashbot' on database 'demo': check "
                  "ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY",
        "fix": "check ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY (and ODOO_DB)"}]


def test_an_unreachable_server_fails_with_exit_code_3() -> None:
    env = env_for(f"http://127.0.0.1:{closed_port()}", ODOO_RETRY_ATTEMPTS="1")
    result = CliRunner().invoke(app, ["doctor"], env=env)
    assert result.exit_code == 3
    assert "connection refused" in result.stdout and "Not ready" in result.stdout


def test_bad_settings_exit_with_code_2(sandbox: RunningServer) -> None:
    result = CliRunner().invoke(app, ["doctor"], env=env_for(sandbox, ODOO_TIMEOUT="-1"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: invalid settings: ODOO_TIMEOUT: ")
