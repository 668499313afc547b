"""create / write / unlink work where Odoo lets them, and refuse with Odoo's errors where it does not.

Each test gets a sandbox of its own (the tiny company), so writes never leak between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import odoorpc
import pytest

from sandbox.server import RunningServer
from tests.test_sandbox_support import (
    AZURE,
    DECO,
    INCOME,
    NOWHERE,
    SALES_J,
    USD,
    build_store,
    call,
    failure,
    odoo,
    serving,
)


@pytest.fixture
def server() -> Iterator[RunningServer]:
    with serving(build_store()) as running:
        yield running


@pytest.fixture
def client(server: RunningServer) -> odoorpc.ODOO:
    return odoo(server)




# -- create -----------------------------------------------------------------------------------------
def test_create_one_record_returns_its_id_and_a_list_returns_ids(client: odoorpc.ODOO) -> None:
    one = call(client, "res.partner", "create", {"name": "Lumber Inc", "is_company": True})
    assert isinstance(one, int)
    many = call(client, "res.partner", "create", [{"name": "A"}, {"name": "B"}])
    assert isinstance(many, list) and len(many) == 2
    assert call(client, "res.partner", "create", []) == []
    [partner] = call(client, "res.partner", "read", [one], fields=["name", "is_company", "active", "display_name"])
    assert partner == {"id": one, "name": "Lumber Inc", "is_company": True, "active": True,
                       "display_name": "Lumber Inc"}


def test_create_fills_defaults_and_log_fields(client: odoorpc.ODOO) -> None:
    move = call(client, "account.move", "create", {"move_type": "out_invoice", "partner_id": DECO,
                                                   "journal_id": SALES_J})
    [row] = call(client, "account.move", "read", [move], fields=[
        "state", "name", "date", "company_id", "currency_id", "create_uid", "display_name", "payment_state"])
    assert row["state"] == "draft"
    assert row["name"] == "/"
    assert row["date"] == "2026-11-24"  # the sandbox's today
    assert row["company_id"][0] == 1 and row["currency_id"] == [USD, "USD"]
    assert row["create_uid"][0] == 2
    assert row["display_name"] == f"Draft Invoice (* {move})"
    assert row["payment_state"] == "not_paid"


def test_create_honours_default_values_from_the_context(client: odoorpc.ODOO) -> None:
    move = call(client, "account.move", "create", {"partner_id": DECO, "journal_id": SALES_J},
                context={"default_move_type": "in_invoice"})
    assert call(client, "account.move", "read", [move], fields=["move_type"])[0]["move_type"] == "in_invoice"


def test_create_with_one2many_commands_creates_the_lines(client: odoorpc.ODOO) -> None:
    order = call(client, "sale.order", "create", {"partner_id": AZURE, "order_line": [
        (0, 0, {"name": "Desk", "product_uom_qty": 2, "price_unit": 150.0}),
        (0, 0, {"name": "Lamp", "price_unit": 30.0}),
    ]})
    [row] = call(client, "sale.order", "read", [order], fields=["order_line", "partner_invoice_id", "name", "state"])
    assert len(row["order_line"]) == 2
    assert row["partner_invoice_id"][0] == AZURE
    assert row["state"] == "draft"
    lines = call(client, "sale.order.line", "read", row["order_line"], fields=["name", "product_uom_qty", "order_id"])
    assert [(line["name"], line["product_uom_qty"], line["order_id"][0]) for line in lines] == \
        [("Desk", 2.0, order), ("Lamp", 1.0, order)]


def test_many2many_commands_link_unlink_and_replace(client: odoorpc.ODOO) -> None:
    message = call(client, "mail.message", "create", {"model": "res.partner", "res_id": DECO, "body": "<p>hi</p>",
                                                      "partner_ids": [(6, 0, [DECO, AZURE])]})

    def read() -> list[int]:
        return call(client, "mail.message", "read", [message], fields=["partner_ids"])[0]["partner_ids"]

    assert read() == [AZURE, DECO]  # in the comodel's order (partners by name)
    call(client, "mail.message", "write", [message], {"partner_ids": [(3, AZURE, 0)]})
    assert read() == [DECO]
    call(client, "mail.message", "write", [message], {"partner_ids": [(4, NOWHERE, 0)]})
    assert read() == [DECO, NOWHERE]
    call(client, "mail.message", "write", [message], {"partner_ids": [(5, 0, 0)]})
    assert read() == []


def test_create_without_a_required_field_is_a_validation_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "sale.order", "create", {"note": "no customer"})
    assert data["name"] == "odoo.exceptions.ValidationError"
    assert data["message"] == (
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
        "Model: Sales Order (sale.order)\nField: Customer (partner_id)\n")


def test_create_with_an_unknown_field_is_a_value_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "res.partner", "create", {"name": "X", "shoe_size": 44})
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Invalid field 'shoe_size' on model 'res.partner'"


def test_create_with_a_missing_many2one_target_is_a_validation_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "sale.order", "create", {"partner_id": 424242})
    assert data["name"] == "odoo.exceptions.ValidationError"
    assert "Constraint: sale_order_partner_id_fkey" in data["message"]


def test_a_failed_call_writes_nothing(client: odoorpc.ODOO) -> None:
    before = call(client, "sale.order", "search_count", [])
    failure(client, "sale.order", "create", [{"partner_id": DECO}, {"note": "no customer"}])
    assert call(client, "sale.order", "search_count", []) == before


# -- write ------------------------------------------------------------------------------------------
def test_write_changes_values_and_returns_true(client: odoorpc.ODOO) -> None:
    assert call(client, "res.partner", "write", [DECO, AZURE], {"phone": "+32 2 555 00 00"}) is True
    rows = call(client, "res.partner", "read", [DECO, AZURE], fields=["phone", "write_uid"])
    assert {r["phone"] for r in rows} == {"+32 2 555 00 00"}
    assert call(client, "res.partner", "write", [DECO], {"phone": False}) is True
    assert call(client, "res.partner", "read", [DECO], fields=["phone"])[0]["phone"] is False


def test_write_of_a_bad_selection_value_is_a_value_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "sale.order", "write", [1], {"state": "not_a_state"})
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Wrong value for sale.order.state: 'not_a_state'"


def test_write_of_a_bad_date_is_a_value_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "sale.order", "write", [1], {"validity_date": "next tuesday"})
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "time data 'next tuesday' does not match format '%Y-%m-%d'"


def test_write_on_a_missing_record_is_a_missing_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "res.partner", "write", [999999], {"name": "ghost"})
    assert data["name"] == "odoo.exceptions.MissingError"
    assert data["message"] == "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)"


def test_a_posted_entry_refuses_changes_to_its_accounting_fields(client: odoorpc.ODOO) -> None:
    data = failure(client, "account.move", "write", [1], {"partner_id": AZURE})
    assert data["name"] == "odoo.exceptions.UserError"
    assert call(client, "account.move", "write", [1], {"ref": "customer PO 17"}) is True


def test_a_recursive_partner_hierarchy_is_a_validation_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "res.partner", "write", [AZURE], {"parent_id": AZURE})
    assert data["name"] == "odoo.exceptions.ValidationError"
    assert data["message"] == "You cannot create recursive Partner hierarchies."


def test_renaming_a_company_renames_its_contacts_display_names(client: odoorpc.ODOO) -> None:
    call(client, "res.partner", "write", [DECO], {"name": "Deco Addicts"})
    [contact] = call(client, "res.partner", "name_search", "Olson")
    assert contact[1] == "Deco Addicts, Addison Olson"


# -- unlink -----------------------------------------------------------------------------------------
def test_unlink_of_a_posted_entry_is_refused(client: odoorpc.ODOO) -> None:
    data = failure(client, "account.move", "unlink", [1])
    assert data["name"] == "odoo.exceptions.UserError"
    assert data["message"] == ("You can't delete a posted journal item. Don’t play games with your accounting "
                               "records; reset the journal entry to draft before deleting it.")
    assert call(client, "account.move", "search_count", [("id", "=", 1)]) == 1


def test_unlink_of_a_draft_entry_deletes_it_and_its_lines(client: odoorpc.ODOO) -> None:
    lines = call(client, "account.move", "read", [4], fields=["line_ids"])[0]["line_ids"]
    assert call(client, "account.move", "unlink", [4]) is True
    assert call(client, "account.move", "read", [4], fields=["name"]) == []
    assert call(client, "account.move.line", "search", [("id", "in", lines)]) == []


def test_unlink_of_a_confirmed_sales_order_is_refused_but_a_quotation_goes(client: odoorpc.ODOO) -> None:
    data = failure(client, "sale.order", "unlink", [2])
    assert data["name"] == "odoo.exceptions.UserError"
    assert data["message"] == ("You can not delete a sent quotation or a confirmed sales order. "
                               "You must first cancel it.")
    assert call(client, "sale.order", "unlink", [1]) is True
    assert call(client, "sale.order", "unlink", [4]) is True  # cancelled


def test_unlink_of_a_confirmed_purchase_order_is_refused(client: odoorpc.ODOO) -> None:
    data = failure(client, "purchase.order", "unlink", [1])
    assert data["message"] == "In order to delete a purchase order, you must cancel it first."
    assert call(client, "purchase.order", "unlink", [2]) is True


def test_unlink_of_a_partner_with_journal_items_is_refused(client: odoorpc.ODOO) -> None:
    data = failure(client, "res.partner", "unlink", [DECO])
    assert data["name"] == "odoo.exceptions.ValidationError"
    assert "Constraint: account_move_line_partner_id_fkey" in data["message"]


# -- chatter and activities -------------------------------------------------------------------------
def test_message_post_adds_a_note_to_the_chatter(client: odoorpc.ODOO) -> None:
    message = call(client, "account.move", "message_post", [1], body="<p>Reminder sent</p>",
                   message_type="comment", subtype_xmlid="mail.mt_note")
    assert isinstance(message, int)
    [row] = call(client, "mail.message", "read", [message], fields=["model", "res_id", "body", "message_type",
                                                                    "author_id", "record_name"])
    assert row["model"] == "account.move" and row["res_id"] == 1
    assert row["body"] == "<p>Reminder sent</p>"
    assert row["message_type"] == "comment"
    assert row["author_id"][1] == "Mitchell Admin"
    assert row["record_name"] == "INV/2026/00001"
    assert call(client, "account.move", "read", [1], fields=["message_ids"])[0]["message_ids"] == [message]


def test_message_post_needs_a_single_record(client: odoorpc.ODOO) -> None:
    assert failure(client, "account.move", "message_post", [1, 2], body="x")["name"] == "builtins.ValueError"


def test_activity_schedule_creates_an_activity_on_the_record(client: odoorpc.ODOO) -> None:
    [activity] = call(client, "account.move", "activity_schedule", [1], act_type_xmlid="mail.mail_activity_data_call",
                      summary="Call about INV/2026/00001", date_deadline="2026-11-30", user_id=7)
    [row] = call(client, "mail.activity", "read", [activity], fields=[
        "res_model", "res_id", "summary", "date_deadline", "activity_type_id", "user_id", "state", "res_name"])
    assert row["res_model"] == "account.move" and row["res_id"] == 1
    assert row["summary"] == "Call about INV/2026/00001"
    assert row["activity_type_id"][1] == "Call"
    assert row["user_id"][0] == 7
    assert row["state"] == "planned"
    assert row["res_name"] == "INV/2026/00001"
    assert call(client, "account.move", "read", [1], fields=["activity_ids"])[0]["activity_ids"] == [activity]
    # the activity belongs to the entry only, not to a partner that happens to have the same id
    assert call(client, "res.partner", "read", [1], fields=["activity_ids"])[0]["activity_ids"] == []


def test_activity_schedule_with_an_unknown_type_is_a_value_error(client: odoorpc.ODOO) -> None:
    data = failure(client, "account.move", "activity_schedule", [1], act_type_xmlid="mail.nope")
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "External ID not found in the system: mail.nope"


def test_payment_create_makes_a_draft_entry(client: odoorpc.ODOO) -> None:
    payment = call(client, "account.payment", "create", {"payment_type": "inbound", "partner_type": "customer",
                                                         "partner_id": DECO, "amount": 400.0, "ref": "INV/2026/00001"})
    [row] = call(client, "account.payment", "read", [payment], fields=["state", "date", "journal_id", "move_id",
                                                                        "amount", "destination_account_id"])
    assert row["state"] == "draft"
    assert row["journal_id"][1] == "Bank"
    assert row["destination_account_id"][1] == "121000 Account Receivable"
    lines = call(client, "account.move.line", "search_read", [("payment_id", "=", payment)],
                 fields=["balance", "account_id"], order="balance desc")
    assert [line["balance"] for line in lines] == [400.0, -400.0]


def test_invoice_lines_can_be_added_to_a_draft_invoice(client: odoorpc.ODOO) -> None:
    call(client, "account.move", "write", [4], {"invoice_line_ids": [
        (0, 0, {"name": "Extra chairs", "account_id": INCOME, "quantity": 2, "price_unit": 20.0,
                "display_type": "product"})]})
    lines = call(client, "account.move", "read", [4], fields=["invoice_line_ids"])[0]["invoice_line_ids"]
    assert len(lines) == 2


# -- on the demo company ----------------------------------------------------------------------------
def test_the_demo_company_accepts_what_the_product_writes(fresh_sandbox: RunningServer) -> None:
    admin = odoo(fresh_sandbox)
    [invoice] = call(admin, "account.move", "search_read", [("move_type", "=", "out_invoice"),
                                                            ("state", "=", "posted"),
                                                            ("payment_state", "=", "not_paid")],
                     fields=["partner_id", "amount_residual", "name"], limit=1, order="invoice_date_due, id")
    message = call(admin, "account.move", "message_post", [invoice["id"]], body="<p>Dunning letter sent</p>",
                   subtype_xmlid="mail.mt_note")
    [activity] = call(admin, "account.move", "activity_schedule", [invoice["id"]],
                      act_type_xmlid="mail.mail_activity_data_todo", summary="Follow up")
    payment = call(admin, "account.payment", "create", {
        "payment_type": "inbound", "partner_type": "customer", "partner_id": invoice["partner_id"][0],
        "amount": invoice["amount_residual"], "ref": invoice["name"]})
    [row] = call(admin, "account.move", "read", [invoice["id"]], fields=["message_ids", "activity_ids"])
    assert message in row["message_ids"] and row["activity_ids"] == [activity]
    assert call(admin, "account.payment", "read", [payment], fields=["state"])[0]["state"] == "draft"
    assert failure(admin, "account.move", "unlink", [invoice["id"]])["name"] == "odoo.exceptions.UserError"
    bot = odoo(fresh_sandbox, "cashbot")
    assert failure(bot, "account.move", "write", [invoice["id"]], {"ref": "x"})["name"] == \
        "odoo.exceptions.AccessError"
