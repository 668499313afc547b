"""Domains mean what they mean in Odoo 17, down to empty values, ``!`` and dotted paths.

Each test states a rule and checks it on the tiny company, whose every value is
known (see tests/test_sandbox_support.py): journal entries 1-10, where entry 8 has
no partner, entries 4 and 8 no due date, entry 9 belongs to the other company,
and partners Deco Addict (with contacts Addison and Douglas), Azure Interior
(with an archived contact), Old Supplier (archived) and Nowhere Ltd (no country).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import odoorpc
import pytest

from tests.test_sandbox_support import (
    ADDISON,
    AZURE,
    DECO,
    DOUGLAS,
    NOWHERE,
    OLD,
    RETIRED,
    build_store,
    odoo,
    serving,
)

ALL_MOVES = [1, 2, 3, 4, 5, 6, 7, 8, 10]
"""Entries the admin sees in its default company (9 belongs to Bluebird Europe)."""


@pytest.fixture(scope="module")
def client() -> Iterator[odoorpc.ODOO]:
    with serving(build_store()) as server:
        yield odoo(server)


def ids(client: odoorpc.ODOO, domain: list[Any], model: str = "account.move", **context: Any) -> list[int]:
    kwargs: dict[str, Any] = {"order": "id"}
    if context:
        kwargs["context"] = context
    return client.execute_kw(model, "search", [domain], kwargs)


def error_of(client: odoorpc.ODOO, domain: list[Any], model: str = "account.move") -> dict[str, Any]:
    with pytest.raises(odoorpc.error.RPCError) as caught:
        client.execute_kw(model, "search", [domain])
    return caught.value.info["data"]


# -- empty values -----------------------------------------------------------------------------------
def test_equal_false_matches_empty_values(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id", "=", False)]) == [8]
    assert ids(client, [("invoice_date_due", "=", False)]) == [4, 8]


def test_not_equal_false_matches_set_values(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id", "!=", False)]) == [1, 2, 3, 4, 5, 6, 7, 10]


def test_not_equal_a_value_keeps_empty_values(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id", "!=", DECO)]) == [2, 3, 5, 6, 8, 10]
    assert ids(client, [("ref", "!=", "PO-778")]) == [1, 2, 3, 4, 6, 7, 8, 10]


def test_in_with_false_includes_empty_values(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id", "in", [AZURE, False])]) == [2, 8, 10]
    assert ids(client, [("partner_id", "in", [AZURE])]) == [2, 10]


def test_not_in_keeps_empty_values_unless_false_is_listed(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id", "not in", [DECO])]) == [2, 3, 5, 6, 8, 10]
    assert ids(client, [("partner_id", "not in", [DECO, False])]) == [2, 3, 5, 6, 10]


def test_empty_in_matches_nothing_and_empty_not_in_everything(client: odoorpc.ODOO) -> None:
    assert ids(client, [("move_type", "in", [])]) == []
    assert ids(client, [("move_type", "not in", [])]) == ALL_MOVES


def test_boolean_false_matches_unset_and_false(client: odoorpc.ODOO) -> None:
    # entry 6 is to check, entry 5 explicitly not, the others never set
    assert ids(client, [("to_check", "=", True)]) == [6]
    assert ids(client, [("to_check", "=", False)]) == [1, 2, 3, 4, 5, 7, 8, 10]
    assert ids(client, [("to_check", "!=", True)]) == [1, 2, 3, 4, 5, 7, 8, 10]
    assert ids(client, [("to_check", "!=", False)]) == [6]
    assert ids(client, [("to_check", "in", [False])]) == [1, 2, 3, 4, 5, 7, 8, 10]
    assert ids(client, [("to_check", "not in", [False])]) == [6]
    assert ids(client, [("to_check", "in", [True, False])]) == ALL_MOVES


def test_comparisons_never_match_empty_values(client: odoorpc.ODOO) -> None:
    assert ids(client, [("invoice_date_due", "<", "2026-11-01")]) == [1, 3, 10]
    assert ids(client, [("invoice_date_due", ">=", "2026-11-01")]) == [2, 5, 6, 7]


def test_equal_question_mark_ignores_false(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id", "=?", False)]) == ALL_MOVES
    assert ids(client, [("partner_id", "=?", DECO)]) == [1, 4, 7]


# -- text -------------------------------------------------------------------------------------------
def test_ilike_is_case_insensitive_and_like_is_not(client: odoorpc.ODOO) -> None:
    assert ids(client, [("name", "ilike", "inv/2026")]) == [1, 2, 3, 7, 10]
    assert ids(client, [("name", "like", "inv/2026")]) == []
    assert ids(client, [("name", "like", "INV/2026")]) == [1, 2, 3, 7, 10]


def test_equal_like_uses_the_pattern_as_given(client: odoorpc.ODOO) -> None:
    assert ids(client, [("name", "=like", "INV/%")]) == [1, 2, 3, 10]
    assert ids(client, [("name", "=ilike", "inv/2026/0000_")]) == [1, 2, 3, 10]
    assert ids(client, [("name", "=like", "INV")]) == []


def test_not_ilike_keeps_empty_values(client: odoorpc.ODOO) -> None:
    assert ids(client, [("name", "not ilike", "inv")]) == [4, 5, 6, 8]
    assert ids(client, [("ref", "not ilike", "po")]) == [1, 2, 3, 4, 6, 7, 8, 10]


def test_ilike_on_an_empty_string_matches_everything_even_empty_values(client: odoorpc.ODOO) -> None:
    assert ids(client, [("ref", "ilike", "")]) == ALL_MOVES
    assert ids(client, [("ref", "not ilike", "")]) == [1, 2, 3, 4, 6, 7, 8, 10]


def test_ilike_folds_non_ascii_letters(client: odoorpc.ODOO) -> None:
    assert ids(client, [("symbol", "ilike", "€")], model="res.currency") == [2]
    assert ids(client, [("full_name", "ilike", "EURO")], model="res.currency") == [2]


def test_ilike_works_on_numbers_and_dates_as_text(client: odoorpc.ODOO) -> None:
    assert ids(client, [("amount_total", "ilike", "250.5")]) == [2]
    assert ids(client, [("invoice_date", "ilike", "2026-09")]) == [3]


# -- ! & | -----------------------------------------------------------------------------------------
def test_not_of_an_equality_is_the_inequality_and_keeps_empty_values(client: odoorpc.ODOO) -> None:
    assert ids(client, ["!", ("partner_id", "=", DECO)]) == ids(client, [("partner_id", "!=", DECO)])
    assert 8 in ids(client, ["!", ("partner_id", "=", DECO)])


def test_not_of_a_comparison_does_not_bring_back_empty_values(client: odoorpc.ODOO) -> None:
    assert ids(client, ["!", ("invoice_date_due", "<", "2026-11-01")]) == [2, 5, 6, 7]


def test_not_distributes_over_and_and_or(client: odoorpc.ODOO) -> None:
    a, b = ("move_type", "=", "out_invoice"), ("state", "=", "posted")
    assert ids(client, ["!", "&", a, b]) == ids(client, ["|", "!", a, "!", b])
    assert ids(client, ["!", "|", a, b]) == ids(client, ["&", "!", a, "!", b])
    assert ids(client, ["!", "!", a]) == ids(client, [a])


def test_implicit_and_and_explicit_or(client: odoorpc.ODOO) -> None:
    assert ids(client, [("move_type", "=", "out_invoice"), ("state", "=", "posted")]) == [1, 2, 3]
    assert ids(client, ["|", ("move_type", "=", "in_invoice"), ("move_type", "=", "entry")]) == [5, 6, 8]
    assert ids(client, ["|", ("name", "=", "/"), "&", ("move_type", "=", "out_refund"),
                        ("state", "=", "posted")]) == [4, 7]


def test_true_and_false_leaves(client: odoorpc.ODOO) -> None:
    assert ids(client, [(1, "=", 1)]) == ALL_MOVES
    assert ids(client, [(0, "=", 1)]) == []
    assert ids(client, ["!", (0, "=", 1)]) == ALL_MOVES


def test_not_of_a_dotted_path_stays_a_sql_not_and_skips_empty_values(client: odoorpc.ODOO) -> None:
    belgian = ids(client, [("partner_id.country_id.code", "=", "BE")])
    assert belgian == [1, 3, 4, 7]
    assert ids(client, ["!", ("partner_id.country_id.code", "=", "BE")]) == [2, 5, 6, 10]


# -- paths and relational operators ------------------------------------------------------------------
def test_dotted_paths_follow_many2one_fields(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id.country_id.code", "=", "US")]) == [2, 10]
    assert ids(client, [("partner_id.parent_id", "=", DECO)]) == [3]
    assert ids(client, [("journal_id.type", "=", "purchase")]) == [5, 6]


def test_many2one_paths_also_match_archived_targets(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id.country_id.code", "=", "FR")]) == [5]
    assert ids(client, [("partner_id.active", "=", False)]) == [5]


def test_dotted_paths_follow_one2many_fields(client: odoorpc.ODOO) -> None:
    assert ids(client, [("line_ids.account_id.code", "=", "211000")]) == [5, 6]
    assert ids(client, [("line_ids.balance", ">", 900)]) == [1]


def test_any_and_not_any_on_a_many2one(client: odoorpc.ODOO) -> None:
    us = [("country_id.code", "=", "US")]
    assert ids(client, [("partner_id", "any", us)]) == [2, 10]
    assert ids(client, [("partner_id", "not any", us)]) == [1, 3, 4, 5, 6, 7, 8]


def test_any_on_a_one2many_skips_archived_lines(client: odoorpc.ODOO) -> None:
    partners = "res.partner"
    assert ids(client, [("child_ids.name", "ilike", "retired")], model=partners) == []
    assert ids(client, [("child_ids", "any", [("active", "=", False)])], model=partners) == [AZURE]
    assert ids(client, [("child_ids", "any", [("name", "ilike", "olson")])], model=partners) == [DECO]


def test_one2many_equal_false_means_without_any_line_even_archived(client: odoorpc.ODOO) -> None:
    with_children = ids(client, [("child_ids", "!=", False)], model="res.partner")
    assert with_children == [DECO, AZURE]
    everyone = ids(client, [], model="res.partner")
    assert ids(client, [("child_ids", "=", False)], model="res.partner") == sorted(set(everyone) - {DECO, AZURE})


def test_x2many_compared_to_ids(client: odoorpc.ODOO) -> None:
    assert ids(client, [("line_ids", "in", [1, 4])]) == [1, 2]
    assert ids(client, [("line_ids", "not in", [1, 2])]) == [2, 3, 4, 5, 6, 7, 8, 10]
    assert ids(client, [("line_ids", "=", 3)]) == [2]


def test_many2one_compared_to_a_name_searches_by_name(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id", "=", "Deco Addict")]) == [1, 4, 7]
    assert ids(client, [("partner_id", "ilike", "deco")]) == [1, 3, 4, 7]
    assert ids(client, [("partner_id", "in", ["Azure Interior", "Nowhere Ltd"])]) == [2, 6, 10]
    assert ids(client, [("partner_id", "not ilike", "deco")]) == [2, 5, 6, 8, 10]


def test_child_of_and_parent_of(client: odoorpc.ODOO) -> None:
    assert ids(client, [("partner_id", "child_of", DECO)]) == [1, 3, 4, 7]
    assert ids(client, [("partner_id", "child_of", "Deco Addict")]) == [1, 3, 4, 7]
    assert ids(client, [("id", "child_of", [DECO])], model="res.partner") == [DECO, ADDISON, DOUGLAS]
    assert ids(client, [("id", "parent_of", ADDISON)], model="res.partner") == [DECO, ADDISON]
    assert ids(client, [("child_ids", "child_of", ADDISON)], model="res.partner") == [DECO]


def test_related_fields_are_searched_through_their_path(client: odoorpc.ODOO) -> None:
    income = ids(client, [("account_type", "=", "income")], model="account.move.line")
    by_path = ids(client, [("account_id.account_type", "=", "income")], model="account.move.line")
    assert income == by_path == [2, 4, 6, 8, 14, 20]
    assert ids(client, [("move_type", "=", "in_invoice")], model="account.move.line") == [9, 10, 11, 12]


def test_display_name_searches_what_name_search_searches(client: odoorpc.ODOO) -> None:
    assert ids(client, [("display_name", "ilike", "deco addict")], model="res.partner") == [DECO, ADDISON, DOUGLAS]
    assert ids(client, [("display_name", "=", "Bank")], model="account.journal") == [3]
    assert ids(client, [("display_name", "ilike", "BNK1")], model="account.journal") == [3]


# -- dates ------------------------------------------------------------------------------------------
def test_datetime_compared_to_a_date_covers_the_whole_day(client: odoorpc.ODOO) -> None:
    orders = "sale.order"
    assert ids(client, [("date_order", ">", "2026-11-03")], model=orders) == [4]
    assert ids(client, [("date_order", ">=", "2026-11-03")], model=orders) == [2, 4]
    assert ids(client, [("date_order", "<=", "2026-11-03")], model=orders) == [1, 2, 3]
    assert ids(client, [("date_order", "<", "2026-11-03")], model=orders) == [1, 3]


def test_dates_compare_as_dates(client: odoorpc.ODOO) -> None:
    assert ids(client, [("invoice_date", "=", "2026-11-02")]) == [2]
    assert ids(client, [("invoice_date", ">", "2026-11-05"), ("invoice_date", "<=", "2026-11-20")]) == [5, 6]


# -- archived records and companies -----------------------------------------------------------------
def test_archived_records_are_hidden_unless_the_domain_mentions_active(client: odoorpc.ODOO) -> None:
    visible = ids(client, [], model="res.partner")
    assert OLD not in visible and RETIRED not in visible
    assert ids(client, [("active", "=", False)], model="res.partner") == [OLD, RETIRED]
    assert {OLD, RETIRED} <= set(ids(client, [("active", "in", [True, False])], model="res.partner"))


def test_active_test_false_in_the_context_shows_archived_records(client: odoorpc.ODOO) -> None:
    assert {OLD, RETIRED} <= set(ids(client, [], model="res.partner", active_test=False))


def test_other_company_records_need_allowed_company_ids(client: odoorpc.ODOO) -> None:
    assert 9 not in ids(client, [])
    assert ids(client, [], allowed_company_ids=[1, 2]) == [*ALL_MOVES[:8], 9, 10]
    assert ids(client, [], allowed_company_ids=[2]) == [9]


def test_records_without_company_are_shared(client: odoorpc.ODOO) -> None:
    assert NOWHERE in ids(client, [], model="res.partner", allowed_company_ids=[2])


def test_an_unauthorized_company_is_an_access_error(client: odoorpc.ODOO) -> None:
    with pytest.raises(odoorpc.error.RPCError) as caught:
        client.execute_kw("account.move", "search", [[]], {"context": {"allowed_company_ids": [3]}})
    assert caught.value.info["data"]["name"] == "odoo.exceptions.AccessError"
    assert caught.value.info["data"]["message"] == "Access to unauthorized or invalid companies."


# -- invalid domains --------------------------------------------------------------------------------
def test_unknown_field_is_a_value_error_naming_the_leaf(client: odoorpc.ODOO) -> None:
    data = error_of(client, [("no_such_field", "=", 1)])
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Invalid field account.move.no_such_field in leaf ('no_such_field', '=', 1)"


def test_unknown_field_at_the_end_of_a_path_names_the_comodel(client: odoorpc.ODOO) -> None:
    data = error_of(client, [("partner_id.nope", "=", 1)])
    assert data["message"] == "Invalid field res.partner.nope in leaf ('nope', '=', 1)"


@pytest.mark.parametrize("leaf", [("name", "ILIKE", "x"), ("name", "contains", "x"), ("name", "=", "x", "y")])
def test_unknown_operators_and_malformed_leaves_are_invalid_leaves(client: odoorpc.ODOO, leaf: tuple) -> None:
    data = error_of(client, [leaf])
    assert data["name"] == "builtins.ValueError"
    assert data["message"].startswith("Invalid leaf")


def test_a_domain_missing_operands_is_syntactically_not_correct(client: odoorpc.ODOO) -> None:
    data = error_of(client, ["&", ("name", "=", "x")])
    assert data["name"] == "builtins.ValueError"
    assert data["message"].endswith("is syntactically not correct.")


def test_a_bad_date_is_a_value_error(client: odoorpc.ODOO) -> None:
    data = error_of(client, [("invoice_date", "=", "24/11/2026")])
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "time data '24/11/2026' does not match format '%Y-%m-%d'"


def test_a_bad_number_is_a_value_error(client: odoorpc.ODOO) -> None:
    data = error_of(client, [("amount_total", ">", "lots")])
    assert data["name"] == "builtins.ValueError"
