"""Invariants that hold on the demo company whatever its data: counts, set algebra, joins, sums, order.

These run on the shared demo sandbox (``sandbox`` fixture) and only read.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import odoorpc
import pytest

from sandbox.server import RunningServer
from tests.test_sandbox_support import odoo

DOMAINS: dict[str, list[list[Any]]] = {
    "account.move": [
        [],
        [("move_type", "=", "out_invoice")],
        [("move_type", "in", ["in_invoice", "in_refund"]), ("state", "=", "posted")],
        [("payment_state", "!=", "paid")],
        [("partner_id", "=", False)],
        [("partner_id.country_id.code", "=", "US")],
        [("invoice_date_due", "<", "2026-12-01")],
        ["|", ("amount_residual", ">", 1000), ("ref", "ilike", "a")],
        [("line_ids.account_id.account_type", "=", "asset_receivable")],
        ["!", ("name", "ilike", "INV")],
    ],
    "account.move.line": [
        [],
        [("account_id.account_type", "in", ["asset_receivable", "liability_payable"])],
        [("reconciled", "=", False), ("parent_state", "=", "posted")],
        [("date_maturity", ">=", "2026-11-24"), ("date_maturity", "<", "2027-02-23")],
        [("partner_id", "!=", False), ("balance", "<", 0)],
        [("move_id.move_type", "=", "out_invoice")],
    ],
    "res.partner": [[], [("customer_rank", ">", 0)], [("is_company", "=", True)], [("country_id", "=", False)]],
    "sale.order": [[], [("state", "in", ["sale", "done"])], [("invoice_status", "=", "to invoice")],
                   [("order_line.price_unit", ">", 500)]],
    "purchase.order": [[], [("state", "=", "purchase")]],
    "account.payment": [[], [("payment_type", "=", "inbound")]],
    "account.bank.statement.line": [[], [("is_reconciled", "=", False)]],
}
CASES = [(model, domain) for model, domains in DOMAINS.items() for domain in domains]

NEGATABLE: list[tuple[str, tuple[str, str, Any]]] = [
    ("account.move", ("move_type", "=", "out_invoice")),
    ("account.move", ("partner_id", "=", False)),
    ("account.move", ("ref", "ilike", "a")),
    ("account.move", ("payment_state", "in", ["paid", "in_payment"])),
    ("account.move", ("date", "<", "2026-06-01")),
    ("account.move.line", ("partner_id", "!=", False)),
    ("account.move.line", ("name", "not ilike", "e")),
    ("account.move.line", ("reconciled", "=", True)),
    ("sale.order", ("state", "not in", ["cancel"])),
    ("res.partner", ("email", "=like", "%.com")),
]
"""Leaves whose ``!`` is their complement (no dotted path, no comparison on an empty-able column)."""


@pytest.fixture(scope="module")
def client(sandbox: RunningServer) -> odoorpc.ODOO:
    return odoo(sandbox)


def search(client: odoorpc.ODOO, model: str, domain: list[Any], **kwargs: Any) -> list[int]:
    return client.execute_kw(model, "search", [domain], kwargs)


def test_the_demo_company_has_data(client: odoorpc.ODOO) -> None:
    assert client.execute_kw("account.move", "search_count", [[("move_type", "=", "out_invoice")]]) > 50
    assert client.execute_kw("account.move.line", "search_count", [[]]) > 1000


@pytest.mark.parametrize(("model", "domain"), CASES, ids=[f"{m}:{d}" for m, d in CASES])
def test_search_count_equals_the_length_of_search(client: odoorpc.ODOO, model: str, domain: list[Any]) -> None:
    assert client.execute_kw(model, "search_count", [domain]) == len(search(client, model, domain))


@pytest.mark.parametrize(("model", "leaf"), NEGATABLE, ids=[f"{m}:{leaf}" for m, leaf in NEGATABLE])
def test_not_is_the_complement(client: odoorpc.ODOO, model: str, leaf: tuple[str, str, Any]) -> None:
    everything = set(search(client, model, []))
    matched = set(search(client, model, [leaf]))
    negated = set(search(client, model, ["!", leaf]))
    assert matched | negated == everything
    assert not matched & negated


def test_or_is_the_union_and_and_is_the_intersection(client: odoorpc.ODOO) -> None:
    leaves = [("move_type", "=", "out_invoice"), ("partner_id.country_id.code", "=", "US"),
              ("invoice_date_due", "<", "2026-11-24"), ("line_ids.reconciled", "=", False),
              ("amount_residual", ">", 0), ("partner_id", "=", False)]
    found = {leaf: set(search(client, "account.move", [leaf])) for leaf in leaves}
    for a in leaves:
        for b in leaves:
            assert set(search(client, "account.move", ["|", a, b])) == found[a] | found[b], (a, b)
            assert set(search(client, "account.move", ["&", a, b])) == found[a] & found[b], (a, b)
            assert set(search(client, "account.move", [a, b])) == found[a] & found[b], (a, b)


def test_nested_operators_combine_as_sets(client: odoorpc.ODOO) -> None:
    a, b, c = ("move_type", "=", "in_invoice"), ("state", "=", "posted"), ("partner_id", "!=", False)
    sa, sb, sc = (set(search(client, "account.move", [x])) for x in (a, b, c))
    everything = set(search(client, "account.move", []))
    assert set(search(client, "account.move", ["|", "&", a, b, "!", c])) == (sa & sb) | (everything - sc)
    assert set(search(client, "account.move", ["!", "|", a, "&", b, c])) == everything - (sa | (sb & sc))


def test_a_many2one_path_equals_the_join_done_by_hand(client: odoorpc.ODOO) -> None:
    moves = client.execute_kw("account.move", "search_read", [[]], {"fields": ["partner_id"]})
    partner_ids = sorted({m["partner_id"][0] for m in moves if m["partner_id"]})
    partners = client.execute_kw("res.partner", "read", [partner_ids], {"fields": ["country_id"]})
    country_ids = sorted({p["country_id"][0] for p in partners if p["country_id"]})
    codes = {c["id"]: c["code"] for c in client.execute_kw("res.country", "read", [country_ids], {"fields": ["code"]})}
    country_of = {p["id"]: codes.get(p["country_id"][0]) if p["country_id"] else None for p in partners}
    for code in sorted({c for c in codes.values() if c}):
        expected = {m["id"] for m in moves if m["partner_id"] and country_of[m["partner_id"][0]] == code}
        assert set(search(client, "account.move", [("partner_id.country_id.code", "=", code)])) == expected, code


def test_a_one2many_path_equals_the_join_done_by_hand(client: odoorpc.ODOO) -> None:
    lines = client.execute_kw("account.move.line", "search_read", [[]], {"fields": ["move_id", "account_id"]})
    accounts = {a["id"]: a["account_type"] for a in client.execute_kw(
        "account.account", "search_read", [[]], {"fields": ["account_type"], "context": {"active_test": False}})}
    for kind in ("asset_receivable", "liability_payable", "asset_cash"):
        expected = {line["move_id"][0] for line in lines if accounts.get(line["account_id"][0]) == kind}
        assert set(search(client, "account.move", [("line_ids.account_id.account_type", "=", kind)])) == expected


def test_a_two_step_path_from_lines_equals_the_join_done_by_hand(client: odoorpc.ODOO) -> None:
    lines = client.execute_kw("account.move.line", "search_read", [[]], {"fields": ["move_id"]})
    moves = {m["id"]: m["move_type"] for m in client.execute_kw(
        "account.move", "search_read", [[]], {"fields": ["move_type"]})}
    expected = {line["id"] for line in lines if moves.get(line["move_id"][0]) == "out_refund"}
    assert set(search(client, "account.move.line", [("move_id.move_type", "=", "out_refund")])) == expected


@pytest.mark.parametrize("groupby", ["account_id", "partner_id", "date:month", "date_maturity:week", "journal_id"])
def test_read_group_sums_equal_the_sums_of_the_records(client: odoorpc.ODOO, groupby: str) -> None:
    domain = [("parent_state", "=", "posted")]
    field = groupby.partition(":")[0]
    rows = client.execute_kw("account.move.line", "search_read", [domain],
                             {"fields": ["balance", "amount_residual", field]})
    groups = client.execute_kw("account.move.line", "read_group",
                               [domain, ["balance:sum", "amount_residual:sum"], [groupby]], {"lazy": False})
    assert sum(g["__count"] for g in groups) == len(rows)
    for group in groups:
        members = client.execute_kw("account.move.line", "search_read", [group["__domain"]],
                                    {"fields": ["balance", "amount_residual"]})
        assert len(members) == group["__count"]
        assert group["balance"] == pytest.approx(sum(m["balance"] for m in members), abs=0.005)
        assert group["amount_residual"] == pytest.approx(sum(m["amount_residual"] for m in members), abs=0.005)
    assert sum(g["balance"] for g in groups) == pytest.approx(sum(r["balance"] for r in rows), abs=0.01)


def test_read_group_by_partner_matches_totals_computed_by_hand(client: odoorpc.ODOO) -> None:
    domain = [("move_type", "in", ["out_invoice", "in_invoice"]), ("state", "=", "posted")]
    rows = client.execute_kw("account.move", "search_read", [domain], {"fields": ["partner_id", "amount_residual"]})
    expected: dict[Any, float] = defaultdict(float)
    counts: dict[Any, int] = defaultdict(int)
    for row in rows:
        key = row["partner_id"][0] if row["partner_id"] else False
        expected[key] += row["amount_residual"]
        counts[key] += 1
    groups = client.execute_kw("account.move", "read_group", [domain, ["amount_residual:sum"], ["partner_id"]],
                               {"lazy": False})
    assert {(g["partner_id"][0] if g["partner_id"] else False): round(g["amount_residual"], 2) for g in groups} == \
        {k: round(v, 2) for k, v in expected.items()}
    assert {(g["partner_id"][0] if g["partner_id"] else False): g["__count"] for g in groups} == dict(counts)


def test_lazy_and_full_grouping_agree(client: odoorpc.ODOO) -> None:
    lazy = client.execute_kw("sale.order", "read_group", [[], ["amount_total:sum"], ["state", "date_order:month"]],
                             {"lazy": True})
    full = client.execute_kw("sale.order", "read_group", [[], ["amount_total:sum"], ["state", "date_order:month"]],
                             {"lazy": False})
    for group in lazy:
        inner = [g for g in full if g["state"] == group["state"]]
        assert sum(g["__count"] for g in inner) == group["state_count"]
        assert sum(g["amount_total"] for g in inner) == pytest.approx(group["amount_total"], abs=0.01)


def test_read_returns_the_ids_asked_in_order_and_drops_missing_ones(client: odoorpc.ODOO) -> None:
    rng = random.Random(7)
    existing = search(client, "account.move", [])
    wanted = rng.sample(existing, 40)
    asked = [*wanted[:20], 10**9, *wanted[20:], max(existing) + 1000]
    rows = client.execute_kw("account.move", "read", [asked], {"fields": ["name"]})
    assert [r["id"] for r in rows] == wanted


def test_pages_put_together_equal_the_whole_search(client: odoorpc.ODOO) -> None:
    for order in ("id", "date desc, id", "partner_id, amount_total desc, id", None):
        kwargs = {"order": order} if order else {}
        whole = search(client, "account.move", [], **kwargs)
        pages: list[int] = []
        for offset in range(0, len(whole), 500):
            pages += search(client, "account.move", [], offset=offset, limit=500, **kwargs)
        assert pages == whole, order


def test_search_read_equals_search_then_read(client: odoorpc.ODOO) -> None:
    domain = [("move_type", "=", "out_invoice")]
    fields = ["name", "partner_id", "amount_residual", "invoice_date_due", "payment_state", "currency_id"]
    together = client.execute_kw("account.move", "search_read", [domain], {"fields": fields, "limit": 200})
    ids = search(client, "account.move", domain, limit=200)
    assert together == client.execute_kw("account.move", "read", [ids], {"fields": fields})
