"""``read_group``: aggregates per group, shaped exactly as Odoo 17 returns them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.domain import AND_
from sandbox.errors import OdooValueError
from sandbox.orm import limit_sql
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
        m = SPEC_RE.match(spec) if isinstance(spec, str) else None
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


def group_expr(g: GroupBy, alias: str = "t", tz: str | None = None) -> str:
    """SQL of a group's value: the column, or the first day of its period (in the user's timezone)."""
    col = f'{alias}."{g.field.name}"'
    if not g.granularity:
        return col
    if g.field.type == "datetime" and tz:
        col = f"odoo_tz({col}, '{tz}')"
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


def user_tz(context: dict[str, Any]) -> str | None:
    """The context's timezone when it is a real one (Odoo groups datetimes in it)."""
    tz = context.get("tz")
    if isinstance(tz, str) and tz in _timezones():
        return tz
    return None


def _timezones() -> set[str]:
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = set(zoneinfo.available_timezones())
    return _TIMEZONES


_TIMEZONES: set[str] | None = None


def _range(g: GroupBy, start: str, tz: str | None = None) -> tuple[str, str]:
    """``[from, to)`` of a date group; for datetimes, the local period's bounds in UTC."""
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
        return _utc(d, tz), _utc(end, tz)
    return d.isoformat(), end.isoformat()


def _utc(day: dt.date, tz: str | None) -> str:
    moment = dt.datetime.combine(day, dt.time())
    if tz:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(tz)).astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _label(g: GroupBy, start: str) -> str:
    """The group's label as Odoo 17 formats it (babel, en_US)."""
    d = dt.date.fromisoformat(start)
    if g.granularity == "day":
        return f"{d.day:02d} {calendar.month_abbr[d.month]} {d.year}"
    if g.granularity == "week":
        year, week = us_week(d)
        return f"W{week} {year}"
    if g.granularity == "month":
        return f"{calendar.month_name[d.month]} {d.year}"
    if g.granularity == "quarter":
        return f"Q{(d.month - 1) // 3 + 1} {d.year}"
    return str(d.year)


def us_week(day: dt.date) -> tuple[int, int]:
    """(week-year, week) of ``day`` as babel numbers weeks for en_US: Sunday first, week 1 holds January 1st."""
    sunday = day - dt.timedelta(days=(day.weekday() + 1) % 7)
    year = (sunday + dt.timedelta(days=6)).year
    first = dt.date(year, 1, 1)
    first_sunday = first - dt.timedelta(days=(first.weekday() + 1) % 7)
    return year, (sunday - first_sunday).days // 7 + 1


def read_group(records: Recordset, domain: Any, fields: list[str], groupby: Any, offset: int = 0,
               limit: int | None = None, orderby: str | bool = False, lazy: bool = True) -> list[dict[str, Any]]:
    records.check("read")
    if not isinstance(fields, (list, tuple)):
        raise OdooValueError(f"Invalid fields {fields!r}: expected a list of field specifications")
    specs = [groupby] if isinstance(groupby, str) else list(groupby or [])
    if not all(isinstance(spec, str) for spec in specs):
        raise OdooValueError(f"Invalid groupby {groupby!r}")
    groupbys = [parse_groupby(records, s) for s in specs]
    active = groupbys[:1] if lazy else groupbys
    aggregates = parse_aggregates(records, list(fields or []), active)
    tz = user_tz(records.env.context)
    params: list[Any] = []
    where = records._where(domain, "t", params)
    exprs = [group_expr(g, "t", tz) for g in active]
    select = [f"{e} AS g{i}" for i, e in enumerate(exprs)] + ["COUNT(*) AS c"]
    for i, a in enumerate(aggregates):
        col = f't."{a.field.name}"' if a.field else "1"
        distinct = "DISTINCT " if a.func == "count_distinct" else ""
        select.append(f"{AGGREGATES[a.func]}({distinct}{col}) AS a{i}")
    sql = f'SELECT {", ".join(select)} FROM "{records.model.table}" t WHERE {where}'
    if exprs:
        sql += " GROUP BY " + ", ".join(f"g{i}" for i in range(len(exprs)))
        sql += " ORDER BY " + _order(records, active, aggregates, orderby)
    sql += limit_sql(limit, offset)
    rows = list(records.store.execute(sql, params))
    names = _names(records, active, rows)
    count_key = "__count" if not lazy or not active else f"{active[0].field.name}_count"
    base_domain = list(domain or [])
    result: list[dict[str, Any]] = []
    for row in rows:
        group: dict[str, Any] = {g.key: _group_value(g, row[i], names) for i, g in enumerate(active)}
        group[count_key] = row[len(active)]
        for j, a in enumerate(aggregates):
            value = row[len(active) + 1 + j]
            if a.field is not None and a.field.type in ("float", "monetary", "integer") and a.func != "count":
                value = value if value is not None else (0.0 if a.field.type != "integer" else 0)
            group[a.alias] = value
        group["__domain"] = base_domain
        if lazy and len(groupbys) > 1:
            group["__context"] = {"group_by": specs[1:]}
        for i, g in enumerate(active):
            value = row[i]
            group["__domain"] = AND_([group["__domain"], _group_domain(g, value, tz)])
            if g.granularity:
                ranges = group.setdefault("__range", {})
                if value:
                    start, end = _range(g, value, tz)
                    ranges[g.key] = {"from": start, "to": end}
                else:
                    ranges[g.key] = False
        result.append(group)
    return result


def _order(records: Recordset, active: list[GroupBy], aggregates: list[Aggregate], orderby: str | bool) -> str:
    """ORDER BY of the groups: ``orderby`` first, then the groups' own order (many2one by the comodel order)."""
    parts: list[str] = []
    if orderby:
        if not isinstance(orderby, str):
            raise OdooValueError(f"Invalid orderby {orderby!r}")
        for item in orderby.split(","):
            words = item.strip().split()
            if not words:
                continue
            name, descending = words[0], len(words) > 1 and words[1].lower() == "desc"
            direction = "DESC" if descending else "ASC"
            if name == "__count":
                parts.append(f"c {direction}")
                continue
            idx = next((i for i, g in enumerate(active) if g.spec == name or g.field.name == name), None)
            if idx is not None:
                parts += _group_order(records, active[idx], idx, descending)
                continue
            agg = next((j for j, a in enumerate(aggregates) if a.alias == name), None)
            if agg is not None:
                parts.append(f"a{agg} {direction}")
                continue
            raise OdooValueError(f"Invalid field {name!r} on model {records.model.name!r} for ordering")
    for i, g in enumerate(active):
        parts += _group_order(records, g, i, False)
    return ", ".join(parts)


def _group_order(records: Recordset, g: GroupBy, index: int, descending: bool) -> list[str]:
    column = f"g{index}"
    if g.field.type == "many2one" and g.field.relation in records.env.registry:
        comodel = records.env.registry[g.field.relation or ""]

        def sub(name: str) -> str:
            return f'(SELECT og."{name}" FROM "{comodel.table}" og WHERE og.id = {column})'

        terms = records._order_terms(comodel, comodel.spec.order, sub, descending, 1)
        parts = [f"({column} IS NULL) {'DESC' if descending else 'ASC'}"]
        for expr, desc, nulls_first in terms:
            parts.append(f"{expr} {'DESC' if desc else 'ASC'} NULLS {'FIRST' if nulls_first else 'LAST'}")
        return [*parts, f"{column} {'DESC' if descending else 'ASC'}"]
    return [f"({column} IS NULL) {'DESC' if descending else 'ASC'}", f"{column} {'DESC' if descending else 'ASC'}"]


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


def _group_domain(g: GroupBy, value: Any, tz: str | None = None) -> list[Any]:
    name = g.field.name
    if value is None:
        return [(name, "=", False)]
    if g.granularity:
        start, end = _range(g, value, tz)
        return ["&", (name, ">=", start), (name, "<", end)]
    if g.field.type == "boolean":
        return [(name, "=", bool(value))]
    return [(name, "=", value)]
