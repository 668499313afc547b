"""Every read tool answers what Odoo itself says: each test recomputes the answer independently from raw
odoorpc search_read/read on the same sandbox (other fields, other aggregation paths) and compares.

Sign convention checked throughout: company currency, + cash in, − cash out."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import pytest

from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tests.test_odoo_support import client_for, ek, raw
from tools.odoo import read_tools as rt
from tools.odoo.client import OdooClient
from tools.odoo.extract import extract_snapshot, months_before
from tools.odoo.ledger import payment_history

INVOICE_TYPES = ["out_invoice", "out_refund", "in_invoice", "in_refund", "out_receipt", "in_receipt"]
COMPANY = 1


@pytest.fixture(scope="module")
def client(sandbox: RunningServer) -> OdooClient:
    return client_for(sandbox)


@pytest.fixture(scope="module")
def odoo(sandbox: RunningServer) -> Any:
    return raw(sandbox)


def q(odoo: Any, model: str, domain: list[Any], fields: list[str], company: int = COMPANY) -> list[dict[str, Any]]:
    return list(ek(odoo, model, "search_read", domain, fields=fields, company=company))


def by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in rows}


# -- company context --------------------------------------------------------------------------------
def test_company_context_names_the_company_its_bank_balances_and_rates(client: OdooClient, odoo: Any) -> None:
    context = rt.company(client)
    company = ek(odoo, "res.company", "read", [COMPANY], fields=["name", "currency_id"])[0]
    assert (context.company.name, context.company.currency) == (company["name"], company["currency_id"][1])
    journals = q(odoo, "account.journal", [("type", "=", "bank"), ("company_id", "=", COMPANY)],
                 ["code", "default_account_id"])
    assert sorted(j.code for j in context.bank_journals) == sorted(j["code"] for j in journals)
    for journal in journals:
        lines = q(odoo, "account.move.line", [("account_id", "=", journal["default_account_id"][0]),
                                              ("parent_state", "=", "posted")], ["balance"])
        mine = next(j for j in context.bank_journals if j.code == journal["code"])
        assert mine.balance == pytest.approx(sum(line["balance"] for line in lines), abs=0.01)
    assert context.bank_balance == pytest.approx(sum(j.balance for j in context.bank_journals), abs=0.01)
    assert context.bank_balance > 0
    currencies = q(odoo, "res.currency", [("active", "=", True)], ["name", "rate"])
    assert {c.currency: c.rate for c in context.currencies} == {c["name"]: c["rate"] for c in currencies}
    eur = next(c for c in context.currencies if c.currency == "EUR")
    assert eur.date == AS_OF and 0.5 < eur.rate < 1.5  # EUR per USD, rated today


# -- open items -------------------------------------------------------------------------------------
def test_open_items_are_the_open_installments_of_posted_documents(client: OdooClient, odoo: Any) -> None:
    items = rt.open_items(client, rt.OpenItemsQuery(as_of=AS_OF))
    open_docs = q(odoo, "account.move", [("move_type", "in", INVOICE_TYPES), ("state", "=", "posted"),
                                         ("amount_residual", "!=", 0)],
                  ["move_type", "amount_residual_signed", "invoice_payment_term_id", "payment_state"])
    docs = by_id(open_docs)
    assert {i.document.id for i in items} == set(docs)  # every open document, nothing else
    for kind, types in (("receivable", ("out_invoice", "out_refund", "out_receipt")),
                        ("payable", ("in_invoice", "in_refund", "in_receipt"))):
        mine = sum(i.residual for i in items if i.kind == kind)
        odoos = sum(d["amount_residual_signed"] for d in open_docs if d["move_type"] in types)
        assert mine == pytest.approx(odoos, abs=0.05), kind  # Odoo's own company-currency figure
    assert sum(i.residual for i in items if i.kind == "receivable") > 0
    assert sum(i.residual for i in items if i.kind == "payable") < 0  # cash out
    assert any(i.residual < 0 for i in items if i.move_type == "out_refund")  # net of credit notes
    lines = by_id(ek(odoo, "account.move.line", "read", [i.line_id for i in items],
                     fields=["date_maturity", "amount_residual", "amount_residual_currency", "currency_id"]))
    for item in items:
        line, doc = lines[item.line_id], docs[item.document.id]
        due = dt.date.fromisoformat(line["date_maturity"])
        assert (item.due_date, item.overdue_days) == (due, max(0, (AS_OF - due).days))
        assert (item.residual, item.residual_currency) == (round(line["amount_residual"], 2),
                                                           round(line["amount_residual_currency"], 2))
        assert item.currency == line["currency_id"][1] and item.payment_state == doc["payment_state"]
        term = doc["invoice_payment_term_id"]
        assert (item.payment_term_id, item.payment_term) == ((term[0], term[1]) if term else (None, None))
    assert {i.currency for i in items} >= {"USD", "EUR"}  # foreign documents keep both amounts
    foreign = next(i for i in items if i.currency == "EUR")
    assert foreign.residual != foreign.residual_currency


def test_open_items_can_be_narrowed_to_one_side_one_partner_or_the_overdue(client: OdooClient) -> None:
    everything = rt.open_items(client, rt.OpenItemsQuery(as_of=AS_OF))
    payables = rt.open_items(client, rt.OpenItemsQuery(as_of=AS_OF, kind="payable"))
    assert payables == [i for i in everything if i.kind == "payable"]
    partner = Counter(i.partner_id for i in everything).most_common(1)[0][0]
    theirs = rt.open_items(client, rt.OpenItemsQuery(as_of=AS_OF, partner_id=partner))
    assert theirs == [i for i in everything if i.partner_id == partner]
    overdue = rt.open_items(client, rt.OpenItemsQuery(as_of=AS_OF, overdue_only=True))
    assert overdue and overdue == [i for i in everything if i.due_date and i.due_date < AS_OF]


# -- payment history --------------------------------------------------------------------------------
def _expected_payments(odoo: Any, start: dt.date) -> Counter[tuple[int, str, float]]:
    """(installment line, paid date, amount) of every cash settlement of an invoice/bill in the window,
    from all partial reconciliations and all receivable/payable lines."""
    lines = by_id(q(odoo, "account.move.line", [("account_type", "in", ["asset_receivable", "liability_payable"]),
                                                ("parent_state", "=", "posted")],
                    ["move_type", "date", "payment_id", "statement_line_id"]))
    expected: Counter[tuple[int, str, float]] = Counter()
    for p in q(odoo, "account.partial.reconcile", [], ["debit_move_id", "credit_move_id", "amount"]):
        debit, credit = lines.get(p["debit_move_id"][0]), lines.get(p["credit_move_id"][0])
        for own, other, sign in ((debit, credit, 1), (credit, debit, -1)):
            if own is None or other is None or own["move_type"] not in ("out_invoice", "in_invoice"):
                continue
            if (other["payment_id"] or other["statement_line_id"]) and start <= \
                    dt.date.fromisoformat(other["date"]) <= AS_OF:
                expected[(own["id"], other["date"], round(sign * p["amount"], 2))] += 1
    return expected


def test_payment_history_has_one_row_per_cash_payment_with_days_late(client: OdooClient, odoo: Any) -> None:
    history = rt.payment_history_of(client, rt.PaymentHistoryQuery(as_of=AS_OF))
    start = months_before(AS_OF, 24)
    got = Counter((r.line_id, r.paid_date.isoformat(), r.paid_amount) for r in history)
    assert got == _expected_payments(odoo, start)
    lines = by_id(ek(odoo, "account.move.line", "read", sorted({r.line_id for r in history}),
                     fields=["date_maturity", "balance", "move_id", "partner_id"]))
    for row in history:
        line = lines[row.line_id]
        assert row.due_date == dt.date.fromisoformat(line["date_maturity"])
        assert row.days_late == (row.paid_date - row.due_date).days
        assert (row.installment_amount, row.document.id, row.partner_id) == (
            round(line["balance"], 2), line["move_id"][0], line["partner_id"][0])
        assert (row.paid_amount > 0) == (row.kind == "receivable")
    split = [line for line, n in Counter(r.line_id for r in history).items() if n > 1]
    assert split, "partial payments are separate rows"
    assert all(r.partial for r in history if r.line_id in split)
    assert any(r.days_late and r.days_late > 0 for r in history) and any(r.days_late == 0 for r in history)


def test_payment_history_for_one_partner_and_a_shorter_window(client: OdooClient) -> None:
    everything = rt.payment_history_of(client, rt.PaymentHistoryQuery(as_of=AS_OF))
    partner = Counter(r.partner_id for r in everything if r.kind == "receivable").most_common(1)[0][0]
    theirs = rt.payment_history_of(client, rt.PaymentHistoryQuery(as_of=AS_OF, months=6, partner_id=partner))
    since = months_before(AS_OF, 6)
    assert theirs and theirs == [r for r in everything if r.partner_id == partner and r.paid_date >= since]
    vendors = rt.payment_history_of(client, rt.PaymentHistoryQuery(as_of=AS_OF, kind="payable"))
    assert vendors == [r for r in everything if r.kind == "payable"]


# -- orders -----------------------------------------------------------------------------------------
def test_open_sale_orders_carry_what_is_left_to_invoice_in_company_currency(client: OdooClient, odoo: Any) -> None:
    orders = rt.open_orders(client, rt.OpenOrdersQuery(kind="sale"))
    raw_orders = by_id(q(odoo, "sale.order", [("state", "=", "sale"), ("invoice_status", "!=", "invoiced")],
                         ["amount_total", "invoice_ids", "currency_id", "currency_rate", "date_order",
                          "commitment_date", "payment_term_id", "partner_id"]))
    rates = {c["name"]: c["rate"] for c in q(odoo, "res.currency", [], ["name", "rate"])}
    assert {o.ref.id for o in orders} <= set(raw_orders) and len(orders) >= 0.9 * len(raw_orders)
    partly = 0
    for order in orders:
        row = raw_orders[order.ref.id]
        invoices = ek(odoo, "account.move", "read", row["invoice_ids"], fields=["amount_total", "state"]) \
            if row["invoice_ids"] else []
        invoiced = sum(i["amount_total"] for i in invoices if i["state"] == "posted")
        rate = row["currency_rate"] or rates[row["currency_id"][1]]  # the order's own rate, as Odoo converts
        assert order.amount_to_invoice == pytest.approx((row["amount_total"] - invoiced) / rate, abs=0.05)
        assert order.amount_total == pytest.approx(row["amount_total"] / rate, abs=0.05)
        partly += invoiced > 0
        assert order.date_order == dt.date.fromisoformat(row["date_order"][:10])
        assert order.expected_date == (dt.date.fromisoformat(row["commitment_date"][:10])
                                       if row["commitment_date"] else None)
        assert order.payment_term_id == (row["payment_term_id"][0] if row["payment_term_id"] else None)
        assert order.partner_id == row["partner_id"][0]
    assert partly, "a partly invoiced order counts what is left, not its total"
    assert {o.currency for o in orders} >= {"USD", "EUR"}


def test_open_purchase_orders_carry_what_is_left_to_bill(client: OdooClient, odoo: Any) -> None:
    orders = rt.open_orders(client, rt.OpenOrdersQuery(kind="purchase"))
    raw_orders = q(odoo, "purchase.order", [("state", "in", ["purchase", "done"]),
                                            ("invoice_status", "!=", "invoiced")],
                   ["amount_total", "invoice_ids", "date_planned"])
    assert {o.ref.id for o in orders} == {r["id"] for r in raw_orders}
    for row in raw_orders:
        order = next(o for o in orders if o.ref.id == row["id"])
        bills = ek(odoo, "account.move", "read", row["invoice_ids"], fields=["amount_total", "state"]) \
            if row["invoice_ids"] else []
        billed = sum(b["amount_total"] for b in bills if b["state"] != "cancel")
        assert order.amount_to_invoice == pytest.approx(-(row["amount_total"] - billed), abs=0.05)  # cash out
        assert order.expected_date == dt.date.fromisoformat(row["date_planned"][:10])
    both = rt.open_orders(client, rt.OpenOrdersQuery())
    assert {o.kind for o in both} == {"sale", "purchase"}


# -- bank -------------------------------------------------------------------------------------------
def test_bank_transactions_separate_document_flows_from_the_rest(client: OdooClient, odoo: Any) -> None:
    since = AS_OF - dt.timedelta(days=150)
    mine = by_id([t.model_dump() for t in rt.bank_transactions(client, rt.BankTransactionsQuery(date_from=since))])
    journals = [j["id"] for j in q(odoo, "account.journal", [("type", "=", "bank"), ("company_id", "=", COMPANY)],
                                   ["code"])]
    lines = q(odoo, "account.bank.statement.line", [("journal_id", "in", journals),
                                                    ("date", ">=", since.isoformat())],
              ["amount", "date", "payment_ref", "partner_id", "move_id", "is_reconciled"])
    assert set(mine) == {line["id"] for line in lines}
    entries = defaultdict(list)
    for item in q(odoo, "account.move.line", [("move_id", "in", [line["move_id"][0] for line in lines])],
                  ["move_id", "account_type", "matched_debit_ids", "matched_credit_ids", "account_id"]):
        entries[item["move_id"][0]].append(item)
    paid_by_payment = {p["id"] for p in q(odoo, "account.partial.reconcile", [], ["debit_move_id", "credit_move_id"])
                       if _has_payment(odoo, p)}
    expected: Counter[str] = Counter()
    for line in lines:
        t = mine[line["id"]]
        assert (t["amount"], t["date"].isoformat(), t["label"]) == (line["amount"], line["date"][:10],
                                                                    line["payment_ref"] or "")
        assert t["partner_id"] == (line["partner_id"][0] if line["partner_id"] else None)
        items = entries[line["move_id"][0]]
        if any(i["account_type"] in ("asset_receivable", "liability_payable") for i in items) or any(
                set(i["matched_debit_ids"] + i["matched_credit_ids"]) & paid_by_payment for i in items):
            kind = "document"
        elif not line["is_reconciled"]:
            kind = "unreconciled"
        else:
            kind = "other"
        assert t["matched"] == kind, line
        expected[kind] += 1
    assert all(expected[k] > 0 for k in ("document", "other", "unreconciled"))
    others = rt.bank_transactions(client, rt.BankTransactionsQuery(date_from=since, matched="other"))
    assert len(others) == expected["other"] and all(t.counterpart_account for t in others)


_PAYMENT_LINES: set[int] = set()


def _has_payment(odoo: Any, partial: dict[str, Any]) -> bool:
    if not _PAYMENT_LINES:
        _PAYMENT_LINES.update(r["id"] for r in q(odoo, "account.move.line", [("payment_id", "!=", False)], ["id"]))
    return partial["debit_move_id"][0] in _PAYMENT_LINES or partial["credit_move_id"][0] in _PAYMENT_LINES


def test_bank_transactions_of_one_journal_and_a_closed_range(client: OdooClient) -> None:
    context = rt.company(client)
    journal = context.bank_journals[0]
    query = rt.BankTransactionsQuery(date_from=AS_OF - dt.timedelta(days=60), date_to=AS_OF - dt.timedelta(days=30),
                                     journal_id=journal.id)
    rows = rt.bank_transactions(client, query)
    assert rows and {t.journal_code for t in rows} == {journal.code}
    assert all(query.date_from <= t.date <= AS_OF - dt.timedelta(days=30) for t in rows)


# -- partners ---------------------------------------------------------------------------------------
def test_partners_are_customers_and_vendors_with_terms_and_credit_limits(client: OdooClient, odoo: Any) -> None:
    partners = rt.partners(client)
    rows = by_id(q(odoo, "res.partner", [("parent_id", "=", False), "|", ("customer_rank", ">", 0),
                                         ("supplier_rank", ">", 0)],
                   ["name", "customer_rank", "supplier_rank", "property_payment_term_id",
                    "property_supplier_payment_term_id", "credit_limit"]))
    assert {p.id for p in partners} == set(rows)
    for p in partners:
        row = rows[p.id]
        assert (p.name, p.is_customer, p.is_vendor) == (row["name"], row["customer_rank"] > 0,
                                                        row["supplier_rank"] > 0)
        assert p.customer_term_id == (row["property_payment_term_id"] or [None])[0]
        assert p.vendor_term_id == (row["property_supplier_payment_term_id"] or [None])[0]
        assert p.credit_limit == (row["credit_limit"] or None)
    assert any(p.is_customer for p in partners) and any(p.is_vendor for p in partners)
    vendors = rt.partners(client, rt.PartnersQuery(customers=False))
    assert {p.id for p in vendors} == {p.id for p in partners if p.is_vendor}


# -- data quality -----------------------------------------------------------------------------------
def test_data_quality_reports_what_odoo_shows(client: OdooClient, odoo: Any) -> None:
    issues = {i.code: i for i in rt.data_quality_report(client, rt.DataQualityQuery(as_of=AS_OF))}
    journals = [j["id"] for j in q(odoo, "account.journal", [("type", "=", "bank")], ["id"])]
    stale = ek(odoo, "account.bank.statement.line", "search_count", [
        ("journal_id", "in", journals), ("is_reconciled", "=", False),
        ("date", "<", (AS_OF - dt.timedelta(days=30)).isoformat())], company=COMPANY)
    drafts = ek(odoo, "account.move", "search_count", [("move_type", "in", INVOICE_TYPES[:4]),
                                                       ("state", "=", "draft")], company=COMPANY)
    no_due = ek(odoo, "account.move", "search_count", [("move_type", "in", INVOICE_TYPES[:4]),
                                                       ("state", "=", "posted"), ("invoice_date_due", "=", False)],
                company=COMPANY)
    gbp = q(odoo, "account.move", [("currency_id.name", "=", "GBP"), ("state", "=", "posted"),
                                   ("amount_residual", "!=", 0)], ["id"])
    gbp_orders = [o for o in rt.open_orders(client, rt.OpenOrdersQuery()) if o.currency == "GBP"]
    assert stale > 0 and issues["unreconciled_bank_lines"].count == stale
    assert drafts > 0 and issues["draft_invoices"].count == drafts
    assert issues["posted_without_due_date"].count == no_due if no_due else "posted_without_due_date" not in issues
    assert issues["currency_without_rate"].count == len(gbp) + len(gbp_orders)
    assert issues["currency_without_rate"].severity == "error" and "GBP" in issues["currency_without_rate"].message
    legacy = q(odoo, "account.move", [("ref", "=", "Legacy import")], ["name"])
    assert legacy[0]["name"] in {e.name for e in issues["documents_without_payment_terms"].examples}
    lacking = [p for p in rt.partners(client) if (p.is_customer and not p.customer_term_id)
               or (p.is_vendor and not p.vendor_term_id)]
    assert issues["partners_without_payment_terms"].count == len(lacking)
    assert all(i.message and i.count > 0 for i in issues.values())


# -- the snapshot agrees with the tools -------------------------------------------------------------
def test_the_forecast_snapshot_agrees_with_the_read_tools(client: OdooClient) -> None:
    snapshot = extract_snapshot(client, as_of=AS_OF)
    opened = sorted(i.line_id for i in snapshot.installments if i.is_open)
    assert opened == sorted(i.line_id for i in rt.open_items(client, rt.OpenItemsQuery(as_of=AS_OF)))
    start = months_before(AS_OF, 24)
    assert payment_history(snapshot.installments, since=start, until=AS_OF) == \
        rt.payment_history_of(client, rt.PaymentHistoryQuery(as_of=AS_OF))
    open_orders = {o.ref.id: o.amount_to_invoice for o in snapshot.orders if o.is_open}
    assert open_orders == {o.ref.id: o.amount_to_invoice for o in rt.open_orders(client, rt.OpenOrdersQuery())}
    assert {i.code: i.count for i in snapshot.quality} == \
        {i.code: i.count for i in rt.data_quality_report(client, rt.DataQualityQuery(as_of=AS_OF))}
    assert snapshot.context == rt.company(client)
    assert all(t.date >= start for t in snapshot.bank_transactions)
