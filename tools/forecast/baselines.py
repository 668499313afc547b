"""The methods the backtest compares the model with.

* ``due_date``: open documents at their due date (overdue ones tomorrow), open orders at their
  commitment / planned date + payment term, nothing else - what Odoo / OCA cash-flow reports show;
* ``due_date_plus_naive``: the same plus a seasonal-naive forecast of the no-document flows (each
  day repeats the same day of the previous month, the calendar season of payroll, rent and taxes);
* ``statsforecast_only``: ``AutoETS`` (weekly season) on the daily net bank flow, no documents;
  its balance band assumes independent daily errors;
* ``oracle_timing`` inputs: the open documents' cash at the dates it really reached the bank.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pandas as pd

from tools.forecast.baseline import Z80, _run
from tools.forecast.events import EventBlock, EventMeta, point_mass
from tools.forecast.flowgroups import group_lines
from tools.forecast.installments import open_items
from tools.forecast.orders import reference_date
from tools.forecast.terms import add_months, split_by_term
from tools.forecast.types import EventSource
from tools.odoo.records import Installment, Snapshot

Flows = tuple[np.ndarray, np.ndarray]


def _add(inflow: np.ndarray, outflow: np.ndarray, k: int, amount: float) -> None:
    if 1 <= k <= len(inflow):
        (inflow if amount >= 0 else outflow)[k - 1] += amount


def due_date_flows(snapshot: Snapshot, origin: dt.date, horizon: int) -> Flows:
    inflow, outflow = np.zeros(horizon), np.zeros(horizon)
    for inst in open_items(snapshot, origin):
        day = inst.due_date or inst.invoice_date or origin
        _add(inflow, outflow, max((day - origin).days, 1), inst.residual)
    terms = {t.id: t for t in snapshot.payment_terms}
    partners = {p.id: p for p in snapshot.partners}
    for o in snapshot.orders:
        if not o.is_open or (o.confirmed_on or o.date_order) > origin:
            continue
        partner = partners.get(o.partner_id)
        term_id = o.payment_term_id or ((partner.customer_term_id if o.kind == "sale" else partner.vendor_term_id)
                                        if partner else None)
        for day, amount in split_by_term(terms.get(term_id) if term_id else None, reference_date(o),
                                         o.amount_to_invoice):
            _add(inflow, outflow, max((day - origin).days, 1), amount)
    return inflow, outflow


def naive_no_document(snapshot: Snapshot, origin: dt.date, horizon: int) -> Flows:
    """Same day of the previous month (repeated back until it is history)."""
    daily: dict[dt.date, float] = defaultdict(float)
    for lines in group_lines(snapshot, origin).values():
        for t in lines:
            daily[t.date] += t.amount
    inflow, outflow = np.zeros(horizon), np.zeros(horizon)
    for k in range(1, horizon + 1):
        target = origin + dt.timedelta(days=k)
        back = 1
        source = add_months(target, -back)
        while source > origin:
            back += 1
            source = add_months(target, -back)
        if source.day != target.day:  # the 31st has no twin in a 30-day month
            continue
        _add(inflow, outflow, k, daily.get(source, 0.0))
    return inflow, outflow


def statsforecast_only(snapshot: Snapshot, origin: dt.date, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily net mean and sd from AutoETS(season_length=7) on the daily net bank flow."""
    from statsforecast.models import AutoETS

    start = snapshot.history_start
    n = (origin - start).days + 1
    y = np.zeros(max(n, 1))
    for t in snapshot.bank_transactions:
        k = (t.date - start).days
        if 0 <= k < n:
            y[k] += t.amount
    fc = _run([AutoETS(season_length=7)], [pd.DataFrame({"unique_id": "net", "ds": np.arange(len(y)), "y": y})],
              horizon)
    mean = fc["AutoETS"].to_numpy(dtype=float)
    sd = np.nan_to_num((fc["AutoETS-hi-80"] - fc["AutoETS-lo-80"]).to_numpy(dtype=float) / (2 * Z80))
    return mean, sd


def cash_dates(inst: Installment, after: dt.date, bank_dates: dict[int, dt.date]) -> list[tuple[dt.date, float]]:
    """Cash settlements of ``inst`` settled after ``after``: (bank date, amount)."""
    out = []
    for s in inst.settlements:
        if not s.is_cash or s.date <= after:
            continue
        day = bank_dates.get(s.source.id, s.date) if s.via == "payment" else s.date
        out.append((max(day, s.date), s.amount))
    return out


def oracle_documents(full: Snapshot, rewound: Snapshot, origin: dt.date, horizon: int,
                     bank_dates: dict[int, dt.date]) -> EventBlock:
    """The open documents at origin as point events at the dates their cash really came."""
    by_line = {i.line_id: i for i in full.installments}
    meta, amounts, rows = [], [], []
    for inst in open_items(rewound, origin):
        now = by_line.get(inst.line_id)
        if now is None:
            continue
        for day, amount in cash_dates(now, origin, bank_dates):
            meta.append(EventMeta("invoice" if inst.kind == "receivable" else "bill",
                                  EventSource(model=inst.document.model, id=inst.document.id, name=inst.document.name),
                                  inst.partner_name, inst.partner_id, inst.due_date, "open_item", inst.line_id))
            amounts.append(amount)
            rows.append(point_mass((day - origin).days, horizon))
    if not rows:
        return EventBlock.empty(horizon)
    return EventBlock(meta, np.array(amounts), np.array(rows), horizon)
