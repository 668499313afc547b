"""Non-stored computed fields, computed in batch the way Odoo computes them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.errors import OdooTypeError
from sandbox.schema import Field

if TYPE_CHECKING:
    from sandbox.orm import Recordset

Compute = Callable[["Recordset", list[int], Field], dict[int, Any]]
COMPUTES: dict[str, Compute] = {}


def compute(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    return COMPUTES[f.compute or ""](records, ids, f)


def register(name: str) -> Callable[[Compute], Compute]:
    def deco(fn: Compute) -> Compute:
        COMPUTES[name] = fn
        return fn

    return deco


def _marks(ids: list[int]) -> str:
    return ", ".join("?" * len(ids))


@register("frozendict_error")
def frozendict_error(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    # Real Odoo 17 cannot serialise this field over RPC (its keys are frozendicts).
    raise OdooTypeError("keys must be str, int, float, bool or None, not frozendict")


@register("empty_password")
def empty_password(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    return {i: "" for i in ids}


@register("partner_use_credit_limit")
def partner_use_credit_limit(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    rows = records.store.execute(f"SELECT id, credit_limit FROM res_partner WHERE id IN ({_marks(ids)})", ids)
    return {rid: bool(limit and limit > 0) for rid, limit in rows}


@register("partner_credit_debit")
def partner_credit_debit(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    account_type = "asset_receivable" if f.name == "credit" else "liability_payable"
    sign = 1.0 if f.name == "credit" else -1.0
    companies = records.env.company_ids
    rows = records.store.execute(
        "SELECT p.commercial_partner_id, SUM(l.amount_residual) FROM account_move_line l "
        "JOIN account_account a ON a.id = l.account_id JOIN res_partner p ON p.id = l.partner_id "
        f"WHERE a.account_type = ? AND l.parent_state = 'posted' AND l.company_id IN ({_marks(companies)}) "
        f"AND p.commercial_partner_id IN ({_marks(ids)}) GROUP BY p.commercial_partner_id",
        [account_type, *companies, *ids],
    )
    totals = {pid: round(sign * (amount or 0.0), 2) for pid, amount in rows}
    return {i: totals.get(i, 0.0) for i in ids}


def _rates_on(records: Recordset, day: str) -> dict[int, tuple[float, str | None]]:
    """Latest rate (and its date) of every currency at ``day`` for the current company."""
    company = records.env.company_id
    rows = records.store.execute(
        "SELECT currency_id, rate, name FROM res_currency_rate r WHERE name <= ? AND "
        "(company_id IS NULL OR company_id = ?) ORDER BY currency_id, name DESC, company_id IS NULL",
        (day, company),
    )
    rates: dict[int, tuple[float, str | None]] = {}
    for cid, rate, name in rows:
        rates.setdefault(cid, (rate or 1.0, name))
    return rates


@register("currency_rate")
def currency_rate(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    today = records.env.today.isoformat()
    rates = _rates_on(records, today)
    company_currency = records.store.execute(
        "SELECT currency_id FROM res_company WHERE id = ?", (records.env.company_id,)).fetchone()[0]
    base = rates.get(company_currency, (1.0, None))[0] or 1.0
    out: dict[int, Any] = {}
    for cid in ids:
        rate, date = rates.get(cid, (1.0, None))
        rel = (rate or 1.0) / base
        if f.name == "rate":
            out[cid] = rel
        elif f.name == "inverse_rate":
            out[cid] = 1.0 / rel if rel else 0.0
        else:
            out[cid] = date
    return out


@register("currency_rate_company")
def currency_rate_company(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    company_currency = records.store.execute(
        "SELECT currency_id FROM res_company WHERE id = ?", (records.env.company_id,)).fetchone()[0]
    out: dict[int, Any] = {}
    for rid, rate, day in records.store.execute(
            f"SELECT id, rate, name FROM res_currency_rate WHERE id IN ({_marks(ids)})", ids):
        base = _rates_on(records, day).get(company_currency, (1.0, None))[0] or 1.0
        rel = (rate or 1.0) / base
        out[rid] = rel if f.name == "company_rate" else (1.0 / rel if rel else 0.0)
    return out


@register("attachment_datas")
def attachment_datas(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    rows = records.store.execute(f"SELECT id, db_datas FROM ir_attachment WHERE id IN ({_marks(ids)})", ids)
    return {rid: data for rid, data in rows}


@register("attachment_res_name")
def attachment_res_name(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    from sandbox.orm import Recordset as _Recordset

    rows = list(records.store.execute(
        f"SELECT id, res_model, res_id FROM ir_attachment WHERE id IN ({_marks(ids)})", ids))
    out: dict[int, Any] = {}
    for rid, model, res_id in rows:
        if model in records.env.registry and res_id:
            names = _Recordset(records.env, records.env.registry[model]).display_names([res_id])
            out[rid] = names.get(res_id)
    return out


@register("statement_currency")
def statement_currency(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    rows = records.store.execute(
        "SELECT s.id, COALESCE(j.currency_id, c.currency_id) FROM account_bank_statement s "
        "JOIN account_journal j ON j.id = s.journal_id JOIN res_company c ON c.id = j.company_id "
        f"WHERE s.id IN ({_marks(ids)})", ids)
    return dict(rows)


@register("activity_state")
def activity_state(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    today = records.env.today.isoformat()
    out: dict[int, Any] = {}
    for rid, deadline, active in records.store.execute(
            f"SELECT id, date_deadline, active FROM mail_activity WHERE id IN ({_marks(ids)})", ids):
        if not active:
            out[rid] = "done"
        elif deadline < today:
            out[rid] = "overdue"
        elif deadline == today:
            out[rid] = "today"
        else:
            out[rid] = "planned"
    return out


@register("sale_expected_date")
def sale_expected_date(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for rid, commitment, ordered, lead in records.store.execute(
            "SELECT o.id, o.commitment_date, o.date_order, MIN(l.customer_lead) FROM sale_order o "
            f"LEFT JOIN sale_order_line l ON l.order_id = o.id WHERE o.id IN ({_marks(ids)}) GROUP BY o.id", ids):
        if commitment:
            out[rid] = commitment
        elif ordered:
            when = dt.datetime.strptime(ordered, "%Y-%m-%d %H:%M:%S") + dt.timedelta(days=lead or 0)
            out[rid] = when.strftime("%Y-%m-%d %H:%M:%S")
    return out


@register("sale_invoiced")
def sale_invoiced(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    moves: dict[int, list[int]] = defaultdict(list)
    amounts: dict[int, float] = defaultdict(float)
    rows = records.store.execute(
        "SELECT DISTINCT sl.order_id, m.id, m.state, m.move_type, m.amount_total FROM sale_order_line sl "
        "JOIN sale_order_line_invoice_rel r ON r.order_line_id = sl.id "
        "JOIN account_move_line aml ON aml.id = r.invoice_line_id JOIN account_move m ON m.id = aml.move_id "
        f"WHERE sl.order_id IN ({_marks(ids)}) ORDER BY m.id DESC", ids)
    for order_id, move_id, state, move_type, total in rows:
        moves[order_id].append(move_id)
        if state == "posted":
            amounts[order_id] += (total or 0.0) * (-1 if move_type == "out_refund" else 1)
    if f.name == "invoice_ids":
        return {i: moves.get(i, []) for i in ids}
    if f.name == "invoice_count":
        return {i: len(moves.get(i, [])) for i in ids}
    return {i: round(amounts.get(i, 0.0), 2) for i in ids}


@register("payment_reconciled")
def payment_reconciled(records: Recordset, ids: list[int], f: Field) -> dict[int, Any]:
    """Invoices, bills or statement lines whose lines are reconciled with the payment's lines."""
    out: dict[int, list[int]] = defaultdict(list)
    if f.name == "reconciled_statement_line_ids":
        sql = (
            "SELECT DISTINCT pl.payment_id, other.statement_line_id FROM account_move_line pl "
            "JOIN account_partial_reconcile pr ON pr.debit_move_id = pl.id OR pr.credit_move_id = pl.id "
            "JOIN account_move_line other ON other.id = "
            "CASE WHEN pr.debit_move_id = pl.id THEN pr.credit_move_id ELSE pr.debit_move_id END "
            f"WHERE pl.payment_id IN ({_marks(ids)}) AND other.statement_line_id IS NOT NULL"
        )
    else:
        types = "('out_invoice', 'out_refund', 'out_receipt')" if f.name == "reconciled_invoice_ids" \
            else "('in_invoice', 'in_refund', 'in_receipt')"
        sql = (
            "SELECT DISTINCT pl.payment_id, m.id FROM account_move_line pl "
            "JOIN account_partial_reconcile pr ON pr.debit_move_id = pl.id OR pr.credit_move_id = pl.id "
            "JOIN account_move_line other ON other.id = "
            "CASE WHEN pr.debit_move_id = pl.id THEN pr.credit_move_id ELSE pr.debit_move_id END "
            f"JOIN account_move m ON m.id = other.move_id WHERE pl.payment_id IN ({_marks(ids)}) "
            f"AND m.move_type IN {types}"
        )
    for pid, other in records.store.execute(sql, ids):
        out[pid].append(other)
    return {i: sorted(out.get(i, [])) for i in ids}
