"""Odoo domains -> SQL, with Odoo 17's semantics.

Covers prefix ``&``/``|``/``!``, every comparison operator of the external API,
``=?``, ``child_of``/``parent_of``, ``any``/``not any``, dotted paths through
many2one and x2many fields (Odoo 17 turns ``a.b op v`` into ``a any [(b op v)]``),
name search on relational fields given strings, and ``False`` compared the way
Odoo compares it (``= False`` is "not set", ``!= value`` keeps empty values).

``!`` is distributed the way Odoo 17 distributes it: a negated leaf gets the
opposite operator (``!(a = 1)`` is ``a != 1``, which keeps rows where ``a`` is
empty), except for operators without an opposite and for dotted paths, which
stay a SQL ``NOT``. Like Odoo, a many2one path or ``any`` also matches archived
targets, while an x2many ``any`` skips archived lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sandbox.errors import OdooValueError
from sandbox.schema import Field, Model, Registry

AND, OR, NOT = "&", "|", "!"
TRUE_LEAF: tuple[Any, ...] = (1, "=", 1)
FALSE_LEAF: tuple[Any, ...] = (0, "=", 1)
OPERATORS = (
    "=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike", "not ilike",
    "in", "not in", "child_of", "parent_of", "any", "not any", "<>",
)
NEGATION = {
    "<": ">=", ">": "<=", "<=": ">", ">=": "<", "=": "!=", "!=": "=", "in": "not in", "not in": "in",
    "like": "not like", "not like": "like", "ilike": "not ilike", "not ilike": "ilike",
}
"""Odoo's TERM_OPERATORS_NEGATION: how ``!`` turns into the opposite operator."""
NEGATIVE = ("!=", "not like", "not ilike", "not in")
"""Odoo's NEGATIVE_TERM_OPERATORS."""
WILDCARD_LIKES = ("like", "not like", "ilike", "not ilike")
LIKES = (*WILDCARD_LIKES, "=like", "=ilike")
RELATIONAL = ("many2one", "one2many", "many2many")
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_TABLE_ALIAS = re.compile(r"\bt\.")
BIGINT = 2**63 - 1


def leaf_repr(leaf: Sequence[Any]) -> str:
    return repr(tuple(leaf))


def is_leaf(element: Any) -> bool:
    return isinstance(element, (list, tuple)) and len(element) == 3 and (
        (isinstance(element[0], str) and bool(element[0])) or tuple(element) in (TRUE_LEAF, FALSE_LEAF)
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
        elif isinstance(token, str) and token in arity:
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


def OR_(domains: Sequence[Sequence[Any]]) -> list[Any]:
    """``expression.OR``: any of the domains (an empty list of domains matches nothing)."""
    parts = [normalize(d) for d in domains if d]
    if len(parts) < len(domains):
        return []  # an empty domain matches everything
    result: list[Any] = [OR] * (len(parts) - 1)
    for p in parts:
        result.extend(p)
    return result or [FALSE_LEAF]


class _Node:
    """A compiled domain tree node: a leaf's SQL and parameters, or an AND/OR of children."""

    __slots__ = ("children", "conjunction", "params", "sql")

    def __init__(self, conjunction: str | None, sql: str, params: list[Any], children: list[_Node]) -> None:
        self.conjunction = conjunction
        self.sql = sql
        self.params = params
        self.children = children

    def render(self, params: list[Any]) -> str:
        """SQL text, appending the parameters in text order; n-ary nodes become balanced binary trees."""
        if self.conjunction is None:
            params.extend(self.params)
            return self.sql
        return self._balanced(self.children, params)

    def _balanced(self, children: list[_Node], params: list[Any]) -> str:
        if len(children) == 1:
            return children[0].render(params)
        middle = len(children) // 2
        left = self._balanced(children[:middle], params)
        right = self._balanced(children[middle:], params)
        return f"({left} {self.conjunction} {right})"


class DomainCompiler:
    """Compiles domains on one registry into SQL ``WHERE`` expressions with ``?`` parameters.

    Parameters are appended to ``params`` in the order their ``?`` appear in the SQL text.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._alias_counter = 0

    def _alias(self) -> str:
        self._alias_counter += 1
        return f"a{self._alias_counter}"

    # -- entry point ------------------------------------------------------------------------------
    def compile(self, model: Model, domain: Any, alias: str, params: list[Any]) -> str:
        """The SQL condition of ``domain`` on ``model`` (table alias ``alias``); its parameters go to ``params``.

        Iterative, and ``&``/``|`` chains become balanced trees, so that domains of thousands of
        leaves (a client OR-ing many names) stay within Python's and SQLite's depth limits.
        """
        tokens = normalize(domain)
        if not tokens:
            return "1=1"
        # the '!' in force at each token, pushed down from the top as Odoo distributes it
        negations: list[bool] = []
        pending = [False]
        for token in tokens:
            negate = pending.pop()
            negations.append(negate)
            if token == NOT:
                pending.append(not negate)
            elif token in (AND, OR):
                pending += [negate, negate]
        # build the tree bottom-up; a node is (conjunction or None for a leaf, sql, params, children)
        stack: list[_Node] = []
        for token, negate in zip(reversed(tokens), reversed(negations), strict=True):
            if token == NOT:
                continue
            if token in (AND, OR):
                conjunction = "AND" if (token == AND) != negate else "OR"
                children: list[_Node] = []
                for child in (stack.pop(), stack.pop()):
                    children += child.children if child.conjunction == conjunction else [child]
                stack.append(_Node(conjunction, "", [], children))
                continue
            own: list[Any] = []
            stack.append(_Node(None, self.leaf(model, token, alias, own, negate), own, []))
        [root] = stack
        sql = root.render(params)
        return sql

    # -- leaves -------------------------------------------------------------------------------------
    def leaf(self, model: Model, leaf: tuple[Any, ...], alias: str, params: list[Any],
             negate: bool = False) -> str:
        if leaf in (TRUE_LEAF, FALSE_LEAF):
            return "1=1" if (leaf == TRUE_LEAF) != negate else "1=0"
        left, op, right = leaf
        path = left.split(".")
        field = model.field(path[0])
        if field is None:
            raise OdooValueError(f"Invalid field {model.name}.{path[0]} in leaf {leaf_repr(leaf)}")
        if not isinstance(op, str) or op not in OPERATORS:
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        if negate:
            if op in NEGATION and not (len(path) > 1 and field.type in RELATIONAL):
                op = NEGATION[op]
            else:
                return f"(NOT {self.leaf(model, leaf, alias, params)})"
        op = "!=" if op == "<>" else op
        if isinstance(right, bool) and op in ("in", "not in"):
            op = "=" if op == "in" else "!="
        elif isinstance(right, (list, tuple)) and op in ("=", "!="):
            op = "in" if op == "=" else "not in"
        leaf = (left, op, right)
        if field.related and not field.has_column:
            return self.leaf(model, (".".join([field.related, *path[1:]]), op, right), alias, params)
        if len(path) > 1:
            if field.type not in RELATIONAL or not field.relation:
                raise OdooValueError(f"Invalid field {model.name}.{left} in leaf {leaf_repr(leaf)}")
            rest = [(".".join(path[1:]), op, right)]
            if field.type == "many2one":
                return self._many2one(model, field, f'{alias}."{field.name}"', "any", rest, alias, params, leaf)
            return self._x2many(model, field, "any", rest, alias, params, leaf)
        if op in ("any", "not any") and (field.type not in RELATIONAL or not isinstance(right, (list, tuple))):
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        if op == "=?":
            if right is False or right is None:
                return "1=1"
            op = "="
        if field.name == "display_name":
            return self._name_match(model, op, right, alias, params, leaf)
        if not field.is_searchable:
            return "1=1"  # Odoo 17 logs "Non-stored field ... cannot be searched." and ignores the leaf
        if field.type in ("one2many", "many2many"):
            return self._x2many(model, field, op, right, alias, params, leaf)
        column = f'{alias}."{field.name}"'
        if field.type == "many2one" or field.name == "id":
            return self._many2one(model, field, column, op, right, alias, params, leaf)
        if op in ("child_of", "parent_of"):
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        if field.type == "boolean":
            return self._boolean(column, field, op, right, params, leaf)
        return self._scalar(column, field, op, right, params, leaf)

    # -- names --------------------------------------------------------------------------------------
    def display_expr(self, model: Model, alias: str) -> str:
        """SQL giving the display name of ``model`` records of table alias ``alias``."""
        spec = model.spec
        if spec.display_sql:
            return _TABLE_ALIAS.sub(f"{alias}.", spec.display_sql)
        if spec.rec_name and spec.rec_name in model.fields and model.fields[spec.rec_name].has_column:
            return f'{alias}."{spec.rec_name}"'
        return f"'{model.name},' || {alias}.id"

    def _name_match(self, model: Model, op: str, value: Any, alias: str, params: list[Any],
                    leaf: tuple[Any, ...]) -> str:
        """``display_name op value``, searched like Odoo: on ``_rec_names_search`` fields when the model has them."""
        if op in ("any", "not any", "child_of", "parent_of"):
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        names = [f for f in model.spec.rec_names_search if f.split(".")[0] in model.fields]
        if names:
            leaves = [[(name, op, value)] for name in names]
            domain = AND_(leaves) if op in NEGATIVE else OR_(leaves)
            return self.compile(model, domain, alias, params)
        pseudo = Field(name="display_name", string="", type="char")
        return self._scalar(self.display_expr(model, alias), pseudo, op, value, params, leaf)

    def _name_search(self, comodel: Model, op: str, value: Any, params: list[Any],
                     extra: Sequence[Any] = (), active_test: bool = False) -> str:
        """SELECT of the ``comodel`` ids whose name matches (``_name_search``)."""
        domain = AND_([[("display_name", op, value)], list(extra)])
        return self._subquery(comodel, domain, params, active_test=active_test)

    # -- relational ---------------------------------------------------------------------------------
    def _subquery(self, comodel: Model, domain: Any, params: list[Any], active_test: bool = True,
                  select: str = "id") -> str:
        sub = self._alias()
        where = self.compile(comodel, domain, sub, params)
        if active_test:
            where = self.with_active(comodel, domain, sub, where)
        return f'SELECT {sub}."{select}" FROM "{comodel.table}" {sub} WHERE {where}'

    def with_active(self, model: Model, domain: Any, alias: str, where: str) -> str:
        """Odoo's active_test: archived records don't match unless the domain mentions ``active``."""
        if "active" in model.fields and model.fields["active"].has_column and not mentions(domain, "active"):
            return f'({where}) AND ({alias}."active" = 1)'
        return where

    def _many2one(self, model: Model, field: Field, column: str, op: str, right: Any, alias: str,
                  params: list[Any], leaf: tuple[Any, ...]) -> str:
        comodel = self.registry[field.relation] if field.relation else model
        if op in ("any", "not any"):
            sub = self._subquery(comodel, right, params, active_test=False)
            if op == "any":
                return f"({column} IN ({sub}))"
            return f"({column} IS NULL OR {column} NOT IN ({sub}))"
        if op in ("child_of", "parent_of"):
            ids = self._ids_of(comodel, right, params)
            return f"({column} IN ({self._hierarchy(comodel, ids, op)}))"
        values = list(right) if isinstance(right, (list, tuple)) else [right]
        if values and all(isinstance(v, str) for v in values) and not isinstance(right, bool):
            if op in ("<", ">", "<=", ">="):
                op = "in"
            if op in ("in", "not in") and not isinstance(right, (list, tuple)):
                op = "=" if op == "in" else "!="
            sub = self._name_search(comodel, op, right, params)
            if op in NEGATIVE:
                return f"({column} IN ({sub}) OR {column} IS NULL)"
            return f"({column} IN ({sub}))"
        if op in LIKES:
            text = Field(name=field.name, string="", type="char")
            return self._scalar(f"CAST({column} AS TEXT)", text, op, right, params, leaf)
        return self._scalar(column, field, op, right, params, leaf)

    def _ids_of(self, comodel: Model, right: Any, params: list[Any]) -> str:
        """``to_ids``: ids given, or names looked up with ``ilike``, as SQL."""
        values = right if isinstance(right, (list, tuple)) else [right]
        if values and all(isinstance(v, str) for v in values):
            return " UNION ".join(self._name_search(comodel, "ilike", v, params, active_test=True) for v in values)
        ints = [_as_id(v) for v in values if v is not False and v is not None]
        return ", ".join(str(i) for i in ints if i) or "NULL"

    def _hierarchy(self, comodel: Model, ids_sql: str, op: str) -> str:
        """ids of the records given and of their descendants (``child_of``) or ancestors (``parent_of``)."""
        table = comodel.table
        seed = f'SELECT id FROM "{table}" WHERE id IN ({ids_sql})'
        if "parent_id" not in comodel.fields:
            return seed
        if op == "child_of":
            step = f'SELECT x.id FROM "{table}" x JOIN h ON x.parent_id = h.id'
        else:
            step = f'SELECT x.parent_id FROM "{table}" x JOIN h ON x.id = h.id WHERE x.parent_id IS NOT NULL'
        return f"WITH RECURSIVE h(id) AS ({seed} UNION {step}) SELECT id FROM h"

    def _x2many(self, model: Model, field: Field, op: str, right: Any, alias: str, params: list[Any],
                leaf: tuple[Any, ...]) -> str:
        comodel = self.registry[field.relation or ""]
        if field.type == "many2many" and not (field.relation_table or field.link_sql):
            raise OdooValueError(f"Non-stored field {model.name}.{field.name} cannot be searched.")
        inverse = comodel.fields.get(field.inverse_name or "")
        # Odoo applies a one2many's own domain only when its inverse is an integer (many2one_reference)
        extra = list(field.extra_domain) if field.type == "many2many" or (
            inverse is not None and inverse.type == "many2one_reference") else []

        def owners(targets: str) -> str:
            """ids of ``model`` linked to the comodel ids selected by ``targets``."""
            if field.type == "one2many":
                sub = self._alias()
                name = field.inverse_name or ""
                condition = ""
                if extra:
                    condition = " AND " + self.compile(comodel, extra, sub, params)
                return (f'SELECT {sub}."{name}" FROM "{comodel.table}" {sub} WHERE {sub}.id IN ({targets}) '
                        f'AND {sub}."{name}" IS NOT NULL{condition}')
            source = f'"{field.relation_table}"' if field.relation_table else f"({field.link_sql})"
            return f'SELECT r."{field.column1}" FROM {source} r WHERE r."{field.column2}" IN ({targets})'

        if op in ("any", "not any"):
            sub = self._subquery(comodel, right, params)
            return f"({alias}.id {'IN' if op == 'any' else 'NOT IN'} ({owners(sub)}))"
        if op in ("child_of", "parent_of"):
            matched = self._hierarchy(comodel, self._ids_of(comodel, right, params), op)
            return f"({alias}.id IN ({owners(matched)}))"
        negative = op in NEGATIVE
        if right is False or right is None:
            every = f'SELECT id FROM "{comodel.table}"'
            return f"({alias}.id {'IN' if negative else 'NOT IN'} ({owners(every)}))"
        values = list(right) if isinstance(right, (list, tuple)) else [right]
        if isinstance(right, str):
            positive = NEGATION[op] if negative else op
            matched = self._name_search(comodel, positive, right, params, extra=extra, active_test=True)
        else:
            ints = [_as_id(v) for v in values if v is not False and v is not None]
            matched = f'SELECT id FROM "{comodel.table}" WHERE id IN ({", ".join(map(str, ints)) or "NULL"})'
        return f"({alias}.id {'NOT IN' if negative else 'IN'} ({owners(matched)}))"

    # -- scalars ------------------------------------------------------------------------------------
    def _boolean(self, column: str, field: Field, op: str, right: Any, params: list[Any],
                 leaf: tuple[Any, ...]) -> str:
        if op in ("in", "not in"):
            values = right if isinstance(right, (list, tuple)) else [right]
            wanted = {bool(v) for v in values if v is not None}
            with_null = False in wanted
            if op == "not in":
                wanted, with_null = {True, False} - wanted, not with_null
            if wanted == {True, False}:
                return "1=1" if with_null else f"({column} IS NOT NULL)"
            if not wanted:
                return f"({column} IS NULL)" if with_null else "1=0"
            if True in wanted:
                return f"({column} = 1 OR {column} IS NULL)" if with_null else f"({column} = 1)"
            return f"({column} IS NULL OR {column} = 0)" if with_null else f"({column} = 0)"
        if op in ("=", "!=") and (isinstance(right, bool) or right is None or right in (0, 1)):
            truth = bool(right) if op == "=" else not bool(right)
            if right is None:
                return f"({column} IS {'' if op == '=' else 'NOT '}NULL)"
            return f"({column} = 1)" if truth else f"({column} IS NULL OR {column} = 0)"
        if op in LIKES:
            text = f"(CASE {column} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)"
            return self._scalar(text, Field(name=field.name, string="", type="char"), op, right, params, leaf)
        if op in COMPARISONS:
            params.append(1 if right else 0)
            return f"({column} {op} ?)"
        raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")

    def _scalar(self, column: str, field: Field, op: str, right: Any, params: list[Any],
                leaf: tuple[Any, ...]) -> str:
        if op in ("child_of", "parent_of", "any", "not any"):
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        if op in ("in", "not in"):
            values = list(right) if isinstance(right, (list, tuple)) else [right]
            has_null = any(v is False or v is None for v in values)
            values = [self._coerce(field, v, "=", leaf) for v in values if v is not False and v is not None]
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
            wildcard = op in WILDCARD_LIKES
            pattern = f"%{_text(right)}%" if wildcard else _text(right)
            params.append(pattern)
            text = column if field.type in ("char", "text", "html", "selection") else f"CAST({column} AS TEXT)"
            function = "odoo_ilike" if "ilike" in op else "odoo_like"
            query = f"NOT coalesce({function}({text}, ?), 0)" if op.startswith("not") else f"{function}({text}, ?)"
            if (wildcard and not right) or (right and op in NEGATIVE):
                return f"({query} OR {column} IS NULL)"
            return f"({query})"
        if right is False or right is None:
            if op == "=":
                return f"({column} IS NULL)"
            if op == "!=":
                return f"({column} IS NOT NULL)"
            return "1=0"
        value = self._coerce(field, right, op, leaf)
        params.append(value)
        if op == "!=" and right:
            return f"({column} != ? OR {column} IS NULL)"
        return f"({column} {op} ?)"

    def _coerce(self, field: Field, value: Any, op: str, leaf: tuple[Any, ...]) -> Any:
        """A domain value -> the column value compared (``convert_to_column``), or Odoo's ValueError."""
        if isinstance(value, (list, tuple, dict)):
            raise OdooValueError(f"Invalid leaf {leaf_repr(leaf)}")
        try:
            if field.type == "date":
                if isinstance(value, str):
                    return dt.datetime.strptime(value[:10], "%Y-%m-%d").date().isoformat()
                raise ValueError(f"time data {value!r} does not match format '%Y-%m-%d'")
            if field.type == "datetime":
                text = str(value)
                if len(text) == 10:
                    day = dt.datetime.strptime(text, "%Y-%m-%d").date().isoformat()
                    return day + (" 23:59:59" if op in (">", "<=") else " 00:00:00")
                return dt.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%d %H:%M:%S")
            if field.type in ("integer", "many2one", "many2one_reference") or field.name == "id":
                if isinstance(value, float) and not value.is_integer():
                    return value
                number = int(value)
                return number if -BIGINT <= number <= BIGINT else float(number)  # PostgreSQL compares as numeric
            if field.type in ("float", "monetary"):
                return float(value)
            if isinstance(value, int) and not -BIGINT <= value <= BIGINT:
                return str(value)
        except ValueError as exc:
            text = str(exc)
            if field.type in ("date", "datetime") and "does not match" not in text:
                fmt = "%Y-%m-%d" if field.type == "date" else "%Y-%m-%d %H:%M:%S"
                text = f"time data {value!r} does not match format '{fmt}'"
            raise OdooValueError(text) from None
        except (TypeError, OverflowError) as exc:
            raise OdooValueError(str(exc)) from None
        return value


def _text(value: Any) -> str:
    return str(value)


def _as_id(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise OdooValueError(f"Invalid id {value!r}") from None
    return number if -BIGINT <= number <= BIGINT else 0


def mentions(domain: Any, field_name: str) -> bool:
    """Whether a domain has a leaf on ``field_name`` (Odoo's test before adding ``active = True``)."""
    if not isinstance(domain, (list, tuple)):
        return False
    return any(isinstance(token, (list, tuple)) and token and token[0] == field_name for token in domain)
