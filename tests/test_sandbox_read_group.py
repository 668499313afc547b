"""``read_group`` groups, sums, counts, labels and ranges exactly as Odoo 17 does.

Journal entries of the tiny company (company 1): see tests/test_sandbox_support.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import odoorpc
import pytest

from sandbox.read_group import us_week
from tests.test_sandbox_support import ADDISON, AZURE, DECO, NOWHERE, OLD, build_store, odoo, serving

INVOICES_POSTED = [("move_type", "in", ["out_invoice", "in_invoice"]), ("state", "=", "posted")]


@pytest.fixture(scope="module")
def client() -> Iterator[odoorpc.ODOO]:
    with serving(build_store()) as server:
        yield odoo(server)


def read_group(client: odoorpc.ODOO, domain: list[Any], fields: list[str], groupby: list[str] | str,
               model: str = "account.move", **kwargs: Any) -> list[dict[str, Any]]:
    return client.execute_kw(model, "read_group", [domain, fields, groupby], kwargs)


def test_group_by_partner_not_lazy_sums_and_counts(client: odoorpc.ODOO) -> None:
    groups = read_group(client, INVOICES_POSTED, ["amount_residual:sum", "amount_total:sum"], ["partner_id"],
                        lazy=False)
    domain = ["&", "&", ["move_type", "in", ["out_invoice", "in_invoice"]], ["state", "=", "posted"]]
    assert groups == [
        {"partner_id": [AZURE, "Azure Interior"], "__count": 1, "amount_residual": 100.25, "amount_total": 250.5,
         "__domain": [*domain, ["partner_id", "=", AZURE]]},
        {"partner_id": [DECO, "Deco Addict"], "__count": 1, "amount_residual": 1000.0, "amount_total": 1000.0,
         "__domain": [*domain, ["partner_id", "=", DECO]]},
        {"partner_id": [ADDISON, "Deco Addict, Addison Olson"], "__count": 1, "amount_residual": 0.0,
         "amount_total": 80.0, "__domain": [*domain, ["partner_id", "=", ADDISON]]},
        {"partner_id": [NOWHERE, "Nowhere Ltd"], "__count": 1, "amount_residual": 99.99, "amount_total": 99.99,
         "__domain": [*domain, ["partner_id", "=", NOWHERE]]},
        {"partner_id": [OLD, "Old Supplier"], "__count": 1, "amount_residual": 620.0, "amount_total": 620.0,
         "__domain": [*domain, ["partner_id", "=", OLD]]},
    ]


def test_lazy_grouping_groups_by_the_first_field_and_passes_the_rest_on(client: odoorpc.ODOO) -> None:
    groups = read_group(client, [], ["amount_total:sum"], ["move_type", "invoice_date_due:month"], lazy=True)
    assert groups == [
        {"move_type": "entry", "move_type_count": 1, "amount_total": 300.0,
         "__domain": [["move_type", "=", "entry"]], "__context": {"group_by": ["invoice_date_due:month"]}},
        {"move_type": "in_invoice", "move_type_count": 2, "amount_total": 719.99,
         "__domain": [["move_type", "=", "in_invoice"]], "__context": {"group_by": ["invoice_date_due:month"]}},
        {"move_type": "out_invoice", "move_type_count": 5, "amount_total": 1740.5,
         "__domain": [["move_type", "=", "out_invoice"]], "__context": {"group_by": ["invoice_date_due:month"]}},
        {"move_type": "out_refund", "move_type_count": 1, "amount_total": 50.0,
         "__domain": [["move_type", "=", "out_refund"]], "__context": {"group_by": ["invoice_date_due:month"]}},
    ]


def test_group_by_month_labels_ranges_and_an_empty_group_last(client: odoorpc.ODOO) -> None:
    groups = read_group(client, [], ["amount_total:sum"], ["invoice_date_due:month"], lazy=False)
    key = "invoice_date_due:month"
    assert [(g[key], g["__count"], g["amount_total"]) for g in groups] == [
        ("August 2026", 1, 10.0), ("September 2026", 1, 80.0), ("October 2026", 1, 1000.0),
        ("November 2026", 2, 149.99), ("December 2026", 2, 870.5), (False, 2, 700.0)]
    november = groups[3]
    assert november["__range"] == {key: {"from": "2026-11-01", "to": "2026-12-01"}}
    assert november["__domain"] == ["&", ["invoice_date_due", ">=", "2026-11-01"],
                                    ["invoice_date_due", "<", "2026-12-01"]]
    assert groups[-1]["__range"] == {key: False}
    assert groups[-1]["__domain"] == [["invoice_date_due", "=", False]]


@pytest.mark.parametrize(("granularity", "label", "start", "end"), [
    ("day", "20 Nov 2026", "2026-11-20", "2026-11-21"),
    ("week", "W47 2026", "2026-11-16", "2026-11-23"),
    ("month", "November 2026", "2026-11-01", "2026-12-01"),
    ("quarter", "Q4 2026", "2026-10-01", "2027-01-01"),
    ("year", "2026", "2026-01-01", "2027-01-01"),
])
def test_date_granularities(client: odoorpc.ODOO, granularity: str, label: str, start: str, end: str) -> None:
    key = f"invoice_date_due:{granularity}"
    [group] = read_group(client, [("id", "=", 6)], ["amount_total:sum"], [key], lazy=False)
    assert group[key] == label
    assert group["__range"] == {key: {"from": start, "to": end}}


def test_week_labels_follow_us_week_numbers_across_years() -> None:
    assert us_week(dt.date(2026, 12, 28)) == (2027, 1)  # ISO would say W53 2026
    assert us_week(dt.date(2026, 11, 16)) == (2026, 47)
    assert us_week(dt.date(2027, 1, 4)) == (2027, 2)


def test_datetimes_are_grouped_in_the_users_timezone(client: odoorpc.ODOO) -> None:
    # S00001 was ordered 2026-10-24 23:30 UTC, that is 01:30 on the 25th in Brussels
    local = read_group(client, [("id", "=", 1)], [], ["date_order:day"], model="sale.order", lazy=False,
                       context={"tz": "Europe/Brussels"})
    assert local[0]["date_order:day"] == "25 Oct 2026"
    assert local[0]["__range"] == {"date_order:day": {"from": "2026-10-24 22:00:00", "to": "2026-10-25 23:00:00"}}
    utc = read_group(client, [("id", "=", 1)], [], ["date_order:day"], model="sale.order", lazy=False)
    assert utc[0]["date_order:day"] == "24 Oct 2026"
    assert utc[0]["__range"] == {"date_order:day": {"from": "2026-10-24 00:00:00", "to": "2026-10-25 00:00:00"}}


def test_two_groupbys_not_lazy(client: odoorpc.ODOO) -> None:
    groups = read_group(client, [("move_type", "=", "out_invoice")], ["amount_total"], ["state", "partner_id"],
                        lazy=False)
    assert [(g["state"], g["partner_id"] and g["partner_id"][0], g["__count"]) for g in groups] == [
        ("cancel", AZURE, 1), ("draft", DECO, 1), ("posted", AZURE, 1), ("posted", DECO, 1), ("posted", ADDISON, 1)]
    assert groups[0]["__domain"] == ["&", "&", ["move_type", "=", "out_invoice"], ["state", "=", "cancel"],
                                     ["partner_id", "=", AZURE]]


def test_fields_without_aggregate_use_the_field_aggregator(client: odoorpc.ODOO) -> None:
    [group] = read_group(client, [("move_type", "=", "in_invoice")], ["amount_total", "name"], [], lazy=False)
    assert group == {"__count": 2, "amount_total": 719.99, "__domain": [["move_type", "=", "in_invoice"]]}


def test_named_aggregates(client: odoorpc.ODOO) -> None:
    [group] = read_group(client, [("move_type", "=", "out_invoice")],
                         ["biggest:max(amount_total)", "partners:count_distinct(partner_id)", "amount_total:avg"],
                         [], lazy=False)
    assert group["biggest"] == 1000.0
    assert group["partners"] == 3
    assert group["amount_total"] == pytest.approx(348.1)


def test_orderby_limit_and_offset_apply_to_groups(client: odoorpc.ODOO) -> None:
    groups = read_group(client, [], ["amount_total:sum"], ["move_type"], orderby="amount_total desc", lazy=False)
    assert [g["move_type"] for g in groups] == ["out_invoice", "in_invoice", "entry", "out_refund"]
    page = read_group(client, [], ["amount_total:sum"], ["move_type"], orderby="__count desc, move_type",
                      limit=2, offset=1, lazy=False)
    assert [g["move_type"] for g in page] == ["in_invoice", "entry"]


def test_group_by_a_boolean_and_an_empty_many2one(client: odoorpc.ODOO) -> None:
    by_flag = read_group(client, [], [], ["to_check"], lazy=False)
    assert [(g["to_check"], g["__count"]) for g in by_flag] == [(False, 1), (True, 1), (False, 7)]
    by_partner = read_group(client, [], [], ["partner_id"], lazy=False)
    assert by_partner[-1]["partner_id"] is False
    assert by_partner[-1]["__domain"] == [["partner_id", "=", False]]


def test_group_sums_match_the_sum_of_the_records(client: odoorpc.ODOO) -> None:
    rows = client.execute_kw("account.move.line", "search_read", [[]], {"fields": ["account_id", "balance"]})
    expected: dict[int, float] = {}
    for row in rows:
        expected[row["account_id"][0]] = expected.get(row["account_id"][0], 0.0) + row["balance"]
    groups = read_group(client, [], ["balance:sum"], ["account_id"], model="account.move.line", lazy=False)
    assert {g["account_id"][0]: round(g["balance"], 2) for g in groups} == \
        {k: round(v, 2) for k, v in expected.items()}


@pytest.mark.parametrize(("fields", "groupby", "message"), [
    (["amount_total:sum"], ["nope"], "Invalid field 'nope' on model 'account.move'"),
    (["nope:sum"], ["move_type"], "Invalid field 'nope' on model 'account.move'"),
    (["amount_total:sum"], ["invoice_date:fortnight"], "Invalid granularity"),
    (["amount_total:median"], ["move_type"], "Invalid aggregation function"),
])
def test_invalid_groupbys_and_aggregates_are_value_errors(client: odoorpc.ODOO, fields: list[str],
                                                          groupby: list[str], message: str) -> None:
    with pytest.raises(odoorpc.error.RPCError) as caught:
        read_group(client, [], fields, groupby)
    assert caught.value.info["data"]["name"] == "builtins.ValueError"
    assert caught.value.info["data"]["message"].startswith(message)
