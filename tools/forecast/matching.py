"""Which bank line each posted payment became: same partner and amount, the nearest date within 3 weeks.

Odoo links a payment to its bank line through the reconciliation of the outstanding account, which
the data layer summarises as ``is_matched``; the date the money reached the bank is learned here by
matching amounts. Computed once per snapshot (cached on the object, weakly).
"""

from __future__ import annotations

import bisect
import datetime as dt
import weakref
from collections import defaultdict

from tools.odoo.records import Snapshot

MAX_DAYS = 21
_CACHE: dict[int, tuple[weakref.ref[Snapshot], dict[int, dt.date]]] = {}


def _match(snapshot: Snapshot) -> dict[int, dt.date]:
    lines: dict[tuple[int | None, float], list[dt.date]] = defaultdict(list)
    for t in snapshot.bank_transactions:
        if t.matched == "document":
            lines[(t.partner_id, round(t.amount, 2))].append(t.date)
    for dates in lines.values():
        dates.sort()
    out: dict[int, dt.date] = {}
    for p in snapshot.payments:
        found = lines.get((p.partner_id, round(p.amount, 2)))
        if not found:
            continue
        lo = bisect.bisect_left(found, p.date - dt.timedelta(days=1))
        hi = bisect.bisect_right(found, p.date + dt.timedelta(days=MAX_DAYS))
        if lo < hi:
            out[p.ref.id] = min(found[lo:hi], key=lambda d: abs((d - p.date).days))
    return out


def payment_bank_dates(snapshot: Snapshot) -> dict[int, dt.date]:
    """account.payment id -> date of its bank line (payments without a match are absent)."""
    key = id(snapshot)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is snapshot:
        return hit[1]
    result = _match(snapshot)
    for k in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
        del _CACHE[k]
    _CACHE[key] = (weakref.ref(snapshot), result)
    return result
