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
from sandbox.errors import AccessError, DatabaseError, MissingError, OdooValueError, UserError
from sandbox.rights import check as check_access
from sandbox.rights import implied_closure
from sandbox.schema import Field, Model, Registry
from sandbox.store import Store
from sandbox.values import converter

ORDER_RE = re.compile(
    r'^(\s*([a-z0-9:_]+|"[a-z0-9:_]+")(\.id)?(\s+(desc|asc))?(\s+(nulls first|nulls last))?\s*(,|$))+(?<!,)$',
    re.IGNORECASE,
)
CHUNK = 900
BIGINT = 2**63 - 1


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise OdooValueError(f"Invalid id {value!r}: expected an integer")
    try:
        return int(value)
    except ValueError:
        raise OdooValueError(f"invalid literal for int() with base 10: {value!r}") from None


def _bare_id(value: Any) -> Any:
    return value or False


def _many2one(names: dict[int, str]) -> Any:
    def convert(value: Any) -> Any:
        return [value, names.get(value, "")] if value else False

    return convert


def limit_sql(limit: Any, offset: Any) -> str:
    """``LIMIT``/``OFFSET`` clauses, refusing what PostgreSQL refuses (negative or non-integer values)."""
    sql = ""
    for word, value in (("LIMIT", limit), ("OFFSET", offset)):
        if value is None or value is False or value == 0:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise DatabaseError("psycopg2.errors.InvalidTextRepresentation",
                                f'invalid input syntax for type bigint: "{value}"')
        if value < 0:
            raise DatabaseError("psycopg2.errors.InvalidRowCountInLimitClause" if word == "LIMIT"
                                else "psycopg2.errors.InvalidRowCountInResultOffsetClause",
                                f"{word} must not be negative")
        if value > BIGINT:
            raise DatabaseError("psycopg2.errors.NumericValueOutOfRange", "bigint out of range")
        sql += f" {word} {value}"
    if " OFFSET" in sql and " LIMIT" not in sql:
        sql = " LIMIT -1" + sql
    return sql


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

    def user_name(self, uid: int) -> str:
        row = self.store.execute("SELECT p.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
                                 "WHERE u.id = ?", (uid,)).fetchone()
        return str(row[0]) if row else ""

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
        if not isinstance(model_name, str) or model_name not in self.registry:
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
        """``ORDER BY`` of a search: the model's ``_order`` by default, NULLs placed as PostgreSQL places them.

        A many2one sorts by its comodel's ``_order`` (reversed when descending), as Odoo sorts it.
        """
        order = order or self.model.spec.order
        if not isinstance(order, str) or not ORDER_RE.match(order):
            raise UserError(
                f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list '
                "of valid field names (optionally followed by asc/desc for the direction)"
            )
        parts: list[str] = []
        ident = f"{alias}.id"
        for expr, descending, nulls_first in self._order_terms(self.model, order, lambda n: f'{alias}."{n}"',
                                                               False, 0):
            if expr == f'{alias}."id"':
                parts.append(f"{ident} {'DESC' if descending else 'ASC'}")  # never NULL: lets SQLite walk the rowids
                break  # ids are unique: later keys change nothing
            parts.append(f"{expr} {'DESC' if descending else 'ASC'} NULLS {'FIRST' if nulls_first else 'LAST'}")
        else:
            parts.append(f"{ident} ASC")
        return ", ".join(parts)

    def _order_terms(self, model: Model, order: str, column: Any, reverse: bool,
                     depth: int) -> list[tuple[str, bool, bool]]:
        """(SQL expression, descending, NULLs first) of each sort key of ``order`` on ``model``."""
        terms: list[tuple[str, bool, bool]] = []
        for item in order.split(","):
            words = item.strip().split()
            name, _, suffix = words[0].strip('"').partition(".")
            descending = (len(words) > 1 and words[1].lower() == "desc") != reverse
            nulls = " ".join(words[2:]).lower()
            f = model.field(name)
            if f is None:
                raise OdooValueError(f"Invalid field {name!r} on model {model.name!r}")
            if not f.has_column:
                continue  # Odoo: "Model cannot be sorted on field (not a column)"
            expr = column(name)
            if f.type == "many2one" and f.relation in self.env.registry and suffix != "id" and depth < 2:
                comodel = self.env.registry[f.relation or ""]
                o = f"o{depth}"

                def sub(n: str, comodel: Model = comodel, o: str = o, expr: str = expr) -> str:
                    return f'(SELECT {o}."{n}" FROM "{comodel.table}" {o} WHERE {o}.id = {expr})'

                terms += self._order_terms(comodel, comodel.spec.order, sub, descending, depth + 1)
                continue
            # PostgreSQL puts NULLs last ascending and first descending
            terms.append((expr, descending, nulls.endswith("first") if nulls else descending))
        return terms

    def search(self, domain: Any = None, offset: int = 0, limit: int | None = None, order: str | None = None,
               count: bool = False) -> Any:
        self.check("read")
        if count:
            return self.search_count(domain)
        params: list[Any] = []
        where = self._where(domain, "t", params)
        sql = f'SELECT t.id FROM "{self.model.table}" t WHERE {where} ORDER BY {self.order_sql(order)}'
        sql += limit_sql(limit, offset)
        return [r[0] for r in self.store.execute(sql, params)]

    def search_count(self, domain: Any = None, limit: int | None = None) -> int:
        self.check("read")
        params: list[Any] = []
        where = self._where(domain, "t", params)
        sql = f'SELECT count(*) FROM (SELECT t.id FROM "{self.model.table}" t WHERE {where}'
        sql += limit_sql(limit, 0) + ")"
        return int(self.store.execute(sql, params).fetchone()[0])

    def search_read(self, domain: Any = None, fields: list[str] | None = None, offset: int = 0,
                    limit: int | None = None, order: str | None = None,
                    load: str = "_classic_read") -> list[dict[str, Any]]:
        """``search`` then ``read``, in one query for the stored fields."""
        self.check("read")
        wanted = self.resolve_fields(fields)
        columns = [f for f in wanted if f.has_column and f.name != "id"]
        params: list[Any] = []
        where = self._where(domain, "t", params)
        selected = "".join(f', t."{f.name}"' for f in columns)
        sql = (f'SELECT t.id{selected} FROM "{self.model.table}" t WHERE {where} ORDER BY {self.order_sql(order)}'
               f"{limit_sql(limit, offset)}")
        return self._records(self.store.execute(sql, params).fetchall(), columns, wanted,
                             classic=load == "_classic_read")

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
        """Records in the order asked, missing ids dropped; a record hidden by a rule is an AccessError."""
        self.check("read")
        ids = [_as_int(i) for i in ([ids] if isinstance(ids, int) else (ids or []))]
        wanted = self.resolve_fields(fields)
        columns = [f for f in wanted if f.has_column and f.name != "id"]
        found: dict[int, tuple[Any, ...]] = {}
        hidden: list[int] = []
        rules = self.rule_domain()
        unique = sorted(i for i in set(ids) if -BIGINT <= i <= BIGINT)  # larger ids cannot exist
        selected = "".join(f', t."{f.name}"' for f in columns)
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start:start + CHUNK]
            params: list[Any] = []
            allowed = self.env.db.compiler.compile(self.model, rules, "t", params) if rules else "1=1"
            params += chunk
            sql = (f'SELECT t.id{selected}, ({allowed}) FROM "{self.model.table}" t '
                   f'WHERE t.id IN ({", ".join("?" * len(chunk))})')
            for row in self.store.execute(sql, params):
                if row[-1]:
                    found[row[0]] = row[:-1]
                else:
                    hidden.append(row[0])
        if hidden:
            raise self._rule_error(min(hidden))
        rows = [found[i] for i in ids if i in found]
        return self._records(rows, columns, wanted, classic=load == "_classic_read")

    def _rule_error(self, rid: int) -> AccessError:
        name = self.display_names([rid]).get(rid, "")
        user = self.env.db.user_name(self.env.uid)
        return AccessError(
            f"Due to security restrictions, you are not allowed to access '{self.model.spec.description}' "
            f"({self.model.name}) records.\n\nRecords: {name} (id={rid})\nUser: {user} (id={self.env.uid})\n\n"
            f"This restriction is due to the following rules:\n- {self.model.spec.description} multi-company\n\n"
            "Note: this might be a multi-company issue. Switching company may help - in Odoo, not in real life!\n\n"
            "Contact your administrator to request access if necessary."
        )

    def _records(self, rows: list[tuple[Any, ...]], columns: list[Field], wanted: list[Field],
                 classic: bool) -> list[dict[str, Any]]:
        """Rows of (id, *column values) -> the dicts ``read`` returns, with the non-stored fields added."""
        if not rows:
            return []
        ids = [row[0] for row in rows]
        extra_fields = [f for f in wanted if not f.has_column and f.name != "id"]
        extra = self.fetch(ids, extra_fields) if extra_fields else {}
        position = {f.name: i + 1 for i, f in enumerate(columns)}
        converters: list[tuple[str, int, Any]] = []
        for f in wanted:
            if f.name == "id":
                continue
            if f.type == "many2one":
                index = position.get(f.name, -1)
                if classic:
                    targets = {row[index] for row in rows if row[index]} if index >= 0 else \
                        {v[f.name] for v in extra.values() if v.get(f.name)}
                    converters.append((f.name, index, _many2one(self._names_of(f, targets))))
                else:
                    converters.append((f.name, index, _bare_id))
            else:
                converters.append((f.name, position.get(f.name, -1), converter(f)))
        records: list[dict[str, Any]] = []
        for row in rows:
            rec: dict[str, Any] = {"id": row[0]}
            values = extra.get(row[0]) if extra else None
            for name, index, convert in converters:
                rec[name] = convert(row[index] if index >= 0 else values.get(name) if values else None)
            records.append(rec)
        return records

    def _names_of(self, f: Field, ids: set[int]) -> dict[int, str]:
        if not ids or f.relation not in self.env.registry:
            return {}
        return Recordset(self.env, self.env.registry[f.relation or ""]).display_names(sorted(ids))

    def _visible(self, ids: list[int]) -> set[int]:
        """The ids that exist; a rule-hidden one raises AccessError as Odoo does."""
        found: set[int] = set()
        unique = sorted(i for i in set(ids) if -BIGINT <= i <= BIGINT)  # larger ids cannot exist
        rules = self.rule_domain()
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start:start + CHUNK]
            params: list[Any] = []
            allowed = self.env.db.compiler.compile(self.model, rules, "t", params) if rules else "1=1"
            params += chunk
            for rid, ok in self.store.execute(
                    f'SELECT t.id, ({allowed}) FROM "{self.model.table}" t WHERE t.id IN '
                    f'({", ".join("?" * len(chunk))})', params):
                if not ok:
                    raise self._rule_error(rid)
                found.add(rid)
        return found

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
        """Linked ids in the comodel's order, archived or rule-hidden ones left out (as Odoo reads them)."""
        comodel = Recordset(self.env, self.env.registry[f.relation or ""])
        result: dict[int, list[int]] = defaultdict(list)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            params: list[Any] = list(chunk)
            where = comodel._where([], "t", params)
            sql = (f'SELECT r."{f.column1}", t.id FROM "{f.relation_table}" r JOIN "{comodel.model.table}" t '
                   f'ON t.id = r."{f.column2}" WHERE r."{f.column1}" IN ({", ".join("?" * len(chunk))}) '
                   f"AND {where} ORDER BY {comodel.order_sql(None)}")
            for owner, other in self.store.execute(sql, params):
                result[owner].append(other)
        return result

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
