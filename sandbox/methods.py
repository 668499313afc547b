"""The model methods a client may call over RPC, and how a call is dispatched to them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from sandbox import read_group as read_group_mod
from sandbox import writes
from sandbox.errors import AccessError, HTTPException, OdooAttributeError, OdooTypeError, OdooValueError
from sandbox.orm import Database, Recordset

Method = Callable[..., Any]


def _search(rs: Recordset, domain: Any = None, offset: int = 0, limit: int | None = None, order: str | None = None,
            count: bool = False) -> Any:
    return rs.search(domain, offset=offset, limit=limit, order=order, count=count)


def _search_count(rs: Recordset, domain: Any = None, limit: int | None = None) -> int:
    return rs.search_count(domain, limit=limit)


def _search_read(rs: Recordset, domain: Any = None, fields: list[str] | None = None, offset: int = 0,
                 limit: int | None = None, order: str | None = None) -> list[dict[str, Any]]:
    return rs.search_read(domain, fields, offset=offset, limit=limit, order=order)


def _read(rs: Recordset, ids: Any, fields: list[str] | None = None, load: str = "_classic_read") -> Any:
    return rs.read(ids, fields, load=load)


def _read_group(rs: Recordset, domain: Any, fields: list[str], groupby: Any, offset: int = 0,
                limit: int | None = None, orderby: str | bool = False, lazy: bool = True) -> Any:
    return read_group_mod.read_group(rs, domain, fields, groupby, offset, limit, orderby, lazy)


def _fields_get(rs: Recordset, allfields: list[str] | None = None, attributes: list[str] | None = None) -> Any:
    return rs.fields_get(allfields, attributes)


def _name_search(rs: Recordset, name: str = "", args: Any = None, operator: str = "ilike",
                 limit: int | None = 100) -> Any:
    return rs.name_search(name, args, operator, limit)


def _create(rs: Recordset, vals_list: Any) -> Any:
    return writes.create(rs, vals_list)


def _write(rs: Recordset, ids: Any, vals: dict[str, Any]) -> bool:
    return writes.write(rs, ids, vals)


def _unlink(rs: Recordset, ids: Any) -> bool:
    return writes.unlink(rs, ids)


def _check_access_rights(rs: Recordset, operation: str, raise_exception: bool = True) -> bool:
    return rs.check_access_rights(operation, raise_exception)


def _check_access_rule(rs: Recordset, ids: Any, operation: str = "read") -> None:
    rs.check(operation)
    rs.check_access_rule(list(ids), operation)


def _exists(rs: Recordset, ids: Any) -> list[int]:
    return rs.exists(list(ids))


def _default_get(rs: Recordset, fields_list: list[str]) -> dict[str, Any]:
    values = writes.defaults(rs)
    return {k: v for k, v in values.items() if k in (fields_list or [])}


def _message_post(rs: Recordset, ids: Any, body: str = "", subject: str | None = None,
                  message_type: str = "notification", subtype_xmlid: str | None = None,
                  partner_ids: list[int] | None = None, attachment_ids: list[int] | None = None,
                  author_id: int | None = None, **kwargs: Any) -> int:
    ids = [ids] if isinstance(ids, int) else list(ids)
    if len(ids) != 1:
        raise OdooValueError(f"Expected singleton: {rs.model.name}({', '.join(map(str, ids))},)")
    rs.ensure_exist(ids)
    if not rs.model.name.endswith(".channel"):
        rs.check("write")
    messages = Recordset(rs.env, rs.env.registry["mail.message"])
    vals: dict[str, Any] = {
        "model": rs.model.name, "res_id": ids[0], "body": body, "subject": subject or False,
        "message_type": message_type if message_type in ("comment", "notification", "email") else "comment",
        "is_internal": subtype_xmlid == "mail.mt_note",
        "record_name": rs.display_names(ids).get(ids[0]),
        "partner_ids": [(6, 0, list(partner_ids or []))],
        "attachment_ids": [(6, 0, list(attachment_ids or []))],
    }
    if author_id:
        vals["author_id"] = author_id
    return int(writes.create(messages, vals))


def _activity_schedule(rs: Recordset, ids: Any, act_type_xmlid: str = "", date_deadline: str | None = None,
                       summary: str = "", note: str = "", **act_values: Any) -> list[int]:
    ids = [ids] if isinstance(ids, int) else list(ids)
    rs.ensure_exist(ids)
    type_id = None
    if act_type_xmlid:
        module, _, name = act_type_xmlid.partition(".")
        row = rs.store.execute("SELECT res_id FROM ir_model_data WHERE module = ? AND name = ? "
                               "AND model = 'mail.activity.type'", (module, name)).fetchone()
        if not row:
            raise OdooValueError(f"External ID not found in the system: {act_type_xmlid}")
        type_id = row[0]
    activities = Recordset(rs.env, rs.env.registry["mail.activity"])
    created = []
    for rid in ids:
        vals = {"res_model": rs.model.name, "res_id": rid, "summary": summary or False, "note": note or False,
                "date_deadline": date_deadline or rs.env.today.isoformat(), **act_values}
        if type_id:
            vals["activity_type_id"] = type_id
        created.append(int(writes.create(activities, vals)))
    return created


def _has_group(rs: Recordset, ids: Any, group_ext_id: str) -> bool:
    ids = [ids] if isinstance(ids, int) else list(ids or [])
    uid = ids[0] if ids else rs.env.uid
    if "." not in group_ext_id:
        raise OdooValueError("External ID must be fully qualified")
    return group_ext_id in rs.env.db.user_groups(uid)


def _context_get(rs: Recordset) -> dict[str, Any]:
    return {"lang": "en_US", "tz": "Europe/Brussels", "uid": rs.env.uid}


GENERIC: dict[str, Method] = {
    "search": _search, "search_count": _search_count, "search_read": _search_read, "read": _read,
    "read_group": _read_group, "fields_get": _fields_get, "name_search": _name_search, "create": _create,
    "write": _write, "unlink": _unlink, "check_access_rights": _check_access_rights,
    "check_access_rule": _check_access_rule, "exists": _exists, "default_get": _default_get,
}
MAIL_THREAD: dict[str, Method] = {"message_post": _message_post, "activity_schedule": _activity_schedule}
SPECIFIC: dict[str, dict[str, Method]] = {
    "res.users": {"has_group": _has_group, "context_get": _context_get},
}
MULTI = {"read", "write", "unlink", "check_access_rule", "exists", "message_post", "activity_schedule", "has_group"}


def find_method(rs: Recordset, name: str) -> Method:
    if name.startswith("_"):
        raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")
    method = SPECIFIC.get(rs.model.name, {}).get(name) or GENERIC.get(name)
    if method is None and rs.model.spec.mail_thread:
        method = MAIL_THREAD.get(name)
    if method is None:
        raise OdooAttributeError(f"The method '{name}' does not exist on the model '{rs.model.name}'")
    return method


def call(db: Database, uid: int, model: str, name: str, args: list[Any] | tuple[Any, ...] | None,
         kwargs: dict[str, Any] | None) -> Any:
    """``execute_kw``: one model method called by one authenticated user."""
    if not isinstance(args, (list, tuple)) or not isinstance(kwargs or {}, dict):
        raise OdooTypeError("execute_kw() expects a list of arguments and a dict of keyword arguments")
    kwargs = dict(kwargs or {})
    context = kwargs.pop("context", None) or {}
    if not isinstance(context, dict):
        raise OdooTypeError("context must be a dictionary")
    env = db.env(uid, context)
    rs = env[model]
    method = find_method(rs, name)
    try:
        bound = inspect.signature(method).bind(rs, *args, **kwargs)
    except TypeError as exc:
        raise OdooTypeError(f"{model}.{name}() {exc}") from None
    with db.store.transaction():
        return method(*bound.args, **bound.kwargs)


def call_named(db: Database, uid: int, model: str, name: str, params: dict[str, Any]) -> Any:
    """JSON-2: named arguments only, record ids under ``ids``; errors as Odoo 19's JSON-2 raises them."""
    params = dict(params)
    ids = params.pop("ids", None) or []
    context = params.pop("context", None) or {}
    if not isinstance(context, dict):
        raise HTTPException(422, "context must be a JSON object")
    rs = db.env(uid, context)[model]
    try:
        method = find_method(rs, name)
    except OdooAttributeError as exc:
        raise HTTPException(404, exc.message) from None
    multi = name in MULTI
    if not multi and ids:
        raise HTTPException(422, f"cannot call {model}.{name} with ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise HTTPException(422, f"ids must be a list of integers, not {ids!r}")
    args: list[Any] = [ids] if multi else []
    try:
        inspect.signature(method).bind(rs, *args, **params)
    except TypeError as exc:
        raise HTTPException(422, str(exc.args[0])) from None
    result = call(db, uid, model, name, args, {**params, "context": context})
    if name == "create" and isinstance(result, int):
        result = [result]  # JSON-2 answers ``records.ids``
    return result
