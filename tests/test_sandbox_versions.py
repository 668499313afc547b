"""A store built for Odoo 16, 17, 18 or 19, or without some modules, presents that Odoo."""

from __future__ import annotations

from collections.abc import Iterator

import odoorpc
import pytest

from sandbox.factory import DEFAULT_MODULES
from sandbox.server import RunningServer
from tests.test_sandbox_support import DECO, build_store, call, jsonrpc, odoo, serving


@pytest.fixture(scope="module", params=[16, 17, 18, 19])
def versioned(request: pytest.FixtureRequest) -> Iterator[tuple[int, RunningServer]]:
    with serving(build_store(version=request.param)) as server:
        yield request.param, server



def has_model(client: odoorpc.ODOO, model: str) -> bool:
    try:
        call(client, model, "search_count", [])
    except odoorpc.error.RPCError as exc:
        assert exc.info["data"]["message"] == f"Object {model} doesn't exist"
        return False
    return True


def test_the_server_announces_its_version(versioned: tuple[int, RunningServer]) -> None:
    version, server = versioned
    info = jsonrpc(server, "/web/webclient/version_info", {}).json["result"]
    assert info["server_version"] == f"{version}.0"
    assert info["server_version_info"] == [version, 0, 0, "final", 0, ""]
    assert info["server_serie"] == f"{version}.0"
    assert odoo(server).version == f"{version}.0"


def test_sale_orders_lock_with_done_in_16_and_with_locked_from_17(versioned: tuple[int, RunningServer]) -> None:
    version, server = versioned
    client = odoo(server)
    states = [key for key, _ in call(client, "sale.order", "fields_get", ["state"], attributes=["selection"])
              ["state"]["selection"]]
    fields = call(client, "sale.order", "fields_get", attributes=["type"])
    [locked_order] = call(client, "sale.order", "read", [3], fields=["state"])
    if version == 16:
        assert "done" in states and "locked" not in fields
        assert locked_order["state"] == "done"
    else:
        assert "done" not in states and fields["locked"] == {"type": "boolean"}
        assert locked_order["state"] == "sale"
        assert call(client, "sale.order", "read", [3], fields=["locked"])[0]["locked"] is True


def test_discuss_channels_are_mail_channels_in_16(versioned: tuple[int, RunningServer]) -> None:
    version, server = versioned
    client = odoo(server)
    assert has_model(client, "mail.channel") is (version == 16)
    assert has_model(client, "discuss.channel") is (version >= 17)


def test_payments_own_their_state_and_date_from_18(versioned: tuple[int, RunningServer]) -> None:
    version, server = versioned
    client = odoo(server)
    payment = call(client, "account.payment", "fields_get", ["state", "date", "memo"],
                   attributes=["store", "selection"])
    move = call(client, "account.move", "fields_get", ["matched_payment_ids"], attributes=["type"])
    if version >= 18:
        assert payment["state"]["store"] is True and payment["date"]["store"] is True
        assert [k for k, _ in payment["state"]["selection"]] == ["draft", "in_process", "paid", "canceled", "rejected"]
        assert "memo" in payment
        assert move == {"matched_payment_ids": {"type": "many2many"}}
    else:
        assert payment["state"]["store"] is False and payment["date"]["store"] is False
        assert "memo" not in payment
        assert move == {}


def test_payment_creation_follows_the_version(versioned: tuple[int, RunningServer]) -> None:
    version, server = versioned
    client = odoo(server)
    payment = call(client, "account.payment", "create", {"payment_type": "inbound", "partner_type": "customer",
                                                         "partner_id": DECO, "amount": 10.0})
    [row] = call(client, "account.payment", "read", [payment], fields=["state", "date", "amount"])
    assert row["state"] == "draft"
    assert row["date"] == "2026-11-24"
    lines = call(client, "account.move.line", "search_count", [("payment_id", "=", payment)])
    assert lines == (2 if version <= 17 else 0)


def test_user_groups_field_is_renamed_in_19(versioned: tuple[int, RunningServer]) -> None:
    version, server = versioned
    client = odoo(server)
    fields = call(client, "res.users", "fields_get", ["groups_id", "group_ids"], attributes=["type"])
    assert set(fields) == ({"group_ids"} if version >= 19 else {"groups_id"})
    name = "group_ids" if version >= 19 else "groups_id"
    groups = call(client, "res.users", "read", [6], fields=[name])[0][name]
    assert len(groups) == 3


def test_search_counts_with_count_true_only_in_16(versioned: tuple[int, RunningServer]) -> None:
    version, server = versioned
    client = odoo(server)
    if version == 16:
        assert call(client, "sale.order", "search", [], count=True) == 4
    else:
        with pytest.raises(odoorpc.error.RPCError, match="count"):
            call(client, "sale.order", "search", [], count=True)


def test_name_get_is_gone_from_18(versioned: tuple[int, RunningServer]) -> None:
    version, server = versioned
    client = odoo(server)
    if version <= 17:
        assert call(client, "res.partner", "name_get", [DECO]) == [[DECO, "Deco Addict"]]
    else:
        with pytest.raises(odoorpc.error.RPCError, match="name_get"):
            call(client, "res.partner", "name_get", [DECO])


def test_name_search_takes_domain_instead_of_args_from_18(versioned: tuple[int, RunningServer]) -> None:
    version, server = versioned
    client = odoo(server)
    new, old = ("domain", "args") if version >= 18 else ("args", "domain")
    assert call(client, "res.partner", "name_search", "deco", **{new: [("is_company", "=", True)]}) == \
        [[DECO, "Deco Addict"]]
    with pytest.raises(odoorpc.error.RPCError, match=f"unexpected keyword argument '{old}'"):
        call(client, "res.partner", "name_search", "deco", **{old: []})


def test_a_database_without_purchase_has_no_purchase_models() -> None:
    modules = [m for m in DEFAULT_MODULES if m != "purchase"]
    with serving(build_store(modules=modules)) as server:
        client = odoo(server)
        assert not has_model(client, "purchase.order")
        assert not has_model(client, "purchase.order.line")
        line_fields = call(client, "account.move.line", "fields_get", attributes=["type"])
        assert "purchase_line_id" not in line_fields
        modules_state = call(client, "ir.module.module", "search_read", [("name", "in", ["purchase", "sale"])],
                             fields=["name", "state"], order="name")
        assert modules_state == [{"id": modules_state[0]["id"], "name": "purchase", "state": "uninstalled"},
                                 {"id": modules_state[1]["id"], "name": "sale", "state": "installed"}]
        assert call(client, "sale.order", "search_count", []) == 4
