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


# -- arguments as clients send them ------------------------------------------------------------------
def ids_of(value: Any) -> list[int]:
    """Record ids (one id or a list of them), or Odoo's error for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if value is None or value is False:
        return []
    if isinstance(value, (list, tuple)) and all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        return list(value)
    raise OdooValueError(f"Invalid record ids {value!r}: expected a list of integers")


def names_of(value: Any, what: str) -> list[str] | None:
    """A list of field (or attribute) names; None when not given."""
    if value is None or value is False:
        return None
    if isinstance(value, (list, tuple)) and all(isinstance(n, str) for n in value):
        return list(value)
    raise OdooValueError(f"Invalid {what} {value!r}: expected a list of names")


def domain_of(value: Any) -> list[Any]:
    """A domain (a list); empty when not given."""
    if value is None or value is False:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    raise OdooValueError(f"Invalid domain {value!r}: expected a list")



def _search(rs: Recordset, domain: Any = None, offset: int = 0, limit: int | None = None,
            order: str | None = None) -> Any:
    return rs.search(domain_of(domain), offset=offset, limit=limit, order=order)


def _search_16(rs: Recordset, domain: Any = None, offset: int = 0, limit: int | None = None,
               order: str | None = None, count: bool = False) -> Any:
    """Odoo 16 still had ``search(count=True)`` (removed in 17)."""
    return rs.search(domain_of(domain), offset=offset, limit=limit, order=order, count=count)


def _name_get(rs: Recordset, ids: Any) -> list[list[Any]]:
    """Odoo <= 17: ``[[id, display name], ...]`` (deprecated in 17, gone in 18)."""
    return [[r["id"], r["display_name"]] for r in rs.read(ids_of(ids), ["display_name"])]


def _search_count(rs: Recordset, domain: Any = None, limit: int | None = None) -> int:
    return rs.search_count(domain_of(domain), limit=limit)


def _search_read(rs: Recordset, domain: Any = None, fields: list[str] | None = None, offset: int = 0,
                 limit: int | None = None, order: str | None = None,
                 load: str = "_classic_read") -> list[dict[str, Any]]:
    return rs.search_read(domain_of(domain), names_of(fields, "fields"), offset=offset, limit=limit, order=order,
                          load=load)


def _read(rs: Recordset, ids: Any, fields: list[str] | None = None, load: str = "_classic_read") -> Any:
    return rs.read(ids_of(ids), names_of(fields, "fields"), load=load)


def _read_group(rs: Recordset, domain: Any, fields: list[str], groupby: Any, offset: int = 0,
                limit: int | None = None, orderby: str | bool = False, lazy: bool = True) -> Any:
    groupbys = [groupby] if isinstance(groupby, str) else names_of(groupby, "groupby") or []
    return read_group_mod.read_group(rs, domain_of(domain), fields, groupbys, offset, limit, orderby, lazy)


def _fields_get(rs: Recordset, allfields: list[str] | None = None, attributes: list[str] | None = None) -> Any:
    return rs.fields_get(names_of(allfields, "fields"), names_of(attributes, "attributes"))


def _name_search(rs: Recordset, name: str = "", args: Any = None, operator: str = "ilike",
                 limit: int | None = 100) -> Any:
    return rs.name_search(name, domain_of(args), operator, limit)


def _create(rs: Recordset, vals_list: Any) -> Any:
    return writes.create(rs, vals_list)


def _write(rs: Recordset, ids: Any, vals: dict[str, Any]) -> bool:
    return writes.write(rs, ids_of(ids), vals)


def _unlink(rs: Recordset, ids: Any) -> bool:
    return writes.unlink(rs, ids_of(ids))


def _check_access_rights(rs: Recordset, operation: str, raise_exception: bool = True) -> bool:
    return rs.check_access_rights(operation, raise_exception)


def _check_access_rule(rs: Recordset, ids: Any, operation: str = "read") -> None:
    rs.check(operation)
    rs.check_access_rule(ids_of(ids), operation)


def _exists(rs: Recordset, ids: Any) -> list[int]:
    return rs.exists(ids_of(ids))


def _default_get(rs: Recordset, fields_list: list[str]) -> dict[str, Any]:
    values = writes.defaults(rs)
    wanted = names_of(fields_list, "fields") or []
    return {k: v for k, v in values.items() if k in wanted}


def _message_post(rs: Recordset, ids: Any, body: str = "", subject: str | None = None,
                  message_type: str = "notification", subtype_xmlid: str | None = None,
                  partner_ids: list[int] | None = None, attachment_ids: list[int] | None = None,
                  author_id: int | None = None, **kwargs: Any) -> int:
    ids = ids_of(ids)
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
        "partner_ids": [(6, 0, ids_of(partner_ids))],
        "attachment_ids": [(6, 0, ids_of(attachment_ids))],
    }
    if author_id:
        vals["author_id"] = author_id
    return int(writes.create(messages, vals))


def _activity_schedule(rs: Recordset, ids: Any, act_type_xmlid: str = "", date_deadline: str | None = None,
                       summary: str = "", note: str = "", **act_values: Any) -> list[int]:
    ids = ids_of(ids)
    rs.ensure_exist(ids)
    type_id = None
    if act_type_xmlid and not isinstance(act_type_xmlid, str):
        raise OdooValueError(f"External ID not found in the system: {act_type_xmlid}")
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
    ids = ids_of(ids)
    uid = ids[0] if ids else rs.env.uid
    if not isinstance(group_ext_id, str) or "." not in group_ext_id:
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
def _name_search_18(rs: Recordset, name: str = "", domain: Any = None, operator: str = "ilike",
                    limit: int | None = 100) -> Any:
    """Odoo 18+: the filter parameter of ``name_search`` is ``domain`` (``args`` before)."""
    return rs.name_search(name, domain_of(domain), operator, limit)


BY_VERSION: list[tuple[int, int, str, Method]] = [
    (16, 16, "search", _search_16),
    (16, 17, "name_get", _name_get),
    (18, 99, "name_search", _name_search_18),
]
"""(first version, last version, name, method): methods that differ in, or only exist for, some versions."""
MULTI = {"read", "write", "unlink", "check_access_rule", "exists", "message_post", "activity_schedule", "has_group",
         "name_get"}


def find_method(rs: Recordset, name: str) -> Method:
    if name.startswith("_"):
        raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")
    version = rs.env.registry.version
    versioned = next((m for first, last, n, m in BY_VERSION if n == name and first <= version <= last), None)
    method = SPECIFIC.get(rs.model.name, {}).get(name) or versioned or GENERIC.get(name)
    if method is None and rs.model.spec.mail_thread:
        method = MAIL_THREAD.get(name)
    if method is None:
        raise OdooAttributeError(f"The method '{name}' does not exist on the model '{rs.model.name}'")
    return method


def call(db: Database, uid: int, model: str, name: str, args: list[Any] | tuple[Any, ...] | None,
         kwargs: dict[str, Any] | None) -> Any:
    """``execute_kw``: one model method called by one authenticated user."""
    if not isinstance(name, str):
        raise OdooAttributeError(f"The method {name!r} does not exist on the model {model!r}")
    if name.startswith("_"):
        raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")
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
