"""Odoo domains -> SQL, with Odoo 17's semantics.

Covers prefix ``&``/``|``/``!``, every comparison operator of the external API,
``=?``, ``child_of``/``parent_of``, ``any``/``not any``, dotted paths through
many2one and x2many fields (Odoo 17 turns ``a.b op v`` into ``a any [(b op v)]``),
name search on relational fields given strings, and ``False`` compared the way
Odoo compares it (``= False`` is "not set", ``!= value`` keeps empty values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sandbox.errors import OdooValueError
from sandbox.schema import Field, Model, Registry

AND, OR, NOT = "&", "|", "!"
TRUE_LEAF: tuple[Any, ...] = (1, "=", 1)
FALSE_LEAF: tuple[Any, ...] = (0, "=", 1)
OPERATORS = (
    "=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike", "not ilike",
    "in", "not in", "child_of", "parent_of", "any", "not any",
)
NEGATIVE = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike", "not any": "any"}
LIKES = ("like", "not like", "ilike", "not ilike", "=like", "=ilike")


def leaf_repr(leaf: Sequence[Any]) -> str:
    return repr(tuple(leaf))


def is_leaf(element: Any) -> bool:
    return isinstance(element, (list, tuple)) and len(element) == 3 and (
        isinstance(element[0], str) or tuple(element) in (TRUE_LEAF, FALSE_LEAF)
    )


def normalize(domain: Any) -> list[Any]:
    """Add the implicit ``&`` operators; reject what Odoo rejects."""
    if domain is None or domain is False:
        return []
    if not isinstance(domain, (list, tuple)):
        raise OdooValueError(f"Invalid domain: {domain!r}")
    if not domain:
        return []
    result: list[Any] = []
    expected = 1
    arity = {AND: 2, OR: 2, NOT: 1}
    for token in domain:
        if expected == 0:
            result[0:0] = [AND]
            expected = 1
        if isinstance(token, (list, tuple)):
            if not is_leaf(token):
                raise OdooValueError(f"Invalid leaf {token!r}")
            expected -= 1
            token = tuple(token)
        elif token in arity:
            expected += arity[token] - 1
        else:
            raise OdooValueError(f"Invalid leaf {token!r}")
        result.append(token)
    if expected:
        raise OdooValueError(f"Domain {list(domain)!r} is syntactically not correct.")
    return result


def AND_(domains: Sequence[Sequence[Any]]) -> list[Any]:
    """``expression.AND``: combine domains, dropping empty ones."""
    parts = [normalize(d) for d in domains if d]
    if not parts:
        return []
    result: list[Any] = [AND] * (len(parts) - 1)
    for p in parts:
        result.extend(p)
    return result


class DomainCompiler:
    """Compiles domains on one registry into SQL ``WHERE`` expressions with ``?`` parameters."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._alias_counter = 0

    def _alias(self) -> str:
        self._alias_counter += 1
        return f"a{self._alias_counter}"

    # -- entry point ------------------------------------------------------------------------------
    def compile(self, model: Model, domain: Any, alias: str, params: list[Any]) -> str:
        tokens = normalize(domain)
        if not tokens:
            return "1=1"
        pos = 0

        def parse() -> str:
            nonlocal pos
            token = tokens[pos]
            pos += 1
            if token == NOT:
                return f"(NOT ({parse()}))"
            if token in (AND, OR):
                left = parse()
                right = parse()
                return f"({left} {'AND' if token == AND else 'OR'} {right})"
            return self.leaf(model, token, alias, params)

        sql = parse()
        return sql

    # -- leaves -------------------------------------------------------------------------------------
    def leaf(self, model: Model, leaf: tuple[Any, ...], alias: str, params: list[Any]) -> str:
        if leaf == TRUE_LEAF:
            return "1=1"
        if leaf == FALSE_LEAF:
            return "1=0"
        left, op, right = leaf
        if not isinstance(op, str) or op.lower() not in OPERATORS:
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        op = op.lower()
        path = left.split(".")
        field = model.field(path[0])
        if field is None:
            raise OdooValueError(f"Invalid field {model.name}.{path[0]} in leaf {leaf_repr(leaf)}")
        if field.related and not field.has_column:
            return self.leaf(model, (".".join([field.related, *path[1:]]), op, right), alias, params)
        if len(path) > 1:
            return self._path(model, field, ".".join(path[1:]), op, right, alias, params, leaf)
        if op == "=?":
            if right is False or right is None:
                return "1=1"
            op = "="
        if field.name == "display_name":
            return self._scalar(self.display_expr(model, alias), field, op, right, params, leaf, is_text=True)
        if not field.is_searchable:
            raise OdooValueError(f"Non-stored field {model.name}.{field.name} cannot be searched.")
        if field.type in ("one2many", "many2many"):
            return self._x2many(model, field, op, right, alias, params, leaf)
        column = f'{alias}."{field.name}"'
        if field.type == "many2one" or field.name == "id":
            comodel = self.registry[field.relation] if field.relation else model
            return self._relational(model, comodel, column, field, op, right, alias, params, leaf)
        if field.type == "boolean":
            return self._boolean(column, op, right, params, leaf)
        if op in ("any", "not any", "child_of", "parent_of"):
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}: {op} needs a relational field")
        return self._scalar(column, field, op, right, params, leaf)

    def _path(self, model: Model, field: Field, rest: str, op: str, right: Any, alias: str,
              params: list[Any], leaf: tuple[Any, ...]) -> str:
        if field.type not in ("many2one", "one2many", "many2many") or not field.relation:
            raise OdooValueError(f"Invalid field {model.name}.{field.name} in leaf {leaf_repr(leaf)}")
        return self._x2many(model, field, "any", [(rest, op, right)], alias, params, leaf) \
            if field.type != "many2one" else self._relational(
                model, self.registry[field.relation], f'{alias}."{field.name}"', field, "any",
                [(rest, op, right)], alias, params, leaf)

    def _subquery(self, comodel: Model, domain: Any, params: list[Any], select: str = "id") -> str:
        sub = self._alias()
        where = self.compile(comodel, domain, sub, params)
        where = self.with_active(comodel, domain, sub, where)
        return f'SELECT {sub}."{select}" FROM "{comodel.table}" {sub} WHERE {where}'

    def with_active(self, model: Model, domain: Any, alias: str, where: str) -> str:
        """Odoo's active_test inside subqueries: archived comodel records don't match."""
        if "active" in model.fields and model.fields["active"].has_column and not _mentions(domain, "active"):
            return f'({where}) AND ({alias}."active" = 1)'
        return where

    def display_expr(self, model: Model, alias: str) -> str:
        spec = model.spec
        if spec.display_sql:
            return spec.display_sql.replace("t.", f"{alias}.")
        if spec.rec_name and spec.rec_name in model.fields and model.fields[spec.rec_name].has_column:
            return f'{alias}."{spec.rec_name}"'
        return f"'{model.name},' || {alias}.id"

    def _name_search(self, comodel: Model, op: str, value: Any, params: list[Any]) -> str:
        """ids of ``comodel`` whose display name matches (positive operator)."""
        sub = self._alias()
        expr = self.display_expr(comodel, sub)
        pseudo = Field(name="display_name", string="", type="char")
        cond = self._scalar(expr, pseudo, op, value, params, ("display_name", op, value), is_text=True)
        return f'SELECT {sub}.id FROM "{comodel.table}" {sub} WHERE {cond}'

    def _relational(self, model: Model, comodel: Model, column: str, field: Field, op: str, right: Any,
                    alias: str, params: list[Any], leaf: tuple[Any, ...]) -> str:
        if op in ("any", "not any"):
            sub = self._subquery(comodel, right, params)
            if op == "any":
                return f"({column} IN ({sub}))"
            return f"({column} IS NULL OR {column} NOT IN ({sub}))"
        if op in ("child_of", "parent_of"):
            ids = self._ids_of(comodel, right, params)
            return f"({column} IN ({self._hierarchy(comodel, ids, op, params)}))"
        values = right if isinstance(right, (list, tuple)) else [right]
        if right is not False and right is not None and values and all(isinstance(v, str) for v in values):
            positive = NEGATIVE.get(op, op)
            if positive == "in":
                positive = "="
            parts = [self._name_search(comodel, positive, v, params) for v in values]
            subq = " UNION ".join(parts)
            if op in NEGATIVE:
                return f"({column} IS NULL OR {column} NOT IN ({subq}))"
            return f"({column} IN ({subq}))"
        return self._scalar(column, field, op, right, params, leaf)

    def _ids_of(self, comodel: Model, right: Any, params: list[Any]) -> str:
        values = right if isinstance(right, (list, tuple)) else [right]
        if values and all(isinstance(v, str) for v in values):
            return " UNION ".join(self._name_search(comodel, "ilike", v, params) for v in values)
        ints = [int(v) for v in values if v is not False and v is not None]
        return ", ".join(str(i) for i in ints) or "NULL"

    def _hierarchy(self, comodel: Model, ids_sql: str, op: str, params: list[Any]) -> str:
        if "parent_id" not in comodel.fields:
            return ids_sql if ids_sql.startswith("SELECT") else f"SELECT id FROM \"{comodel.table}\" WHERE id IN ({ids_sql})"
        table = comodel.table
        seed = f'SELECT id FROM "{table}" WHERE id IN ({ids_sql})'
        if op == "child_of":
            step = f'SELECT x.id FROM "{table}" x JOIN h ON x.parent_id = h.id'
        else:
            step = f'SELECT x.parent_id FROM "{table}" x JOIN h ON x.id = h.id WHERE x.parent_id IS NOT NULL'
        return f"WITH RECURSIVE h(id) AS ({seed} UNION {step}) SELECT id FROM h"

    def _x2many(self, model: Model, field: Field, op: str, right: Any, alias: str, params: list[Any],
                leaf: tuple[Any, ...]) -> str:
        comodel = self.registry[field.relation or ""]
        if field.compute and not field.relation_table:
            raise OdooValueError(f"Non-stored field {model.name}.{field.name} cannot be searched.")

        def owners(sub_domain_sql: str) -> str:
            """ids of ``model`` linked to comodel ids given by a SELECT."""
            if field.type == "one2many":
                inverse = field.inverse_name or ""
                sub = self._alias()
                extra = ""
                if field.extra_domain:
                    extra = " AND " + self.compile(comodel, list(field.extra_domain), sub, params)
                return (f'SELECT {sub}."{inverse}" FROM "{comodel.table}" {sub} '
                        f'WHERE {sub}.id IN ({sub_domain_sql}) AND {sub}."{inverse}" IS NOT NULL{extra}')
            return (f'SELECT "{field.column1}" FROM "{field.relation_table}" '
                    f'WHERE "{field.column2}" IN ({sub_domain_sql})')

        if op in ("any", "not any"):
            sub = self._subquery(comodel, right, params)
            return f"({alias}.id {'IN' if op == 'any' else 'NOT IN'} ({owners(sub)}))"
        if right is False or right is None or right == []:
            every = f'SELECT id FROM "{comodel.table}"'
            if op in ("=", "in"):
                return f"({alias}.id NOT IN ({owners(every)}))"
            if op in ("!=", "not in"):
                return f"({alias}.id IN ({owners(every)}))"
        values = right if isinstance(right, (list, tuple)) else [right]
        positive = NEGATIVE.get(op, op)
        if values and all(isinstance(v, str) for v in values):
            p = "=" if positive == "in" else positive
            matched = " UNION ".join(self._name_search(comodel, p, v, params) for v in values)
        elif positive in ("=", "in"):
            ints = [int(v) for v in values if v not in (False, None)]
            matched = f'SELECT id FROM "{comodel.table}" WHERE id IN ({", ".join(map(str, ints)) or "NULL"})'
        elif op in ("child_of", "parent_of"):
            matched = self._hierarchy(comodel, self._ids_of(comodel, right, params), op, params)
        else:
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        negate = op in NEGATIVE
        return f"({alias}.id {'NOT IN' if negate else 'IN'} ({owners(matched)}))"

    def _boolean(self, column: str, op: str, right: Any, params: list[Any], leaf: tuple[Any, ...]) -> str:
        if op in ("in", "not in"):
            values = right if isinstance(right, (list, tuple)) else [right]
            wanted = {bool(v) for v in values}
            if op == "not in":
                wanted = {True, False} - wanted
            if wanted == {True, False}:
                return "1=1"
            if not wanted:
                return "1=0"
            return f"({column} = 1)" if True in wanted else f"({column} IS NULL OR {column} = 0)"
        if op in ("=", "!="):
            truth = bool(right) if op == "=" else not bool(right)
            return f"({column} = 1)" if truth else f"({column} IS NULL OR {column} = 0)"
        if op in LIKES or op in ("<", ">", "<=", ">="):
            params.append(1 if right else 0)
            return f"({column} {op} ?)" if op not in LIKES else "1=0"
        raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")

    def _scalar(self, column: str, field: Field, op: str, right: Any, params: list[Any],
                leaf: tuple[Any, ...], is_text: bool = False) -> str:
        if op in ("child_of", "parent_of", "any", "not any"):
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        if op in ("in", "not in"):
            values = list(right) if isinstance(right, (list, tuple)) else [right]
            has_null = any(v is False or v is None for v in values)
            values = [self._coerce(field, v, leaf) for v in values if v is not False and v is not None]
            if values:
                params.extend(values)
                query = f"({column} {'IN' if op == 'in' else 'NOT IN'} ({', '.join('?' * len(values))}))"
            else:
                query = "1=0" if op == "in" else "1=1"
            if (op == "in" and has_null) or (op == "not in" and not has_null):
                return f"({query} OR {column} IS NULL)"
            if op == "not in" and has_null:
                return f"({query} AND {column} IS NOT NULL)"
            return query
        if op in LIKES:
            if op in ("=like", "=ilike"):
                pattern = str(right) if right not in (False, None) else ""
            else:
                pattern = f"%{right}%" if right not in (False, None) else "%%"
            params.append(pattern)
            text = column if (is_text or field.type in ("char", "text", "html", "selection")) else f"CAST({column} AS TEXT)"
            fn = "odoo_ilike" if "ilike" in op else "odoo_like"
            if op.startswith("not"):
                return f"(NOT coalesce({fn}({text}, ?), 0) OR {column} IS NULL)"
            return f"({fn}({text}, ?))"
        if right is False or right is None:
            if op == "=":
                return f"({column} IS NULL)"
            if op == "!=":
                return f"({column} IS NOT NULL)"
            return "1=0"
        value = self._coerce(field, right, leaf)
        params.append(value)
        if op == "!=":
            return f"({column} != ? OR {column} IS NULL)"
        return f"({column} {op} ?)"

    def _coerce(self, field: Field, value: Any, leaf: tuple[Any, ...]) -> Any:
        if isinstance(value, (list, tuple, dict)):
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        try:
            if field.type == "date":
                text = str(value)
                return dt.date.fromisoformat(text[:10]).isoformat()
            if field.type == "datetime":
                text = str(value)
                if len(text) == 10:
                    return dt.date.fromisoformat(text).isoformat() + " 00:00:00"
                return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S")
            if field.type in ("integer", "many2one", "many2one_reference") or field.name == "id":
                if isinstance(value, bool):
                    return int(value)
                return int(value) if not isinstance(value, float) or value.is_integer() else value
            if field.type in ("float", "monetary"):
                return float(value)
        except (TypeError, ValueError) as exc:
            raise OdooValueError(f"Invalid value {value!r} in leaf {leaf_repr(leaf)}: {exc}") from None
        return value


def _mentions(domain: Any, field_name: str) -> bool:
    if not isinstance(domain, (list, tuple)):
        return False
    for token in domain:
        if isinstance(token, (list, tuple)) and token and isinstance(token[0], str):
            if token[0] == field_name or token[0].split(".")[0] == field_name:
                return True
    return False


def mentions(domain: Any, field_name: str) -> bool:
    return _mentions(domain, field_name)
