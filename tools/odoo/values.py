"""Decoding Odoo's wire values: many2one pairs, dates, ``False`` for empty."""

from __future__ import annotations

import datetime as dt
import sys
from functools import lru_cache
from typing import Any

# Strings and dates repeat across tens of thousands of rows (partner names, currencies, states, due dates):
# decoding returns one object per row, so they are shared here to keep large extractions small.


def m2o_id(value: Any) -> int | None:
    """The id of a many2one value ``[id, display_name]`` (``False`` when empty)."""
    return int(value[0]) if isinstance(value, (list, tuple)) and value else None


def m2o_name(value: Any) -> str | None:
    """The display name of a many2one value (shared: the same name is one object in memory)."""
    return sys.intern(str(value[1])) if isinstance(value, (list, tuple)) and len(value) > 1 else None


@lru_cache(maxsize=65536)
def _date(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def to_date(value: Any) -> dt.date | None:
    """A date or datetime field (``'2026-11-24'``, ``'2026-11-24 09:00:00'``) as a date (shared)."""
    return _date(value[:10]) if isinstance(value, str) and value else None


def word(value: Any) -> str:
    """A selection value or short code (shared)."""
    return sys.intern(str(value)) if value not in (None, False) else ""


def number(value: Any) -> float:
    """A float field (``False``/``None`` as 0.0)."""
    return float(value) if value not in (None, False) else 0.0


def text(value: Any) -> str | None:
    """A char field (``False`` as None)."""
    return str(value) if value not in (None, False) else None
