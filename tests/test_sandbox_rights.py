"""Who may do what: the demo users have the rights their Odoo groups give them.

admin does everything; cashbot (the integration user) reads accounting, sales and
purchases but writes nothing there; billing may invoice but not approve; the
controller (Accounting / Adviser) may approve.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import odoorpc
import pytest

from sandbox.server import RunningServer
from tests.test_sandbox_support import DECO, SALES_J, build_store, call, odoo, serving

ACCESS_ERROR = "odoo.exceptions.AccessError"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serving(build_store()) as running:
        yield running


@pytest.fixture(scope="module")
def cashbot(server: RunningServer) -> odoorpc.ODOO:
    return odoo(server, "cashbot")



def refusal(client: odoorpc.ODOO, model: str, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(odoorpc.error.RPCError) as caught:
        call(client, model, method, *args, **kwargs)
    return caught.value.info["data"]


@pytest.mark.parametrize("model", ["account.move", "account.move.line", "account.payment", "account.account",
                                   "account.journal", "account.bank.statement.line", "sale.order",
                                   "sale.order.line", "purchase.order", "res.partner", "res.currency.rate"])
def test_cashbot_reads_accounting_sales_and_purchases(cashbot: odoorpc.ODOO, model: str) -> None:
    assert isinstance(call(cashbot, model, "search_count", []), int)
    call(cashbot, model, "search_read", [], fields=["display_name"], limit=2)


def test_cashbot_writes_nothing_in_accounting(cashbot: odoorpc.ODOO) -> None:
    write = refusal(cashbot, "account.move", "write", [1], {"ref": "x"})
    assert write["name"] == ACCESS_ERROR
    assert write["message"] == (
        "You are not allowed to modify 'Journal Entry' (account.move) records.\n\n"
        "This operation is allowed for the following groups:\n\t- Accounting / Billing\n\n"
        "Contact your administrator to request access if necessary.")
    assert refusal(cashbot, "account.move", "create", {"partner_id": DECO, "journal_id": SALES_J})["name"] == \
        ACCESS_ERROR
    assert refusal(cashbot, "account.move", "unlink", [4])["name"] == ACCESS_ERROR
    assert refusal(cashbot, "account.payment", "create", {"amount": 1.0})["name"] == ACCESS_ERROR
    assert refusal(cashbot, "account.account", "write", [1], {"name": "x"})["name"] == ACCESS_ERROR
    assert refusal(cashbot, "sale.order", "write", [1], {"note": "x"})["name"] == ACCESS_ERROR


def test_cashbot_cannot_post_in_the_chatter_of_documents_it_cannot_write(cashbot: odoorpc.ODOO) -> None:
    assert refusal(cashbot, "account.move", "message_post", [1], body="hello")["name"] == ACCESS_ERROR
    assert refusal(cashbot, "account.move", "activity_schedule", [1], summary="x")["name"] == ACCESS_ERROR


def test_a_refused_write_changes_nothing(server: RunningServer, cashbot: odoorpc.ODOO) -> None:
    refusal(cashbot, "account.move", "write", [1], {"ref": "hacked"})
    admin = odoo(server)
    assert call(admin, "account.move", "read", [1], fields=["ref"])[0]["ref"] is False


def test_has_group_tells_who_may_approve(server: RunningServer) -> None:
    billing, controller = odoo(server, "billing"), odoo(server, "controller")
    manager = "account.group_account_manager"
    assert call(billing, "res.users", "has_group", [8], manager) is False
    assert call(controller, "res.users", "has_group", [7], manager) is True
    assert call(billing, "res.users", "has_group", [], "account.group_account_invoice") is True
    assert call(controller, "res.users", "has_group", [], "account.group_account_invoice") is True  # implied
    assert call(controller, "res.users", "has_group", [7], "base.group_system") is False


def test_has_group_needs_a_full_external_id(server: RunningServer) -> None:
    data = refusal(odoo(server), "res.users", "has_group", [2], "group_system")
    assert data["name"] == "builtins.ValueError"


def test_billing_may_invoice(server: RunningServer) -> None:
    billing = odoo(server, "billing")
    move = call(billing, "account.move", "create", {"move_type": "out_invoice", "partner_id": DECO,
                                                    "journal_id": SALES_J})
    assert call(billing, "account.move", "write", [move], {"ref": "ok"}) is True
    assert refusal(billing, "account.account", "write", [1], {"name": "x"})["name"] == ACCESS_ERROR


def test_the_controller_may_change_the_chart_of_accounts(server: RunningServer) -> None:
    controller = odoo(server, "controller")
    assert call(controller, "account.account", "write", [1], {"note": "reviewed"}) is True


def test_api_keys_log_in_like_passwords(server: RunningServer) -> None:
    bot = odoo(server, "cashbot", "cashbot-api-key")
    assert bot.env.uid == 6
    assert call(bot, "res.users", "has_group", [6], "account.group_account_readonly") is True


def test_check_access_rights_reports_without_raising(cashbot: odoorpc.ODOO) -> None:
    assert call(cashbot, "sale.order", "check_access_rights", "read") is True
    assert call(cashbot, "sale.order", "check_access_rights", "create", raise_exception=False) is False


def test_reading_another_companys_record_is_an_access_error(cashbot: odoorpc.ODOO) -> None:
    data = refusal(cashbot, "account.move", "read", [9], fields=["name"])
    assert data["name"] == ACCESS_ERROR
    assert "multi-company" in data["message"]
    assert call(cashbot, "account.move", "read", [9], fields=["name"], context={"allowed_company_ids": [1, 2]}) == \
        [{"id": 9, "name": "EINV/2026/00001"}]
