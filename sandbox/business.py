"""Model-specific rules applied around create/write/unlink (what Odoo's model code would do)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.errors import UserError, ValidationError
from sandbox.writes import FOREIGN_KEY, attachment_values, new_uuid, posted_error

if TYPE_CHECKING:
    from sandbox.orm import Recordset


def _one(records: Recordset, sql: str, params: tuple[Any, ...] = ()) -> Any:
    row = records.store.execute(sql, params).fetchone()
    return row[0] if row else None


def before_create(records: Recordset, vals: dict[str, Any]) -> dict[str, Any]:
    name = records.model.name
    env = records.env
    if name == "ir.attachment":
        return attachment_values(vals)
    if name == "mail.activity":
        return _activity_values(records, vals)
    if name == "mail.message":
        vals.setdefault("author_id", _one(records, "SELECT partner_id FROM res_users WHERE id = ?", (env.uid,)))
        vals.setdefault("date", env.now())
        vals.setdefault("message_type", "comment")
    if name in ("discuss.channel", "mail.channel"):
        vals.setdefault("uuid", new_uuid())
    if name == "account.payment":
        if not vals.get("journal_id"):
            vals["journal_id"] = _one(records, "SELECT id FROM account_journal WHERE type = 'bank' AND company_id = ? "
                                               "ORDER BY sequence, id LIMIT 1", (env.company_id,))
        vals.setdefault("date", env.today.isoformat())
    if name == "account.move":
        vals.setdefault("date", env.today.isoformat())
        vals.setdefault("name", "/")
    if name == "sale.order" and not vals.get("name"):
        count = _one(records, "SELECT count(*) FROM sale_order") or 0
        vals["name"] = f"S{count + 1:05d}"
    if name == "purchase.order" and not vals.get("name"):
        count = _one(records, "SELECT count(*) FROM purchase_order") or 0
        vals["name"] = f"P{count + 1:05d}"
    return vals


def complete_row(records: Recordset, row: dict[str, Any]) -> dict[str, Any]:
    if records.model.name == "res.partner":
        row.update(_partner_names(records, row.get("name"), row.get("parent_id"), bool(row.get("is_company"))))
    if records.model.name in ("sale.order", "purchase.order"):
        row.setdefault("date_order", records.env.now())
    if records.model.name == "sale.order" and not row.get("partner_invoice_id"):
        row["partner_invoice_id"] = row.get("partner_id")
    return row


def _partner_names(records: Recordset, name: Any, parent: Any, is_company: bool) -> dict[str, Any]:
    """``complete_name`` and ``commercial_partner_id`` of a contact, computed as Odoo 17 computes them."""
    if not parent:
        return {"complete_name": name, "commercial_partner_id": None}
    row = records.store.execute(
        "SELECT p.name, p.commercial_partner_id, c.name, c.is_company FROM res_partner p "
        "LEFT JOIN res_partner c ON c.id = p.commercial_partner_id WHERE p.id = ?", (parent,)).fetchone()
    if row is None:
        return {"complete_name": name, "commercial_partner_id": None}
    parent_name, commercial, commercial_name, commercial_is_company = row
    company = commercial_name if commercial_is_company else parent_name
    if is_company:
        return {"complete_name": name, "commercial_partner_id": None}
    return {"complete_name": f"{company or parent_name}, {name or ''}", "commercial_partner_id": commercial or parent}


def _refresh_partners(records: Recordset, ids: list[int]) -> None:
    """Recompute the names of partners and, recursively, of their contacts."""
    seen: set[int] = set()
    todo = list(ids)
    while todo:
        rid = todo.pop(0)
        if rid in seen:
            continue
        seen.add(rid)
        row = records.store.execute("SELECT name, parent_id, is_company FROM res_partner WHERE id = ?",
                                    (rid,)).fetchone()
        if row is None:
            continue
        names = _partner_names(records, row[0], row[1], bool(row[2]))
        records.store.execute(
            "UPDATE res_partner SET complete_name = ?, commercial_partner_id = COALESCE(?, id) WHERE id = ?",
            (names["complete_name"], names["commercial_partner_id"], rid))
        todo += [r[0] for r in records.store.execute("SELECT id FROM res_partner WHERE parent_id = ?", (rid,))]


def after_create(records: Recordset, rid: int, vals: dict[str, Any]) -> None:
    if records.model.name == "res.partner" and not records.store.execute(
            "SELECT commercial_partner_id FROM res_partner WHERE id = ?", (rid,)).fetchone()[0]:
        records.store.execute("UPDATE res_partner SET commercial_partner_id = ? WHERE id = ?", (rid, rid))
    if records.model.name == "account.payment" and records.env.registry.version <= 17:
        _payment_move_lines(records, rid)


def _activity_values(records: Recordset, vals: dict[str, Any]) -> dict[str, Any]:
    from sandbox.orm import Recordset as _Recordset

    env = records.env
    model_name = vals.get("res_model")
    if vals.get("res_model_id") and not model_name:
        model_name = _one(records, "SELECT model FROM ir_model WHERE id = ?", (vals["res_model_id"],))
    if model_name and not vals.get("res_model_id"):
        vals["res_model_id"] = _one(records, "SELECT id FROM ir_model WHERE model = ?", (model_name,))
    if not model_name or model_name not in env.registry:
        raise ValidationError(f"Invalid model {model_name!r} for an activity.")
    vals["res_model"] = model_name
    doc = _Recordset(env, env.registry[model_name])
    res_id = int(vals.get("res_id") or 0)
    doc.ensure_exist([res_id])
    doc.check("write")
    vals.setdefault("res_name", doc.display_names([res_id]).get(res_id))
    vals.setdefault("user_id", env.uid)
    if not vals.get("activity_type_id"):
        vals["activity_type_id"] = _one(
            records, "SELECT res_id FROM ir_model_data WHERE module = 'mail' AND name = 'mail_activity_data_todo'")
    return vals


def _payment_move_lines(records: Recordset, payment_id: int) -> None:
    """A draft payment's journal entry: outstanding account against receivable/payable."""
    store = records.store
    (move_id, amount, ptype, partner_type, partner, currency) = store.execute(
        "SELECT move_id, amount, payment_type, partner_type, partner_id, currency_id FROM account_payment WHERE id = ?",
        (payment_id,)).fetchone()
    date, journal, company = store.execute(
        "SELECT date, journal_id, company_id FROM account_move WHERE id = ?", (move_id,)).fetchone()
    company = company or records.env.company_id
    receipts, payments, company_currency = store.execute(
        "SELECT account_journal_payment_debit_account_id, account_journal_payment_credit_account_id, currency_id "
        "FROM res_company WHERE id = ?", (company,)).fetchone()
    kind = "asset_receivable" if partner_type == "customer" else "liability_payable"
    destination = _one(records, "SELECT id FROM account_account WHERE account_type = ? AND company_id = ? "
                                "ORDER BY code LIMIT 1", (kind, company))
    outstanding = receipts if ptype == "inbound" else payments
    sign = 1.0 if ptype == "inbound" else -1.0
    currency = currency or company_currency
    store.execute("UPDATE account_payment SET destination_account_id = ?, outstanding_account_id = ?, "
                  "currency_id = ? WHERE id = ?", (destination, outstanding, currency, payment_id))
    store.execute("UPDATE account_move SET payment_id = ?, partner_id = ?, currency_id = ?, company_id = ?, "
                  "move_type = 'entry' WHERE id = ?", (payment_id, partner, currency, company, move_id))
    for account, balance in ((outstanding, sign * amount), (destination, -sign * amount)):
        store.execute(
            "INSERT INTO account_move_line (move_id, move_name, date, parent_state, journal_id, company_id, "
            "company_currency_id, account_id, partner_id, name, debit, credit, balance, amount_currency, currency_id, "
            "amount_residual, amount_residual_currency, reconciled, display_type, payment_id, quantity, create_uid, "
            "write_uid, create_date, write_date) VALUES (?, '/', ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, "
            "'product', ?, 1, ?, ?, ?, ?)",
            (move_id, date, journal, company, company_currency, account, partner, "Draft payment",
             max(balance, 0.0), max(-balance, 0.0), balance, balance, currency, balance, balance, payment_id,
             records.env.uid, records.env.uid, records.env.now(), records.env.now()))


def before_write(records: Recordset, ids: list[int], vals: dict[str, Any]) -> None:
    name = records.model.name
    if name == "res.partner" and "parent_id" in vals and vals["parent_id"]:
        parent = int(vals["parent_id"])
        for rid in ids:
            current: int | None = parent
            seen = set()
            while current and current not in seen:
                if current == rid:
                    raise ValidationError("You cannot create recursive Partner hierarchies.")
                seen.add(current)
                current = _one(records, "SELECT parent_id FROM res_partner WHERE id = ?", (current,))
    if name == "account.move":
        locked = {"line_ids", "invoice_line_ids", "journal_id", "partner_id", "currency_id", "date", "invoice_date",
                  "move_type", "invoice_payment_term_id", "company_id"}
        touched = locked & set(vals)
        for rid in ids:
            if touched and _one(records, "SELECT state FROM account_move WHERE id = ?", (rid,)) == "posted":
                raise UserError("You cannot modify a posted entry of this journal. Reset it to draft first. "
                                f"Fields: {', '.join(sorted(touched))}")


def after_write(records: Recordset, ids: list[int], vals: dict[str, Any]) -> None:
    if records.model.name == "res.partner" and {"name", "parent_id", "is_company"} & set(vals):
        _refresh_partners(records, ids)


def before_unlink(records: Recordset, ids: list[int]) -> None:
    name = records.model.name
    marks = ", ".join("?" * len(ids))
    store = records.store
    if name == "account.move" and store.execute(
            f"SELECT 1 FROM account_move WHERE state = 'posted' AND id IN ({marks})", ids).fetchone():
        raise posted_error()
    if name == "account.move.line" and store.execute(
            f"SELECT 1 FROM account_move_line WHERE parent_state = 'posted' AND id IN ({marks})", ids).fetchone():
        raise posted_error()
    if name == "account.payment":
        if records.env.registry.version <= 17:
            states = store.execute(
                f"SELECT m.state, m.id FROM account_payment p JOIN account_move m ON m.id = p.move_id "
                f"WHERE p.id IN ({marks})", ids).fetchall()
            if any(s == "posted" for s, _ in states):
                raise UserError("You cannot delete a payment that is already posted.")
            move_ids = [m for _, m in states]
            if move_ids:
                mm = ", ".join("?" * len(move_ids))
                store.execute(f"DELETE FROM account_move_line WHERE move_id IN ({mm})", move_ids)
                store.execute(f"UPDATE account_move SET payment_id = NULL WHERE id IN ({mm})", move_ids)
                store.execute(f"DELETE FROM account_move WHERE id IN ({mm})", move_ids)
        elif store.execute(f"SELECT 1 FROM account_payment WHERE state != 'draft' AND id IN ({marks})",
                           ids).fetchone():
            raise UserError("You can only delete draft payments.")
    if name == "sale.order" and store.execute(
            f"SELECT 1 FROM sale_order WHERE state NOT IN ('draft', 'cancel') AND id IN ({marks})", ids).fetchone():
        raise UserError("You can not delete a sent quotation or a confirmed sales order. You must first cancel it.")
    if name == "purchase.order" and store.execute(
            f"SELECT 1 FROM purchase_order WHERE state IN ('purchase', 'done') AND id IN ({marks})", ids).fetchone():
        raise UserError("In order to delete a purchase order, you must cancel it first.")
    if name == "res.partner" and store.execute(
            f"SELECT 1 FROM account_move_line WHERE partner_id IN ({marks}) LIMIT 1", ids).fetchone():
        raise ValidationError(FOREIGN_KEY.format(model_label="Journal Item", model="account.move.line",
                                                 constraint="account_move_line_partner_id_fkey"))
