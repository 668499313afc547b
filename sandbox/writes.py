"""create / write / unlink, with the business rules Odoo enforces on the models the product writes."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import TYPE_CHECKING, Any

from sandbox.errors import OdooValueError, UserError, ValidationError
from sandbox.schema import Field
from sandbox.store import to_sql
from sandbox.values import from_client

if TYPE_CHECKING:
    from sandbox.orm import Recordset

MANDATORY = (
    "The operation cannot be completed:\n"
    "- Create/update: a mandatory field is not set.\n"
    "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
    "Model: {model_label} ({model})\n"
    "Field: {field_label} ({field})\n"
)
"""Odoo's ValidationError for a NOT NULL violation (``_as_validation_error``)."""
FOREIGN_KEY = (
    "The operation cannot be completed: another model requires the record being deleted. "
    "If possible, archive it instead.\n\n"
    "Model: {model_label} ({model})\n"
    "Constraint: {constraint}\n"
)
"""Odoo's ValidationError for a foreign key violation."""


def _inherited_target(records: Recordset, f: Field) -> str | None:
    """For ``_inherits`` models: the parent link a field is delegated to (account.payment.date -> move_id)."""
    if f.related and not f.has_column:
        head = f.related.split(".")[0]
        if head in records.model.spec.inherits.values():
            return head
    return None


def prepare(records: Recordset, vals: dict[str, Any], creating: bool) -> tuple[dict[str, Any], dict[str, Any], dict]:
    """Split client values into (columns, x2many commands, values for the ``_inherits`` parent)."""
    if not isinstance(vals, dict):
        raise OdooValueError(f"Invalid values {vals!r}: expected a dictionary")
    columns: dict[str, Any] = {}
    x2many: dict[str, Any] = {}
    parent: dict[str, dict[str, Any]] = {}
    for name, value in vals.items():
        f = records.model.field(name)
        if f is None:
            raise OdooValueError(f"Invalid field {name!r} on model {records.model.name!r}")
        if name in ("id", "display_name", "create_date", "create_uid", "write_date", "write_uid"):
            continue
        target = _inherited_target(records, f)
        if target:
            parent.setdefault(target, {})[(f.related or "").split(".", 1)[1]] = value
        elif f.type in ("one2many", "many2many"):
            x2many[name] = value
        elif f.has_column:
            columns[name] = from_client(f, value, records.model.name)
    return columns, x2many, parent


def _check_required(records: Recordset, row: dict[str, Any]) -> None:
    for f in records.model.columns:
        if f.required and f.name != "id" and row.get(f.name) in (None, "") and f.type != "boolean":
            raise ValidationError(MANDATORY.format(
                model_label=records.model.spec.description, model=records.model.name,
                field_label=f.string, field=f.name))


def _check_m2o(records: Recordset, row: dict[str, Any]) -> None:
    for name, value in row.items():
        f = records.model.field(name)
        if f and f.type == "many2one" and value and f.relation in records.env.registry:
            table = records.env.registry[f.relation or ""].table
            if not records.store.execute(f'SELECT 1 FROM "{table}" WHERE id = ?', (value,)).fetchone():
                raise ValidationError(FOREIGN_KEY.format(
                    model_label=records.model.spec.description, model=records.model.name,
                    constraint=f"{records.model.table}_{f.name}_fkey"))


def defaults(records: Recordset) -> dict[str, Any]:
    env = records.env
    row: dict[str, Any] = {}
    for f in records.model.columns:
        if f.default is not None:
            row[f.name] = f.default
    company = records.model.field("company_id")
    if company is not None and company.has_column and records.model.name not in ("res.partner",):
        row.setdefault("company_id", env.company_id)
    currency = records.model.field("currency_id")
    if currency is not None and currency.has_column:
        cur = records.store.execute("SELECT currency_id FROM res_company WHERE id = ?", (env.company_id,)).fetchone()
        if cur and records.model.name not in ("account.account", "account.journal", "res.country"):
            row.setdefault("currency_id", cur[0])
    return row


def context_defaults(records: Recordset, vals: dict[str, Any]) -> dict[str, Any]:
    """``default_<field>`` keys of the context, for stored fields the values leave out."""
    found: dict[str, Any] = {}
    for key, value in records.env.context.items():
        if not isinstance(key, str) or not key.startswith("default_"):
            continue
        f = records.model.field(key[8:])
        if f is not None and f.has_column and f.name not in vals and f.name != "id":
            found[f.name] = from_client(f, value, records.model.name)
    return found


def create(records: Recordset, vals_list: Any) -> Any:
    records.check("create")
    single = isinstance(vals_list, dict)
    items = [vals_list] if single else list(vals_list) if isinstance(vals_list, (list, tuple)) else None
    if items is None or not all(isinstance(v, dict) for v in items):
        raise OdooValueError("create() expects a dictionary or a list of dictionaries")
    ids: list[int] = []
    with records.store.transaction():
        for vals in items:
            ids.append(_create_one(records, dict(vals)))
    return ids[0] if single else ids


def _create_one(records: Recordset, vals: dict[str, Any]) -> int:
    from sandbox import business

    env = records.env
    vals = business.before_create(records, vals)
    columns, x2many, parent = prepare(records, vals, creating=True)
    row = {**defaults(records), **context_defaults(records, vals), **columns}
    for target, parent_vals in parent.items():
        link = records.model.fields[target]
        if not row.get(target):
            from sandbox.orm import Recordset as _Recordset

            parent_rs = _Recordset(env, env.registry[link.relation or ""])
            row[target] = _create_one(parent_rs, parent_vals)
    now = env.now()
    row.update(create_uid=env.uid, write_uid=env.uid, create_date=now, write_date=now)
    row = business.complete_row(records, row)
    _check_required(records, row)
    _check_m2o(records, row)
    rid = _insert(records, row)
    _write_x2many(records, rid, x2many)
    business.after_create(records, rid, vals)
    return rid


def _insert(records: Recordset, row: dict[str, Any]) -> int:
    cols = {f.name: f for f in records.model.columns}
    names = [n for n in row if n in cols and n != "id"]
    sql = (f'INSERT INTO "{records.model.table}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
           f'VALUES ({", ".join("?" * len(names))})')
    cur = records.store.execute(sql, [to_sql(cols[n], row[n]) for n in names])
    return int(cur.lastrowid or 0)


def _write_x2many(records: Recordset, rid: int, x2many: dict[str, Any]) -> None:
    from sandbox.orm import Recordset as _Recordset

    for name, commands in x2many.items():
        f = records.model.fields[name]
        comodel = _Recordset(records.env, records.env.registry[f.relation or ""])
        if f.compute and not f.relation_table:
            continue
        for command in _commands(commands):
            code = command[0]
            if code == 0:
                values = dict(command[2] or {})
                if f.type == "one2many":
                    values[f.inverse_name or ""] = rid
                new_id = _create_one(comodel, values)
                if f.type == "many2many":
                    _link(records, f, rid, [new_id])
            elif code == 1:
                write(comodel, [command[1]], command[2] or {})
            elif code == 2:
                unlink(comodel, [command[1]])
            elif code in (3, 5) and f.type == "many2many":
                ids = [command[1]] if code == 3 else None
                _unlink_rel(records, f, rid, ids)
            elif code == 4 and f.type == "many2many":
                _link(records, f, rid, [command[1]])
            elif code == 6 and f.type == "many2many":
                _unlink_rel(records, f, rid, None)
                _link(records, f, rid, list(command[2] or []))
            elif code == 4 and f.type == "one2many":
                write(comodel, [command[1]], {f.inverse_name or "": rid})
            else:
                raise OdooValueError(f"Invalid x2many command {command!r} for {records.model.name}.{name}")


def _commands(value: Any) -> list[list[Any]]:
    if not isinstance(value, (list, tuple)):
        raise OdooValueError(f"Invalid x2many value {value!r}")
    result: list[list[Any]] = []
    for item in value:
        if isinstance(item, int):
            result.append([4, item, 0])
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], int):
            result.append([*item, 0, 0][:3])
        else:
            raise OdooValueError(f"Invalid x2many command {item!r}")
    return result


def _link(records: Recordset, f: Field, rid: int, ids: list[int]) -> None:
    for other in ids:
        exists = records.store.execute(
            f'SELECT 1 FROM "{f.relation_table}" WHERE "{f.column1}" = ? AND "{f.column2}" = ?', (rid, other)
        ).fetchone()
        if not exists:
            records.store.execute(
                f'INSERT INTO "{f.relation_table}" ("{f.column1}", "{f.column2}") VALUES (?, ?)', (rid, other))


def _unlink_rel(records: Recordset, f: Field, rid: int, ids: list[int] | None) -> None:
    sql = f'DELETE FROM "{f.relation_table}" WHERE "{f.column1}" = ?'
    params: list[Any] = [rid]
    if ids is not None:
        sql += f' AND "{f.column2}" IN ({", ".join("?" * len(ids))})'
        params += ids
    records.store.execute(sql, params)


def write(records: Recordset, ids: Any, vals: dict[str, Any]) -> bool:
    from sandbox import business

    records.check("write")
    if not isinstance(vals, dict):
        raise OdooValueError(f"Invalid values {vals!r}: expected a dictionary")
    ids = [int(i) for i in ([ids] if isinstance(ids, int) else ids or [])]
    records.ensure_exist(ids)
    with records.store.transaction():
        business.before_write(records, ids, vals)
        columns, x2many, parent = prepare(records, vals, creating=False)
        columns.update(write_uid=records.env.uid, write_date=records.env.now())
        cols = {f.name: f for f in records.model.columns}
        names = [n for n in columns if n in cols]
        if names:
            assignments = ", ".join(f'"{n}" = ?' for n in names)
            for rid in ids:
                records.store.execute(f'UPDATE "{records.model.table}" SET {assignments} WHERE id = ?',
                                      [*(to_sql(cols[n], columns[n]) for n in names), rid])
        for rid in ids:
            _check_required(records, _row(records, rid))
            _write_x2many(records, rid, x2many)
        for target, parent_vals in parent.items():
            from sandbox.orm import Recordset as _Recordset

            link = records.model.fields[target]
            parent_rs = _Recordset(records.env, records.env.registry[link.relation or ""])
            parent_ids = [r[0] for r in records.store.execute(
                f'SELECT "{target}" FROM "{records.model.table}" WHERE id IN ({", ".join("?" * len(ids))})', ids)]
            write(parent_rs, [p for p in parent_ids if p], parent_vals)
        business.after_write(records, ids, vals)
    return True


def _row(records: Recordset, rid: int) -> dict[str, Any]:
    cols = [f.name for f in records.model.columns]
    r = records.store.execute(
        f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{records.model.table}" WHERE id = ?', (rid,)
    ).fetchone()
    return dict(zip(cols, r, strict=True)) if r else {}


def unlink(records: Recordset, ids: Any) -> bool:
    from sandbox import business

    records.check("unlink")
    ids = [int(i) for i in ([ids] if isinstance(ids, int) else ids or [])]
    records.ensure_exist(ids)
    with records.store.transaction():
        business.before_unlink(records, ids)
        _delete(records, ids)
    return True


def _delete(records: Recordset, ids: list[int]) -> None:
    from sandbox.orm import Recordset as _Recordset

    if not ids:
        return
    marks = ", ".join("?" * len(ids))
    for f in records.model.fields.values():
        if f.type == "one2many" and f.inverse_name and f.relation in records.env.registry and not f.extra_domain:
            comodel = records.env.registry[f.relation or ""]
            inverse = comodel.fields.get(f.inverse_name)
            if inverse is not None and inverse.required:
                child_ids = [r[0] for r in records.store.execute(
                    f'SELECT id FROM "{comodel.table}" WHERE "{f.inverse_name}" IN ({marks})', ids)]
                _delete(_Recordset(records.env, comodel), child_ids)
        elif f.type == "many2many" and f.relation_table and not f.compute:
            records.store.execute(f'DELETE FROM "{f.relation_table}" WHERE "{f.column1}" IN ({marks})', ids)
    records.store.execute(f'DELETE FROM "{records.model.table}" WHERE id IN ({marks})', ids)


def new_uuid() -> str:
    return str(uuid.uuid4())


def attachment_values(vals: dict[str, Any]) -> dict[str, Any]:
    """ir.attachment: store ``datas`` and derive size, checksum and mimetype like Odoo."""
    vals = dict(vals)
    datas = vals.pop("datas", None) or vals.pop("raw", None)
    if datas:
        raw = base64.b64decode(datas) if isinstance(datas, str) else bytes(datas)
        vals["db_datas"] = base64.b64encode(raw).decode()
        vals["file_size"] = len(raw)
        vals["checksum"] = hashlib.sha1(raw).hexdigest()
        if not vals.get("mimetype"):
            name = str(vals.get("name", ""))
            vals["mimetype"] = "application/json" if name.endswith(".json") else (
                "text/plain" if name.endswith(".txt") else "application/octet-stream")
    if vals.get("type") == "url":
        vals.setdefault("mimetype", "text/plain")
    return vals


def posted_error() -> UserError:
    return UserError("You can't delete a posted journal item. Don’t play games with your accounting records; "
                     "reset the journal entry to draft before deleting it.")
