"""Conversions between what clients send, what the store holds and what Odoo returns."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sandbox.errors import OdooValueError
from sandbox.schema import Field


def to_read(f: Field, value: Any, names: dict[tuple[str, int], str] | None = None) -> Any:
    """A cached value -> the value ``read`` returns for it."""
    t = f.type
    if t == "many2one":
        if not value:
            return False
        name = (names or {}).get((f.relation or "", value), "")
        return [value, name]
    if t in ("one2many", "many2many"):
        return list(value or [])
    if t == "boolean":
        return bool(value)
    if t in ("integer", "many2one_reference"):
        return int(value or 0)
    if t in ("float", "monetary"):
        return float(value or 0.0)
    if t == "json":
        if value in (None, False, ""):
            return False
        return json.loads(value) if isinstance(value, str) else value
    if value is None:
        return False
    return value


def _false_if_none(value: Any) -> Any:
    return False if value is None else value


def _float(value: Any) -> float:
    return float(value) if value is not None else 0.0


def _int(value: Any) -> int:
    return int(value) if value else 0


def _x2many(value: Any) -> list[int]:
    return list(value) if value else []


def converter(f: Field) -> Any:
    """A fast ``to_read`` for one field (many2one values are handled by the caller)."""
    t = f.type
    if t in ("one2many", "many2many"):
        return _x2many
    if t == "boolean":
        return bool
    if t in ("integer", "many2one_reference"):
        return _int
    if t in ("float", "monetary"):
        return _float
    if t in ("json", "many2one"):
        return lambda value: to_read(f, value)
    return _false_if_none


def from_client(f: Field, value: Any, model: str) -> Any:
    """A value sent to create/write -> the value stored (raises Odoo's ValueError when wrong)."""
    t = f.type
    if value is None or value is False:
        return False if t == "boolean" else None
    try:
        if t == "boolean":
            return bool(value)
        if t in ("integer", "many2one_reference"):
            return int(value)
        if t in ("float", "monetary"):
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if t == "many2one":
            if isinstance(value, (list, tuple)):
                value = value[0]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"Wrong value for {model}.{f.name}: {value!r}")
            return value
        if t == "date":
            if not isinstance(value, str):
                raise ValueError(value)
            return dt.date.fromisoformat(value[:10]).isoformat() if len(value) in (10, 19) else _bad_date(value)
        if t == "datetime":
            if not isinstance(value, str):
                raise ValueError(value)
            if len(value) == 10:
                return dt.date.fromisoformat(value).isoformat() + " 00:00:00"
            return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%d %H:%M:%S")
        if t == "selection":
            allowed = {k for k, _ in (f.selection or ())}
            if value not in allowed:
                raise OdooValueError(f"Wrong value for {model}.{f.name}: {value!r}")
            return value
        if t in ("char", "text", "html"):
            return str(value)
        if t == "json":
            return value
    except OdooValueError:
        raise
    except (TypeError, ValueError) as exc:
        if t in ("date", "datetime"):
            fmt = "%Y-%m-%d" if t == "date" else "%Y-%m-%d %H:%M:%S"
            raise OdooValueError(f"time data {value!r} does not match format '{fmt}'") from None
        if t == "many2one":
            raise OdooValueError(str(exc)) from None
        raise OdooValueError(f"could not convert {type(value).__name__} to {t}: {value!r}") from None
    return value


def _bad_date(value: str) -> str:
    raise ValueError(value)
