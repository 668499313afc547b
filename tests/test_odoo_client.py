"""The Odoo client connects once, learns the server (version, fields, company) once, and speaks the protocol
the server offers: JSON-2 on Odoo 19+ with an API key, odoorpc's /jsonrpc otherwise. Odoo 16 to 19 all work,
and the version picks the vocabulary (sale order states, payment states, Discuss channel model)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tests.test_odoo_support import client_for, ek, raw, reset_stats, serving, stats
from tools.odoo.client import OdooClient
from tools.odoo.errors import OdooBadRequest, OdooNotFound
from tools.odoo.extract import extract_snapshot, months_before
from tools.odoo.ledger import read_payments
from tools.odoo.orders import read_open_orders
from tools.odoo.status import inventory


@pytest.fixture(scope="module")
def odoo16() -> Iterator[RunningServer]:
    with serving(version=16) as server:
        yield server


@pytest.fixture(scope="module")
def odoo18() -> Iterator[RunningServer]:
    with serving(version=18) as server:
        yield server


@pytest.fixture(scope="module")
def odoo19() -> Iterator[RunningServer]:
    with serving(version=19) as server:
        yield server


# -- connecting -------------------------------------------------------------------------------------
def test_connecting_logs_in_and_learns_version_user_and_company(sandbox: RunningServer) -> None:
    client = client_for(sandbox)
    assert (client.uid, client.server_version, client.version) == (6, "17.0", 17)
    assert client.protocol == "jsonrpc"
    assert client.company_id == 1 and client.company_ids == [1, 2]


def test_connecting_costs_four_requests_and_fields_are_learned_once_for_the_whole_run(sandbox: RunningServer) -> None:
    reset_stats(sandbox)
    client = client_for(sandbox)
    assert stats(sandbox)["requests"] == client.calls == 4  # version_info, login, context_get, res.users.read
    for model in ("account.move", "account.move.line", "sale.order", "purchase.order", "res.partner"):
        assert client.pick(model, ["name", "no_such_field"]) in (["name"], [])
        assert client.has_model(model)
    assert not client.has_model("cash.flow.forecast") or client.has_field("cash.flow.forecast", "id")
    seen = stats(sandbox)["by_model_method"]
    assert seen.get("ir.model.fields.search_read") == 1
    assert not any(key.endswith((".fields_get", "ir.model.search_read")) for key in seen)


def test_a_missing_field_is_never_asked_for(sandbox: RunningServer) -> None:
    client = client_for(sandbox)
    assert client.pick("purchase.order", ["name", "locked", "amount_to_invoice"]) == ["name"]  # not on Odoo 17
    assert client.pick("sale.order", ["name", "locked", "amount_to_invoice"]) == ["name", "locked", "amount_to_invoice"]


def test_reads_must_name_their_fields(sandbox: RunningServer) -> None:
    client = client_for(sandbox)
    with pytest.raises(ValueError, match="must name its fields"):
        client.search_read("res.partner", [], [])
    with pytest.raises(ValueError, match="must name its fields"):
        client.read("res.partner", [1], [])


def test_the_client_is_a_context_manager(sandbox: RunningServer) -> None:
    with client_for(sandbox) as client:
        assert client.search_count("res.company", []) == 2


# -- multi-company ----------------------------------------------------------------------------------
@pytest.mark.parametrize("company", ["2", "Bluebird Europe GmbH", " bluebird europe gmbh "])
def test_odoo_company_selects_the_company_by_id_or_name(sandbox: RunningServer, company: str) -> None:
    client = client_for(sandbox, company=company)
    assert client.company_id == 2
    context = inventory(client, as_of=AS_OF)
    assert (context.company.name, context.company.currency) == ("Bluebird Europe GmbH", "EUR")


def test_an_unknown_company_lists_the_users_companies(sandbox: RunningServer) -> None:
    with pytest.raises(OdooNotFound) as caught:
        client_for(sandbox, company="Acme")
    message = str(caught.value)
    assert "company 'Acme' is not among the companies of user 'cashbot'" in message
    assert "Bluebird Office Supply Co. (id 1), Bluebird Europe GmbH (id 2)" in message
    assert message.endswith("fix ODOO_COMPANY")


def test_every_call_carries_the_selected_company(sandbox: RunningServer) -> None:
    client = client_for(sandbox, company="2")
    europe = client.search_read("account.move", [("move_type", "=", "out_invoice")], ["company_id"])
    assert europe and {m["company_id"][0] for m in europe} == {2}


# -- protocols --------------------------------------------------------------------------------------
def test_auto_uses_json2_on_odoo_19_when_given_an_api_key(odoo19: RunningServer) -> None:
    reset_stats(odoo19)
    client = client_for(odoo19, secret="cashbot-api-key", api_key=True)
    assert (client.protocol, client.version, client.uid) == ("json2", 19, 6)
    client.search_count("account.move", [])
    endpoints = stats(odoo19)["by_endpoint"]
    assert "/jsonrpc" not in endpoints
    assert endpoints["/json/2"] == 3  # context_get, res.users.read, search_count
    assert endpoints["/web/webclient/version_info"] == 1  # probed once, not again by the transport


def test_auto_uses_jsonrpc_with_a_password_even_on_odoo_19(odoo19: RunningServer) -> None:
    reset_stats(odoo19)
    client = client_for(odoo19)
    assert client.protocol == "jsonrpc"
    assert "/json/2" not in stats(odoo19)["by_endpoint"]


def test_auto_uses_jsonrpc_with_an_api_key_before_odoo_19(sandbox: RunningServer) -> None:
    client = client_for(sandbox, secret="cashbot-api-key", api_key=True)
    assert (client.protocol, client.uid) == ("jsonrpc", 6)


def test_json2_asked_of_an_older_odoo_says_what_to_set(sandbox: RunningServer) -> None:
    with pytest.raises(OdooBadRequest, match=r"Odoo 17\.0 at http://127\.0\.0\.1:\d+ has no JSON-2 API .*"
                                             "set ODOO_PROTOCOL=auto or jsonrpc"):
        client_for(sandbox, secret="cashbot-api-key", api_key=True, protocol="json2")


def test_both_protocols_read_the_same_snapshot(odoo19: RunningServer) -> None:
    over_json2 = client_for(odoo19, secret="cashbot-api-key", api_key=True)
    over_jsonrpc = client_for(odoo19, protocol="jsonrpc")
    a = extract_snapshot(over_json2, as_of=AS_OF)
    b = extract_snapshot(over_jsonrpc, as_of=AS_OF)
    assert over_json2.protocol == "json2" and over_jsonrpc.protocol == "jsonrpc"
    assert a.model_dump(exclude={"rpc_calls"}) == b.model_dump(exclude={"rpc_calls"})


# -- versions ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("fixture", ["odoo16", "sandbox", "odoo18", "odoo19"])
def test_every_supported_version_gives_a_full_status_and_snapshot(fixture: str,
                                                                  request: pytest.FixtureRequest) -> None:
    server: RunningServer = request.getfixturevalue(fixture)
    client = client_for(server)
    status = inventory(client, as_of=AS_OF)
    snapshot = extract_snapshot(client, as_of=AS_OF)
    assert status.receivables.open_count > 0 and status.sales_orders and status.sales_orders.open_count > 0
    assert snapshot.installments and snapshot.orders and snapshot.bank_transactions and snapshot.payments
    assert snapshot.warnings == []


def test_odoo_16_locks_sale_orders_with_state_done_and_17_with_the_locked_flag(
        odoo16: RunningServer, sandbox: RunningServer) -> None:
    old, new = client_for(odoo16), client_for(sandbox)
    assert old.confirmed_states("sale.order") == ["sale", "done"] and not old.has_field("sale.order", "locked")
    assert new.confirmed_states("sale.order") == ["sale"] and new.has_field("sale.order", "locked")
    for client, server in ((old, odoo16), (new, sandbox)):
        states = client.confirmed_states("sale.order")
        expected = ek(raw(server), "sale.order", "search_read",
                      [("state", "in", states), ("invoice_status", "!=", "invoiced"), ("company_id", "=", 1)],
                      fields=["amount_to_invoice"], company=1)
        orders = read_open_orders(client, 1, "sale")
        assert {o.ref.id for o in orders} == {r["id"] for r in expected if r["amount_to_invoice"] > 0.005}
    done = ek(raw(odoo16), "sale.order", "search_count", [("state", "=", "done")])
    assert done > 0  # the Odoo 16 demo has locked orders, which the window read keeps
    window = [o for o in extract_snapshot(old, as_of=AS_OF).orders if o.kind == "sale"]
    assert sum(1 for o in window if o.state == "done" and o.locked) > 0


def test_odoo_18_payments_are_read_by_their_own_states(odoo18: RunningServer) -> None:
    client = client_for(odoo18)
    assert client.posted_payment_domain() == [("state", "in", ["in_process", "paid"])]
    start = months_before(AS_OF, 24)
    payments, _ = read_payments(client, 1, start)
    odoo = raw(odoo18)
    expected = ek(odoo, "account.payment", "search_read",
                  [("state", "in", ["in_process", "paid"]), ("company_id", "=", 1), "|",
                   ("date", ">=", start.isoformat()), ("is_matched", "=", False)], fields=["state", "is_matched"])
    assert {p.ref.id for p in payments} == {r["id"] for r in expected}
    assert {p.ref.id for p in payments if not p.is_matched} == {r["id"] for r in expected if r["state"] == "in_process"}


def test_the_discuss_channel_model_follows_the_version(odoo16: RunningServer, sandbox: RunningServer) -> None:
    assert client_for(odoo16).channel_model == "mail.channel"
    assert client_for(sandbox).channel_model == "discuss.channel"


def test_a_client_that_did_not_connect_says_so(sandbox: RunningServer) -> None:
    client = OdooClient(client_for(sandbox).spec)
    with pytest.raises(Exception, match="not connected to Odoo"):
        client.search_count("res.partner", [])
    assert client.calls == 0 and dt.date.today()
