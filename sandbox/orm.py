"""The ORM of the sandbox: Odoo's model methods over the SQLite store.

:class:`Database` is one Odoo database (registry, store, users); an :class:`Env`
is one user's view of it for one request; :class:`Recordset` exposes the public
model methods a client may call (``search``, ``read``, ``read_group`` ...).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sandbox import computes
from sandbox.domain import AND_, DomainCompiler, mentions
from sandbox.errors import AccessError, MissingError, OdooValueError, UserError
from sandbox.rights import check as check_access
from sandbox.rights import implied_closure
from sandbox.schema import Field, Model, Registry
from sandbox.store import Store
from sandbox.values import to_read

ORDER_RE = re.compile(
    r'^(\s*([a-z0-9:_]+|"[a-z0-9:_]+")(\.id)?(\s+(desc|asc))?(\s+(nulls first|nulls last))?\s*(,|$))+(?<!,)$',
    re.IGNORECASE,
)
CHUNK = 900


class Database:
    """One Odoo database served by the sandbox."""

    def __init__(self, name: str, store: Store, today: dt.date | None = None) -> None:
        self.name = name
        self.store = store
        self.registry: Registry = store.registry
        self.compiler = DomainCompiler(self.registry)
        self.today = today or dt.date.today()
        self._groups_cache: dict[int, set[str]] = {}

    def env(self, uid: int, context: dict[str, Any] | None = None) -> Env:
        return Env(self, uid, dict(context or {}))

    def user_groups(self, uid: int) -> set[str]:
        cached = self._groups_cache.get(uid)
        if cached is None:
            rows = self.store.execute(
                "SELECT d.module || '.' || d.name FROM res_groups_users_rel r JOIN ir_model_data d "
                "ON d.model = 'res.groups' AND d.res_id = r.gid WHERE r.uid = ?", (uid,)
            ).fetchall()
            cached = implied_closure({r[0] for r in rows})
            self._groups_cache[uid] = cached
        return cached

    def invalidate_groups(self) -> None:
        self._groups_cache.clear()


class Env:
    """A user's view of a database for one call: rights, companies, context."""

    def __init__(self, db: Database, uid: int, context: dict[str, Any]) -> None:
        self.db = db
        self.uid = uid
        self.context = context
        self.registry = db.registry
        self.store = db.store
        self.groups = db.user_groups(uid)
        user = self.store.execute("SELECT company_id FROM res_users WHERE id = ?", (uid,)).fetchone()
        self.company_id: int = user[0] if user else 1
        user_companies = [r[0] for r in self.store.execute(
            "SELECT cid FROM res_company_users_rel WHERE user_id = ?", (uid,))] or [self.company_id]
        wanted = context.get("allowed_company_ids")
        if wanted:
            if not isinstance(wanted, list) or any(c not in user_companies for c in wanted):
                raise AccessError("Access to unauthorized or invalid companies.")
            self.company_ids = [int(c) for c in wanted]
            self.company_id = self.company_ids[0]
        else:
            self.company_ids = [self.company_id]
        self.user_company_ids = user_companies

    def __getitem__(self, model_name: str) -> Recordset:
        if model_name not in self.registry:
            raise UserError(f"Object {model_name} doesn't exist")
        return Recordset(self, self.registry[model_name])

    @property
    def today(self) -> dt.date:
        return self.db.today

    def now(self) -> str:
        return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


class Recordset:
    """The public model methods of one model, as one user calls them."""

    def __init__(self, env: Env, model: Model) -> None:
        self.env = env
        self.model = model
        self.store = env.store

    # -- rights -------------------------------------------------------------------------------------
    def check(self, operation: str) -> None:
        check_access(self.env.groups, self.model.name, self.model.spec.description, operation)

    def rule_domain(self) -> list[Any]:
        """Record rules: multi-company visibility."""
        f = self.model.field("company_id")
        if self.model.name == "res.company":
            return [("id", "in", self.env.user_company_ids)]
        if f is not None and f.type == "many2one" and f.is_searchable:
            return [("company_id", "in", [*self.env.company_ids, False])]
        return []

    # -- search -------------------------------------------------------------------------------------
    def _where(self, domain: Any, alias: str, params: list[Any]) -> str:
        domain = list(domain or [])
        full = AND_([domain, self.rule_domain()])
        active = self.model.field("active")
        if active is not None and active.has_column and self.env.context.get("active_test", True) \
                and not mentions(domain, "active"):
            full = AND_([full, [("active", "=", True)]])
        return self.env.db.compiler.compile(self.model, full, alias, params)

    def order_sql(self, order: str | None, alias: str = "t") -> str:
        order = order or self.model.spec.order
        if not ORDER_RE.match(order):
            raise OdooValueError(
                f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list '
                "of valid field names (optionally followed by asc/desc for the direction)"
            )
        parts: list[str] = []
        for item in order.split(","):
            words = item.strip().split()
            name = words[0].strip('"').split(".")[0]
            direction = "DESC" if len(words) > 1 and words[1].lower() == "desc" else "ASC"
            nulls = " ".join(words[2:]).lower()
            f = self.model.field(name)
            if f is None:
                raise OdooValueError(f"Invalid field {name!r} on model {self.model.name!r}")
            if not f.has_column:
                continue
            expr = f'{alias}."{name}"'
            if f.type == "many2one" and f.relation in self.env.registry:
                comodel = self.env.registry[f.relation or ""]
                expr = (f'(SELECT {self.env.db.compiler.display_expr(comodel, "o")} FROM "{comodel.table}" o '
                        f'WHERE o.id = {alias}."{name}")')
            # PostgreSQL puts NULLs last ascending and first descending
            null_first = (direction == "DESC") if not nulls else nulls.endswith("first")
            parts.append(f"({expr} IS {'NOT ' if null_first else ''}NULL)")
            parts.append(f"{expr} {direction}")
        parts.append(f"{alias}.id {'DESC' if order.strip().lower().endswith('id desc') else 'ASC'}")
        return ", ".join(parts)

    def search(self, domain: Any = None, offset: int = 0, limit: int | None = None, order: str | None = None,
               count: bool = False) -> Any:
        self.check("read")
        if count:
            return self.search_count(domain)
        params: list[Any] = []
        where = self._where(domain, "t", params)
        sql = f'SELECT t.id FROM "{self.model.table}" t WHERE {where} ORDER BY {self.order_sql(order)}'
        if limit:
            sql += f" LIMIT {int(limit)}"
        if offset:
            sql += (" " if limit else " LIMIT -1 ") + f"OFFSET {int(offset)}"
        return [r[0] for r in self.store.execute(sql, params)]

    def search_count(self, domain: Any = None, limit: int | None = None) -> int:
        self.check("read")
        params: list[Any] = []
        where = self._where(domain, "t", params)
        sql = f'SELECT count(*) FROM (SELECT t.id FROM "{self.model.table}" t WHERE {where}'
        sql += f" LIMIT {int(limit)})" if limit else ")"
        return int(self.store.execute(sql, params).fetchone()[0])

    def search_read(self, domain: Any = None, fields: list[str] | None = None, offset: int = 0,
                    limit: int | None = None, order: str | None = None, **kwargs: Any) -> list[dict[str, Any]]:
        ids = self.search(domain, offset=offset, limit=limit, order=order)
        return self.read(ids, fields) if ids else []

    def name_search(self, name: str = "", args: Any = None, operator: str = "ilike",
                    limit: int | None = 100) -> list[list[Any]]:
        domain = list(args or [])
        if name:
            domain = AND_([domain, [("display_name", operator, name)]])
        ids = self.search(domain, limit=limit)
        return [[r["id"], r["display_name"]] for r in self.read(ids, ["display_name"])]

    # -- read ---------------------------------------------------------------------------------------
    def resolve_fields(self, fields: Iterable[str] | None) -> list[Field]:
        names = list(fields or [])
        if not names:
            return [f for f in self.model.fields.values()]
        result = []
        for name in names:
            if not isinstance(name, str):
                raise OdooValueError(f"Invalid field {name!r} on model {self.model.name!r}")
            f = self.model.field(name)
            if f is None:
                raise OdooValueError(f"Invalid field {name!r} on model {self.model.name!r}")
            result.append(f)
        return result

    def read(self, ids: Any, fields: list[str] | None = None, load: str = "_classic_read") -> list[dict[str, Any]]:
        self.check("read")
        if isinstance(ids, int):
            ids = [ids]
        ids = [int(i) for i in (ids or [])]
        wanted = self.resolve_fields(fields)
        existing = self._visible(ids)
        ids = [i for i in ids if i in existing]
        if not ids:
            return []
        values = self.fetch(ids, wanted)
        classic = load == "_classic_read"
        names = self._m2o_names(wanted, values) if classic else {}
        out = []
        for rid in ids:
            row = values[rid]
            rec: dict[str, Any] = {"id": rid}
            for f in wanted:
                if f.name == "id":
                    continue
                v = row.get(f.name)
                rec[f.name] = (v or False) if (f.type == "many2one" and not classic) else to_read(f, v, names)
            out.append(rec)
        return out

    def _visible(self, ids: list[int]) -> set[int]:
        """The ids that exist; a rule-hidden one raises AccessError as Odoo does."""
        found: set[int] = set()
        unique = sorted(set(ids))
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start:start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            found.update(r[0] for r in self.store.execute(
                f'SELECT id FROM "{self.model.table}" WHERE id IN ({marks})', chunk))
        rules = self.rule_domain()
        if rules and found:
            allowed = set(self._filter(sorted(found), rules))
            hidden = found - allowed
            if hidden:
                raise AccessError(
                    f"Due to security restrictions, you are not allowed to access '{self.model.spec.description}' "
                    f"({self.model.name}) records.\n\nRecords: {self.model.name}({min(hidden)},) "
                    "\n\nThis restriction is due to the following rules:\n- multi-company rule\n\n"
                    "Note: this might be a multi-company issue. Switching company may help - in Odoo, "
                    "not in real life!\n\nContact your administrator to request access if necessary."
                )
        return found

    def _filter(self, ids: list[int], domain: list[Any]) -> list[int]:
        result: list[int] = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            params: list[Any] = list(chunk)
            where = self.env.db.compiler.compile(self.model, domain, "t", params)
            marks = ", ".join("?" * len(chunk))
            result.extend(r[0] for r in self.store.execute(
                f'SELECT t.id FROM "{self.model.table}" t WHERE t.id IN ({marks}) AND {where}', params))
        return result

    def fetch(self, ids: list[int], fields: list[Field]) -> dict[int, dict[str, Any]]:
        """Cached values (many2one as ids, x2many as lists) of ``fields`` for existing ``ids``."""
        rows: dict[int, dict[str, Any]] = {i: {} for i in ids}
        columns = [f.name for f in fields if f.has_column and f.name != "id"]
        if columns:
            cols = ", ".join(f'"{c}"' for c in columns)
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                marks = ", ".join("?" * len(chunk))
                for r in self.store.execute(f'SELECT id, {cols} FROM "{self.model.table}" WHERE id IN ({marks})',
                                            chunk):
                    rows[r[0]].update(zip(columns, r[1:], strict=True))
        for f in fields:
            if f.has_column or f.name == "id":
                continue
            if f.name == "display_name":
                self._fill(rows, f.name, self.display_names(ids))
            elif f.related:
                self._fill(rows, f.name, self._related(ids, f))
            elif f.compute:
                self._fill(rows, f.name, computes.compute(self, ids, f))
            elif f.type == "one2many":
                self._fill(rows, f.name, self._one2many(ids, f), default=[])
            elif f.type == "many2many":
                self._fill(rows, f.name, self._many2many(ids, f), default=[])
        return rows

    @staticmethod
    def _fill(rows: dict[int, dict[str, Any]], name: str, values: dict[int, Any], default: Any = None) -> None:
        for rid, row in rows.items():
            row[name] = values.get(rid, default)

    def display_names(self, ids: list[int]) -> dict[int, str]:
        expr = self.env.db.compiler.display_expr(self.model, "t")
        names: dict[int, str] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            names.update((r[0], r[1] or "") for r in self.store.execute(
                f'SELECT t.id, {expr} FROM "{self.model.table}" t WHERE t.id IN ({marks})', chunk))
        return names

    def _related(self, ids: list[int], f: Field) -> dict[int, Any]:
        head, _, rest = (f.related or "").partition(".")
        link = self.model.fields[head]
        first = self.fetch(ids, [link])
        targets = {rid: row.get(head) for rid, row in first.items()}
        target_ids = sorted({t for t in targets.values() if t})
        if not rest or not target_ids:
            return targets if not rest else {}
        comodel = Recordset(self.env, self.env.registry[link.relation or ""])
        sub_field = comodel.model.fields[rest.split(".")[0]]
        if "." in rest:
            sub_field = Field(name=f.name, string=f.string, type=f.type, relation=f.relation, related=rest,
                              store=False)
        sub = comodel.fetch(target_ids, [sub_field])
        return {rid: sub[t].get(sub_field.name) for rid, t in targets.items() if t in sub}

    def _one2many(self, ids: list[int], f: Field) -> dict[int, list[int]]:
        comodel = Recordset(self.env, self.env.registry[f.relation or ""])
        inverse = f.inverse_name or ""
        result: dict[int, list[int]] = defaultdict(list)
        extra = list(f.extra_domain)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            params: list[Any] = []
            domain = AND_([[(inverse, "in", chunk)], extra])
            where = comodel._where(domain, "t", params)
            sql = (f'SELECT t."{inverse}", t.id FROM "{comodel.model.table}" t WHERE {where} '
                   f"ORDER BY {comodel.order_sql(None)}")
            for owner, cid in self.store.execute(sql, params):
                result[owner].append(cid)
        return result

    def _many2many(self, ids: list[int], f: Field) -> dict[int, list[int]]:
        result: dict[int, list[int]] = defaultdict(list)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for owner, other in self.store.execute(
                f'SELECT "{f.column1}", "{f.column2}" FROM "{f.relation_table}" WHERE "{f.column1}" IN ({marks}) '
                f'ORDER BY "{f.column2}"', chunk):
                result[owner].append(other)
        return result

    def _m2o_names(self, fields: list[Field], values: dict[int, dict[str, Any]]) -> dict[tuple[str, int], str]:
        wanted: dict[str, set[int]] = defaultdict(set)
        for f in fields:
            if f.type == "many2one" and f.relation:
                wanted[f.relation].update(row[f.name] for row in values.values() if row.get(f.name))
        names: dict[tuple[str, int], str] = {}
        for relation, rel_ids in wanted.items():
            if relation not in self.env.registry:
                continue
            co = Recordset(self.env, self.env.registry[relation])
            for rid, name in co.display_names(sorted(rel_ids)).items():
                names[(relation, rid)] = name
        return names

    # -- metadata -----------------------------------------------------------------------------------
    def fields_get(self, allfields: list[str] | None = None, attributes: list[str] | None = None) -> dict[str, Any]:
        self.check("read")
        names = allfields or list(self.model.fields)
        return {n: self.model.fields[n].describe(attributes) for n in names if n in self.model.fields}

    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool:
        if operation not in ("read", "write", "create", "unlink"):
            raise OdooValueError(f"Invalid access mode {operation!r}")
        try:
            self.check(operation)
        except AccessError:
            if raise_exception:
                raise
            return False
        return True

    def check_access_rule(self, ids: list[int], operation: str = "read") -> None:
        self._visible([int(i) for i in ids])

    def exists(self, ids: list[int]) -> list[int]:
        found = self._visible([int(i) for i in ids])
        return [i for i in ids if i in found]

    def ensure_exist(self, ids: list[int]) -> None:
        missing = sorted(set(ids) - self._visible(ids))
        if missing:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: {self.model.name}({', '.join(map(str, missing))},), User: {self.env.uid})"
            )
