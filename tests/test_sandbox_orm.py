"""The ORM methods a client calls (search, read, fields_get, name_search ...) answer as Odoo 17 answers."""

from __future__ import annotations

from collections.abc import Iterator

import odoorpc
import pytest

from sandbox.server import RunningServer
from tests.test_sandbox_support import (
    ADDISON,
    AZURE,
    DECO,
    DOUGLAS,
    IMMEDIATE,
    NOWHERE,
    OLD,
    THIRTY_DAYS,
    USD,
    build_store,
    call,
    failure,
    odoo,
    serving,
)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serving(build_store()) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: RunningServer) -> odoorpc.ODOO:
    return odoo(server)




# -- search -----------------------------------------------------------------------------------------
def test_search_uses_the_model_order_by_default(client: odoorpc.ODOO) -> None:
    # account.move: date desc, name desc, id desc
    assert call(client, "account.move", "search", [("move_type", "=", "out_invoice")]) == [4, 2, 1, 3, 10]


def test_search_order_offset_and_limit(client: odoorpc.ODOO) -> None:
    everything = call(client, "account.move", "search", [], order="amount_total desc, id")
    assert everything == [1, 5, 4, 8, 2, 6, 3, 7, 10]
    assert call(client, "account.move", "search", [], order="amount_total desc, id", offset=2, limit=3) == [4, 8, 2]
    assert call(client, "account.move", "search", [], order="amount_total desc, id", offset=7) == [7, 10]


def test_search_puts_empty_values_last_ascending_and_first_descending(client: odoorpc.ODOO) -> None:
    ascending = call(client, "account.move", "search", [], order="invoice_date_due, id")
    descending = call(client, "account.move", "search", [], order="invoice_date_due desc, id")
    assert ascending[-2:] == [4, 8]
    assert descending[:2] == [4, 8]
    assert call(client, "account.move", "search", [], order="invoice_date_due asc nulls first, id")[:2] == [4, 8]


def test_search_orders_a_many2one_by_the_comodel_order(client: odoorpc.ODOO) -> None:
    # res.partner sorts by complete name: Azure, Deco, "Deco Addict, Addison Olson", Nowhere, Old Supplier
    assert call(client, "account.move", "search", [("partner_id", "!=", False)], order="partner_id, id") == \
        [2, 10, 1, 4, 7, 3, 6, 5]
    assert call(client, "account.move", "search", [("partner_id", "!=", False)], order="partner_id desc, id") == \
        [5, 6, 3, 1, 4, 7, 2, 10]


def test_search_with_an_invalid_order_is_a_user_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "account.move", "search", [], order="name; DROP TABLE account_move")
    assert data["name"] == "odoo.exceptions.UserError"
    assert data["message"].startswith('Invalid "order" specified (name; DROP TABLE account_move).')


def test_search_ordered_by_an_unknown_field_is_a_value_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "account.move", "search", [], order="nope desc")
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Invalid field 'nope' on model 'account.move'"


def test_search_count_counts_what_search_finds(client: odoorpc.ODOO) -> None:
    domain = [("state", "=", "posted")]
    assert call(client, "account.move", "search_count", domain) == len(call(client, "account.move", "search", domain))
    assert call(client, "account.move", "search_count", domain, limit=2) == 2
    assert call(client, "account.move", "search_count", domain) == 7


def test_search_has_no_count_parameter_since_odoo_17(client: odoorpc.ODOO) -> None:
    data = failure(client, "account.move", "search", [], count=True)
    assert data["name"] == "builtins.TypeError"
    assert "unexpected keyword argument 'count'" in data["message"]


def test_name_get_still_answers_in_odoo_17(client: odoorpc.ODOO) -> None:
    assert call(client, "res.partner", "name_get", [DECO, ADDISON]) == [[DECO, "Deco Addict"],
                                                                       [ADDISON, "Deco Addict, Addison Olson"]]


def test_search_read_with_classic_write_returns_bare_ids(client: odoorpc.ODOO) -> None:
    rows = call(client, "account.move", "search_read", [("id", "in", [1, 8])], fields=["partner_id"],
                load="_classic_write", order="id")
    assert rows == [{"id": 1, "partner_id": DECO}, {"id": 8, "partner_id": False}]


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"limit": -1}, "psycopg2.errors.InvalidRowCountInLimitClause"),
    ({"offset": -5}, "psycopg2.errors.InvalidRowCountInResultOffsetClause"),
    ({"limit": "ten"}, "psycopg2.errors.InvalidTextRepresentation"),
    ({"limit": 10**30}, "psycopg2.errors.NumericValueOutOfRange"),
])
def test_bad_limits_and_offsets_are_database_errors(client: odoorpc.ODOO, kwargs: dict, name: str) -> None:
    assert failure(client, "account.move", "search", [], **kwargs)["name"] == name


def test_a_huge_limit_is_no_limit(client: odoorpc.ODOO) -> None:
    assert len(call(client, "account.move", "search", [], limit=10**12)) == 9


# -- search_read and read ---------------------------------------------------------------------------
def test_search_read_returns_the_fields_asked_with_the_id(client: odoorpc.ODOO) -> None:
    rows = call(client, "account.move", "search_read", [("move_type", "=", "in_invoice")],
                fields=["name", "partner_id", "invoice_payment_term_id", "amount_residual", "invoice_date_due"],
                order="invoice_date_due asc, id asc")
    assert rows == [
        {"id": 6, "name": "BILL/2026/11/0002", "partner_id": [NOWHERE, "Nowhere Ltd"],
         "invoice_payment_term_id": False, "amount_residual": 99.99, "invoice_date_due": "2026-11-20"},
        {"id": 5, "name": "BILL/2026/11/0001", "partner_id": [OLD, "Old Supplier"],
         "invoice_payment_term_id": [THIRTY_DAYS, "30 Days"], "amount_residual": 620.0,
         "invoice_date_due": "2026-12-10"},
    ]


def test_search_read_of_all_account_move_fields_fails_like_odoo_17(client: odoorpc.ODOO) -> None:
    data = failure(client, "account.move", "search_read", [], limit=1)
    assert data["name"] == "builtins.TypeError"
    assert data["message"] == "keys must be str, int, float, bool or None, not frozendict"


def test_search_read_of_all_fields_works_on_other_models(client: odoorpc.ODOO) -> None:
    rows = call(client, "res.partner", "search_read", [("id", "=", DECO)])
    assert rows[0]["name"] == "Deco Addict"
    assert rows[0]["child_ids"] == [ADDISON, DOUGLAS]
    assert "display_name" in rows[0] and "create_date" in rows[0]


def test_read_returns_records_in_the_order_asked_and_drops_missing_ids(client: odoorpc.ODOO) -> None:
    rows = call(client, "account.move", "read", [3, 999999, 1, 2], fields=["name"])
    assert [r["id"] for r in rows] == [3, 1, 2]
    assert call(client, "account.move", "read", [999999], fields=["name"]) == []


def test_read_an_archived_record(client: odoorpc.ODOO) -> None:
    assert call(client, "res.partner", "read", [OLD], fields=["name", "active"]) == \
        [{"id": OLD, "name": "Old Supplier", "active": False}]


def test_read_values_are_shaped_as_odoo_returns_them(client: odoorpc.ODOO) -> None:
    [order] = call(client, "sale.order", "read", [1], fields=[
        "name", "state", "partner_id", "amount_total", "date_order", "validity_date", "order_line",
        "payment_term_id", "currency_id", "note", "commitment_date", "locked", "invoice_count"])
    assert order == {
        "id": 1, "name": "S00001", "state": "draft", "partner_id": [DECO, "Deco Addict"], "amount_total": 2001.0,
        "date_order": "2026-10-24 23:30:00", "validity_date": "2026-12-24", "order_line": [1],
        "payment_term_id": [THIRTY_DAYS, "30 Days"], "currency_id": [USD, "USD"], "note": False,
        "commitment_date": False, "locked": False, "invoice_count": 0,
    }


def test_empty_numbers_read_as_zero_and_empty_text_as_false(client: odoorpc.ODOO) -> None:
    [term] = call(client, "account.payment.term", "read", [IMMEDIATE],
                  fields=["discount_days", "discount_percentage", "note", "company_id", "line_ids"])
    assert term == {"id": IMMEDIATE, "discount_days": 0, "discount_percentage": 0.0, "note": False,
                    "company_id": False, "line_ids": [1]}


def test_read_with_classic_write_returns_bare_many2one_ids(client: odoorpc.ODOO) -> None:
    rows = call(client, "account.move", "read", [1, 8], fields=["partner_id"], load="_classic_write")
    assert rows == [{"id": 1, "partner_id": DECO}, {"id": 8, "partner_id": False}]


def test_read_of_an_unknown_field_is_a_value_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "account.move", "search_read", [], fields=["name", "no_such_field"], limit=1)
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Invalid field 'no_such_field' on model 'account.move'"


def test_display_names_follow_odoo_17(client: odoorpc.ODOO) -> None:
    rows = call(client, "account.move", "read", [1, 4, 5], fields=["display_name"])
    moves = {r["id"]: r["display_name"] for r in rows}
    assert moves == {1: "INV/2026/00001", 4: "Draft Invoice (* 4)", 5: "BILL/2026/11/0001 (PO-778)"}
    [line] = call(client, "account.move.line", "read", [2], fields=["display_name"])
    assert line["display_name"] == "INV/2026/00001 Chairs"
    [account] = call(client, "account.account", "read", [1], fields=["display_name"])
    assert account["display_name"] == "121000 Account Receivable"
    [contact] = call(client, "res.partner", "read", [ADDISON], fields=["display_name"])
    assert contact["display_name"] == "Deco Addict, Addison Olson"


def test_related_fields_read_through_their_path(client: odoorpc.ODOO) -> None:
    [line] = call(client, "account.move.line", "read", [1], fields=["account_type", "move_type"])
    assert line == {"id": 1, "account_type": "asset_receivable", "move_type": "out_invoice"}


def test_one2many_ids_follow_the_comodel_order(client: odoorpc.ODOO) -> None:
    [partner] = call(client, "res.partner", "read", [AZURE], fields=["child_ids"])
    assert partner["child_ids"] == []  # the only contact is archived
    [move] = call(client, "account.move", "read", [1], fields=["line_ids", "invoice_line_ids"])
    assert move["line_ids"] == [1, 2]
    assert move["invoice_line_ids"] == [2]


# -- metadata ---------------------------------------------------------------------------------------
def test_fields_get_describes_fields_like_odoo(client: odoorpc.ODOO) -> None:
    fields = call(client, "account.move", "fields_get", attributes=["string", "type", "relation", "selection",
                                                                    "required", "readonly", "store"])
    assert fields["partner_id"] == {"string": "Partner", "type": "many2one", "relation": "res.partner",
                                    "required": False, "readonly": False, "store": True}
    assert fields["state"]["selection"] == [["draft", "Draft"], ["posted", "Posted"], ["cancel", "Cancelled"]]
    assert fields["line_ids"]["type"] == "one2many"
    assert fields["amount_total"]["type"] == "monetary"
    assert "matched_payment_ids" not in fields  # an Odoo 18 field


def test_fields_get_of_some_fields_only(client: odoorpc.ODOO) -> None:
    fields = call(client, "res.partner", "fields_get", ["name", "nope"], attributes=["type"])
    assert fields == {"name": {"type": "char"}}


def test_name_search_matches_names_case_insensitively(client: odoorpc.ODOO) -> None:
    assert call(client, "res.partner", "name_search", name="deco", limit=5) == [
        [DECO, "Deco Addict"], [ADDISON, "Deco Addict, Addison Olson"], [DOUGLAS, "Deco Addict, Douglas Fletcher"]]


def test_name_search_with_operator_domain_and_limit(client: odoorpc.ODOO) -> None:
    assert call(client, "res.partner", "name_search", "Deco Addict", operator="=") == [[DECO, "Deco Addict"]]
    assert call(client, "res.partner", "name_search", "deco", args=[("is_company", "=", False)]) == [
        [ADDISON, "Deco Addict, Addison Olson"], [DOUGLAS, "Deco Addict, Douglas Fletcher"]]
    assert len(call(client, "res.partner", "name_search", "", limit=2)) == 2


def test_name_search_on_an_entry_number(client: odoorpc.ODOO) -> None:
    assert call(client, "account.move", "name_search", "BILL/2026/11/0001") == [[5, "BILL/2026/11/0001 (PO-778)"]]


def test_check_access_rights(client: odoorpc.ODOO, server: RunningServer) -> None:
    assert call(client, "account.move", "check_access_rights", "write") is True
    bot = odoo(server, "cashbot")
    assert call(bot, "account.move", "check_access_rights", "read") is True
    assert call(bot, "account.move", "check_access_rights", "write", raise_exception=False) is False
    assert failure(bot, "account.move", "check_access_rights", "write")["name"] == "odoo.exceptions.AccessError"


def test_context_get_gives_the_user_context(client: odoorpc.ODOO) -> None:
    assert call(client, "res.users", "context_get") == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}


def test_exists_keeps_existing_ids(client: odoorpc.ODOO) -> None:
    assert call(client, "account.move", "exists", [1, 999, 2]) == [1, 2]


def test_default_get_gives_defaults(client: odoorpc.ODOO) -> None:
    defaults = call(client, "account.move", "default_get", ["move_type", "state", "company_id", "currency_id"])
    assert defaults == {"move_type": "entry", "state": "draft", "company_id": 1, "currency_id": USD}
