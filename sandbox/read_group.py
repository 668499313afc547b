"""``read_group``: aggregates per group, shaped exactly as Odoo 17 returns them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.domain import AND_
from sandbox.errors import OdooValueError
from sandbox.schema import Field

if TYPE_CHECKING:
    from sandbox.orm import Recordset

GRANULARITIES = ("day", "week", "month", "quarter", "year")
AGGREGATES = {
    "sum": "SUM", "avg": "AVG", "min": "MIN", "max": "MAX", "count": "COUNT", "count_distinct": "COUNT",
    "bool_and": "MIN", "bool_or": "MAX",
}
SPEC_RE = re.compile(r"^(?P<alias>\w+)(:(?P<agg>\w+)(\((?P<field>\w+)\))?)?$")


@dataclass
class GroupBy:
    spec: str
    field: Field
    granularity: str | None

    @property
    def key(self) -> str:
        return self.spec


@dataclass
class Aggregate:
    alias: str
    field: Field | None
    func: str


def parse_groupby(records: Recordset, spec: str) -> GroupBy:
    name, _, gran = spec.partition(":")
    f = records.model.field(name)
    if f is None:
        raise OdooValueError(f"Invalid field {name!r} on model {records.model.name!r}")
    if not f.has_column:
        raise OdooValueError(f"Field {f.name!r} is not a stored field, only stored fields can be grouped")
    if f.type in ("date", "datetime"):
        gran = gran or "month"
        if gran not in GRANULARITIES:
            raise OdooValueError(f"Invalid granularity {gran!r}: it should be one of {', '.join(GRANULARITIES)}")
        return GroupBy(f"{name}:{gran}", f, gran)
    if gran:
        raise OdooValueError(f"Granularity set on a field of type {f.type!r}")
    return GroupBy(name, f, None)


def parse_aggregates(records: Recordset, fields: list[str], groupbys: list[GroupBy]) -> list[Aggregate]:
    grouped = {g.field.name for g in groupbys}
    result: list[Aggregate] = []
    for spec in fields or []:
        if spec == "__count":
            continue
        m = SPEC_RE.match(spec)
        if not m:
            raise OdooValueError(f"Invalid field specification {spec!r}.")
        alias, agg, fname = m.group("alias"), m.group("agg"), m.group("field") or m.group("alias")
        f = records.model.field(fname)
        if f is None:
            raise OdooValueError(f"Invalid field {fname!r} on model {records.model.name!r}")
        if fname in grouped and not agg:
            continue
        func = agg or f.group_operator
        if func is None or not f.has_column:
            continue
        if func not in AGGREGATES:
            raise OdooValueError(f"Invalid aggregation function {func!r}.")
        result.append(Aggregate(alias, f, func))
    return result


def group_expr(g: GroupBy, alias: str = "t") -> str:
    col = f'{alias}."{g.field.name}"'
    if not g.granularity:
        return col
    day = f"substr({col}, 1, 10)"
    if g.granularity == "day":
        return day
    if g.granularity == "week":
        return f"date({day}, 'weekday 0', '-6 days')"
    if g.granularity == "month":
        return f"substr({col}, 1, 7) || '-01'"
    if g.granularity == "quarter":
        return (f"substr({col}, 1, 5) || printf('%02d', ((CAST(substr({col}, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1)"
                " || '-01'")
    return f"substr({col}, 1, 4) || '-01-01'"


def _range(g: GroupBy, start: str) -> tuple[str, str]:
    d = dt.date.fromisoformat(start)
    if g.granularity == "day":
        end = d + dt.timedelta(days=1)
    elif g.granularity == "week":
        end = d + dt.timedelta(days=7)
    elif g.granularity == "month":
        end = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    elif g.granularity == "quarter":
        month = d.month + 3
        end = dt.date(d.year + (month > 12), (month - 1) % 12 + 1, 1)
    else:
        end = dt.date(d.year + 1, 1, 1)
    if g.field.type == "datetime":
        return f"{d.isoformat()} 00:00:00", f"{end.isoformat()} 00:00:00"
    return d.isoformat(), end.isoformat()


def _label(g: GroupBy, start: str) -> str:
    d = dt.date.fromisoformat(start)
    if g.granularity == "day":
        return f"{d.day:02d} {calendar.month_abbr[d.month]} {d.year}"
    if g.granularity == "week":
        iso_year, iso_week, _ = d.isocalendar()
        return f"W{iso_week} {iso_year}"
    if g.granularity == "month":
        return f"{calendar.month_name[d.month]} {d.year}"
    if g.granularity == "quarter":
        return f"Q{(d.month - 1) // 3 + 1} {d.year}"
    return str(d.year)


def read_group(records: Recordset, domain: Any, fields: list[str], groupby: Any, offset: int = 0,
               limit: int | None = None, orderby: str | bool = False, lazy: bool = True) -> list[dict[str, Any]]:
    records.check("read")
    specs = [groupby] if isinstance(groupby, str) else list(groupby or [])
    groupbys = [parse_groupby(records, s) for s in specs]
    active = groupbys[:1] if lazy else groupbys
    aggregates = parse_aggregates(records, list(fields or []), active)
    params: list[Any] = []
    where = records._where(domain, "t", params)
    exprs = [group_expr(g) for g in active]
    select = [f"{e} AS g{i}" for i, e in enumerate(exprs)] + ["COUNT(*) AS c"]
    for i, a in enumerate(aggregates):
        col = f't."{a.field.name}"' if a.field else "1"
        distinct = "DISTINCT " if a.func == "count_distinct" else ""
        select.append(f"{AGGREGATES[a.func]}({distinct}{col}) AS a{i}")
    sql = f'SELECT {", ".join(select)} FROM "{records.model.table}" t WHERE {where}'
    if exprs:
        sql += " GROUP BY " + ", ".join(f"g{i}" for i in range(len(exprs)))
        sql += " ORDER BY " + _order(records, active, aggregates, orderby)
    if limit:
        sql += f" LIMIT {int(limit)}"
    if offset:
        sql += (" " if limit else " LIMIT -1 ") + f"OFFSET {int(offset)}"
    rows = list(records.store.execute(sql, params))
    names = _names(records, active, rows)
    count_key = "__count" if not lazy or not active else f"{active[0].field.name}_count"
    result: list[dict[str, Any]] = []
    for row in rows:
        group: dict[str, Any] = {}
        leaves: list[Any] = []
        ranges: dict[str, Any] = {}
        for i, g in enumerate(active):
            value = row[i]
            group[g.key] = _group_value(g, value, names)
            leaves.extend(_group_domain(g, value))
            if g.granularity and value:
                start, end = _range(g, value)
                ranges[g.key] = {"from": start, "to": end}
        group[count_key] = row[len(active)]
        for j, a in enumerate(aggregates):
            value = row[len(active) + 1 + j]
            if a.field is not None and a.field.type in ("float", "monetary", "integer") and a.func != "count":
                value = value if value is not None else (0.0 if a.field.type != "integer" else 0)
            group[a.alias] = value
        group["__domain"] = AND_([list(domain or []), leaves]) if leaves else list(domain or [])
        if ranges:
            group["__range"] = ranges
        if lazy and len(groupbys) > 1:
            group["__context"] = {"group_by": specs[1:]}
        result.append(group)
    return result


def _order(records: Recordset, active: list[GroupBy], aggregates: list[Aggregate], orderby: str | bool) -> str:
    parts: list[str] = []
    if orderby:
        for item in str(orderby).split(","):
            words = item.strip().split()
            if not words:
                continue
            name, direction = words[0], ("DESC" if len(words) > 1 and words[1].lower() == "desc" else "ASC")
            if name == "__count":
                parts.append(f"c {direction}")
                continue
            idx = next((i for i, g in enumerate(active) if g.spec == name or g.field.name == name), None)
            if idx is not None:
                parts.append(f"g{idx} {direction}")
                continue
            agg = next((j for j, a in enumerate(aggregates) if a.alias == name), None)
            if agg is not None:
                parts.append(f"a{agg} {direction}")
                continue
            raise OdooValueError(f"Invalid field {name!r} on model {records.model.name!r} for ordering")
    for i, g in enumerate(active):
        if g.field.type == "many2one" and g.field.relation in records.env.registry:
            comodel = records.env.registry[g.field.relation or ""]
            expr = records.env.db.compiler.display_expr(comodel, "o")
            parts.append(f'(g{i} IS NULL), (SELECT {expr} FROM "{comodel.table}" o WHERE o.id = g{i})')
        parts.append(f"(g{i} IS NULL), g{i}")
    return ", ".join(parts)


def _names(records: Recordset, active: list[GroupBy], rows: list[Any]) -> dict[tuple[str, int], str]:
    from sandbox.orm import Recordset as _Recordset

    names: dict[tuple[str, int], str] = {}
    for i, g in enumerate(active):
        if g.field.type == "many2one" and g.field.relation in records.env.registry:
            ids = sorted({r[i] for r in rows if r[i]})
            co = _Recordset(records.env, records.env.registry[g.field.relation or ""])
            for rid, name in co.display_names(ids).items():
                names[(g.field.relation or "", rid)] = name
    return names


def _group_value(g: GroupBy, value: Any, names: dict[tuple[str, int], str]) -> Any:
    if value is None:
        return False
    if g.granularity:
        return _label(g, value)
    if g.field.type == "many2one":
        return [value, names.get((g.field.relation or "", value), "")]
    if g.field.type == "boolean":
        return bool(value)
    return value


def _group_domain(g: GroupBy, value: Any) -> list[Any]:
    name = g.field.name
    if value is None:
        return [(name, "=", False)]
    if g.granularity:
        start, end = _range(g, value)
        return ["&", (name, ">=", start), (name, "<", end)]
    if g.field.type == "boolean":
        return [(name, "=", bool(value))]
    return [(name, "=", value)]
